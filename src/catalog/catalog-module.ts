/** Wires the Glue Data Catalog: SQLite store under `<dataDir>/catalog/`, CatalogService and crawlers; opened and closed with the server. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import type { ObjectService } from '../storage/object-service.js';
import { CatalogService } from './catalog-service.js';
import { CrawlerService, type CrawlerLogger } from './crawlers/crawler-service.js';
import { CrawlerStore } from './crawlers/crawler-store.js';
import { GlueTagging } from './resource-tags.js';
import { SqliteCatalogStore } from './sqlite-catalog-store.js';

export interface CatalogModuleOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  readonly accountId: string;
  /** Where crawlers read objects; without it the module has no crawlers. */
  readonly objects?: ObjectService | undefined;
  readonly logger?: CrawlerLogger | undefined;
}

const SILENT: CrawlerLogger = { info: () => undefined, warn: () => undefined };

export class CatalogModule {
  readonly service: CatalogService;
  /** Glue crawlers (present when the module was given an ObjectService). */
  readonly crawlers: CrawlerService | undefined;
  readonly tagging: GlueTagging;
  readonly #sqlite: DurableSqlite;
  readonly #store: SqliteCatalogStore;

  constructor(options: CatalogModuleOptions) {
    const dir = join(options.dataDir, 'catalog');
    mkdirSync(dir, { recursive: true });
    this.#sqlite = new DurableSqlite(join(dir, 'catalog.sqlite'), options.fsync);
    this.#store = new SqliteCatalogStore(this.#sqlite);
    this.service = new CatalogService(this.#store, { accountId: options.accountId });
    this.crawlers = options.objects && new CrawlerService(new CrawlerStore(this.#sqlite), this.service, options.objects, options.logger ?? SILENT);
    this.tagging = new GlueTagging(options.accountId, { database: this.service.databaseTags(), crawler: this.crawlers?.crawlerTags() });
  }

  async start(): Promise<void> {
    await this.#sqlite.open();
    this.crawlers?.start();
  }

  async stop(): Promise<void> {
    await this.crawlers?.stop();
    await this.#store.close();
  }
}
