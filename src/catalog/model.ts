/** Glue Data Catalog model: SDK shapes re-exported, AWS limits, name folding, partition keys, page tokens, stored-document codecs. */
import type { Column, Database, Partition, Table, TableVersion } from '@aws-sdk/client-glue';
import { CatalogErrors } from './errors.js';

export type { Column, Database, DatabaseInput, Partition, PartitionInput, StorageDescriptor, Table, TableInput, TableVersion } from '@aws-sdk/client-glue';

/** AWS quotas and page sizes (service model + published Glue quotas). */
export const LIMITS = {
  databasesPerCatalog: 10_000,
  tablesPerDatabase: 200_000,
  versionsPerTable: 100_000,
  pageDatabases: 100,
  pageTables: 100,
  pageVersions: 100,
  pagePartitions: 1000,
  batchCreatePartition: 100,
  batchDeletePartition: 25,
  batchGetPartition: 1000,
  batchDeleteTable: 100,
  batchDeleteTableVersion: 100,
  maxSegments: 10,
} as const;

/** The table a partition belongs to. */
export interface TableRef {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
}

/** Glue NameString: 1–255 characters from [\u0020-\uD7FF\uE000-\uFFFF\t]. */
const NAME = /^[\u0020-\uD7FF\uE000-\uFFFF\t]{1,255}$/;

/** Validates a database/table/column name and folds it to lower case, as Glue does "for Hive compatibility". */
export function catalogName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw CatalogErrors.invalidInput(`${field} is required.`);
  if (!NAME.test(value)) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFF\\t]*`);
  }
  return value.toLowerCase();
}

/** Lower-cases column names (data columns and partition keys), keeping everything else. */
export function foldColumns(columns: readonly Column[] | undefined, field: string): Column[] | undefined {
  return columns?.map((c, i) => ({ ...c, Name: catalogName(c?.Name, `${field}.${i + 1}.member.name`) }));
}

/** The stored, ordered identity of a partition: its values as a JSON array (also the page cursor). */
export function partitionKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** Deterministic segment (0…total-1) of a partition for GetPartitions `Segment`; every store adapter must use this. */
export function partitionSegment(key: string, total: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % total;
}

/** Opaque NextToken: base64url of a cursor string, tagged by kind so a token from another call is refused. */
export function encodeToken(kind: string, cursor: string): string {
  return Buffer.from(`${kind}\u0000${cursor}`, 'utf8').toString('base64url');
}

export function decodeToken(kind: string, token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token === 'string') {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    const sep = text.indexOf('\u0000');
    if (sep > 0 && text.slice(0, sep) === kind) return text.slice(sep + 1);
  }
  throw CatalogErrors.invalidInput('Invalid NextToken.');
}

/** Validates MaxResults against the model's range, defaulting to the maximum page. */
export function pageSize(value: unknown, max: number): number {
  if (value === undefined || value === null) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value '${JSON.stringify(value)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return value;
}

/** Glue timestamps have one-second resolution. */
export function nowSeconds(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

const TIME_FIELDS = ['CreateTime', 'UpdateTime', 'LastAccessTime', 'LastAnalyzedTime', 'CreationTime'] as const;

/** Serializes a top-level catalog object (Database, Table, Partition) with its Date fields as epoch milliseconds. */
export function encodeDoc(obj: Database | Table | Partition): string {
  const out: Record<string, unknown> = { ...obj };
  for (const f of TIME_FIELDS) {
    const v = out[f];
    if (v instanceof Date) out[f] = v.getTime();
  }
  return JSON.stringify(out);
}

export function decodeDoc<T extends Database | Table | Partition>(text: string): T {
  const out = JSON.parse(text) as Record<string, unknown>;
  for (const f of TIME_FIELDS) {
    const v = out[f];
    if (typeof v === 'number') out[f] = new Date(v);
  }
  return out as T;
}

/** A table version as GetTableVersions returns it. */
export function tableVersion(table: Table): TableVersion {
  return { Table: table, VersionId: table.VersionId };
}
