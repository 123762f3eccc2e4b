/** Renders Athena result rows as aligned tables (width-aware, truncated to the terminal), CSV, JSON lines or TSV. */

export type OutputFormat = 'table' | 'csv' | 'json' | 'tsv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json', 'tsv'];

export interface ResultColumn {
  readonly name: string;
  /** Athena's ColumnInfo.Type, e.g. `integer`, `varchar`, `decimal`. */
  readonly type: string;
}

/** A value as GetQueryResults returns it: the VarCharValue, or null for NULL. */
export type Cell = string | null;

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'float', 'real', 'double', 'decimal']);
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['float', 'real', 'double']);

function baseType(type: string): string {
  return type.toLowerCase().replace(/\(.*$/, '').trim();
}

export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(baseType(type));
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Columns a code point takes in a terminal: 0 for combining marks and format characters, 2 for East Asian wide/fullwidth and emoji. */
export function codePointWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of a string in terminal columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += codePointWidth(ch.codePointAt(0)!);
  return w;
}

/** Cuts `s` to at most `width` columns, ending in `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = codePointWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/** Table cells are one line: newlines shown as `↵`, tabs and other control characters as spaces. */
function tableText(cell: Cell): string {
  if (cell === null) return 'NULL';
  return cell.replace(/\r\n|\n|\r/g, '↵').replace(/[\t\x00-\x1f\x7f]/g, ' ');
}

export interface TableOptions {
  /** Terminal width; wider tables get their widest columns cut with `…`. Undefined: no limit. */
  readonly maxWidth?: number | undefined;
}

/** Column widths that fit `maxWidth` (separators included), shrinking the widest column first, never below 3 or the natural width. */
function fitWidths(natural: number[], maxWidth: number | undefined): number[] {
  const widths = [...natural];
  if (maxWidth === undefined || widths.length === 0) return widths;
  const overhead = 3 * widths.length - 1;
  let total = widths.reduce((a, b) => a + b, 0) + overhead;
  while (total > maxWidth) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= 3) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** psql-style aligned table: header, rule, rows; numbers right-aligned, NULL as `NULL`. */
export function formatTable(columns: readonly ResultColumn[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  if (columns.length === 0) return '';
  const right = columns.map((c) => isNumericType(c.type));
  const texts = rows.map((row) => columns.map((_, i) => tableText(row[i] ?? null)));
  const headers = columns.map((c) => tableText(c.name));
  const natural = headers.map((h) => displayWidth(h));
  for (const r of texts) r.forEach((t, i) => (natural[i] = Math.max(natural[i]!, displayWidth(t))));
  const widths = fitWidths(natural, options.maxWidth);
  const line = (cells: string[]): string =>
    ` ${cells.map((c, i) => pad(truncate(c, widths[i]!), widths[i]!, right[i]!)).join(' | ')}`.replace(/\s+$/, '');
  const out = [line(headers), widths.map((w) => '-'.repeat(w + 2)).join('+'), ...texts.map(line)];
  return `${out.join('\n')}\n`;
}

/** RFC 4180 field: quoted when it holds `,`, `"`, CR or LF or is empty; NULL is an empty unquoted field, the empty string `""`. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (cell === '' || /[",\r\n]/.test(cell)) return `"${cell.replace(/"/g, '""')}"`;
  return cell;
}

export function csvRow(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}

/** TSV field: tab, newline, CR and backslash escaped as `\t`, `\n`, `\r`, `\\`; NULL is an empty field. */
export function tsvField(cell: Cell): string {
  if (cell === null) return '';
  return cell.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export function tsvRow(cells: readonly Cell[]): string {
  return `${cells.map(tsvField).join('\t')}\n`;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** JSON value of a cell: integers and floating-point numbers as numbers, booleans as booleans, NULL as null, everything else (decimals included, to keep their digits) as strings. */
export function jsonValue(cell: Cell, type: string): string {
  if (cell === null) return 'null';
  const t = baseType(type);
  if ((INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t)) && JSON_NUMBER.test(cell)) return cell;
  if (t === 'boolean' && (cell === 'true' || cell === 'false')) return cell;
  return JSON.stringify(cell);
}

/** One JSON object per row, keys in column order. */
export function jsonRow(columns: readonly ResultColumn[], cells: readonly Cell[]): string {
  return `{${columns.map((c, i) => `${JSON.stringify(c.name)}:${jsonValue(cells[i] ?? null, c.type)}`).join(',')}}\n`;
}

/** Streams rows in a scripting format; `header` is called once with the columns before the first rows. */
export interface StreamingFormatter {
  header(columns: readonly ResultColumn[]): string;
  rows(columns: readonly ResultColumn[], rows: readonly (readonly Cell[])[]): string;
}

export function streamingFormatter(format: Exclude<OutputFormat, 'table'>): StreamingFormatter {
  switch (format) {
    case 'csv':
      return { header: (cols) => (cols.length === 0 ? '' : csvRow(cols.map((c) => c.name))), rows: (_cols, rows) => rows.map(csvRow).join('') };
    case 'tsv':
      return { header: (cols) => (cols.length === 0 ? '' : tsvRow(cols.map((c) => c.name))), rows: (_cols, rows) => rows.map(tsvRow).join('') };
    case 'json':
      return { header: () => '', rows: (cols, rows) => rows.map((r) => jsonRow(cols, r)).join('') };
  }
}

/** `1.2 MB`-style size (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]!}`;
}

/** The line after a result: `(3 rows)` or, with timing, `(3 rows, 0.084 s, 1.2 MB scanned)`. */
export function summaryLine(
  rowCount: number,
  timing: { millis?: number | undefined; scannedBytes?: number | undefined } | undefined,
  noun = 'row',
  suffix = '',
): string {
  const parts = [`${rowCount} ${noun}${rowCount === 1 ? '' : 's'}${suffix}`];
  if (timing?.millis !== undefined) parts.push(`${(timing.millis / 1000).toFixed(3)} s`);
  if (timing?.scannedBytes !== undefined) parts.push(`${formatBytes(timing.scannedBytes)} scanned`);
  return `(${parts.join(', ')})`;
}
