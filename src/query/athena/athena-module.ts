/** Wires Athena: SQLite store under `<dataDir>/athena/`, work groups, named queries, prepared statements, the DuckDB engine, table loading and the service; started and stopped with the server. */
import { mkdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { CatalogService } from '../../catalog/catalog-service.js';
import { ServiceError } from '../../shared/service-error.js';
import type { Logger } from '../../server/logger.js';
import { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import type { ObjectService } from '../../storage/object-service.js';
import { HiveDdlExecutor } from '../ddl/hive-ddl-executor.js';
import { EngineViewProbe } from '../ddl/view-probe.js';
import { DuckDbEngine } from '../engine/duckdb-engine.js';
import { EngineInterrupted } from '../engine/query-engine.js';
import { ObjectFiles } from '../engine/object-files.js';
import { SqliteCensusStore } from '../tables/census-store.js';
import { JsonKeyCensus } from '../tables/json-key-census.js';
import { QueryTables } from '../tables/query-tables.js';
import { AthenaService } from './athena-service.js';
import { AthenaStore } from './athena-store.js';
import { CatalogMetadata } from './catalog-metadata.js';
import type { DdlExecutor } from './ddl-port.js';
import { NamedQueries } from './named-queries.js';
import { PreparedStatements } from './prepared-statements.js';
import { QueryRunner } from './query-runner.js';
import { ResultWriter } from './result-writer.js';
import { DialectTranslator } from './sql-translator.js';
import { WorkGroups } from './workgroups.js';
import { WriteExecutor } from '../writes/write-executor.js';

/** Athena's default quota of active (running + queued) DML queries in us-east-1. */
export const DEFAULT_MAX_ACTIVE_QUERIES = 200;

export interface AthenaModuleOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  /** Queries running at once; more wait QUEUED. */
  readonly maxConcurrentQueries: number;
  /** Queries running or queued at most (Athena's active query quota); default 200. */
  readonly maxActiveQueries?: number | undefined;
  /** GetQueryExecution on a running query waits up to this many ms for it to finish (0 or absent: at once). */
  readonly pollWaitMs?: number | undefined;
  /** Size budget of the query cache (copies of inline and remote objects); default 4 GiB. */
  readonly queryCacheBytes?: number | undefined;
  /** The account in resource ARNs (work groups); default 000000000000. */
  readonly accountId?: string | undefined;
}

export class AthenaModule {
  readonly #sqlite: DurableSqlite;
  readonly store: AthenaStore;
  readonly workGroups: WorkGroups;
  readonly namedQueries: NamedQueries;
  readonly preparedStatements: PreparedStatements;
  readonly metadata: CatalogMetadata;
  readonly #engine: DuckDbEngine;
  readonly #files: ObjectFiles;
  #translator: DialectTranslator | undefined;
  #service: AthenaService | undefined;
  #viewProbe: EngineViewProbe | undefined;
  /** Replace before start() to plug in the full DDL implementation (src/query/ddl/). */
  ddl: DdlExecutor;

  constructor(
    private readonly options: AthenaModuleOptions,
    private readonly objects: ObjectService,
    private readonly catalog: CatalogService,
    private readonly logger?: Logger,
  ) {
    const dir = join(options.dataDir, 'athena');
    mkdirSync(dir, { recursive: true });
    this.#sqlite = new DurableSqlite(join(dir, 'athena.sqlite'), options.fsync);
    this.store = new AthenaStore(this.#sqlite);
    this.workGroups = new WorkGroups(this.store, options.accountId ?? '000000000000');
    this.namedQueries = new NamedQueries(this.store, this.workGroups);
    this.preparedStatements = new PreparedStatements(this.store, this.workGroups);
    this.metadata = new CatalogMetadata(catalog);
    // Each pooled DuckDB instance gets an equal share of half the machine's memory (DuckDB's own default is 80% each).
    const memoryMb = Math.max(256, Math.floor(totalmem() / 2 / 1024 / 1024 / options.maxConcurrentQueries));
    this.#engine = new DuckDbEngine({ poolSize: options.maxConcurrentQueries, threads: 2, memoryLimit: `${memoryMb}MB`, tempDirectory: join(dir, 'spill') });
    this.#files = new ObjectFiles(objects, options.dataDir, options.queryCacheBytes);
    this.ddl = new HiveDdlExecutor(catalog, objects, {
      columns: (sql, database, catalogName) => {
        if (!this.#viewProbe) throw new Error('AthenaModule used before start()');
        return this.#viewProbe.columns(sql, database, catalogName);
      },
    });
  }

  get service(): AthenaService {
    if (!this.#service) throw new Error('AthenaModule used before start()');
    return this.#service;
  }

  async start(): Promise<void> {
    await this.#sqlite.open();
    await this.#files.reset();
    this.#translator = await DialectTranslator.create();
    // JSON key censuses outlive restarts (a file's first query after one would otherwise pay an extra scan again).
    const census = new JsonKeyCensus({ isAbort: (err) => err instanceof EngineInterrupted, store: new SqliteCensusStore(this.#sqlite.db) });
    const tables = new QueryTables(this.catalog, this.objects, this.#files, this.#translator.sqlTools(), census);
    const translator = this.#translator;
    this.#viewProbe = new EngineViewProbe({ engine: this.#engine, tables, parser: translator.parser, translate: (sql, db) => translator.translate(sql, db) });
    const writer = new ResultWriter(this.objects);
    const tmpDir = join(this.options.dataDir, 'athena', 'tmp');
    const writes = new WriteExecutor({ engine: this.#engine, tables, parser: this.#translator.parser, catalog: this.catalog, objects: this.objects, writer, tmpDir });
    const runner = new QueryRunner({
      engine: this.#engine,
      tables,
      parser: this.#translator.parser,
      ddl: { executeDdl: (sql, ctx) => this.ddl.executeDdl(sql, ctx) },
      writer,
      tmpDir,
      writes,
    });
    this.#service = new AthenaService({
      store: this.store,
      workGroups: this.workGroups,
      prepared: this.preparedStatements,
      runner,
      translator: this.#translator,
      objects: this.objects,
      maxConcurrent: this.options.maxConcurrentQueries,
      maxActive: this.options.maxActiveQueries ?? DEFAULT_MAX_ACTIVE_QUERIES,
      pollWaitMs: this.options.pollWaitMs,
      log: (msg, err) => this.logger?.error({ err }, msg),
      ensureDefaultDatabase: async () => {
        try {
          this.catalog.getDatabase({ Name: 'default' });
        } catch (err) {
          if (!(err instanceof ServiceError) || err.code !== 'EntityNotFoundException') throw err;
          await this.catalog.createDatabase({ DatabaseInput: { Name: 'default' } }).catch((e: unknown) => {
            if (!(e instanceof ServiceError) || e.code !== 'AlreadyExistsException') throw e;
          });
        }
      },
    });
    await this.#service.recover();
  }

  async stop(): Promise<void> {
    await this.#service?.stop();
    await this.#engine.close();
    this.#translator?.close();
    await this.#sqlite.close();
  }
}
