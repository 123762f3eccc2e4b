/** The built-in CSV classifier: delimiter sniffing (`,` `|` tab `;` \u0001), Glue's header heuristics, bigint/double/boolean/string inference over ≤1000 rows. */
import { estimateRecords, type ClassifyResult, type TextSample } from './classification.js';
import { mergeTypes, primitive, UNKNOWN, type Field, type HiveType } from '../schema-merge.js';

export const CSV_DELIMITERS = [',', '|', '\t', ';', '\u0001'] as const;
const MAX_ROWS = 1000;
const MAX_HEADER_CELL = 150;

interface Parsed {
  readonly rows: string[][];
  readonly quoted: boolean;
}

/** Splits up to `max` records (quote-aware, `""` escapes); a partial sample's last line is dropped. */
export function parseCsv(text: string, delimiter: string, max: number, complete: boolean): Parsed {
  const rows: string[][] = [];
  let quoted = false;
  let row: string[] = [];
  let cell = '';
  let inQuotes = false;
  let i = 0;
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  while (i < n && rows.length < max) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 34) {
        if (text.charCodeAt(i + 1) === 34) {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else cell += text[i];
      i++;
      continue;
    }
    if (c === 34 && cell.length === 0) {
      inQuotes = true;
      quoted = true;
    } else if (c === d) {
      row.push(cell);
      cell = '';
    } else if (c === 10 || c === 13) {
      row.push(cell);
      cell = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    } else cell += text[i];
    i++;
  }
  if (rows.length < max && (cell.length > 0 || row.length > 0) && complete && !inQuotes) {
    row.push(cell);
    rows.push(row);
  }
  return { rows, quoted };
}

const INTEGER = /^[+-]?\d{1,18}$/;
const DECIMAL = /^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN_TEXT = /^(?:true|false)$/i;

/** The type of one CSV cell; empty cells carry no information. */
export function csvCellType(value: string): HiveType {
  const v = value.trim();
  if (v === '') return UNKNOWN;
  if (INTEGER.test(v)) return primitive('bigint');
  if (DECIMAL.test(v)) return primitive('double');
  if (BOOLEAN_TEXT.test(v)) return primitive('boolean');
  return primitive('string');
}

/** Glue's column-name rule for a header cell: printable, no control characters. */
const COLUMN_NAME = /^[^\u0000-\u001f\u007f]+$/;

function columnTypes(rows: readonly string[][], width: number): HiveType[] {
  const types: HiveType[] = Array.from({ length: width }, () => UNKNOWN);
  for (const r of rows) for (let c = 0; c < width; c++) types[c] = mergeTypes(types[c]!, csvCellType(r[c] ?? ''));
  return types;
}

/** Glue's header test: all cells strings, short (but the last), valid names, and some data column not a string. */
function isHeader(first: readonly string[], dataTypes: readonly HiveType[]): boolean {
  for (let c = 0; c < first.length; c++) {
    const v = first[c]!.trim();
    const last = c === first.length - 1;
    if (v === '') {
      if (!last) return false;
      continue;
    }
    if (csvCellType(v).kind !== 'primitive' || (csvCellType(v) as { name: string }).name !== 'string') return false;
    if (!last && v.length >= MAX_HEADER_CELL) return false;
    if (!COLUMN_NAME.test(v)) return false;
  }
  return dataTypes.some((t) => t.kind === 'primitive' && t.name !== 'string');
}

function headerNames(first: readonly string[]): string[] {
  const seen = new Set<string>();
  return first.map((raw, i) => {
    let name = raw.trim().toLowerCase() || `col${i}`;
    while (seen.has(name)) name = `${name}_${i}`;
    seen.add(name);
    return name;
  });
}

/** Picks the delimiter giving a consistent column count ≥ 2 over the rows read, preferring more columns, then the listed order. */
function sniff(sample: TextSample): { delimiter: string; parsed: Parsed } | undefined {
  let best: { delimiter: string; parsed: Parsed; width: number } | undefined;
  for (const delimiter of CSV_DELIMITERS) {
    const parsed = parseCsv(sample.text, delimiter, MAX_ROWS, sample.complete);
    const width = parsed.rows[0]?.length ?? 0;
    if (width < 2 || parsed.rows.length < 2) continue;
    if (!parsed.rows.every((r) => r.length === width)) continue;
    if (!best || width > best.width) best = { delimiter, parsed, width };
  }
  return best;
}

export function classifyCsv(sample: TextSample): ClassifyResult | undefined {
  const found = sniff(sample);
  if (!found) return undefined;
  const { rows, quoted } = found.parsed;
  const first = rows[0]!;
  const dataTypes = columnTypes(rows.slice(1), first.length);
  const header = isHeader(first, dataTypes);
  const names = header ? headerNames(first) : first.map((_, i) => `col${i}`);
  const types = header ? dataTypes : columnTypes(rows, first.length);
  const columns: Field[] = names.map((name, i) => ({ name, type: types[i]! }));
  const seen = header ? rows.length - 1 : rows.length;
  return {
    schema: { classification: 'csv', compression: sample.compression, columns, csv: { delimiter: found.delimiter, header, quoted } },
    records: estimateRecords(seen, sample),
  };
}
