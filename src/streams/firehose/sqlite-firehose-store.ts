/** Firehose persistence: stream definitions, delivered-through watermarks and staged chunks in SQLite; accepted batches in the intake log. */
import type { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import { unframe, type FileRange, type IntakeLog, type PendingBatch, type RecordData } from './intake-log.js';
import type { DeliveryStream } from './model.js';

export type { PendingBatch } from './intake-log.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS delivery_streams (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delivered_through (stream TEXT PRIMARY KEY, id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS staged_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  lane TEXT NOT NULL,
  partition TEXT NOT NULL,
  arrival INTEGER NOT NULL,
  records INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS staged_by_stream ON staged_chunks (stream, id);
`;

/** Processed records waiting for delivery to one lane and partition, framed like a batch; `arrival` is the oldest record's. */
export interface StagedChunk {
  readonly id: number;
  readonly stream: string;
  readonly version: number;
  readonly lane: string;
  readonly partition: string;
  readonly arrival: number;
  readonly records: number;
  readonly bytes: number;
}

export type NewChunk = Omit<StagedChunk, 'id' | 'records' | 'bytes'> & { readonly data: readonly Uint8Array[] };

interface StreamDoc extends Omit<DeliveryStream, 'createTimestamp' | 'lastUpdateTimestamp'> {
  createTimestamp: number;
  lastUpdateTimestamp?: number | undefined;
}

function toDoc(s: DeliveryStream): string {
  const doc: StreamDoc = { ...s, createTimestamp: s.createTimestamp.getTime(), lastUpdateTimestamp: s.lastUpdateTimestamp?.getTime() };
  return JSON.stringify(doc);
}

function fromDoc(text: string): DeliveryStream {
  const d = JSON.parse(text) as StreamDoc;
  return {
    ...d,
    createTimestamp: new Date(d.createTimestamp),
    lastUpdateTimestamp: d.lastUpdateTimestamp === undefined ? undefined : new Date(d.lastUpdateTimestamp),
  };
}

export function frameRecords(records: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const r of records) total += 4 + r.length;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const r of records) {
    out.writeUInt32BE(r.length, off);
    off += 4;
    out.set(r, off);
    off += r.length;
  }
  return out;
}

export class SqliteFirehoseStore {
  readonly #s;
  /** Stream definitions are read on every put: kept in memory, written through to SQLite. */
  readonly #streams = new Map<string, DeliveryStream>();

  /** Delivered-through watermarks per stream (mirrors the delivered_through table). */
  readonly #delivered = new Map<string, number>();

  constructor(
    private readonly sqlite: DurableSqlite,
    private readonly log: IntakeLog,
  ) {
    const db = sqlite.db;
    db.exec(SCHEMA);
    this.#s = {
      upsert: db.prepare('INSERT OR REPLACE INTO delivery_streams (name, doc) VALUES (?, ?)'),
      all: db.prepare<[], { doc: string }>('SELECT doc FROM delivery_streams ORDER BY name'),
      remove: db.prepare('DELETE FROM delivery_streams WHERE name = ?'),
      markDelivered: db.prepare('INSERT OR REPLACE INTO delivered_through (stream, id) VALUES (?, ?)'),
      watermarks: db.prepare<[], { stream: string; id: number }>('SELECT stream, id FROM delivered_through'),
      stage: db.prepare('INSERT INTO staged_chunks (stream, version, lane, partition, arrival, records, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      staged: db.prepare<[], StagedChunk>('SELECT id, stream, version, lane, partition, arrival, records, bytes FROM staged_chunks ORDER BY id'),
      chunkData: db.prepare<[number], { data: Buffer }>('SELECT data FROM staged_chunks WHERE id = ?'),
      deleteChunk: db.prepare('DELETE FROM staged_chunks WHERE id = ?'),
      deleteStreamChunks: db.prepare('DELETE FROM staged_chunks WHERE stream = ?'),
    };
    for (const r of this.#s.all.all()) {
      const s = fromDoc(r.doc);
      this.#streams.set(s.name, s);
    }
  }

  putStream(s: DeliveryStream): void {
    this.#s.upsert.run(s.name, toDoc(s));
    this.#streams.set(s.name, s);
  }

  getStream(name: string): DeliveryStream | undefined {
    return this.#streams.get(name);
  }

  listStreams(): DeliveryStream[] {
    return [...this.#streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Deletes a stream: its batches count as delivered (a stream created again under this name starts clean). */
  async deleteStream(name: string): Promise<void> {
    this.sqlite.db.transaction(() => {
      this.#s.remove.run(name);
      this.#s.markDelivered.run(name, this.log.nextId - 1);
      this.#s.deleteStreamChunks.run(name);
    })();
    this.#delivered.set(name, this.log.nextId - 1);
    this.#streams.delete(name);
    await this.sqlite.sync();
    await this.log.dropStream(name);
  }

  /** Opens the intake log, replaying the batches not delivered yet. */
  async open(): Promise<void> {
    let max = 0;
    for (const w of this.#s.watermarks.all()) {
      this.#delivered.set(w.stream, w.id);
      max = Math.max(max, w.id);
    }
    await this.log.open((stream) => this.#delivered.get(stream) ?? 0, max + 1);
  }

  /** Appends one put call's records; resolves once they are on disk. */
  append(stream: string, version: number, arrival: number, records: readonly RecordData[]): Promise<PendingBatch> {
    return this.log.append(stream, version, arrival, records);
  }

  pendingBatches(): PendingBatch[] {
    return this.log.pendingBatches();
  }

  readBatch(id: number): Buffer[] {
    return this.log.readBatch(id);
  }

  /** Where a pending batch's framed records are in the intake log (for the gzip worker, which reads them itself). */
  locateBatch(id: number): FileRange | undefined {
    return this.log.locate(id);
  }

  /**
   * Records that a stream's batches up to `last` are delivered (batches are delivered in id order),
   * durable with the next `sync()`; their log segments go in `purgeDelivered` after that.
   */
  acknowledge(stream: string, last: number): void {
    this.#s.markDelivered.run(stream, last);
    this.#delivered.set(stream, Math.max(this.#delivered.get(stream) ?? 0, last));
  }

  /** Deletes intake log segments whose batches are all delivered; call after `sync()`. Returns 0 when none were left. */
  purgeDelivered(): number {
    return this.log.purge((stream) => this.#delivered.get(stream) ?? 0);
  }

  #insertChunks(chunks: readonly NewChunk[]): StagedChunk[] {
    return chunks.map((c) => {
      const data = frameRecords(c.data);
      const bytes = data.length - 4 * c.data.length;
      const info = this.#s.stage.run(c.stream, c.version, c.lane, c.partition, c.arrival, c.data.length, bytes, data);
      return { id: Number(info.lastInsertRowid), stream: c.stream, version: c.version, lane: c.lane, partition: c.partition, arrival: c.arrival, records: c.data.length, bytes };
    });
  }

  /**
   * The processing stage's commit: the processed records of a stream's batches up to `last` become
   * staged chunks, and those batches count as done, in one transaction (durable with the next `sync()`).
   */
  commitProcessed(stream: string, last: number, chunks: readonly NewChunk[]): StagedChunk[] {
    return this.sqlite.db.transaction(() => {
      const staged = this.#insertChunks(chunks);
      this.acknowledge(stream, last);
      return staged;
    })();
  }

  /** After a delivery: removes the delivered chunks and stages any records that failed on the way (e.g. to error output), atomically. */
  completeChunks(delivered: readonly number[], add: readonly NewChunk[] = []): StagedChunk[] {
    return this.sqlite.db.transaction(() => {
      for (const id of delivered) this.#s.deleteChunk.run(id);
      return this.#insertChunks(add);
    })();
  }

  stagedChunks(): StagedChunk[] {
    return this.#s.staged.all();
  }

  readChunk(id: number): Buffer[] {
    const r = this.#s.chunkData.get(id);
    return r ? unframe(r.data) : [];
  }

  sync(): Promise<void> {
    return this.sqlite.sync();
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
