/** OpenX / Hive JSON tables as DuckDB SQL: files the key census shows unambiguous are read with `read_json` or one typed `json_transform` per line, others by a per-line key scan, lines repeating a key checked where the census cannot rule them out; all paths give the same answers. */
import type { Column, Table } from '../../catalog/model.js';
import { duckDbType } from '../../streams/firehose/conversion/duckdb-types.js';
import type { HiveType } from '../../streams/firehose/conversion/model.js';
import { UNKNOWN_CENSUS, type CensusEntry } from './json-key-census.js';
import { MAX_LINE_BYTES, isObject, jsonCompression, jsonLines } from './json-lines.js';
import { hiveType, lit, perCompression, type FileRef } from './serde-readers.js';

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** How the table's SerDe matches keys and treats malformed lines. */
export interface JsonSemantics {
  readonly openx: boolean;
  /** Keys compared lower-cased (OpenX `case.insensitive`, default true; always for Hive JSON). */
  readonly insensitive: boolean;
  /** Malformed lines become all-NULL rows instead of failing the query (OpenX `ignore.malformed.json`). */
  readonly ignoreMalformed: boolean;
  /** `.` in keys compared as `_` (OpenX `dots.in.keys`). */
  readonly dots: boolean;
}

/** A data column: the (normalised) key it reads and its DuckDB type. */
export interface JsonTarget {
  readonly name: string;
  readonly key: string;
  readonly type: string;
  /**
   * Builds the column from what the readers give as `type`. Structs with case-insensitive keys are read as JSON and
   * their fields matched to keys case-insensitively at every level as the SerDe does (DuckDB's JSON → STRUCT
   * conversion matches them exactly); OpenX timestamps and booleans are read as text and parsed as the SerDe does.
   */
  readonly finish?: ((json: string) => string) | undefined;
}

function containsStruct(t: HiveType): boolean {
  if (t.kind === 'struct') return true;
  if (t.kind === 'array') return containsStruct(t.element);
  if (t.kind === 'map') return containsStruct(t.value);
  return false;
}

/** A JSON text with a key holding an upper-case letter or an escape (then struct fields are looked up case-insensitively). */
const FOLDED_KEY = `'"[^"]*[A-Z\\\\][^"]*"\\s*:'`;

/** A Hive type as DuckDB reads it from JSON whose keys are the (lower-case) field names. */
const lowerType = (t: HiveType): HiveType => {
  if (t.kind === 'struct') return { kind: 'struct', fields: t.fields.map((f) => ({ name: f.name.toLowerCase(), type: lowerType(f.type) })) };
  if (t.kind === 'array') return { kind: 'array', element: lowerType(t.element) };
  if (t.kind === 'map') return { kind: 'map', key: t.key, value: lowerType(t.value) };
  return t;
};

const transformTo = (x: string, t: HiveType): string => `json_transform(${x}, ${lit(JSON.stringify(duckDbType(lowerType(t))))})`;

/**
 * SQL building a value of Hive type `t` (struct fields named in lower case, as Hive names them) from the JSON value
 * `x`, matching struct fields to keys case-insensitively at every level as the SerDes do. A value whose keys are all
 * lower case is read by DuckDB's own conversion; otherwise each object is split into its entries once and each field
 * takes the first key equal to it in lower case. Values that do not convert are NULL, as elsewhere.
 */
export function caseInsensitiveValue(x: string, t: HiveType): string {
  if (!containsStruct(t)) return transformTo(x, t);
  return `CASE WHEN regexp_matches(${x}, ${FOLDED_KEY}) THEN ${foldedValue(x, t, 0)} ELSE ${transformTo(x, t)} END`;
}

