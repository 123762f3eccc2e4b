/** Hive's text layouts Athena returns: SHOW CREATE TABLE (one row per line), DESCRIBE and DESCRIBE FORMATTED (20-wide padded, tab-separated fields), SHOW COLUMNS. */
import type { Column, Table } from '../../catalog/model.js';
import { SERDES } from './table-definition.js';

const ALIGN = 20;
const pad = (s: string): string => s.padEnd(ALIGN);
/** Hive's `escapeHiveCommand`: `'` and `;` are backslash-escaped. */
const esc = (s: string): string => s.replace(/[';]/g, (c) => `\\${c}`);
/** Java `escapeJava`-like rendering of control characters (TBLPROPERTIES values). */
const escJava = (s: string): string =>
  s.replace(/[\\"\u0000-\u001f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
/** SerDe property values: control characters as `\u0001`-style escapes, like Hive's `escapeUnicode`. */
const escDelim = (s: string): string =>
  esc(s).replace(/[\u0000-\u001f]/g, (c) => ({ '\t': '\\t', '\n': '\\n' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** Delimiters in ROW FORMAT DELIMITED clauses (Hive's `escapeJava` first): a backslash is doubled, so `ESCAPED BY '\\'` reads back. */
const escClause = (s: string): string => escDelim(s.replaceAll('\\', '\\\\'));

function columnLines(cols: readonly Column[]): string[] {
  return cols.map((c) => `  \`${c.Name}\` ${c.Type}${c.Comment !== undefined ? ` COMMENT '${esc(c.Comment)}'` : ''}`);
}

/** SHOW CREATE TABLE text, split into lines (each line is a result row). */
export function showCreateTable(table: Table): string[] {
  const sd = table.StorageDescriptor ?? {};
  const params = { ...(table.Parameters ?? {}) };
  const lines: string[] = [];
  const external = (params.EXTERNAL ?? '').toUpperCase() === 'TRUE' || table.TableType === 'EXTERNAL_TABLE';
  lines.push(`CREATE ${external ? 'EXTERNAL ' : ''}TABLE \`${table.DatabaseName}.${table.Name}\`(`);
  const cols = columnLines(sd.Columns ?? []);
  cols.forEach((c, i) => lines.push(i < cols.length - 1 ? `${c}, ` : `${c})`));
  if (cols.length === 0) lines[lines.length - 1] += ')';
  if (params.comment !== undefined) lines.push('COMMENT', `  '${esc(params.comment)}'`);
  const keys = columnLines(table.PartitionKeys ?? []);
  if (keys.length > 0) {
    lines.push('PARTITIONED BY ( ');
    keys.forEach((c, i) => lines.push(i < keys.length - 1 ? `${c}, ` : `${c})`));
  }
  if ((sd.BucketColumns ?? []).length > 0) {
    lines.push('CLUSTERED BY ( ');
    const b = sd.BucketColumns!.map((c) => `  ${c}`);
    b.forEach((c, i) => lines.push(i < b.length - 1 ? `${c}, ` : `${c}) `));
    lines.push(`INTO ${sd.NumberOfBuckets ?? -1} BUCKETS`);
  }
  const serde = sd.SerdeInfo?.SerializationLibrary ?? '';
  const serdeParams = { ...(sd.SerdeInfo?.Parameters ?? {}) };
  if (serdeParams['serialization.format'] === '1') delete serdeParams['serialization.format'];
  const delimited = serde === SERDES.lazySimple && Object.keys(serdeParams).every((k) => DELIMS[k] !== undefined || k === 'serialization.format');
  if (delimited) {
    lines.push('ROW FORMAT DELIMITED ');
    for (const [k, clause] of Object.entries(DELIMS)) if (serdeParams[k] !== undefined) lines.push(`  ${clause} '${escClause(serdeParams[k])}' `);
  } else {
    lines.push('ROW FORMAT SERDE ', `  '${esc(serde)}' `);
    const entries = Object.entries(serdeParams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) {
      lines.push('WITH SERDEPROPERTIES ( ');
      entries.forEach(([k, v], i) => lines.push(`  '${k}'='${escDelim(v)}'${i < entries.length - 1 ? ', ' : ') '}`));
    }
  }
  lines.push('STORED AS INPUTFORMAT ', `  '${esc(sd.InputFormat ?? '')}' `, 'OUTPUTFORMAT ', `  '${esc(sd.OutputFormat ?? '')}'`);
  if (sd.Location !== undefined) lines.push('LOCATION', `  '${esc(sd.Location)}'`);
  delete params.EXTERNAL;
  delete params.comment;
  const props = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (props.length > 0) {
    lines.push('TBLPROPERTIES (');
    props.forEach(([k, v], i) => lines.push(`  '${k}'='${esc(escJava(v))}'${i < props.length - 1 ? ', ' : ')'}`));
  }
  return lines;
}

const DELIMS: Readonly<Record<string, string>> = {
  'field.delim': 'FIELDS TERMINATED BY',
  'escape.delim': 'ESCAPED BY',
  'collection.delim': 'COLLECTION ITEMS TERMINATED BY',
  'mapkey.delim': 'MAP KEYS TERMINATED BY',
  'line.delim': 'LINES TERMINATED BY',
  'serialization.null.format': 'NULL DEFINED AS',
};

/** JSON SerDes report every column's comment as `from deserializer`. */
function comment(table: Table, c: Column): string {
  const serde = table.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? '';
  if (c.Comment === undefined && /json|regex|opencsv/i.test(serde)) return 'from deserializer';
  return c.Comment ?? '';
}

const row = (...fields: string[]): string => fields.map(pad).join('\t');

/** DESCRIBE t: every column (data then partition keys), then the `# Partition Information` section. */
export function describeTable(table: Table, column?: string): string[] {
  const cols = table.StorageDescriptor?.Columns ?? [];
  const keys = table.PartitionKeys ?? [];
  const all = [...cols, ...keys];
  if (column !== undefined) return all.filter((c) => c.Name === column).map((c) => row(c.Name!, c.Type ?? '', comment(table, c)));
  const lines = all.map((c) => row(c.Name!, c.Type ?? '', comment(table, c)));
  if (keys.length > 0) {
    lines.push('\t \t ', '# Partition Information\t \t ', `# ${row('col_name', 'data_type', 'comment')}`, '\t \t ');
    for (const k of keys) lines.push(row(k.Name!, k.Type ?? '', comment(table, k)));
  }
  return lines;
}

function hiveDate(d: Date | undefined): string {
  if (!d) return 'UNKNOWN';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

const info = (label: string, value: string): string => `${pad(label)}\t${pad(value)}\t `;
const param = (k: string, v: string): string => `\t${pad(k)}\t${pad(escJava(v))}`;

/** DESCRIBE FORMATTED t (Hive's detailed layout). */
export function describeFormatted(table: Table): string[] {
  const sd = table.StorageDescriptor ?? {};
  const lines = [`# ${row('col_name', 'data_type', 'comment')}`, '\t \t '];
  for (const c of sd.Columns ?? []) lines.push(row(c.Name!, c.Type ?? '', comment(table, c)));
  if ((table.PartitionKeys ?? []).length > 0) {
    lines.push('\t \t ', '# Partition Information\t \t ', `# ${row('col_name', 'data_type', 'comment')}`, '\t \t ');
    for (const k of table.PartitionKeys!) lines.push(row(k.Name!, k.Type ?? '', comment(table, k)));
  }
  lines.push('\t \t ', '# Detailed Table Information\t \t ');
  lines.push(info('Database:', table.DatabaseName ?? ''), info('Owner:', table.Owner ?? 'hadoop'), info('CreateTime:', hiveDate(table.CreateTime)));
  lines.push(info('LastAccessTime:', 'UNKNOWN'), info('Retention:', String(table.Retention ?? 0)));
  if (sd.Location !== undefined) lines.push(info('Location:', sd.Location));
  lines.push(info('Table Type:', table.TableType ?? ''), 'Table Parameters:\t \t ');
  for (const [k, v] of Object.entries(table.Parameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(param(k, v));
  lines.push('\t \t ', '# Storage Information\t \t ');
  lines.push(info('SerDe Library:', sd.SerdeInfo?.SerializationLibrary ?? ''), info('InputFormat:', sd.InputFormat ?? ''), info('OutputFormat:', sd.OutputFormat ?? ''));
  lines.push(info('Compressed:', sd.Compressed ? 'Yes' : 'No'), info('Num Buckets:', String(sd.NumberOfBuckets ?? -1)));
  lines.push(info('Bucket Columns:', `[${(sd.BucketColumns ?? []).join(', ')}]`), info('Sort Columns:', '[]'));
  const serdeParams = Object.entries(sd.SerdeInfo?.Parameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (serdeParams.length > 0) {
    lines.push('Storage Desc Params:\t \t ');
    for (const [k, v] of serdeParams) lines.push(param(k, v));
  }
  return lines;
}

/** SHOW COLUMNS: data columns then partition keys, names padded like Hive. */
export function showColumns(table: Table): string[] {
  return [...(table.StorageDescriptor?.Columns ?? []), ...(table.PartitionKeys ?? [])].map((c) => pad(c.Name!));
}
