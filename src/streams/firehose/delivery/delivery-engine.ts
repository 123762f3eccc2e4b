/** Buffers accepted records, runs the processing stage for streams that need it, and delivers per lane and partition to S3 off the request path, idempotently and with retries. */
import type { Logger } from 'pino';
import type { FirehoseMetrics } from '../metrics.js';
import { bucketOf, type DeliveryStream } from '../model.js';
import { errorDocument } from '../processing/error-records.js';
import { JqEvaluator } from '../processing/jq-evaluator.js';
import type { FunctionInvoker } from '../processing/lambda-transform.js';
import { MetadataExtractor } from '../processing/metadata-extractor.js';
import { planOf, type PipelinePlan } from '../processing/pipeline-plan.js';
import { runProcessing } from '../processing/processing-stage.js';
import type { Lane } from '../processing/record-processor.js';
import type { NewChunk, PendingBatch, SqliteFirehoseStore, StagedChunk } from '../sqlite-firehose-store.js';
import { writeChunkObject, type ParquetConversion } from './chunk-delivery.js';
import type { CompressionOptions } from './compressors.js';
import { GzipWorker } from './gzip-worker.js';
import { encodeUnits, extensionFor, objectKey, unitRanges, writeCompressed, type ObjectSink } from './object-writer.js';
import { effectivePrefix } from './prefix-template.js';
import { hintsFor, recordDelivered, takeUnits, type Queue, type Unit } from './delivery-queue.js';

export type { ObjectSink } from './object-writer.js';
export type { ParquetConversion } from './chunk-delivery.js';

export interface DeliveryEngineOptions {
  readonly store: SqliteFirehoseStore;
  readonly sink: ObjectSink;
  readonly streamOf: (name: string) => DeliveryStream | undefined;
  readonly metrics: FirehoseMetrics;
  readonly logger: Logger;
  readonly region: string;
  readonly compression?: CompressionOptions;
  readonly now?: () => number;
  /** The functions service, once wired (Lambda processors wait for it). */
  readonly invoker?: () => FunctionInvoker | undefined;
  readonly conversion?: () => ParquetConversion | undefined;
  /** Active partitions per stream before records go to `activePartitionExceeded` (Firehose's default quota is 500). */
  readonly activePartitionLimit?: number;
  readonly lambdaRetryDelayMs?: number;
}

const MAX_RETRY_MS = 24 * 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60_000;
/** Most bytes one processing step takes when no Lambda buffer hint applies. */
const PROCESSING_STEP_BYTES = 8 * 1024 * 1024;

export class DeliveryEngine {
  readonly #queues = new Map<string, Queue>();
  readonly #plans = new Map<string, { destination: DeliveryStream['destination']; plan: PipelinePlan; extractor: MetadataExtractor | undefined }>();
  readonly #jq = new JqEvaluator();
  readonly #gzip = new GzipWorker();
  readonly #now: () => number;
  #totalBytes = 0;
  readonly #streamBytes = new Map<string, number>();
  #stopped = false;
  #purging = false;

  constructor(private readonly o: DeliveryEngineOptions) {
    this.#now = o.now ?? Date.now;
  }

  /** Bytes accepted but not yet delivered (waiting for processing or for delivery), over all streams. */
  get bufferedBytes(): number {
    return this.#totalBytes;
  }

  /** The jq runner, also used to check MetadataExtractionQuery at configuration time. */
  get jq(): JqEvaluator {
    return this.#jq;
  }

  /** Picks up batches and processed chunks that were acknowledged before a restart. */
  recover(): void {
    for (const b of this.o.store.pendingBatches()) this.enqueue(b);
    for (const c of this.o.store.stagedChunks()) this.#enqueueChunk(c);
    this.#purgeSoon();
  }

  enqueue(batch: PendingBatch): void {
    this.#add(this.#queue(batch.stream, 'intake', 'main', ''), batch);
  }