function foldedValue(x: string, t: HiveType, depth: number): string {
  if (!containsStruct(t)) return transformTo(x, t);
  const v = `__lb_v${depth}`;
  switch (t.kind) {
    case 'struct': {
      const o = `__lb_o${depth}`;
      const entries = `list_transform(map_entries(json_transform(${x}, '"MAP(VARCHAR, JSON)"')), ${v} -> struct_pack(k := lower(${v}.key), v := ${v}.value))`;
      const fields = t.fields.map((f) => {
        const name = f.name.toLowerCase();
        return `${q(name)} := ${foldedValue(`list_filter(${o}, ${v} -> ${v}.k = ${lit(name)})[1].v`, f.type, depth + 1)}`;
      });
      // The entries are computed once and bound to a lambda parameter, which every field reads. A value that is not an
      // object gives a struct of NULLs, as DuckDB's own conversion (used for lower-case keys) does.
      const empty = t.fields.map((f) => `${q(f.name.toLowerCase())} := CAST(NULL AS ${duckDbType(lowerType(f.type))})`);
      return (
        `CASE WHEN json_type(${x}) = 'OBJECT' THEN list_transform([${entries}], ${o} -> struct_pack(${fields.join(', ')}))[1] ` +
        `WHEN json_type(${x}) <> 'NULL' THEN struct_pack(${empty.join(', ')}) END`
      );
    }
    case 'array':
      return `CASE WHEN json_type(${x}) = 'ARRAY' THEN list_transform(json_transform(${x}, '["JSON"]'), ${v} -> ${foldedValue(v, t.element, depth + 1)}) END`;
    case 'map': {
      const entry = `struct_pack(key := TRY_CAST(${v}.key AS ${duckDbType(t.key)}), value := ${foldedValue(`${v}.value`, t.value, depth + 1)})`;
      return `CASE WHEN json_type(${x}) = 'OBJECT' THEN map_from_entries(list_transform(map_entries(json_transform(${x}, '"MAP(VARCHAR, JSON)"')), ${v} -> ${entry})) END`;
    }
    default:
      return transformTo(x, t);
  }
}

/**
 * How a group of files is read: `records` = read_json, `lines` = typed json_transform per line, `scan` = key/value scan.
 * `check`: each line is checked for a repeated key (as the SerDe compares keys), which makes the line malformed.
 */
export type JsonPath =
  | { readonly kind: 'records'; readonly spellings: readonly (string | undefined)[] }
  | { readonly kind: 'lines'; readonly spellings: readonly (string | undefined)[]; readonly check: boolean }
  | { readonly kind: 'scan'; readonly check: boolean };

const scan = (check: boolean): JsonPath => ({ kind: 'scan', check });
/** Column names the fast readers add; a file whose needed keys use one is scanned instead. */
const FILE_COLUMN = '__lakebox_file';
const NO_KEY = '__lakebox_no_key';

export function jsonSemantics(table: Table, openx: boolean): JsonSemantics {
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  const flag = (k: string, dflt: boolean): boolean => (params[k] === undefined ? dflt : params[k].trim().toLowerCase() === 'true');
  return { openx, insensitive: !openx || flag('case.insensitive', true), ignoreMalformed: openx && flag('ignore.malformed.json', false), dots: openx && flag('dots.in.keys', false) };
}

export function jsonTargets(table: Table, sem: JsonSemantics): JsonTarget[] {
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  return (table.StorageDescriptor?.Columns ?? []).map((c: Column) => {
    const wanted = (sem.openx ? params[`mapping.${c.Name}`] : undefined) ?? c.Name!;
    const t = hiveType(c.Type);
    const key = sem.insensitive ? wanted.toLowerCase() : wanted;
    if (t && sem.insensitive && containsStruct(t)) return { name: c.Name!, key, type: 'JSON', finish: (json: string) => caseInsensitiveValue(json, t) };
    // OpenX reads timestamps and booleans from the value's text by its own rules (see openxTimestamp, openxBoolean).
    if (sem.openx && t?.kind === 'timestamp') return { name: c.Name!, key, type: 'VARCHAR', finish: openxTimestamp };
    if (sem.openx && t?.kind === 'boolean') return { name: c.Name!, key, type: 'VARCHAR', finish: openxBoolean };
    return { name: c.Name!, key, type: t ? duckDbType(t) : 'VARCHAR' };
  });
}

