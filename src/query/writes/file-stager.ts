/**
 * Stages a write's files locally: DuckDB `COPY … TO` a temp directory (PARTITION_BY for partitions, one extra
 * hidden partition column for buckets), then collects the files with their partition values under Athena-like names:
 * `<engine-query-id>_<uuid>[.gz]`, or `<bucket:06d>_0_<engine-query-id>_<uuid>` for bucketed output (Hive's bucket
 * file naming). Buckets are `hash(bucketed_by columns) % bucket_count` with DuckDB's `hash()`, which is NOT Hive's or
 * Trino's bucketing hash: Lakebox reads such tables fine, but engines that prune by bucket would pick wrong files.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryFailure } from '../athena/athena-errors.js';
import type { EngineSession } from '../engine/query-engine.js';
import { copyOptions, fileSuffix, type FormatSpec } from './write-formats.js';

/** Hive's default partition name for NULL partition values. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';
/** Athena writes at most this many partitions (× buckets) per query. */
export const MAX_WRITTEN_PARTITIONS = 100;
const BUCKET_COLUMN = '__lakebox_bucket';

export interface StagedFile {
  /** Local path of the staged file. */
  readonly path: string;
  /** Hive-style relative folder (`dt=2024-01-01/`), empty when unpartitioned. */
  readonly folder: string;
  readonly name: string;
  /** Partition values in partition-column order (null for NULL). */
  readonly values: readonly (string | null)[];
  readonly size: number;
}

export interface StageRequest {
  /** The SELECT whose columns are written, partition columns last. */
  readonly select: string;
  /** Its output column names, in order. */
  readonly columns: readonly string[];
  readonly dir: string;
  readonly spec: FormatSpec;
  readonly partitionColumns: readonly string[];
  readonly bucketing?: { readonly columns: readonly string[]; readonly count: number } | undefined;
  /** Prefix of file names (an engine-style query id). */
  readonly filePrefix: string;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Trino/Presto-style engine query id, e.g. `20240101_120000_00007_abcde`. */
export function engineQueryId(now = new Date()): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}_${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const letters = [...randomBytes(5)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${stamp}_${pad(randomBytes(2).readUInt16BE() % 100000, 5)}_${letters}`;
}

/** Hive's `FileUtils.escapePathName`: the characters a partition folder name must not contain, as `%XX`. */
export function escapeHivePath(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || '"#%\'*/:=?\\{[]^'.includes(ch)) out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** `k1=v1/k2=v2/` for the given keys and values (NULL → Hive's default partition). */
export function partitionFolder(keys: readonly string[], values: readonly (string | null)[]): string {
  return keys.map((k, i) => `${escapeHivePath(k)}=${values[i] == null ? HIVE_DEFAULT_PARTITION : escapeHivePath(values[i])}/`).join('');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function walk(dir: string, rel: string[] = []): Promise<{ path: string; segments: string[] }[]> {
  const out: { path: string; segments: string[] }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path, [...rel, entry.name])));
    else if (entry.isFile()) out.push({ path, segments: [...rel, entry.name] });
  }
  return out;
}

/** Runs the COPY and returns the rows written and the staged files (none when no row was written). */
export async function stageFiles(session: EngineSession, req: StageRequest): Promise<{ rows: number; files: StagedFile[] }> {
  const suffix = fileSuffix(req.spec);
  const folders = [...req.partitionColumns, ...(req.bucketing ? [BUCKET_COLUMN] : [])];
  let select = req.bucketing
    ? `SELECT *, CAST(hash(${req.bucketing.columns.map((c) => `__w.${q(c)}`).join(', ')}) % ${req.bucketing.count} AS INTEGER) AS ${q(BUCKET_COLUMN)} FROM (${req.select}) AS __w`
    : req.select;
  if (req.spec.format === 'json') {
    const data = req.columns.filter((c) => !req.partitionColumns.includes(c));
    const object = `json_object(${data.map((c) => `${lit(c)}, __j.${q(c)}`).join(', ')})::VARCHAR AS __json`;
    select = `SELECT ${[object, ...folders.map((f) => `__j.${q(f)}`)].join(', ')} FROM (${select}) AS __j`;
  }
  const options = copyOptions(req.spec);
  const single = folders.length === 0;
  const target = single ? join(req.dir, `${req.filePrefix}_${randomUUID()}${suffix}`) : req.dir;
  if (!single) options.push(`PARTITION_BY (${folders.map(q).join(', ')})`, `FILENAME_PATTERN ${lit(`${req.filePrefix}_{uuid}`)}`);
  const result = await session.query(`COPY (${select}) TO ${lit(target)} (${options.join(', ')})`);
  let rows = 0;
  for await (const batch of result.batches()) for (const row of batch) rows += Number(row[0] ?? 0);
  if (rows === 0) return { rows, files: [] };
  const files: StagedFile[] = [];
  const partitionSets = new Set<string>();
  for (const f of await walk(req.dir)) {
    const dirs = f.segments.slice(0, -1);
    const values: (string | null)[] = [];
    let bucket: number | undefined;
    for (const [i, seg] of dirs.entries()) {
      const eq = seg.indexOf('=');
      const raw = decode(seg.slice(eq + 1));
      if (folders[i] === BUCKET_COLUMN) bucket = Number(raw);
      else values.push(raw === HIVE_DEFAULT_PARTITION || raw === 'NULL' ? null : raw);
    }
    const uuid = randomUUID();
    const name = bucket === undefined ? `${req.filePrefix}_${uuid}${suffix}` : `${String(bucket).padStart(6, '0')}_0_${req.filePrefix}_${uuid}${suffix}`;
    const folder = partitionFolder(req.partitionColumns, values);
    partitionSets.add(`${folder}#${bucket ?? ''}`);
    const finalPath = single ? f.path : join(req.dir, `${files.length}-${name}`);
    if (finalPath !== f.path) await rename(f.path, finalPath);
    files.push({ path: finalPath, folder, name: single ? f.segments[f.segments.length - 1]! : name, values, size: (await stat(finalPath)).size });
  }
  if (partitionSets.size > MAX_WRITTEN_PARTITIONS) {
    throw new QueryFailure('HIVE_TOO_MANY_OPEN_PARTITIONS', `Exceeded limit of ${MAX_WRITTEN_PARTITIONS} open writers for partitions/buckets`);
  }
  return { rows, files };
}
