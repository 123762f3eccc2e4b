/**
 * Athena's SerDe read semantics as DuckDB SQL, per table format. Text files are read per compression group (Athena
 * picks the codec from the file extension; Lakebox's blob files have none, so it is passed explicitly).
 * - OpenX JSON / Hive JSON: json-relation.ts.
 * - RegexSerDe: `input.regex` must match the whole line (else an all-NULL row); group i → column i.
 * - LazySimpleSerDe collections: `collection.delim` (default \u0002) and `mapkey.delim` (default \u0003) split
 *   array/map/struct fields of primitives; with `escape.delim`, string values are unescaped (escaped-text.ts).
 * Values that do not convert to the column type become NULL.
 */
import type { Table } from '../../catalog/model.js';
import { duckDbType } from '../../streams/firehose/conversion/duckdb-types.js';
import type { HiveType } from '../../streams/firehose/conversion/model.js';
import { parseHiveType } from '../../streams/firehose/conversion/hive-type.js';

export interface FileRef {
  readonly path: string;
  readonly uri: string;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const lit = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** DuckDB `compression` for an object key, from its extension (as Athena decides). */
export function compressionOf(uri: string): 'gzip' | 'zstd' | 'none' {
  if (/\.gz(ip)?$/i.test(uri)) return 'gzip';
  if (/\.zst(d)?$/i.test(uri)) return 'zstd';
  return 'none';
}

/** One reader call per compression group (`make(list, compression)`), UNION ALL'ed. */
export function perCompression(files: readonly FileRef[], make: (list: string, compression: string) => string): string {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const c = compressionOf(f.uri);
    groups.set(c, [...(groups.get(c) ?? []), lit(f.path)]);
  }
  const calls = [...groups.entries()].map(([c, paths]) => make(`[${paths.join(', ')}]`, c));
  return calls.length === 1 ? calls[0]! : `(${calls.map((c) => `SELECT * FROM ${c}`).join(' UNION ALL BY NAME ')})`;
}

/** Raw lines (`line`, `filename`) of text files; `skip` header lines per file. */
export function linesReader(files: readonly FileRef[], skip = 0): string {
  return perCompression(
    files,
    (list, c) =>
      `read_csv(${list}, columns = {'line': 'VARCHAR'}, delim = '\u0001\u0002\u0003\u0004', quote = '', escape = '', header = false, skip = ${skip}, ` +
      `compression = '${c}', auto_detect = false, strict_mode = false, filename = true, max_line_size = 8388608, buffer_size = 33554432)`,
  );
}

export function hiveType(type: string | undefined): HiveType | undefined {
  try {
    return parseHiveType(type ?? 'string');
  } catch {
    return undefined;
  }
}

const duck = (t: HiveType | undefined): string => (t ? duckDbType(t) : 'VARCHAR');

/** SELECT producing `filename` and every data column of a RegexSerDe table. */
export function regexRelation(table: Table, files: readonly FileRef[]): string {
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  const regex = params['input.regex'] ?? '(.*)';
  const re = lit(regex);
  const columns = table.StorageDescriptor?.Columns ?? [];
  // All groups in one match, as a struct (DuckDB's numbered form stops at group 9; ALB logs have 30 and more).
  const groups = Math.min(columns.length, captureGroups(regex));
  const names = Array.from({ length: groups }, (_, i) => lit(`g${i + 1}`));
  const cols = columns.map((c, i) => {
    const t = duck(hiveType(c.Type));
    if (i >= groups) return `CAST(NULL AS ${t}) AS ${q(c.Name!)}`;
    const g = `struct_extract(g, ${lit(`g${i + 1}`)})`;
    return `CASE WHEN matched THEN ${t === 'VARCHAR' ? g : `TRY_CAST(${g} AS ${t})`} END AS ${q(c.Name!)}`;
  });
  const lines = linesReader(files, Number(table.Parameters?.['skip.header.line.count'] ?? 0) || 0);
  const extract = groups > 0 ? `regexp_extract(line, ${re}, [${names.join(', ')}])` : 'NULL';
  return `(SELECT filename, ${cols.join(', ')} FROM (SELECT filename, regexp_full_match(line, ${re}) AS matched, ${extract} AS g FROM ${lines} WHERE line IS NOT NULL))`;
}