/**
 * An OpenX `timestamp` from the value's text (a JSON number's text or a string's content), as the SerDe reads it in
 * Athena: text with a `:` is a timestamp, converted to UTC when it ends with `Z` or an offset; text of digits (and
 * `+-.`) is epoch time: with a `.`, seconds with a fraction (cut to milliseconds); else milliseconds from 13 characters
 * on, seconds below. Anything else is NULL.
 */
export function openxTimestamp(text: string): string {
  return (
    // DuckDB's TIMESTAMP cast reads `Z` and ignores offsets; the (much slower) TIMESTAMPTZ cast runs only for text
    // ending in an offset (longer than `yyyy-MM-dd HH:mm:ss`).
    `CASE WHEN strpos(${text}, ':') > 1 THEN CASE WHEN length(${text}) > 19 AND regexp_matches(${text}, '[+-][0-9]{2}:?[0-9]{2}$') ` +
    `THEN CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${text} AS TIMESTAMP) END ` +
    `WHEN NOT regexp_full_match(${text}, '[-+.0-9]+') THEN NULL ` +
    `WHEN strpos(${text}, '.') > 0 THEN epoch_ms(CAST(trunc(TRY_CAST(${text} AS DECIMAL(38, 9)) * 1000) AS BIGINT)) ` +
    `WHEN length(${text}) >= 13 THEN epoch_ms(TRY_CAST(${text} AS BIGINT)) ` +
    `ELSE CAST(to_timestamp(TRY_CAST(${text} AS BIGINT)) AS TIMESTAMP) END`
  );
}

/** An OpenX `boolean`: true only for the text `true` in any case (Java's Boolean.parseBoolean); `1` or `yes` are false. */
export function openxBoolean(text: string): string {
  return `(lower(${text}) = 'true')`;
}

