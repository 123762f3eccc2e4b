/** Groups classified files into tables and partitions as Glue does: folder schema clusters (≥ 70 % in one, ≤ 5), `key=value` or `partition_N` keys, TableLevelConfiguration, CombineCompatibleSchemas. */
import { createHash } from 'node:crypto';
import { dominantCompression, type FileSchema } from './classifiers/classification.js';
import { mergeFields, similarity, type Field } from './schema-merge.js';

/** One classified object under an include path. */
export interface CrawledFile {
  readonly key: string;
  readonly size: number;
  readonly schema: FileSchema;
  readonly records: number;
}

export interface Stats {
  objects: number;
  size: number;
  records: number;
}

export interface PlannedPartition {
  readonly values: string[];
  /** The partition's own format (its compression may differ from the table's). */
  readonly format: FileSchema;
  readonly location: string;
  readonly columns: Field[];
  readonly stats: Stats;
}

export interface PlannedTable {
  readonly name: string;
  readonly location: string;
  /** The format shared by the table's files (columns merged). */
  readonly format: FileSchema;
  readonly columns: Field[];
  readonly partitionKeys: string[];
  readonly partitions: PlannedPartition[];
  readonly stats: Stats;
}

export interface GroupingOptions {
  /** `CombineCompatibleSchemas`: ignore schema similarity, keep format compatibility. */
  readonly combineCompatibleSchemas?: boolean | undefined;
  /** Absolute folder level of table roots (bucket's first folder = 1). */
  readonly tableLevel?: number | undefined;
}

/** Share of sibling folders the largest schema cluster must hold for the folders to be partitions (Glue: 70 %). */
export const PARTITION_THRESHOLD = 0.7;
export const MAX_CLUSTERS = 5;
/** Two folder schemas fall in one cluster when they share at least this part of the smaller one's columns. */
export const SCHEMA_SIMILARITY = 0.5;

interface Node {
  readonly name: string;
  /** Folder path within the bucket, without trailing slash ('' for the bucket). */
  readonly path: string;
  readonly level: number;
  readonly files: CrawledFile[];
  readonly children: Map<string, Node>;
}

/** A folder whose subtree forms one table: leaves are its partitions (values relative to the folder). */
interface Candidate {
  readonly node: Node;
  readonly formatKey: string;
  readonly format: FileSchema;
  readonly columns: Field[];
  readonly depth: number;
  readonly leaves: { segments: string[]; node: Node; format: FileSchema; columns: Field[]; stats: Stats }[];
  readonly stats: Stats;
}

/** Files group together when format and SerDe details agree; compression may differ (readers decompress per file). */
const formatKeyOf = (s: FileSchema): string => JSON.stringify([s.classification, s.csv ?? null]);

/** Glue's table-name sanitizing: lower case, anything but [a-z0-9_] becomes `_`. */
export function sanitizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function addStats(a: Stats, b: Stats): Stats {
  return { objects: a.objects + b.objects, size: a.size + b.size, records: a.records + b.records };
}

