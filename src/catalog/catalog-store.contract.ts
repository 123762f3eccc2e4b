/** The shared behaviour suite every CatalogStore adapter must pass: `describeCatalogStoreContract(name, make)` registers vitest cases. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogStore } from './catalog-store.js';
import { partitionSegment, partitionKey, type Partition, type Table, type TableRef } from './model.js';
import { compilePartitionFilter } from './partition-filter.js';

export interface CatalogStoreFixture {
  readonly store: CatalogStore;
  /** Reopens the same data (persistence check); returns the new store. */
  reopen(): Promise<CatalogStore>;
  cleanup(): Promise<void>;
}

export type CatalogStoreFactory = () => Promise<CatalogStoreFixture>;

const C = '123456789012';
const T0 = new Date(1_700_000_000_000);

const table = (db: string, name: string, version = '0', extra: Partial<Table> = {}): Table => ({
  Name: name,
  DatabaseName: db,
  CatalogId: C,
  VersionId: version,
  CreateTime: T0,
  PartitionKeys: [
    { Name: 'year', Type: 'int' },
    { Name: 'region', Type: 'string' },
  ],
  StorageDescriptor: { Columns: [{ Name: 'c', Type: 'string' }], Location: `s3://lake/${name}/` },
  ...extra,
});

const partition = (ref: TableRef, values: string[]): Partition => ({
  Values: values,
  DatabaseName: ref.databaseName,
  TableName: ref.tableName,
  CatalogId: C,
  CreationTime: T0,
  StorageDescriptor: { Columns: [{ Name: 'c', Type: 'string' }], Location: `s3://lake/t/${values.join('/')}/` },
});

/** Reads every page of a partition query. */
function allPartitions(store: CatalogStore, ref: TableRef, query: Omit<Parameters<CatalogStore['listPartitions']>[1], 'after'>): Partition[] {
  const out: Partition[] = [];
  let after: string | undefined;
  do {
    const page = store.listPartitions(ref, { ...query, after });
    out.push(...page.items);
    after = page.last;
  } while (after !== undefined);
  return out;
}

