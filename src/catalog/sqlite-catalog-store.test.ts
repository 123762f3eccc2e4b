/** Runs the CatalogStore contract against SqliteCatalogStore, plus the module's on-disk layout. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceError } from '../shared/service-error.js';
import { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import { describeCatalogStoreContract } from './catalog-store.contract.js';
import { CatalogModule } from './catalog-module.js';
import { SqliteCatalogStore } from './sqlite-catalog-store.js';

async function openStore(path: string): Promise<SqliteCatalogStore> {
  const sqlite = new DurableSqlite(path, false);
  await sqlite.open();
  return new SqliteCatalogStore(sqlite);
}

describeCatalogStoreContract('SqliteCatalogStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakebox-catalog-contract-'));
  const path = join(dir, 'catalog.sqlite');
  let store = await openStore(path);
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openStore(path);
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('CatalogModule', () => {
  it('keeps the catalog under <dataDir>/catalog/ serves the in-process getTable API', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lakebox-catalog-module-'));
    const module = new CatalogModule({ dataDir, fsync: true, accountId: '000000000000' });
    await module.start();
    try {
      await module.service.createDatabase({ DatabaseInput: { Name: 'Sales' } });
      expect(existsSync(join(dataDir, 'catalog', 'catalog.sqlite'))).toBe(true);
      expect(module.service.getDatabase({ Name: 'SALES' }).Database?.Name).toBe('sales');
      const input = { Name: 'Orders', PartitionKeys: [{ Name: 'DT', Type: 'date' }], StorageDescriptor: { Columns: [{ Name: 'Id', Type: 'bigint' }] } };
      await module.service.createTable({ DatabaseName: 'sales', TableInput: input });
      await module.service.updateTable({ DatabaseName: 'sales', TableInput: { ...input, Description: 'second' } });
      // The in-process API other domains use.
      const t = module.service.getTable('Sales', 'ORDERS');
      expect([t.Name, t.DatabaseName, t.VersionId, t.Description, t.StorageDescriptor?.Columns?.[0]?.Name, t.PartitionKeys?.[0]?.Name]).toEqual(['orders', 'sales', '1', 'second', 'id', 'dt']);
      expect(module.service.getTable('sales', 'orders', { versionId: '0' }).Description).toBeUndefined();
      const failure = (fn: () => unknown): string => {
        try {
          fn();
          return 'no error';
        } catch (err) {
          return `${(err as ServiceError).code}: ${(err as Error).message}`;
        }
      };
      expect(failure(() => module.service.getTable('sales', 'nope'))).toBe('EntityNotFoundException: Table nope not found.');
      expect(failure(() => module.service.getTable('nodb', 'orders'))).toBe('EntityNotFoundException: Database nodb not found.');
      expect(failure(() => module.service.getTable('sales', 'orders', { versionId: '9' }))).toMatch(/^EntityNotFoundException/);
    } finally {
      await module.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