/** A key spelling as the SerDe compares it with targets (`lower` is DuckDB's lower() of it, as the scan path uses). */
function normalised(spelling: string, lower: string, sem: JsonSemantics): string {
  const k = sem.insensitive ? lower : spelling;
  return sem.dots ? k.replaceAll('.', '_') : k;
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The path, or `scan` when the spellings cannot form a reader spec (empty, reserved, clashing names or types). */
function buildable(kind: 'records' | 'lines', spellings: readonly (string | undefined)[], targets: readonly JsonTarget[], check: boolean): JsonPath {
  const types = new Map<string, string>();
  const folded = new Set<string>();
  for (const [i, s] of spellings.entries()) {
    if (s === undefined) continue;
    if (s === '' || s.includes('\0') || [FILE_COLUMN, NO_KEY].includes(asciiLower(s)) || [FILE_COLUMN, NO_KEY].includes(s.toLowerCase())) return scan(check);
    const known = types.get(s);
    if (known !== undefined) {
      if (known !== targets[i]!.type) return scan(check);
      continue;
    }
    // DuckDB names (struct fields, columns) are case-insensitive: two spellings must not fold together.
    for (const f of [asciiLower(s), s.toLowerCase()]) if (folded.has(f)) return scan(check);
    folded.add(asciiLower(s));
    folded.add(s.toLowerCase());
    types.set(s, targets[i]!.type);
  }
  return kind === 'records' ? { kind, spellings } : { kind, spellings, check };
}

/**
 * Whether lines of the file must be checked for repeated keys: unless the census shows no line repeats a key as the
 * SerDe compares keys (an exact repeat always counts; one after lower-casing when keys are case-insensitive).
 */
function mustCheck(census: CensusEntry | undefined, sem: JsonSemantics): boolean {
  if (census === undefined || census === UNKNOWN_CENSUS) return true;
  const d = census.duplicateKeys as string;
  return !(d === 'none' || (d === 'folded' && !sem.insensitive));
}

/**
 * How one file is read, from its census: each target must match at most one key spelling in the file (else `scan`);
 * `records` when the file is aligned (read_json sees the lines Athena sees, all JSON objects) and no line repeats a key,
 * else `lines`.
 */
export function jsonPath(census: CensusEntry | undefined, targets: readonly JsonTarget[], sem: JsonSemantics): JsonPath {
  const check = mustCheck(census, sem);
  if (targets.length === 0) return scan(check);
  if (census === undefined || census === UNKNOWN_CENSUS || census.keys === undefined) {
    // Exact-case keys match a single spelling whatever the file holds.
    return !sem.insensitive && !sem.dots ? buildable('lines', targets.map((t) => t.key), targets, check) : scan(check);
  }
  const keys = census.keys;
  const spellings: (string | undefined)[] = [];
  for (const t of targets) {
    const matching = keys.filter((k) => normalised(k.spelling, k.lower, sem) === t.key);
    if (matching.length > 1) return scan(check);
    spellings.push(matching[0]?.spelling);
  }
  return buildable(census.aligned && !check ? 'records' : 'lines', spellings, targets, check);
}

function readerSpec(spellings: readonly (string | undefined)[], targets: readonly JsonTarget[]): [string, string][] {
  const spec = new Map<string, string>();
  spellings.forEach((s, i) => s !== undefined && spec.set(s, targets[i]!.type));
  return spec.size > 0 ? [...spec] : [[NO_KEY, 'BOOLEAN']];
}

/** The column's final value from what the reader gave (see JsonTarget.finish). */
const finished = (t: JsonTarget, value: string): string => (t.finish ? t.finish(value) : value);

/** A column no key of a file matches: NULL of the column's final type (finished, so every branch of a UNION agrees). */
const nullOf = (t: JsonTarget): string => `${finished(t, `CAST(NULL AS ${t.type})`)} AS ${q(t.name)}`;

/** The prefix of the error a malformed line fails the query with. */
const malformedPrefix = (sem: JsonSemantics): string =>
  `HIVE_CURSOR_ERROR: ${sem.openx ? '' : 'org.apache.hadoop.hive.serde2.SerDeException: '}Row is not a valid JSON Object - JSONException: `;

/** The value for a line that is not a JSON object: the query fails as in Athena, or NULL with ignore.malformed.json. */
function malformed(sem: JsonSemantics): string {
  return sem.ignoreMalformed ? 'NULL' : `error(${lit(malformedPrefix(sem))} || left(line, 200))`;
}

/** The value for a line repeating key `dup` (org.json's `Duplicate key "k"`, k lower-cased when keys are compared so), or NULL as above. */
function duplicated(sem: JsonSemantics): string {
  return sem.ignoreMalformed ? 'NULL' : `error(${lit(`${malformedPrefix(sem)}Duplicate key "`)} || dup || '"')`;
}

/**
 * The lines (`filename`, `line`, `body`) and, when `check`, `ok` (the line is a JSON object) and `dup`: the first
 * top-level key repeating an earlier one as the SerDe compares keys (lower-cased when case-insensitive), else NULL.
 */
function linesOf(files: readonly FileRef[], sem: JsonSemantics, check: boolean): string {
  if (!check) return jsonLines(files);
  const keys = `CASE WHEN ${isObject('body')} THEN ${sem.insensitive ? 'list_transform(json_keys(body), k -> lower(k))' : 'json_keys(body)'} END`;
  const dup = `CASE WHEN len(list_distinct(ks)) < len(ks) THEN list_filter(ks, (k, i) -> list_position(ks, k) < i)[1] END`;
  return `(SELECT filename, line, body, ks IS NOT NULL AS ok, ${dup} AS dup FROM (SELECT filename, line, body, ${keys} AS ks FROM ${jsonLines(files)}))`;
}

/** A line's parsed `value` when it is a JSON object (without a repeated key, when `check`), else per malformed()/duplicated(). */
function parsedLine(value: string, sem: JsonSemantics, check: boolean): string {
  if (!check) return `CASE WHEN ${isObject('body')} THEN ${value} ELSE ${malformed(sem)} END`;
  return `CASE WHEN NOT ok THEN ${malformed(sem)} WHEN dup IS NOT NULL THEN ${duplicated(sem)} ELSE ${value} END`;
}

/** Aligned files (`FileCensus.aligned`) through DuckDB's NDJSON reader, with the census's exact key spellings. */
export function recordsBranch(files: readonly FileRef[], targets: readonly JsonTarget[], spellings: readonly (string | undefined)[]): string {
  const columns = `{${readerSpec(spellings, targets).map(([s, t]) => `${lit(s)}: ${lit(t)}`).join(', ')}}`;
  const call = perCompression(
    files,
    (list, c) =>
      `read_json(${list}, format = 'newline_delimited', records = true, columns = ${columns}, auto_detect = false, ignore_errors = true, ` +
      `maximum_object_size = ${MAX_LINE_BYTES}, filename = '${FILE_COLUMN}', compression = '${jsonCompression(c)}')`,
  );
  const cols = targets.map((t, i) => (spellings[i] === undefined ? nullOf(t) : `${finished(t, q(spellings[i]))} AS ${q(t.name)}`));
  return `(SELECT ${FILE_COLUMN} AS filename, ${cols.join(', ')} FROM ${call})`;
}

/** Lines parsed once each into a struct of the exact key spellings (malformed lines, and with `check` lines repeating a key, handled per the SerDe). */
export function linesBranch(files: readonly FileRef[], targets: readonly JsonTarget[], spellings: readonly (string | undefined)[], sem: JsonSemantics, check: boolean): string {
  const spec = `{${readerSpec(spellings, targets).map(([s, t]) => `${JSON.stringify(s)}: ${JSON.stringify(t)}`).join(', ')}}`;
  const parsed = parsedLine(`json_transform(body, ${lit(spec)})`, sem, check);
  // A column no key matches still reads `j`, so that a malformed line fails the query as on the scan path.
  const cols = targets.map((t, i) =>
    spellings[i] === undefined
      ? `${finished(t, `CAST(CASE WHEN j IS NULL THEN NULL END AS ${t.type})`)} AS ${q(t.name)}`
      : `${finished(t, `struct_extract(j, ${lit(spellings[i])})`)} AS ${q(t.name)}`,
  );
  return `(SELECT filename, ${cols.join(', ')} FROM (SELECT filename, ${parsed} AS j FROM ${linesOf(files, sem, check)}))`;
}

/** Each line as its key/value list; a column takes the first key matching it as the SerDe compares keys (with `check`, lines repeating a key are malformed). */
export function scanBranch(files: readonly FileRef[], targets: readonly JsonTarget[], sem: JsonSemantics, check: boolean, source = linesOf(files, sem, check)): string {
  let k = 'x.key';
  if (sem.insensitive) k = `lower(${k})`;
  if (sem.dots) k = `replace(${k}, '.', '_')`;
  const cols = targets.map((t) => {
    const value = `list_filter(e, x -> ${k} = ${lit(t.key)})[1].value`;
    const typed = `json_transform(${value}, ${lit(JSON.stringify(t.type))})`;
    return `${t.finish ? t.finish(t.type === 'JSON' ? value : typed) : typed} AS ${q(t.name)}`;
  });
  const parsed = parsedLine(`map_entries(json_transform(body, '"MAP(VARCHAR, JSON)"'))`, sem, check);
  return `(SELECT filename, ${cols.length > 0 ? cols.join(', ') : 'NULL AS _empty'} FROM (SELECT filename, ${parsed} AS e FROM ${source}))`;
}

/** Whether a table reads CloudTrail log files (`CloudTrailInputFormat`, or the older `CloudTrailSerde`). */
export function isCloudTrail(table: Table): boolean {
  const sd = table.StorageDescriptor;
  return (sd?.InputFormat ?? '').toLowerCase().includes('cloudtrailinputformat') || (sd?.SerdeInfo?.SerializationLibrary ?? '').toLowerCase().includes('cloudtrailserde');
}

/**
 * A CloudTrail table: each file is one JSON document whose `Records` array holds the events, one row each, read with
 * the Hive JSON SerDe's rules (case-insensitive keys; an object in a string column is its JSON text, as Athena shows
 * `requestparameters`). A file that is not such a document gives no rows.
 */
export function cloudTrailRelation(table: Table, files: readonly FileRef[]): string {
  const sem = jsonSemantics(table, false);
  const records = perCompression(
    files,
    (list, c) => `read_json_objects(${list}, filename = true, maximum_object_size = ${MAX_CLOUDTRAIL_FILE_BYTES}, compression = '${jsonCompression(c)}')`,
  );
  const source = `(SELECT filename, NULL AS line, CAST(r AS VARCHAR) AS body FROM (SELECT filename, unnest(json_extract(json, '$.Records[*]')) AS r FROM ${records}))`;
  return scanBranch(files, jsonTargets(table, sem), sem, false, source);
}

/** Largest CloudTrail file read (CloudTrail delivers files of a few MB at most). */
const MAX_CLOUDTRAIL_FILE_BYTES = 268_435_456;

/** One reader call for a group of files read the same way. */
export function jsonBranch(path: JsonPath, files: readonly FileRef[], targets: readonly JsonTarget[], sem: JsonSemantics): string {
  if (path.kind === 'records') return recordsBranch(files, targets, path.spellings);
  if (path.kind === 'lines') return linesBranch(files, targets, path.spellings, sem, path.check);
  return scanBranch(files, targets, sem, path.check);
}

/**
 * SELECT producing `filename` and every data column of an OpenX / Hive JSON table, typed; `census` by file path.
 * - OpenX JSON (`org.openx.data.jsonserde.JsonSerDe`): keys matched case-insensitively (`case.insensitive`, default
 *   true), `mapping.<col>` renames, `dots.in.keys` (dots → `_`); a line that is not a JSON object fails the query with
 *   HIVE_CURSOR_ERROR unless `ignore.malformed.json` (then an all-NULL row). Struct fields are matched to nested keys
 *   case-insensitively too (`caseInsensitiveValue`).
 * - Hive JSON (`org.apache.hive.hcatalog.data.JsonSerDe`): case-insensitive keys, malformed lines always fail.
 * A line repeating a top-level key (the same key twice; with case-insensitive keys, also keys differing only in case)
 * is malformed too, as org.json's `Duplicate key "k"` makes it in Athena (nested objects are not checked). Lines are
 * trimmed of whitespace (space, \t, \v, \f) and whitespace-only lines skipped. When several keys of a line match a
 * column (with `dots.in.keys`, `a.b` and `a_b`), the first one is taken. Values that do not convert to the column type
 * become NULL.
 * Files are grouped by how the census lets them be read (`jsonPath`), one reader call per group, UNION ALL'ed.
 */
export function jsonRelation(table: Table, files: readonly FileRef[], openx: boolean, census?: ReadonlyMap<string, CensusEntry>): string {
  const sem = jsonSemantics(table, openx);
  const targets = jsonTargets(table, sem);
  const groups = new Map<string, { path: JsonPath; files: FileRef[] }>();
  for (const f of files) {
    const path = jsonPath(census?.get(f.path), targets, sem);
    const id = JSON.stringify(path);
    const g = groups.get(id);
    if (g) g.files.push(f);
    else groups.set(id, { path, files: [f] });
  }
  const branches = [...groups.values()].map((g) => jsonBranch(g.path, g.files, targets, sem));
  if (branches.length === 0) return scanBranch(files, targets, sem, true);
  return branches.length === 1 ? branches[0]! : `(${branches.map((b) => `SELECT * FROM ${b}`).join(' UNION ALL ')})`;
}