  #enqueueChunk(c: StagedChunk): void {
    this.#add(this.#queue(c.stream, 'staged', c.lane as Lane, c.partition), c);
  }

  #add(q: Queue, unit: Unit): void {
    q.units.push(unit);
    q.bytes += unit.bytes;
    this.#setBytes(q.stream, unit.bytes);
    this.#schedule(q);
  }

  /**
   * Processes and delivers everything buffered for `name` (or every stream) now, ignoring the buffering hints. A buffer
   * whose delivery fails is left to its retries while the others are still flushed; the failures are reported at the end.
   */
  async flush(name?: string): Promise<void> {
    const failed = new Set<Queue>();
    for (;;) {
      const queues = [...this.#queues.values()].filter((q) => (name === undefined || q.stream === name) && q.units.length > 0 && !failed.has(q));
      if (queues.length === 0) break;
      // Intake first: processing turns batches into staged chunks, which the next round delivers.
      const intake = queues.filter((q) => q.kind === 'intake');
      for (const q of intake.length > 0 ? intake : queues) {
        const before = q.units.length;
        if (q.inflight) await q.inflight;
        else await this.#deliver(q, true);
        if (q.units.length >= before && this.#queues.get(q.key) === q && !q.inflight && q.failures > 0) failed.add(q);
      }
    }
    if (failed.size > 0) throw new Error(`delivery of ${[...new Set([...failed].map((q) => q.stream))].join(', ')} failed; it will be retried`);
  }

  /** Forgets a deleted stream's buffers. */
  drop(name: string): void {
    for (const q of [...this.#queues.values()]) {
      if (q.stream !== name) continue;
      if (q.timer) clearTimeout(q.timer);
      this.#setBytes(name, -q.bytes);
      this.#queues.delete(q.key);
    }
    this.#streamBytes.delete(name);
    this.#plans.delete(name);
    this.o.metrics.bufferedBytes.remove({ delivery_stream: name });
    this.o.metrics.activePartitions.remove({ delivery_stream: name });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const q of this.#queues.values()) if (q.timer) clearTimeout(q.timer);
    const running = [...this.#queues.values()].flatMap((q) => (q.inflight ? [q.inflight.catch(() => undefined)] : []));
    await Promise.all(running);
    await this.#jq.close();
    await this.#gzip.close();
  }

  /** Keeps the buffered-byte totals (overall and per stream, for the BufferedBytes metric) as units come and go. */
  #setBytes(stream: string, delta: number): void {
    this.#totalBytes += delta;
    const bytes = (this.#streamBytes.get(stream) ?? 0) + delta;
    this.#streamBytes.set(stream, bytes);
    this.o.metrics.bufferedBytes.set({ delivery_stream: stream }, bytes);
  }

  #queue(stream: string, kind: Queue['kind'], lane: Lane, partition: string): Queue {
    const key = `${stream}\0${kind}\0${lane}\0${partition}`;
    let q = this.#queues.get(key);
    if (!q) {
      q = { key, stream, kind, lane, partition, units: [], bytes: 0, timer: undefined, inflight: undefined, failures: 0, retryAt: 0 };
      this.#queues.set(key, q);
    }
    return q;
  }

  #planOf(stream: DeliveryStream): { plan: PipelinePlan; extractor: MetadataExtractor | undefined } {
    const cached = this.#plans.get(stream.name);
    if (cached && cached.destination === stream.destination) return cached;
    const plan = planOf(stream.destination);
    const entry = { destination: stream.destination, plan, extractor: plan.extractionQuery ? new MetadataExtractor(this.#jq, plan.extractionQuery) : undefined };
    this.#plans.set(stream.name, entry);
    return entry;
  }

  /** When the queue is due: full (size hint) or old (interval hint), after any retry backoff. */
  #dueAt(q: Queue): number | undefined {
    const stream = this.o.streamOf(q.stream);
    const head = q.units[0];
    if (!stream || !head) return undefined;
    const hints = hintsFor(q, stream, this.#planOf(stream).plan);
    const due = q.bytes >= hints.bytes ? this.#now() : head.arrival + hints.intervalMs;
    return Math.max(due, q.retryAt);
  }

  #schedule(q: Queue): void {
    if (q.inflight || this.#stopped) return;
    const due = this.#dueAt(q);
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    if (due === undefined) return;
    q.timer = setTimeout(() => {
      q.timer = undefined;
      void this.#deliver(q, false);
    }, Math.max(0, due - this.#now()));
    q.timer.unref();
  }

  async #deliver(q: Queue, force: boolean): Promise<void> {
    if (q.inflight || q.units.length === 0) return;
    const run = this.#deliverOnce(q, force);
    q.inflight = run;
    try {
      await run;
    } finally {
      q.inflight = undefined;
      if (q.units.length === 0 && q.kind === 'staged') this.#queues.delete(q.key);
      else this.#schedule(q);
    }
  }

  async #deliverOnce(q: Queue, force: boolean): Promise<void> {
    const stream = this.o.streamOf(q.stream);
    if (!stream) {
      this.drop(q.stream);
      return;
    }
    if (!force) {
      const due = this.#dueAt(q);
      if (due === undefined || due > this.#now()) return;
    }
    const { plan } = this.#planOf(stream);
    const processing = q.kind === 'intake' && plan.staged;
    const chosen = takeUnits(q, processing ? (plan.lambda?.bufferBytes ?? PROCESSING_STEP_BYTES) : hintsFor(q, stream, this.#planOf(stream).plan).bytes);
    const labels = { delivery_stream: q.stream };
    try {
      if (q.kind === 'intake' && !plan.staged) await this.#deliverBatches(q, stream, plan, chosen);
      else if (q.kind === 'intake') await this.#process(q, stream, chosen);
      else await this.#deliverChunks(q, stream, plan, chosen);
    } catch (err) {
      q.failures++;
      const what = processing ? 'processing' : 'delivery to S3';
      if (what === 'processing') this.o.metrics.processingSuccess.set(labels, 0);
      else {
        this.o.metrics.deliveryFailures.inc(labels);
        this.o.metrics.deliverySuccess.set(labels, 0);
      }
      const head = chosen[0]!;
      q.failingSince ??= this.#now();
      const retryWindow = stream.destination.DynamicPartitioningConfiguration?.RetryOptions?.DurationInSeconds;
      if (q.kind === 'staged' && q.lane === 'main' && plan.dynamicPartitioning && retryWindow !== undefined && this.#now() - q.failingSince >= retryWindow * 1000) {
        await this.#giveUpPartition(q, stream, chosen, err);
        return;
      }
      if (this.#now() - head.arrival > MAX_RETRY_MS) {
        this.o.logger.error({ err, stream: q.stream, lane: q.lane, records: chosen.reduce((n, u) => n + u.records, 0) }, `firehose ${what} failed for 24 hours; dropping records`);
        if (q.kind === 'intake') this.o.store.acknowledge(q.stream, chosen[chosen.length - 1]!.id);
        else this.o.store.completeChunks(chosen.map((u) => u.id));
        await this.o.store.sync();
        this.#forget(q, chosen);
        this.#purgeSoon();
        return;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(q.failures - 1, 6));
      q.retryAt = this.#now() + backoff;
      this.o.logger.warn({ err, stream: q.stream, lane: q.lane, retryInMs: backoff, attempt: q.failures }, `firehose ${what} failed; will retry`);
      return;
    }
    q.failures = 0;
    q.retryAt = 0;
    q.failingSince = undefined;
  }

  /**
   * Dynamic partitioning's RetryOptions: once a partition has failed to reach S3 for DurationInSeconds,
   * its records move to error output (type `S3DeliveryFailed`), which keeps retrying on its own.
   */
  async #giveUpPartition(q: Queue, stream: DeliveryStream, chosen: readonly Unit[], err: unknown): Promise<void> {
    const ended = this.#now();
    const docs = chosen.flatMap((u) =>
      this.o.store.readChunk(u.id).map((data) =>
        errorDocument({ data, arrival: u.arrival, attemptsMade: q.failures, errorCode: 'S3.DeliveryFailed', errorMessage: (err as Error).message, attemptEndingTimestamp: ended }),
      ),
    );
    const head = chosen[0]!;
    const added = this.o.store.completeChunks(
      chosen.map((u) => u.id),
      [{ stream: stream.name, version: head.version, lane: 'error', partition: 'S3DeliveryFailed', arrival: head.arrival, data: docs }],
    );
    await this.o.store.sync();
    this.#forget(q, chosen);
    this.o.logger.warn({ err, stream: stream.name, partition: q.partition, records: docs.length }, 'firehose partition exceeded its retry duration; records moved to error output');
    q.failures = 0;
    q.retryAt = 0;
    q.failingSince = undefined;
    for (const c of added) this.#enqueueChunk(c);
  }

  /** The direct path (no processing): accepted batches become one object. */
  async #deliverBatches(q: Queue, stream: DeliveryStream, plan: PipelinePlan, chosen: readonly Unit[]): Promise<void> {
    const dest = stream.destination;
    const head = chosen[0]!;
    const key = objectKey({
      prefix: effectivePrefix(dest.Prefix),
      context: {},
      stream: stream.name,
      version: head.version,
      oldest: head.arrival,
      timeZone: dest.CustomTimeZone ?? 'UTC',
      seed: stream.name,
      first: head.id,
      extension: dest.FileExtension ?? extensionFor(dest.CompressionFormat, this.#compression),
    });
    const records = {
      pieces: encodeUnits(chosen, (id) => this.o.store.readBatch(id), plan.appendDelimiter),
      ranges: { read: () => unitRanges(chosen, (id) => this.o.store.locateBatch(id)), delimiter: plan.appendDelimiter },
    };
    await writeCompressed(this.o.sink, bucketOf(dest.BucketARN), key, records, dest.CompressionFormat, this.#compression);
    this.o.store.acknowledge(stream.name, chosen[chosen.length - 1]!.id);
    await this.o.store.sync();
    this.#purgeSoon();
    this.#forget(q, chosen);
    recordDelivered(this.o.metrics, this.o.logger, q, chosen, this.#oldestPending(q.stream), this.#now());
  }

  /** The processing stage: accepted batches → (backup, de-aggregation, Lambda, partitioning) → staged chunks, committed atomically. */
  async #process(q: Queue, stream: DeliveryStream, chosen: readonly Unit[]): Promise<void> {
    const { plan, extractor } = this.#planOf(stream);
    const started = this.#now();
    let invoker: FunctionInvoker | undefined;
    if (plan.lambda) {
      invoker = this.o.invoker?.();
      if (!invoker) throw new Error('the functions service is not available');
    }
    const active = new Set<string>();
    for (const other of this.#queues.values()) if (other.stream === stream.name && other.kind === 'staged' && other.lane === 'main') active.add(other.partition);
    const conversion = plan.lambda && plan.conversion ? this.o.conversion?.() : undefined;
    const { routed, groups, exceeded } = await runProcessing(
      {
        plan,
        extractor,
        transform: invoker ? { streamArn: stream.arn, region: this.o.region, invoker, now: this.#now, retryDelayMs: this.o.lambdaRetryDelayMs ?? 500 } : undefined,
        activePartitions: active,
        activePartitionLimit: this.o.activePartitionLimit ?? 500,
        rejectConversion: conversion?.reject ? (records) => conversion.reject!(plan.conversion!, records) : undefined,
        now: this.#now,
      },
      stream,
      chosen.flatMap((b) => this.o.store.readBatch(b.id).map((data) => ({ data, arrival: b.arrival }))),
    );
    const version = chosen[0]!.version;
    const chunks: NewChunk[] = groups.map((g) => ({ stream: stream.name, version, ...g }));
    const staged = this.o.store.commitProcessed(stream.name, chosen[chosen.length - 1]!.id, chunks);
    await this.o.store.sync();
    this.#purgeSoon();
    this.#forget(q, chosen);
    const labels = { delivery_stream: stream.name };
    this.o.metrics.recordProcessing(stream.name, (this.#now() - started) / 1000, routed, exceeded);
    for (const c of staged) this.#enqueueChunk(c);
    if (plan.dynamicPartitioning) this.o.metrics.activePartitions.set(labels, this.#activePartitions(stream.name));
  }

  #oldestPending(stream: string): number | undefined {
    let oldest: number | undefined;
    for (const q of this.#queues.values()) if (q.stream === stream && q.units[0]) oldest = Math.min(oldest ?? Infinity, q.units[0].arrival);
    return oldest;
  }

  #activePartitions(stream: string): number {
    let n = 0;
    for (const q of this.#queues.values()) if (q.stream === stream && q.kind === 'staged' && q.lane === 'main' && q.units.length > 0) n++;
    return n;
  }

  /** Delivers processed chunks of one lane and partition as one object (Parquet for converted main-lane records). */
  async #deliverChunks(q: Queue, stream: DeliveryStream, plan: PipelinePlan, chosen: readonly Unit[]): Promise<void> {
    const head = chosen[0]!;
    const { failures } = await writeChunkObject(
      { store: this.o.store, sink: this.o.sink, conversion: this.o.conversion?.(), compression: this.#compression },
      stream,
      plan,
      { lane: q.lane, partition: q.partition, units: chosen },
    );
    const errorChunks: NewChunk[] =
      failures.length > 0 ? [{ stream: stream.name, version: head.version, lane: 'error', partition: 'format-conversion-failed', arrival: head.arrival, data: failures }] : [];
    const added = this.o.store.completeChunks(chosen.map((u) => u.id), errorChunks);
    await this.o.store.sync();
    this.#forget(q, chosen);
    recordDelivered(this.o.metrics, this.o.logger, q, chosen, this.#oldestPending(q.stream), this.#now());
    if (failures.length > 0) this.o.metrics.conversionFailedRecords.inc({ delivery_stream: stream.name }, failures.length);
    for (const c of added) this.#enqueueChunk(c);
  }

  get #compression(): CompressionOptions {
    return { gzipLevel: this.o.compression?.gzipLevel ?? 6, gzipWorker: this.#gzip };
  }

  /** Deletes delivered intake rows in small steps between other work. */
  #purgeSoon(): void {
    if (this.#purging || this.#stopped) return;
    this.#purging = true;
    const step = (): void => {
      if (this.#stopped || this.o.store.purgeDelivered() === 0) {
        this.#purging = false;
        return;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  #forget(q: Queue, chosen: readonly Unit[]): void {
    const ids = new Set(chosen.map((u) => u.id));
    const removed = chosen.reduce((n, u) => n + u.bytes, 0);
    q.units = q.units.filter((u) => !ids.has(u.id));
    q.bytes -= removed;
    this.#setBytes(q.stream, -removed);
  }
}
