/** Wires the functions (Lambda) domain together: SQLite store, code store, worker pool and the service. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import { CodeStore } from './code-store.js';
import { FunctionsService } from './functions-service.js';
import { WorkerPool } from './runtime/worker-pool.js';
import { SqliteFunctionStore } from './sqlite-function-store.js';

export interface FunctionsModuleOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  readonly region: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Base URL of this server once it listens (AWS_ENDPOINT_URL inside functions). */
  readonly endpoint: () => string;
  readonly maxConcurrency: number;
  readonly idleTtlSeconds: number;
  readonly asyncRetryDelaySeconds: number;
}

export class FunctionsModule {
  readonly service: FunctionsService;
  readonly pool: WorkerPool;
  readonly #sqlite: DurableSqlite;
  readonly #code: CodeStore;
  readonly #tmp: string;

  constructor(options: FunctionsModuleOptions, logger: Logger) {
    const dir = join(options.dataDir, 'functions');
    mkdirSync(dir, { recursive: true });
    this.#tmp = join(dir, 'tmp');
    this.#sqlite = new DurableSqlite(join(dir, 'functions.sqlite'), options.fsync);
    this.#code = new CodeStore(dir, options.fsync);
    const log = logger.child({ domain: 'functions' });
    this.pool = new WorkerPool({
      maxPerFunction: options.maxConcurrency,
      idleTtlMs: options.idleTtlSeconds * 1000,
      tmpRoot: this.#tmp,
      logger: log,
    });
    this.service = new FunctionsService(
      new SqliteFunctionStore(this.#sqlite),
      this.#code,
      this.pool,
      {
        region: options.region,
        accountId: options.accountId,
        endpoint: options.endpoint,
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
        asyncRetryDelayMs: options.asyncRetryDelaySeconds * 1000,
      },
      log,
    );
  }

  async start(): Promise<void> {
    rmSync(this.#tmp, { recursive: true, force: true });
    mkdirSync(this.#tmp, { recursive: true });
    await this.#sqlite.open();
    await this.#code.init();
    await this.service.recover();
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await this.#sqlite.close();
    rmSync(this.#tmp, { recursive: true, force: true });
  }
}
