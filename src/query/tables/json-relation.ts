/** OpenX / Hive JSON tables as DuckDB SQL: files the key census shows unambiguous are read with `read_json` or one typed `json_transform` per line, others by a per-line key scan; all paths give the same answers. */
import type { Column, Table } from '../../catalog/model.js';
import { duckDbType } from '../../streams/firehose/conversion/duckdb-types.js';
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
}

/** How a group of files is read: `records` = read_json, `lines` = typed json_transform per line, `scan` = key/value scan. */
export type JsonPath = { readonly kind: 'records' | 'lines'; readonly spellings: readonly (string | undefined)[] } | { readonly kind: 'scan' };

const SCAN: JsonPath = { kind: 'scan' };
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
    return { name: c.Name!, key: sem.insensitive ? wanted.toLowerCase() : wanted, type: t ? duckDbType(t) : 'VARCHAR' };
  });
}

/** A key spelling as the SerDe compares it with targets (`lower` is DuckDB's lower() of it, as the scan path uses). */
function normalised(spelling: string, lower: string, sem: JsonSemantics): string {
  const k = sem.insensitive ? lower : spelling;
  return sem.dots ? k.replaceAll('.', '_') : k;
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The path, or `scan` when the spellings cannot form a reader spec (empty, reserved, clashing names or types). */
function buildable(kind: 'records' | 'lines', spellings: readonly (string | undefined)[], targets: readonly JsonTarget[]): JsonPath {
  const types = new Map<string, string>();
  const folded = new Set<string>();
  for (const [i, s] of spellings.entries()) {
    if (s === undefined) continue;
    if (s === '' || s.includes('\0') || [FILE_COLUMN, NO_KEY].includes(asciiLower(s)) || [FILE_COLUMN, NO_KEY].includes(s.toLowerCase())) return SCAN;
    const known = types.get(s);
    if (known !== undefined) {
      if (known !== targets[i]!.type) return SCAN;
      continue;
    }
    // DuckDB names (struct fields, columns) are case-insensitive: two spellings must not fold together.
    for (const f of [asciiLower(s), s.toLowerCase()]) if (folded.has(f)) return SCAN;
    folded.add(asciiLower(s));
    folded.add(s.toLowerCase());
    types.set(s, targets[i]!.type);
  }
  return { kind, spellings };
}

/**
 * How one file is read, from its census: each target must match at most one key spelling in the file (else `scan`);
 * `records` when the file is aligned (read_json sees the lines Athena sees, all JSON objects), else `lines`.
 */
export function jsonPath(census: CensusEntry | undefined, targets: readonly JsonTarget[], sem: JsonSemantics): JsonPath {
  if (targets.length === 0) return SCAN;
  if (census === undefined || census === UNKNOWN_CENSUS || census.keys === undefined) {
    // Exact-case keys match a single spelling whatever the file holds.
    return !sem.insensitive && !sem.dots ? buildable('lines', targets.map((t) => t.key), targets) : SCAN;
  }
  const keys = census.keys;
  const spellings: (string | undefined)[] = [];
  for (const t of targets) {
    const matching = keys.filter((k) => normalised(k.spelling, k.lower, sem) === t.key);
    if (matching.length > 1) return SCAN;
    spellings.push(matching[0]?.spelling);
  }
  return buildable(census.aligned ? 'records' : 'lines', spellings, targets);
}

function readerSpec(spellings: readonly (string | undefined)[], targets: readonly JsonTarget[]): [string, string][] {
  const spec = new Map<string, string>();
  spellings.forEach((s, i) => s !== undefined && spec.set(s, targets[i]!.type));
  return spec.size > 0 ? [...spec] : [[NO_KEY, 'BOOLEAN']];
}

const nullOf = (t: JsonTarget): string => `CAST(NULL AS ${t.type}) AS ${q(t.name)}`;

/** The value for a line that is not a JSON object: the query fails as in Athena, or NULL with ignore.malformed.json. */
function malformed(sem: JsonSemantics): string {
  if (sem.ignoreMalformed) return 'NULL';
  const message = sem.openx ? 'Row is not a valid JSON Object - JSONException: ' : 'org.apache.hadoop.hive.serde2.SerDeException: Row is not a valid JSON Object - JSONException: ';
  return `error(${lit(`HIVE_CURSOR_ERROR: ${message}`)} || left(line, 200))`;
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
  const cols = targets.map((t, i) => (spellings[i] === undefined ? nullOf(t) : `${q(spellings[i])} AS ${q(t.name)}`));
  return `(SELECT ${FILE_COLUMN} AS filename, ${cols.join(', ')} FROM ${call})`;
}

/** Lines parsed once each into a struct of the exact key spellings (malformed lines handled per the SerDe). */
export function linesBranch(files: readonly FileRef[], targets: readonly JsonTarget[], spellings: readonly (string | undefined)[], sem: JsonSemantics): string {
  const spec = `{${readerSpec(spellings, targets).map(([s, t]) => `${JSON.stringify(s)}: ${JSON.stringify(t)}`).join(', ')}}`;
  const parsed = `CASE WHEN ${isObject('body')} THEN json_transform(body, ${lit(spec)}) ELSE ${malformed(sem)} END`;
  // A column no key matches still reads `j`, so that a malformed line fails the query as on the scan path.
  const cols = targets.map((t, i) =>
    spellings[i] === undefined ? `CAST(CASE WHEN j IS NULL THEN NULL END AS ${t.type}) AS ${q(t.name)}` : `struct_extract(j, ${lit(spellings[i])}) AS ${q(t.name)}`,
  );
  return `(SELECT filename, ${cols.join(', ')} FROM (SELECT filename, ${parsed} AS j FROM ${jsonLines(files)}))`;
}

/** Each line as its key/value list; a column takes the first key matching it as the SerDe compares keys. */
export function scanBranch(files: readonly FileRef[], targets: readonly JsonTarget[], sem: JsonSemantics): string {
  let k = 'x.key';
  if (sem.insensitive) k = `lower(${k})`;
  if (sem.dots) k = `replace(${k}, '.', '_')`;
  const cols = targets.map((t) => `json_transform(list_filter(e, x -> ${k} = ${lit(t.key)})[1].value, ${lit(JSON.stringify(t.type))}) AS ${q(t.name)}`);
  const parsed = `CASE WHEN ${isObject('body')} THEN map_entries(json_transform(body, '"MAP(VARCHAR, JSON)"')) ELSE ${malformed(sem)} END`;
  return `(SELECT filename, ${cols.length > 0 ? cols.join(', ') : 'NULL AS _empty'} FROM (SELECT filename, ${parsed} AS e FROM ${jsonLines(files)}))`;
}

/** One reader call for a group of files read the same way. */
export function jsonBranch(path: JsonPath, files: readonly FileRef[], targets: readonly JsonTarget[], sem: JsonSemantics): string {
  if (path.kind === 'records') return recordsBranch(files, targets, path.spellings);
  if (path.kind === 'lines') return linesBranch(files, targets, path.spellings, sem);
  return scanBranch(files, targets, sem);
}

/**
 * SELECT producing `filename` and every data column of an OpenX / Hive JSON table, typed; `census` by file path.
 * - OpenX JSON (`org.openx.data.jsonserde.JsonSerDe`): keys matched case-insensitively (`case.insensitive`, default
 *   true), `mapping.<col>` renames, `dots.in.keys` (dots → `_`); a line that is not a JSON object fails the query with
 *   HIVE_CURSOR_ERROR unless `ignore.malformed.json` (then an all-NULL row). Nested struct keys are matched
 *   case-sensitively (DuckDB's JSON→STRUCT conversion).
 * - Hive JSON (`org.apache.hive.hcatalog.data.JsonSerDe`): case-insensitive keys, malformed lines always fail.
 * Lines are trimmed of whitespace (space, \t, \v, \f) and whitespace-only lines skipped. When several keys of a line
 * match a column, the first one is taken. Values that do not convert to the column type become NULL.
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
  if (branches.length === 0) return scanBranch(files, targets, sem);
  return branches.length === 1 ? branches[0]! : `(${branches.map((b) => `SELECT * FROM ${b}`).join(' UNION ALL ')})`;
}
