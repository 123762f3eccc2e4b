/** CatalogStore on SQLite (better-sqlite3 via DurableSqlite): one document per database/table version/partition, partition values in an indexed key column. */
import type { Statement } from 'better-sqlite3';
import type { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import type { CatalogStore, Page, PartitionQuery } from './catalog-store.js';
import { firstKeyEquality } from './partition-filter.js';
import { decodeDoc, encodeDoc, partitionKey, partitionSegment, type Database, type Partition, type Table, type TableRef } from './model.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS databases (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tables (
  id INTEGER PRIMARY KEY, catalog TEXT NOT NULL, db TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS tables_by_name ON tables (catalog, db, name);
CREATE TABLE IF NOT EXISTS table_versions (table_id INTEGER NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (table_id, version)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS partitions (id INTEGER PRIMARY KEY, table_id INTEGER NOT NULL, pkey TEXT NOT NULL, doc TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS partitions_by_key ON partitions (table_id, pkey);
CREATE TABLE IF NOT EXISTS database_tags (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name)) WITHOUT ROWID;
`;

interface TableRow {
  id: number;
  version: number;
  doc: string;
}

const versionNumber = (versionId: string | undefined): number | undefined =>
  versionId !== undefined && /^\d{1,15}$/.test(versionId) ? Number(versionId) : undefined;

/**
 * Exclusive key bounds of a partition scan. Keys are JSON arrays (all below '\\'); when the filter pins the first
 * key to one string, only keys starting with `["value",` (or `["value"]`) can match, an index range.
 */
function scanRange(q: PartitionQuery): [string, string] {
  const after = q.after ?? '';
  const v = q.filter && firstKeyEquality(q.filter);
  if (v === undefined) return [after, '\\'];
  const prefix = JSON.stringify([v]).slice(0, -1);
  const last = q.filter!.keys.length > 1 ? ',' : ']';
  const from = after > prefix ? after : prefix;
  return [from, prefix + String.fromCharCode(last.charCodeAt(0) + 1)];
}

export class SqliteCatalogStore implements CatalogStore {
  readonly #s: Record<string, Statement>;
  #match: ((pkey: string) => boolean) | undefined;
  #matchToken = 0;

  constructor(private readonly sqlite: DurableSqlite) {
    const db = sqlite.db;
    db.exec(SCHEMA);
    // The filter of the running query, evaluated inside SQLite's scan (a query runs synchronously, so one slot suffices).
    db.function('lakebox_partition_match', { deterministic: false, directOnly: true }, (token: unknown, pkey: unknown) =>
      token === this.#matchToken && this.#match !== undefined && this.#match(pkey as string) ? 1 : 0,
    );
    const p = (sql: string): Statement => db.prepare(sql);
    this.#s = {
      getDb: p('SELECT doc FROM databases WHERE catalog = ? AND name = ?'),
      listDbs: p('SELECT name, doc FROM databases WHERE catalog = ? AND name > ? ORDER BY name LIMIT ?'),
      countDbs: p('SELECT count(*) AS n FROM databases WHERE catalog = ?'),
      insertDb: p('INSERT OR IGNORE INTO databases (catalog, name, doc) VALUES (?, ?, ?)'),
      updateDb: p('UPDATE databases SET doc = ? WHERE catalog = ? AND name = ?'),
      deleteDb: p('DELETE FROM databases WHERE catalog = ? AND name = ?'),
      getDbTags: p('SELECT doc FROM database_tags WHERE catalog = ? AND name = ?'),
      putDbTags: p('INSERT OR REPLACE INTO database_tags (catalog, name, doc) VALUES (?, ?, ?)'),
      deleteDbTags: p('DELETE FROM database_tags WHERE catalog = ? AND name = ?'),
      tableIdsOfDb: p('SELECT id FROM tables WHERE catalog = ? AND db = ?'),
      getTable: p('SELECT id, version, doc FROM tables WHERE catalog = ? AND db = ? AND name = ?'),
      getVersion: p('SELECT doc FROM table_versions WHERE table_id = ? AND version = ?'),
      listTables: p('SELECT name, doc FROM tables WHERE catalog = ? AND db = ? AND name > ? ORDER BY name'),
      listAllTables: p('SELECT db, name, doc FROM tables WHERE catalog = ? AND (db > ? OR (db = ? AND name > ?)) ORDER BY db, name'),
      countTables: p('SELECT count(*) AS n FROM tables WHERE catalog = ? AND db = ?'),
      insertTable: p('INSERT OR IGNORE INTO tables (catalog, db, name, version, doc) VALUES (?, ?, ?, ?, ?)'),
      updateTable: p('UPDATE tables SET version = ?, doc = ? WHERE id = ?'),
      deleteTable: p('DELETE FROM tables WHERE id = ?'),
      insertVersion: p('INSERT OR REPLACE INTO table_versions (table_id, version, doc) VALUES (?, ?, ?)'),
      listVersions: p('SELECT doc FROM table_versions WHERE table_id = ? AND version > ? ORDER BY version LIMIT ?'),
      countVersions: p('SELECT count(*) AS n FROM table_versions WHERE table_id = ?'),
      deleteVersion: p('DELETE FROM table_versions WHERE table_id = ? AND version = ?'),
      deleteVersions: p('DELETE FROM table_versions WHERE table_id = ?'),
      getPartition: p('SELECT doc FROM partitions WHERE table_id = ? AND pkey = ?'),
      insertPartition: p('INSERT OR IGNORE INTO partitions (table_id, pkey, doc) VALUES (?, ?, ?)'),
      updatePartition: p('UPDATE OR ABORT partitions SET pkey = ?, doc = ? WHERE table_id = ? AND pkey = ?'),
      deletePartition: p('DELETE FROM partitions WHERE table_id = ? AND pkey = ?'),
      deletePartitions: p('DELETE FROM partitions WHERE table_id = ?'),
      partitionDoc: p('SELECT doc FROM partitions WHERE id = ?'),
      // Covering index scan: only the keys are read, and only matching rows leave SQLite.
      scanKeys: p('SELECT pkey, id FROM partitions WHERE table_id = ? AND pkey > ? AND pkey < ? AND lakebox_partition_match(?, pkey) ORDER BY pkey LIMIT ?'),
      pagePartitions: p('SELECT pkey, doc FROM partitions WHERE table_id = ? AND pkey > ? ORDER BY pkey LIMIT ?'),
      countPartitions: p('SELECT count(*) AS n FROM partitions WHERE table_id = ?'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.sqlite.db.transaction(fn)();
  }

  /** Resolves once every committed write is on disk. */
  sync(): Promise<void> {
    return this.sqlite.sync();
  }

  async close(): Promise<void> {
    await this.sqlite.close();
  }

  getDatabase(catalogId: string, name: string): Database | undefined {
    const row = this.#s.getDb!.get(catalogId, name) as { doc: string } | undefined;
    return row && decodeDoc<Database>(row.doc);
  }

  listDatabases(catalogId: string, after: string | undefined, limit: number): Page<Database> {
    const rows = this.#s.listDbs!.all(catalogId, after ?? '', limit + 1) as { name: string; doc: string }[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => decodeDoc<Database>(r.doc));
    return { items, last: more ? rows[limit - 1]!.name : undefined };
  }

  countDatabases(catalogId: string): number {
    return (this.#s.countDbs!.get(catalogId) as { n: number }).n;
  }

  createDatabase(catalogId: string, db: Database): boolean {
    return this.#s.insertDb!.run(catalogId, db.Name, encodeDoc(db)).changes > 0;
  }

  updateDatabase(catalogId: string, db: Database): boolean {
    return this.#s.updateDb!.run(encodeDoc(db), catalogId, db.Name).changes > 0;
  }

  deleteDatabase(catalogId: string, name: string): boolean {
    return this.transaction(() => {
      for (const { id } of this.#s.tableIdsOfDb!.all(catalogId, name) as { id: number }[]) this.#dropTable(id);
      this.#s.deleteDbTags!.run(catalogId, name);
      return this.#s.deleteDb!.run(catalogId, name).changes > 0;
    });
  }

  getDatabaseTags(catalogId: string, name: string): Record<string, string> | undefined {
    if (!this.getDatabase(catalogId, name)) return undefined;
    const row = this.#s.getDbTags!.get(catalogId, name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Record<string, string>) : {};
  }

  setDatabaseTags(catalogId: string, name: string, tags: Record<string, string>): boolean {
    return this.transaction(() => {
      if (!this.getDatabase(catalogId, name)) return false;
      this.#s.putDbTags!.run(catalogId, name, JSON.stringify(tags));
      return true;
    });
  }

  #row(catalogId: string, db: string, name: string): TableRow | undefined {
    return this.#s.getTable!.get(catalogId, db, name) as TableRow | undefined;
  }

  #tableId(t: TableRef): number | undefined {
    return this.#row(t.catalogId, t.databaseName, t.tableName)?.id;
  }

  getTable(catalogId: string, databaseName: string, name: string, versionId?: string): Table | undefined {
    const row = this.#row(catalogId, databaseName, name);
    if (!row) return undefined;
    if (versionId === undefined || versionNumber(versionId) === row.version) return decodeDoc<Table>(row.doc);
    const n = versionNumber(versionId);
    if (n === undefined) return undefined;
    const v = this.#s.getVersion!.get(row.id, n) as { doc: string } | undefined;
    return v && decodeDoc<Table>(v.doc);
  }

  listTables(catalogId: string, databaseName: string, after: string | undefined, limit: number, match?: (name: string) => boolean): Page<Table> {
    const items: Table[] = [];
    for (const r of this.#s.listTables!.iterate(catalogId, databaseName, after ?? '') as Iterable<{ name: string; doc: string }>) {
      if (match && !match(r.name)) continue;
      if (items.length === limit) return { items, last: items[limit - 1]!.Name };
      items.push(decodeDoc<Table>(r.doc));
    }
    return { items };
  }

  listAllTables(catalogId: string, after: string | undefined, limit: number, match?: (t: Table) => boolean): Page<Table> {
    const [db, name] = after === undefined ? ['', ''] : (JSON.parse(after) as [string, string]);
    const items: Table[] = [];
    for (const r of this.#s.listAllTables!.iterate(catalogId, db, db, name) as Iterable<{ doc: string }>) {
      const t = decodeDoc<Table>(r.doc);
      if (match && !match(t)) continue;
      if (items.length === limit) {
        const lastItem = items[limit - 1]!;
        return { items, last: JSON.stringify([lastItem.DatabaseName, lastItem.Name]) };
      }
      items.push(t);
    }
    return { items };
  }

  countTables(catalogId: string, databaseName: string): number {
    return (this.#s.countTables!.get(catalogId, databaseName) as { n: number }).n;
  }

  createTable(catalogId: string, table: Table): boolean {
    return this.transaction(() => {
      const version = versionNumber(table.VersionId) ?? 0;
      const doc = encodeDoc(table);
      const r = this.#s.insertTable!.run(catalogId, table.DatabaseName, table.Name, version, doc);
      if (r.changes === 0) return false;
      this.#s.insertVersion!.run(r.lastInsertRowid, version, doc);
      return true;
    });
  }

  updateTable(catalogId: string, table: Table, dropPrevious: boolean): boolean {
    return this.transaction(() => {
      const row = this.#row(catalogId, table.DatabaseName!, table.Name!);
      if (!row) return false;
      const version = versionNumber(table.VersionId) ?? row.version + 1;
      const doc = encodeDoc(table);
      this.#s.updateTable!.run(version, doc, row.id);
      if (dropPrevious) this.#s.deleteVersion!.run(row.id, row.version);
      this.#s.insertVersion!.run(row.id, version, doc);
      return true;
    });
  }

  #dropTable(id: number): void {
    this.#s.deletePartitions!.run(id);
    this.#s.deleteVersions!.run(id);
    this.#s.deleteTable!.run(id);
  }

  deleteTable(catalogId: string, databaseName: string, name: string): boolean {
    return this.transaction(() => {
      const row = this.#row(catalogId, databaseName, name);
      if (!row) return false;
      this.#dropTable(row.id);
      return true;
    });
  }

  listTableVersions(catalogId: string, databaseName: string, name: string, after: string | undefined, limit: number): Page<Table> {
    const row = this.#row(catalogId, databaseName, name);
    if (!row) return { items: [] };
    const rows = this.#s.listVersions!.all(row.id, after === undefined ? -1 : Number(after), limit + 1) as { doc: string }[];
    const items = rows.slice(0, limit).map((r) => decodeDoc<Table>(r.doc));
    return { items, last: rows.length > limit ? items[limit - 1]!.VersionId : undefined };
  }

  countTableVersions(catalogId: string, databaseName: string, name: string): number {
    const row = this.#row(catalogId, databaseName, name);
    return row ? (this.#s.countVersions!.get(row.id) as { n: number }).n : 0;
  }

  deleteTableVersion(catalogId: string, databaseName: string, name: string, versionId: string): boolean {
    const row = this.#row(catalogId, databaseName, name);
    const n = versionNumber(versionId);
    if (!row || n === undefined) return false;
    return this.#s.deleteVersion!.run(row.id, n).changes > 0;
  }

  getPartition(table: TableRef, values: readonly string[]): Partition | undefined {
    const id = this.#tableId(table);
    const row = id === undefined ? undefined : (this.#s.getPartition!.get(id, partitionKey(values)) as { doc: string } | undefined);
    return row && decodeDoc<Partition>(row.doc);
  }

  createPartition(table: TableRef, partition: Partition): boolean {
    const id = this.#tableId(table);
    if (id === undefined) return false;
    return this.#s.insertPartition!.run(id, partitionKey(partition.Values ?? []), encodeDoc(partition)).changes > 0;
  }

  updatePartition(table: TableRef, values: readonly string[], partition: Partition): boolean {
    const id = this.#tableId(table);
    if (id === undefined) return false;
    return this.#s.updatePartition!.run(partitionKey(partition.Values ?? []), encodeDoc(partition), id, partitionKey(values)).changes > 0;
  }

  deletePartition(table: TableRef, values: readonly string[]): boolean {
    const id = this.#tableId(table);
    return id !== undefined && this.#s.deletePartition!.run(id, partitionKey(values)).changes > 0;
  }

  listPartitions(table: TableRef, q: PartitionQuery): Page<Partition> {
    const id = this.#tableId(table);
    if (id === undefined) return { items: [] };
    const decode = (doc: string): Partition => {
      const p = decodeDoc<Partition>(doc);
      if (q.excludeColumnSchema && p.StorageDescriptor) p.StorageDescriptor = { ...p.StorageDescriptor, Columns: undefined };
      return p;
    };
    if (!q.filter && !q.segment) {
      const rows = this.#s.pagePartitions!.all(id, q.after ?? '', q.limit + 1) as { pkey: string; doc: string }[];
      return { items: rows.slice(0, q.limit).map((r) => decode(r.doc)), last: rows.length > q.limit ? rows[q.limit - 1]!.pkey : undefined };
    }
    const { filter, segment } = q;
    this.#match = (pkey) =>
      (!segment || partitionSegment(pkey, segment.total) === segment.number) && (!filter || filter.matches(JSON.parse(pkey) as string[]));
    const token = ++this.#matchToken;
    let hits: { pkey: string; id: number }[];
    try {
      const [from, to] = scanRange(q);
      hits = this.#s.scanKeys!.all(id, from, to, token, q.limit + 1) as { pkey: string; id: number }[];
    } finally {
      this.#match = undefined;
    }
    const page = hits.slice(0, q.limit);
    const items = page.map((h) => decode((this.#s.partitionDoc!.get(h.id) as { doc: string }).doc));
    return { items, last: hits.length > q.limit ? page[q.limit - 1]!.pkey : undefined };
  }

  countPartitions(table: TableRef): number {
    const id = this.#tableId(table);
    return id === undefined ? 0 : (this.#s.countPartitions!.get(id) as { n: number }).n;
  }
}