export function describeCatalogStoreContract(name: string, make: CatalogStoreFactory): void {
  describe(`CatalogStore contract: ${name}`, () => {
    let fx: CatalogStoreFixture | undefined;
    let store: CatalogStore;
    const ref: TableRef = { catalogId: C, databaseName: 'db', tableName: 't' };

    beforeEach(async () => {
      fx = await make();
      store = fx.store;
      store.createDatabase(C, { Name: 'db', CatalogId: C, CreateTime: T0 });
    });
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });

    it('creates, reads, pages, updates and deletes databases per catalog', () => {
      expect(store.createDatabase(C, { Name: 'db', CatalogId: C })).toBe(false);
      for (const n of ['b', 'a', 'd', 'c']) expect(store.createDatabase(C, { Name: n, CatalogId: C, CreateTime: T0 })).toBe(true);
      store.createDatabase('other', { Name: 'zz', CatalogId: 'other' });
      expect(store.getDatabase(C, 'a')).toEqual({ Name: 'a', CatalogId: C, CreateTime: T0 });
      expect(store.getDatabase(C, 'zz')).toBeUndefined();
      expect(store.countDatabases(C)).toBe(5);
      const p1 = store.listDatabases(C, undefined, 2);
      expect(p1.items.map((d) => d.Name)).toEqual(['a', 'b']);
      const p2 = store.listDatabases(C, p1.last, 2);
      expect(p2.items.map((d) => d.Name)).toEqual(['c', 'd']);
      const p3 = store.listDatabases(C, p2.last, 2);
      expect([p3.items.map((d) => d.Name), p3.last]).toEqual([['db'], undefined]);
      expect(store.updateDatabase(C, { Name: 'a', CatalogId: C, Description: 'x' })).toBe(true);
      expect(store.getDatabase(C, 'a')?.Description).toBe('x');
      expect(store.updateDatabase(C, { Name: 'nope', CatalogId: C })).toBe(false);
      expect(store.deleteDatabase(C, 'a')).toBe(true);
      expect(store.deleteDatabase(C, 'a')).toBe(false);
    });

    it('keeps database tags until they are replaced or the database goes; they survive a reopen', async () => {
      expect(store.getDatabaseTags(C, 'db')).toEqual({});
      expect(store.getDatabaseTags(C, 'nope')).toBeUndefined();
      expect(store.setDatabaseTags(C, 'nope', { a: '1' })).toBe(false);
      expect(store.setDatabaseTags(C, 'db', { team: 'data', env: '' })).toBe(true);
      store = await fx!.reopen();
      expect(store.getDatabaseTags(C, 'db')).toEqual({ team: 'data', env: '' });
      expect(store.getDatabaseTags('other', 'db')).toBeUndefined();
      store.setDatabaseTags(C, 'db', { env: 'prod' });
      expect(store.getDatabaseTags(C, 'db')).toEqual({ env: 'prod' });
      expect(store.deleteDatabase(C, 'db')).toBe(true);
      store.createDatabase(C, { Name: 'db', CatalogId: C });
      expect(store.getDatabaseTags(C, 'db')).toEqual({});
    });

    it('keeps table versions and serves the current or an archived one', () => {
      expect(store.createTable(C, table('db', 't'))).toBe(true);
      expect(store.createTable(C, table('db', 't'))).toBe(false);
      expect(store.updateTable(C, table('db', 't', '1', { Description: 'v1' }), false)).toBe(true);
      expect(store.updateTable(C, table('db', 't', '2', { Description: 'v2' }), false)).toBe(true);
      expect(store.updateTable(C, table('db', 't', '3', { Description: 'v3' }), true)).toBe(true);
      expect(store.updateTable(C, table('db', 'missing', '1'), false)).toBe(false);
      expect(store.getTable(C, 'db', 't')?.Description).toBe('v3');
      expect(store.getTable(C, 'db', 't', '1')?.Description).toBe('v1');
      expect(store.getTable(C, 'db', 't', '2')).toBeUndefined();
      expect(store.getTable(C, 'db', 't', 'x')).toBeUndefined();
      expect(store.getTable(C, 'db', 't')?.CreateTime).toEqual(T0);
      expect(store.countTableVersions(C, 'db', 't')).toBe(3);
      const v1 = store.listTableVersions(C, 'db', 't', undefined, 2);
      expect(v1.items.map((t) => t.VersionId)).toEqual(['0', '1']);
      expect(store.listTableVersions(C, 'db', 't', v1.last, 2).items.map((t) => t.VersionId)).toEqual(['3']);
      expect(store.deleteTableVersion(C, 'db', 't', '1')).toBe(true);
      expect(store.deleteTableVersion(C, 'db', 't', '1')).toBe(false);
      expect(store.listTableVersions(C, 'db', 't', undefined, 10).items.map((t) => t.VersionId)).toEqual(['0', '3']);
    });

    it('lists tables by name with a name filter applied before paging, and across databases', () => {
      store.createDatabase(C, { Name: 'db2', CatalogId: C });
      for (const n of ['sales_b', 'other', 'sales_a', 'sales_c', 'x']) store.createTable(C, table('db', n));
      store.createTable(C, table('db2', 'sales_z'));
      const match = (n: string): boolean => n.startsWith('sales');
      const p1 = store.listTables(C, 'db', undefined, 2, match);
      expect(p1.items.map((t) => t.Name)).toEqual(['sales_a', 'sales_b']);
      const p2 = store.listTables(C, 'db', p1.last, 2, match);
      expect([p2.items.map((t) => t.Name), p2.last]).toEqual([['sales_c'], undefined]);
      expect(store.countTables(C, 'db')).toBe(5);
      const all: string[] = [];
      let after: string | undefined;
      do {
        const page = store.listAllTables(C, after, 2, (t) => t.Name!.startsWith('sales'));
        all.push(...page.items.map((t) => `${t.DatabaseName}.${t.Name}`));
        after = page.last;
      } while (after !== undefined);
      expect(all).toEqual(['db.sales_a', 'db.sales_b', 'db.sales_c', 'db2.sales_z']);
    });

    it('stores partitions by their values and updates or deletes them', () => {
      store.createTable(C, table('db', 't'));
      expect(store.createPartition(ref, partition(ref, ['2020', 'eu']))).toBe(true);
      expect(store.createPartition(ref, partition(ref, ['2020', 'eu']))).toBe(false);
      expect(store.createPartition({ ...ref, tableName: 'missing' }, partition(ref, ['1', 'a']))).toBe(false);
      expect(store.getPartition(ref, ['2020', 'eu'])?.CreationTime).toEqual(T0);
      expect(store.getPartition(ref, ['2020', 'us'])).toBeUndefined();
      const changed = { ...partition(ref, ['2020', 'eu']), Parameters: { k: 'v' } };
      expect(store.updatePartition(ref, ['2020', 'eu'], changed)).toBe(true);
      expect(store.getPartition(ref, ['2020', 'eu'])?.Parameters).toEqual({ k: 'v' });
      expect(store.updatePartition(ref, ['1999', 'eu'], changed)).toBe(false);
      expect(store.countPartitions(ref)).toBe(1);
      expect(store.deletePartition(ref, ['2020', 'eu'])).toBe(true);
      expect(store.deletePartition(ref, ['2020', 'eu'])).toBe(false);
    });

    it('filters, segments and pages partitions exactly like the reference filter', () => {
      store.createTable(C, table('db', 't'));
      const regions = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-south-1'];
      const created: string[][] = [];
      store.transaction(() => {
        for (let y = 1990; y < 2040; y++) {
          for (const r of regions) {
            created.push([String(y), r]);
            store.createPartition(ref, partition(ref, [String(y), r]));
          }
        }
      });
      const keys = [
        { name: 'year', type: 'int' },
        { name: 'region', type: 'string' },
      ];
      const filter = compilePartitionFilter("year BETWEEN 2000 AND 2019 AND region LIKE 'us-%'", keys);
      const expected = created.filter(([y, r]) => Number(y) >= 2000 && Number(y) <= 2019 && r!.startsWith('us-')).map((v) => partitionKey(v)).sort();
      const got = allPartitions(store, ref, { filter, limit: 7 });
      expect(got.map((p) => partitionKey(p.Values!))).toEqual(expected);
      expect(got[0]?.StorageDescriptor?.Columns).toEqual([{ Name: 'c', Type: 'string' }]);
      const noColumns = store.listPartitions(ref, { filter, limit: 1, excludeColumnSchema: true });
      expect(noColumns.items[0]?.StorageDescriptor?.Columns).toBeUndefined();
      expect(noColumns.items[0]?.StorageDescriptor?.Location).toBeDefined();
      // Segments: disjoint, together the whole filtered set, each with the shared segment function.
      const union: string[] = [];
      for (let n = 0; n < 3; n++) {
        const seg = allPartitions(store, ref, { filter, limit: 5, segment: { number: n, total: 3 } }).map((p) => partitionKey(p.Values!));
        expect(seg.every((k) => partitionSegment(k, 3) === n)).toBe(true);
        union.push(...seg);
      }
      expect(union.sort()).toEqual(expected);
      const unfiltered = allPartitions(store, ref, { limit: 33 });
      expect(unfiltered.length).toBe(created.length);
      expect(new Set(unfiltered.map((p) => partitionKey(p.Values!))).size).toBe(created.length);
    });

    it('narrows scans on the first string key without losing or adding partitions', () => {
      const regions = ['eu', 'eu-west', 'e"u', 'ü', 'eu,x', 'e', 'eu]', ''];
      for (const [name, keys] of [
        ['multi', [{ Name: 'region', Type: 'string' }, { Name: 'n', Type: 'int' }]],
        ['single', [{ Name: 'region', Type: 'string' }]],
      ] as const) {
        store.createTable(C, table('db', name, '0', { PartitionKeys: [...keys] }));
        const r: TableRef = { ...ref, tableName: name };
        const all = regions.flatMap((g) => (keys.length > 1 ? [1, 2, 3].map((n) => [g, String(n)]) : [[g]]));
        for (const v of all) store.createPartition(r, partition(r, v));
        const specs = keys.map((k) => ({ name: k.Name, type: k.Type }));
        for (const g of regions) {
          for (const expr of [`region = '${g.replace(/'/g, "''")}'`, `'${g}' = region AND region <> 'zz'`]) {
            const want = all.filter((v) => v[0] === g).map((v) => partitionKey(v)).sort();
            const got = allPartitions(store, r, { filter: compilePartitionFilter(expr, specs), limit: 2 }).map((p) => partitionKey(p.Values!));
            expect(got, `${name}: ${expr}`).toEqual(want);
          }
        }
      }
    });

    it('deleting a table or database drops its versions and partitions; data survives a reopen', async () => {
      store.createTable(C, table('db', 't'));
      store.updateTable(C, table('db', 't', '1'), false);
      store.createPartition(ref, partition(ref, ['1', 'a']));
      store = await fx!.reopen();
      expect(store.getTable(C, 'db', 't')?.VersionId).toBe('1');
      expect(store.getPartition(ref, ['1', 'a'])?.Values).toEqual(['1', 'a']);
      expect(store.deleteTable(C, 'db', 't')).toBe(true);
      store.createTable(C, table('db', 't'));
      expect(store.countPartitions(ref)).toBe(0);
      expect(store.countTableVersions(C, 'db', 't')).toBe(1);
      store.createPartition(ref, partition(ref, ['2', 'b']));
      expect(store.deleteDatabase(C, 'db')).toBe(true);
      expect(store.getTable(C, 'db', 't')).toBeUndefined();
      store.createDatabase(C, { Name: 'db', CatalogId: C });
      store.createTable(C, table('db', 't'));
      expect(store.countPartitions(ref)).toBe(0);
    });
  });

  describe(`CatalogStore contract at scale: ${name}`, () => {
    let fx: CatalogStoreFixture | undefined;
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });

    it('filters 12k partitions by expression without reading every document', async () => {
      fx = await make();
      const { store } = fx;
      store.createDatabase(C, { Name: 'db', CatalogId: C });
      store.createTable(C, table('db', 'big'));
      const ref: TableRef = { catalogId: C, databaseName: 'db', tableName: 'big' };
      store.transaction(() => {
        for (let i = 0; i < 12_000; i++) store.createPartition(ref, partition(ref, [String(2000 + (i % 30)), `r${i}`]));
      });
      const filter = compilePartitionFilter("year = 2017 AND region IN ('r17', 'r47', 'r9000')", [
        { name: 'year', type: 'int' },
        { name: 'region', type: 'string' },
      ]);
      const started = performance.now();
      const got = allPartitions(store, ref, { filter, limit: 1000 });
      const ms = performance.now() - started;
      expect(got.map((p) => p.Values)).toEqual([
        ['2017', 'r17'],
        ['2017', 'r47'],
      ]);
      expect(ms).toBeLessThan(1500);
    });
  });
}
