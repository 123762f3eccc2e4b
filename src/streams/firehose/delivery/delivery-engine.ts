/** Buffers accepted records per stream by size and interval and delivers them to S3 off the request path, idempotently and with retries. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { appendsDelimiter } from '../destination-config.js';
import type { FirehoseMetrics } from '../metrics.js';
import { bucketOf, type DeliveryStream } from '../model.js';
import type { PendingBatch, SqliteFirehoseStore } from '../sqlite-firehose-store.js';
import { compressorFor, type CompressionOptions } from './compressors.js';
import { formatJavaDate } from './java-date-format.js';
import { effectivePrefix, evaluatePrefix } from './prefix-template.js';

/** Where delivered objects go (the S3 service). */
export interface ObjectSink {
  putObject(bucket: string, key: string, body: Readable, contentEncoding: string | undefined): Promise<void>;
}

const NEWLINE = Buffer.from('\n');

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of source) out.push(b);
  return out;
}

const MAX_RETRY_MS = 24 * 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60_000;

interface StreamQueue {
  batches: PendingBatch[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
  inflight: Promise<void> | undefined;
  failures: number;
  retryAt: number;
}

/** Deterministic UUID-shaped id for the object holding batches [first, last], so redelivery overwrites instead of duplicating. */
function objectId(stream: string, first: number, last: number): string {
  const h = createHash('sha256').update(`${stream}\0${first}\0${last}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function seededRandom(seed: string): () => string {
  let n = 0;
  return () => createHash('sha256').update(`${seed}:${n++}`).digest('base64url').replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 11);
}

export class DeliveryEngine {
  readonly #queues = new Map<string, StreamQueue>();
  #totalBytes = 0;
  #stopped = false;

  constructor(
    private readonly store: SqliteFirehoseStore,
    private readonly sink: ObjectSink,
    private readonly streamOf: (name: string) => DeliveryStream | undefined,
    private readonly metrics: FirehoseMetrics,
    private readonly logger: Logger,
    private readonly compression: CompressionOptions = { gzipLevel: 6 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes accepted but not yet delivered, over all streams. */
  get bufferedBytes(): number {
    return this.#totalBytes;
  }

  /** Picks up batches that were acknowledged before a restart. */
  recover(): void {
    for (const b of this.store.pendingBatches()) this.enqueue(b);
    this.#purgeSoon();
  }

  enqueue(batch: PendingBatch): void {
    const q = this.#queue(batch.stream);
    q.batches.push(batch);
    q.bytes += batch.bytes;
    this.#totalBytes += batch.bytes;
    this.metrics.bufferedBytes.set({ delivery_stream: batch.stream }, q.bytes);
    this.#schedule(batch.stream);
  }

  /** Delivers everything buffered for `name` (or every stream) now, ignoring the buffering hints. */
  async flush(name?: string): Promise<void> {
    const names = name === undefined ? [...this.#queues.keys()] : [name];
    for (const n of names) {
      for (;;) {
        const q = this.#queues.get(n);
        if (!q || q.batches.length === 0) break;
        if (q.inflight) {
          await q.inflight;
          continue;
        }
        const before = q.batches.length;
        await this.#deliver(n, true);
        if ((this.#queues.get(n)?.batches.length ?? 0) >= before) throw new Error(`delivery of ${n} failed; it will be retried`);
      }
    }
  }

  /** Forgets a deleted stream's buffer. */
  drop(name: string): void {
    const q = this.#queues.get(name);
    if (!q) return;
    if (q.timer) clearTimeout(q.timer);
    this.#totalBytes -= q.bytes;
    this.#queues.delete(name);
    this.metrics.bufferedBytes.remove({ delivery_stream: name });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const q of this.#queues.values()) if (q.timer) clearTimeout(q.timer);
    const running = [...this.#queues.values()].flatMap((q) => (q.inflight ? [q.inflight.catch(() => undefined)] : []));
    await Promise.all(running);
  }

  #queue(name: string): StreamQueue {
    let q = this.#queues.get(name);
    if (!q) {
      q = { batches: [], bytes: 0, timer: undefined, inflight: undefined, failures: 0, retryAt: 0 };
      this.#queues.set(name, q);
    }
    return q;
  }

  /** When the stream's buffer is due: full (size hint) or old (interval hint), after any retry backoff. */
  #dueAt(name: string, q: StreamQueue): number | undefined {
    const stream = this.streamOf(name);
    const head = q.batches[0];
    if (!stream || !head) return undefined;
    const hints = stream.destination.BufferingHints;
    const full = q.bytes >= hints.SizeInMBs * 1024 * 1024;
    const due = full ? this.now() : head.arrival + hints.IntervalInSeconds * 1000;
    return Math.max(due, q.retryAt);
  }

  #schedule(name: string): void {
    const q = this.#queues.get(name);
    if (!q || q.inflight || this.#stopped) return;
    const due = this.#dueAt(name, q);
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    if (due === undefined) return;
    const delay = Math.max(0, due - this.now());
    q.timer = setTimeout(() => {
      q.timer = undefined;
      void this.#deliver(name, false);
    }, delay);
    q.timer.unref();
  }

  async #deliver(name: string, force: boolean): Promise<void> {
    const q = this.#queues.get(name);
    if (!q || q.inflight || q.batches.length === 0) return;
    const run = this.#deliverOnce(name, q, force);
    q.inflight = run;
    try {
      await run;
    } finally {
      q.inflight = undefined;
      this.#schedule(name);
    }
  }

  async #deliverOnce(name: string, q: StreamQueue, force: boolean): Promise<void> {
    const stream = this.streamOf(name);
    if (!stream) {
      this.drop(name);
      return;
    }
    if (!force) {
      const due = this.#dueAt(name, q);
      if (due === undefined || due > this.now()) return;
    }
    const dest = stream.destination;
    const limit = dest.BufferingHints.SizeInMBs * 1024 * 1024;
    const head = q.batches[0]!;
    const chosen: PendingBatch[] = [];
    let bytes = 0;
    // Take batches in arrival order until the size hint is reached (the batch that crosses it included).
    for (const b of q.batches) {
      if (b.version !== head.version || bytes >= limit) break;
      chosen.push(b);
      bytes += b.bytes;
    }
    const first = chosen[0]!.id;
    const last = chosen[chosen.length - 1]!.id;
    const recordCount = chosen.reduce((n, b) => n + b.records, 0);
    const compressor = compressorFor(dest.CompressionFormat, this.compression);
    const timeZone = dest.CustomTimeZone ?? 'UTC';
    const oldest = new Date(head.arrival);
    const prefix = evaluatePrefix(effectivePrefix(dest.Prefix), { timestamp: oldest, timeZone, random: seededRandom(`${name}:${first}`) });
    const key = `${prefix}${name}-${head.version}-${formatJavaDate('yyyy-MM-dd-HH-mm-ss', oldest, timeZone)}-${objectId(name, first, last)}${dest.FileExtension ?? compressor.extension}`;
    const labels = { delivery_stream: name };
    let body: Readable | undefined;
    try {
      const source = this.#encode(chosen, appendsDelimiter(dest));
      body = compressor.stream ? compressor.stream(source) : Readable.from([await compressor.compress(Buffer.concat(await collect(source)))]);
      await this.sink.putObject(bucketOf(dest.BucketARN), key, body, compressor.contentEncoding);
    } catch (err) {
      body?.destroy();
      q.failures++;
      this.metrics.deliveryFailures.inc(labels);
      this.metrics.deliverySuccess.set(labels, 0);
      if (this.now() - head.arrival > MAX_RETRY_MS) {
        this.logger.error({ err, stream: name, records: recordCount, key }, 'firehose delivery failed for 24 hours; dropping records');
        this.#forget(name, q, chosen);
        this.store.acknowledge(name, last);
        await this.store.sync();
        this.#purgeSoon();
        return;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(q.failures - 1, 6));
      q.retryAt = this.now() + backoff;
      this.logger.warn({ err, stream: name, key, retryInMs: backoff, attempt: q.failures }, 'firehose delivery to S3 failed; will retry');
      return;
    }
    this.store.acknowledge(name, last);
    await this.store.sync();
    this.#purgeSoon();
    this.#forget(name, q, chosen);
    q.failures = 0;
    q.retryAt = 0;
    this.metrics.deliveryRecords.inc(labels, recordCount);
    this.metrics.deliveryBytes.inc(labels, bytes);
    this.metrics.deliveryObjects.inc(labels);
    this.metrics.deliverySuccess.set(labels, 1);
    const next = q.batches[0];
    this.metrics.dataFreshness.set(labels, next ? (this.now() - next.arrival) / 1000 : 0);
    this.logger.debug({ stream: name, key, records: recordCount, bytes }, 'firehose delivered object');
  }

  /**
   * Encoder stage: the records of `batches`, one batch at a time (with `\n` between records when
   * AppendDelimiterToRecord is on), yielding to other work between batches.
   */
  async *#encode(batches: readonly PendingBatch[], delimiter: boolean): AsyncGenerator<Buffer> {
    let first = true;
    for (const b of batches) {
      const parts: Buffer[] = [];
      for (const r of this.store.readBatch(b.id)) {
        if (delimiter && !first) parts.push(NEWLINE);
        parts.push(r);
        first = false;
      }
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  #purging = false;

  /** Deletes delivered rows in small steps between other work. */
  #purgeSoon(): void {
    if (this.#purging || this.#stopped) return;
    this.#purging = true;
    const step = (): void => {
      if (this.#stopped || this.store.purgeDelivered() === 0) {
        this.#purging = false;
        return;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  #forget(name: string, q: StreamQueue, chosen: readonly PendingBatch[]): void {
    const ids = new Set(chosen.map((b) => b.id));
    const removed = chosen.reduce((n, b) => n + b.bytes, 0);
    q.batches = q.batches.filter((b) => !ids.has(b.id));
    q.bytes -= removed;
    this.#totalBytes -= removed;
    this.metrics.bufferedBytes.set({ delivery_stream: name }, q.bytes);
  }
}
