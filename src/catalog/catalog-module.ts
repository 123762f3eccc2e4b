/** Wires the Glue Data Catalog: SQLite store under `<dataDir>/catalog/`, CatalogService; opened and closed with the server. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import { CatalogService } from './catalog-service.js';
import { SqliteCatalogStore } from './sqlite-catalog-store.js';

export interface CatalogModuleOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  readonly accountId: string;
}

export class CatalogModule {
  readonly service: CatalogService;
  readonly #sqlite: DurableSqlite;
  readonly #store: SqliteCatalogStore;

  constructor(options: CatalogModuleOptions) {
    const dir = join(options.dataDir, 'catalog');
    mkdirSync(dir, { recursive: true });
    this.#sqlite = new DurableSqlite(join(dir, 'catalog.sqlite'), options.fsync);
    this.#store = new SqliteCatalogStore(this.#sqlite);
    this.service = new CatalogService(this.#store, { accountId: options.accountId });
  }

  async start(): Promise<void> {
    await this.#sqlite.open();
  }

  async stop(): Promise<void> {
    await this.#store.close();
  }
}
