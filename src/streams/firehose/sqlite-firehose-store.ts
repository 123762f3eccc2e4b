/** SQLite persistence for Firehose: delivery stream definitions and the durable log of accepted, not yet delivered records. */
import type { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import type { DeliveryStream } from './model.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS delivery_streams (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  arrival INTEGER NOT NULL,
  records INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_stream ON pending_batches (stream, id);
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

/** Rows purged per step once delivered, so no single DELETE holds the event loop for long. */
const PURGE_CHUNK = 16;

/** A put call's records, framed as [u32 length][bytes]…, all with the same arrival time. */
export interface PendingBatch {
  readonly id: number;
  readonly stream: string;
  readonly version: number;
  readonly arrival: number;
  readonly records: number;
  readonly bytes: number;
}

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

export function unframeRecords(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < data.length) {
    const len = data.readUInt32BE(off);
    off += 4;
    out.push(data.subarray(off, off + len));
    off += len;
  }
  return out;
}

export class SqliteFirehoseStore {
  readonly #s;
  /** Stream definitions are read on every put: kept in memory, written through to SQLite. */
  readonly #streams = new Map<string, DeliveryStream>();

  constructor(private readonly sqlite: DurableSqlite) {
    const db = sqlite.db;
    db.exec(SCHEMA);
    this.#s = {
      upsert: db.prepare('INSERT OR REPLACE INTO delivery_streams (name, doc) VALUES (?, ?)'),
      all: db.prepare<[], { doc: string }>('SELECT doc FROM delivery_streams ORDER BY name'),
      remove: db.prepare('DELETE FROM delivery_streams WHERE name = ?'),
      append: db.prepare('INSERT INTO pending_batches (stream, version, arrival, records, bytes, data) VALUES (?, ?, ?, ?, ?, ?)'),
      pending: db.prepare<[], PendingBatch>(
        `SELECT p.id, p.stream, p.version, p.arrival, p.records, p.bytes FROM pending_batches p
         LEFT JOIN delivered_through d ON d.stream = p.stream WHERE p.id > COALESCE(d.id, 0) ORDER BY p.id`,
      ),
      markDelivered: db.prepare('INSERT OR REPLACE INTO delivered_through (stream, id) VALUES (?, ?)'),
      purgeable: db.prepare<[], { stream: string; id: number }>(
        'SELECT p.stream, p.id FROM pending_batches p JOIN delivered_through d ON d.stream = p.stream WHERE p.id <= d.id ORDER BY p.id LIMIT 256',
      ),
      deleteIds: db.prepare('DELETE FROM pending_batches WHERE stream = ? AND id >= ? AND id <= ?'),
      forgetWatermark: db.prepare('DELETE FROM delivered_through WHERE stream = ?'),
      data: db.prepare<[number], { data: Buffer }>('SELECT data FROM pending_batches WHERE id = ?'),
      deleteStream: db.prepare('DELETE FROM pending_batches WHERE stream = ?'),
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

  deleteStream(name: string): void {
    this.sqlite.db.transaction(() => {
      this.#s.remove.run(name);
      this.#s.deleteStream.run(name);
      this.#s.forgetWatermark.run(name);
      this.#s.deleteStreamChunks.run(name);
    })();
    this.#streams.delete(name);
  }

  /** Appends one put call's records; durable once `sync()` resolves. */
  append(stream: string, version: number, arrival: number, records: readonly Uint8Array[]): PendingBatch {
    const data = frameRecords(records);
    const bytes = data.length - 4 * records.length;
    const info = this.#s.append.run(stream, version, arrival, records.length, bytes, data);
    return { id: Number(info.lastInsertRowid), stream, version, arrival, records: records.length, bytes };
  }

  pendingBatches(): PendingBatch[] {
    return this.#s.pending.all();
  }

  readBatch(id: number): Buffer[] {
    const r = this.#s.data.get(id);
    return r ? unframeRecords(r.data) : [];
  }

  /**
   * Records that a stream's batches up to `last` are delivered: one small atomic write (batches are
   * delivered in id order), durable with the next `sync()`. The rows themselves are purged later by
   * `purgeDelivered`, a few at a time.
   */
  acknowledge(stream: string, last: number): void {
    this.#s.markDelivered.run(stream, last);
  }

  /** Deletes up to PURGE_CHUNK delivered rows; returns how many were deleted (0 when none are left). */
  purgeDelivered(): number {
    const rows = this.#s.purgeable.all().slice(0, PURGE_CHUNK);
    if (rows.length === 0) return 0;
    this.sqlite.db.transaction(() => {
      for (const r of rows) this.#s.deleteIds.run(r.stream, r.id, r.id);
    })();
    return rows.length;
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
      this.#s.markDelivered.run(stream, last);
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
    return r ? unframeRecords(r.data) : [];
  }

  sync(): Promise<void> {
    return this.sqlite.sync();
  }
}
