/** Wires the Firehose domain together: SQLite store, delivery engine writing through the S3 service, API service, metrics. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import type { ObjectService } from '../../storage/object-service.js';
import { OFFLOAD_HASHING_BYTES } from '../../shared/hash-worker.js';
import { DeliveryEngine, type ObjectSink, type ParquetConversion } from './delivery/delivery-engine.js';
import type { FunctionInvoker } from './processing/lambda-transform.js';
import { FirehoseService } from './firehose-service.js';
import { IntakeLog } from './intake-log.js';
import { FirehoseMetrics } from './metrics.js';
import { SqliteFirehoseStore } from './sqlite-firehose-store.js';

export interface FirehoseModuleOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  readonly region: string;
  readonly accountId: string;
  readonly bufferBudgetBytes: number;
  readonly gzipLevel: number;
}

/**
 * Delivered objects go through the S3 service, so they get ETags, checksums and listings like any upload. Their size
 * is known only once written; they are usually MiBs, so their MD5 is computed in the hash worker, off the event loop
 * that takes puts.
 */
export function s3Sink(objects: ObjectService): ObjectSink {
  return {
    async putObject(bucket, key, body, contentEncoding) {
      await objects.putObject({
        bucket,
        key,
        body,
        headers: { contentType: 'application/octet-stream', contentEncoding },
        userMetadata: {},
        tags: [],
        integrity: { sizeHint: OFFLOAD_HASHING_BYTES },
        conditions: {},
      });
    },
  };
}

export class FirehoseModule {
  readonly service: FirehoseService;
  readonly engine: DeliveryEngine;
  readonly #sqlite: DurableSqlite;
  readonly #store: SqliteFirehoseStore;
  /** The functions service, for Lambda processors (set by the server once both exist). */
  invoker: FunctionInvoker | undefined;
  /** JSON → Parquet conversion with schemas from the Glue catalog (set by the server). */
  conversion: ParquetConversion | undefined;

  constructor(options: FirehoseModuleOptions, objects: ObjectService, registry: Registry, logger: Logger) {
    const dir = join(options.dataDir, 'firehose');
    mkdirSync(dir, { recursive: true });
    this.#sqlite = new DurableSqlite(join(dir, 'firehose.sqlite'), options.fsync);
    const store = new SqliteFirehoseStore(this.#sqlite, new IntakeLog(join(dir, 'intake'), options.fsync));
    this.#store = store;
    const metrics = new FirehoseMetrics(registry);
    this.engine = new DeliveryEngine({
      store,
      sink: s3Sink(objects),
      streamOf: (name) => store.getStream(name),
      metrics,
      logger: logger.child({ domain: 'firehose' }),
      region: options.region,
      compression: { gzipLevel: options.gzipLevel },
      invoker: () => this.invoker,
      conversion: () => this.conversion,
    });
    this.service = new FirehoseService(store, this.engine, metrics, options);
  }

  async start(): Promise<void> {
    await this.#sqlite.open();
    await this.#store.open();
    this.service.recover();
  }

  async stop(): Promise<void> {
    this.service.stop();
    await this.engine.stop();
    await this.conversion?.close?.();
    await this.#store.close();
    await this.#sqlite.close();
  }
}