/** The files of one folder: the most common format among them, their merged columns and totals. */
function summarize(node: Node): Candidate | undefined {
  if (node.files.length === 0) return undefined;
  const byFormat = new Map<string, CrawledFile[]>();
  for (const f of node.files) {
    const k = formatKeyOf(f.schema);
    const list = byFormat.get(k);
    if (list) list.push(f);
    else byFormat.set(k, [f]);
  }
  const [formatKey, files] = [...byFormat.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  const format: FileSchema = { ...files[0]!.schema, compression: dominantCompression(files.map((f) => [f.schema.compression, 1] as const)) };
  let columns: Field[] = [];
  const stats: Stats = { objects: 0, size: 0, records: 0 };
  for (const f of files) {
    columns = mergeFields(columns, f.schema.columns);
    stats.objects++;
    stats.size += f.size;
    stats.records += f.records;
  }
  return { node, formatKey, format, columns, depth: 0, leaves: [{ segments: [], node, format, columns, stats }], stats };
}

/** Glue's similarity test over the schemas of sibling folders: ≤ 5 clusters, the largest holding ≥ 70 % of the folders. */
export function similarEnough(schemas: readonly (readonly Field[])[]): boolean {
  const clusters: { columns: readonly Field[]; size: number }[] = [];
  for (const s of schemas) {
    const c = clusters.find((x) => similarity(x.columns, s) >= SCHEMA_SIMILARITY);
    if (c) {
      c.columns = mergeFields(c.columns, s);
      c.size++;
    } else clusters.push({ columns: s, size: 1 });
  }
  const largest = Math.max(...clusters.map((c) => c.size));
  return clusters.length <= MAX_CLUSTERS && largest / schemas.length >= PARTITION_THRESHOLD;
}

const isHiveFolder = (name: string): boolean => /^[^=]+=.*$/.test(name);

/** Makes `node` the root of one table over all its candidates (forced or grouped). */
function combine(node: Node, parts: readonly Candidate[], own: Candidate | undefined): Candidate {
  const formatCount = new Map<string, number>();
  for (const p of parts) formatCount.set(p.formatKey, (formatCount.get(p.formatKey) ?? 0) + p.stats.objects);
  const formatKey = [...formatCount.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? own!.formatKey;
  const same = parts.filter((p) => p.formatKey === formatKey);
  const base = same[0]?.format ?? own!.format;
  const format: FileSchema = same.length === 0 ? base : { ...base, compression: dominantCompression(same.map((p) => [p.format.compression, p.stats.objects] as const)) };
  let columns: Field[] = own?.columns ?? [];
  let stats: Stats = own?.stats ?? { objects: 0, size: 0, records: 0 };
  const depth = parts.length > 0 ? Math.max(...parts.map((p) => p.depth)) + 1 : 0;
  const leaves: Candidate['leaves'] = [];
  for (const p of parts) {
    columns = mergeFields(columns, p.columns);
    stats = addStats(stats, p.stats);
    if (p.depth + 1 !== depth) continue;
    for (const l of p.leaves) leaves.push({ ...l, segments: [p.node.name, ...l.segments] });
  }
  if (depth === 0 && own) leaves.push(...own.leaves);
  return { node, formatKey, format, columns, depth, leaves, stats };
}

function analyze(node: Node, options: GroupingOptions, tables: Candidate[], isRoot: boolean): Candidate | undefined {
  const own = summarize(node);
  const level = options.tableLevel;
  const forced = level !== undefined && (node.level === level || (isRoot && node.level > level));
  const children = [...node.children.values()];
  if (level !== undefined && node.level < level && !forced) {
    for (const c of children) {
      const cand = analyze(c, options, tables, false);
      if (cand) tables.push(cand);
    }
    return undefined;
  }
  if (forced) return combine(node, children.map((c) => collectAll(c)).filter((c): c is Candidate => c !== undefined), own);
  if (children.length === 0) return own;
  const split: Candidate[] = [];
  const cands: Candidate[] = [];
  for (const c of children) {
    const cand = analyze(c, options, split, false);
    if (cand) cands.push(cand);
  }
  // A single sub-folder is a partition level too (Firehose's yyyy/MM/dd/HH/ while one hour exists): compatible data
  // below an include path is one table rooted at it, as Glue documents.
  const groupable =
    split.length === 0 &&
    cands.length > 0 &&
    cands.every((c) => c.formatKey === cands[0]!.formatKey && c.depth === cands[0]!.depth) &&
    (own === undefined || own.formatKey === cands[0]!.formatKey) &&
    (options.combineCompatibleSchemas === true || similarEnough(cands.map((c) => c.columns)));
  if (groupable) return combine(node, cands, own);
  tables.push(...split, ...cands);
  if (own) tables.push(own);
  return undefined;
}

/** Everything below `node` as one candidate (forced table level). */
function collectAll(node: Node): Candidate | undefined {
  const parts = [...node.children.values()].map(collectAll).filter((c): c is Candidate => c !== undefined);
  const own = summarize(node);
  if (parts.length === 0) return own;
  return combine(node, parts, own);
}

function partitionKeys(leaves: Candidate['leaves'], depth: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < depth; i++) {
    const names = leaves.map((l) => l.segments[i]!);
    const first = names[0]?.split('=')[0];
    const hive = names.every((n) => isHiveFolder(n) && n.split('=')[0] === first);
    let key = hive && first ? sanitizeName(first) : `partition_${i}`;
    while (keys.includes(key)) key = `${key}_${i}`;
    keys.push(key);
  }
  return keys;
}

const folderUri = (bucket: string, path: string): string => `s3://${bucket}/${path === '' ? '' : `${path}/`}`;

/**
 * Plans the tables of one include path (`prefix` without trailing slash) from its classified files.
 * `includeName` names a table rooted at the include path itself (its last path component, or the bucket).
 */
export function groupTables(bucket: string, prefix: string, files: readonly CrawledFile[], options: GroupingOptions = {}): PlannedTable[] {
  const baseLevel = prefix === '' ? 0 : prefix.split('/').length;
  const rootName = prefix === '' ? bucket : prefix.slice(prefix.lastIndexOf('/') + 1);
  const root: Node = { name: rootName, path: prefix, level: baseLevel, files: [], children: new Map() };
  for (const f of files) {
    const rel = prefix === '' ? f.key : f.key.slice(prefix.length + 1);
    const parts = rel.split('/');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i]!;
      let child = node.children.get(name);
      if (!child) {
        child = { name, path: node.path === '' ? name : `${node.path}/${name}`, level: node.level + 1, files: [], children: new Map() };
        node.children.set(name, child);
      }
      node = child;
    }
    node.files.push(f);
  }
  const cands: Candidate[] = [];
  const top = analyze(root, options, cands, true);
  if (top) cands.push(top);
  return cands.map((c) => {
    const keys = partitionKeys(c.leaves, c.depth);
    const keySet = new Set(keys);
    const columns = c.columns.filter((f) => !keySet.has(f.name.toLowerCase()));
    return {
      name: sanitizeName(c.node.name),
      location: folderUri(bucket, c.node.path),
      format: c.format,
      columns,
      partitionKeys: keys,
      partitions:
        c.depth === 0
          ? []
          : c.leaves.map((l) => ({
              values: l.segments.map((s) => (isHiveFolder(s) ? s.slice(s.indexOf('=') + 1) : s)),
              location: folderUri(bucket, l.node.path),
              format: l.format,
              columns: l.columns.filter((f) => !keySet.has(f.name.toLowerCase())),
              stats: l.stats,
            })),
      stats: c.stats,
    };
  });
}

/** Gives every table a distinct name: later duplicates get Glue's `_<hash>` suffix derived from their location. */
export function uniqueNames(tables: readonly PlannedTable[], prefix: string): PlannedTable[] {
  const used = new Set<string>();
  return tables.map((t) => {
    const base = `${prefix}${t.name}`;
    let name = base;
    for (let n = 0; used.has(name); n++) name = `${base}_${createHash('md5').update(n === 0 ? t.location : `${t.location}#${n}`).digest('hex').slice(0, 8)}`;
    used.add(name);
    return name === t.name ? t : { ...t, name };
  });
}