/** Capturing groups of a regular expression: `(` not escaped, not in a character class, not `(?:`, `(?=`… (named groups count). */
export function captureGroups(regex: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      if (regex[i + 1] === '^') i++;
      if (regex[i + 1] === ']') i++;
      continue;
    }
    if (ch !== '(') continue;
    if (regex[i + 1] !== '?') n++;
    else if (regex[i + 2] === 'P' || (regex[i + 2] === '<' && regex[i + 3] !== '=' && regex[i + 3] !== '!')) n++;
  }
  return n;
}

/** Turns a raw text value into string data (`escape.delim` handling); identity without one. */
export type Unescape = (expr: string) => string;

const asIs: Unescape = (e) => e;

/**
 * LazySimpleSerDe conversion of a text field to a column type (collections split on the SerDe's delimiters); string
 * values go through `unescape` (other types are parsed from the raw text).
 */
export function textValue(field: string, type: HiveType | undefined, collectionDelim: string, mapKeyDelim: string, unescape: Unescape = asIs): string {
  if (!type) return unescape(field);
  const t = duck(type);
  if (type.kind === 'array') return `list_transform(string_split(${field}, ${lit(collectionDelim)}), x -> ${scalar('x', type.element, unescape)})`;
  if (type.kind === 'map') {
    return (
      `map_from_entries(list_transform(string_split(${field}, ${lit(collectionDelim)}), x -> ` +
      `{'key': ${scalar(`split_part(x, ${lit(mapKeyDelim)}, 1)`, type.key, unescape)}, 'value': ${scalar(`split_part(x, ${lit(mapKeyDelim)}, 2)`, type.value, unescape)}}))`
    );
  }
  if (type.kind === 'struct') {
    const parts = type.fields.map((f, i) => `${q(f.name)} := ${scalar(`split_part(${field}, ${lit(collectionDelim)}, ${i + 1})`, f.type, unescape)}`);
    return `CASE WHEN ${field} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
  }
  return t === 'VARCHAR' ? unescape(field) : textPrimitive(field, type, t);
}

function scalar(expr: string, type: HiveType, unescape: Unescape): string {
  const t = duck(type);
  if (type.kind === 'array' || type.kind === 'map' || type.kind === 'struct') return `TRY_CAST(NULL AS ${t})`;
  return t === 'VARCHAR' ? unescape(expr) : textPrimitive(expr, type, t);
}

const INTEGER_KINDS = new Set(['tinyint', 'smallint', 'int', 'bigint']);

/**
 * A LazySimpleSerDe field of a primitive type as Athena's text reader decodes it: integers are an optional sign and
 * digits, with a fractional part that must be digits and is dropped (`1.9` is 1; `0x1F`, ` 7 `, `1e2` are NULL);
 * booleans are `true`/`false` in any case (`1`, `t`, `yes` are NULL); out-of-range values NULL. Other types are cast.
 */
function textPrimitive(field: string, type: HiveType, duckType: string): string {
  if (INTEGER_KINDS.has(type.kind)) {
    return `TRY_CAST(CASE WHEN regexp_full_match(${field}, '[+-]?[0-9]+(\\.[0-9]*)?') THEN split_part(${field}, '.', 1) END AS ${duckType})`;
  }
  if (type.kind === 'boolean') return `CASE lower(${field}) WHEN 'true' THEN true WHEN 'false' THEN false END`;
  return `TRY_CAST(${field} AS ${duckType})`;
}

/**
 * OpenCSVSerde conversion: every field is a string; `date` columns accept days since the epoch (or yyyy-MM-dd),
 * `timestamp` columns epoch milliseconds (or a timestamp text); other types are cast, bad values NULL.
 */
export function openCsvValue(field: string, type: HiveType | undefined): string {
  const t = duck(type);
  if (type?.kind === 'date') return `CASE WHEN regexp_full_match(${field}, '-?[0-9]+') THEN DATE '1970-01-01' + TRY_CAST(${field} AS INTEGER) ELSE TRY_CAST(${field} AS DATE) END`;
  if (type?.kind === 'timestamp') {
    return `CASE WHEN regexp_full_match(${field}, '-?[0-9]+') THEN make_timestamp(TRY_CAST(${field} AS BIGINT) * 1000) ELSE TRY_CAST(${field} AS TIMESTAMP) END`;
  }
  return t === 'VARCHAR' ? field : `TRY_CAST(${field} AS ${t})`;
}
