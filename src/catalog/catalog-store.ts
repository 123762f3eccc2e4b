/** The CatalogStore port: persistence of Glue databases, tables (with versions) and partitions; adapters pass catalog-store.contract.ts. */
import type { Database, Partition, Table, TableRef } from './model.js';
import type { PartitionFilter } from './partition-filter.js';

/** A page of results ordered by the store's key; `last` is the cursor to continue after when more may follow. */
export interface Page<T> {
  readonly items: T[];
  readonly last?: string | undefined;
}

export interface PartitionQuery {
  /** Only partitions this filter matches (adapters may push `filter.expression` down, but must agree with `filter.matches`). */
  readonly filter?: PartitionFilter | undefined;
  /** Continue after this partition key (see `partitionKey` in model.ts). */
  readonly after?: string | undefined;
  readonly limit: number;
  /** Only partitions with `partitionSegment(key, total) === number`. */
  readonly segment?: { readonly number: number; readonly total: number } | undefined;
  /** Drop StorageDescriptor.Columns from the returned partitions. */
  readonly excludeColumnSchema?: boolean | undefined;
}

/**
 * Synchronous by design: the catalog is read in-process on hot paths (e.g. `CatalogService.getTable`). Names are
 * already validated and lower-cased by the service; every method is atomic on its own, `transaction` groups several.
 */
export interface CatalogStore {
  transaction<T>(fn: () => T): T;

  getDatabase(catalogId: string, name: string): Database | undefined;
  /** Databases by name, after `after`, at most `limit`. */
  listDatabases(catalogId: string, after: string | undefined, limit: number): Page<Database>;
  countDatabases(catalogId: string): number;
  /** Inserts; false if the name is taken. */
  createDatabase(catalogId: string, db: Database): boolean;
  /** Replaces an existing database; false if missing. */
  updateDatabase(catalogId: string, db: Database): boolean;
  /** Deletes the database with its tables, table versions, partitions and tags; false if missing. */
  deleteDatabase(catalogId: string, name: string): boolean;
  /** A database's tags ({} when it has none), or undefined when the database does not exist. */
  getDatabaseTags(catalogId: string, name: string): Record<string, string> | undefined;
  /** Replaces a database's tags; false if the database is missing. */
  setDatabaseTags(catalogId: string, name: string, tags: Record<string, string>): boolean;

  /** The current version, or the given archived version. */
  getTable(catalogId: string, databaseName: string, name: string, versionId?: string): Table | undefined;
  /** Current tables by name, after `after`; `match` filters names before documents are decoded. */
  listTables(catalogId: string, databaseName: string, after: string | undefined, limit: number, match?: (name: string) => boolean): Page<Table>;
  /** Current tables of every database of the catalog, ordered by (database, name); `after` is an opaque cursor from `last`. */
  listAllTables(catalogId: string, after: string | undefined, limit: number, match?: (t: Table) => boolean): Page<Table>;
  countTables(catalogId: string, databaseName: string): number;
  /** Inserts `table` (whose VersionId is its first version); false if the name is taken. */
  createTable(catalogId: string, table: Table): boolean;
  /**
   * Makes `table` (with a new VersionId) the current version; the previous version stays in the history unless
   * `dropPrevious`. False if the table is missing.
   */
  updateTable(catalogId: string, table: Table, dropPrevious: boolean): boolean;
  /** Deletes the table with its versions and partitions; false if missing. */
  deleteTable(catalogId: string, databaseName: string, name: string): boolean;
  /** Versions (current included) in ascending numeric order, after version `after`. */
  listTableVersions(catalogId: string, databaseName: string, name: string, after: string | undefined, limit: number): Page<Table>;
  countTableVersions(catalogId: string, databaseName: string, name: string): number;
  /** Deletes one archived version; false if missing. */
  deleteTableVersion(catalogId: string, databaseName: string, name: string, versionId: string): boolean;

  getPartition(table: TableRef, values: readonly string[]): Partition | undefined;
  /** Inserts; false if a partition with the same values exists. */
  createPartition(table: TableRef, partition: Partition): boolean;
  /** Replaces the partition identified by `values` (its values may change); false if missing. */
  updatePartition(table: TableRef, values: readonly string[], partition: Partition): boolean;
  deletePartition(table: TableRef, values: readonly string[]): boolean;
  /** Partitions ordered by key. */
  listPartitions(table: TableRef, query: PartitionQuery): Page<Partition>;
  countPartitions(table: TableRef): number;

  /** Resolves once every write committed so far is durable (called before a mutation is acknowledged). */
  sync(): Promise<void>;
  close(): Promise<void>;
}
