/** Firehose's durable intake: accepted batches appended to segment files with one group-committed fdatasync, read back by position, deleted a segment at a time once delivered. */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, ftruncateSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** A put call's records, all with the same arrival time. */
export interface PendingBatch {
  readonly id: number;
  readonly stream: string;
  readonly version: number;
  readonly arrival: number;
  readonly records: number;
  /** Record bytes (without framing). */
  readonly bytes: number;
}

interface Location {
  readonly segment: Segment;
  /** Offset of the framed records (after the header and stream name). */
  readonly offset: number;
  readonly length: number;
}

interface Segment {
  readonly first: number;
  readonly path: string;
  fd: number;
  size: number;
  /** Highest batch id per stream in this segment: the segment can go once every stream is delivered past it. */
  readonly last: Map<string, number>;
}

const MAGIC = 0x4c4b4631; // "LKF1"
/** magic u32 | payload length u32 | crc32 of payload u32 | id f64 | version u32 | arrival f64 | records u32 | name length u16 */
const HEADER = 4 + 4 + 4 + 8 + 4 + 8 + 4 + 2;
const SEGMENT_BYTES = 64 * 1024 * 1024;

function segmentName(first: number): string {
  return `${first.toString().padStart(16, '0')}.log`;
}

export function unframe(data: Buffer): Buffer[] {
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

interface PendingWrite {
  readonly batch: PendingBatch;
  readonly nameLength: number;
  readonly buffers: Uint8Array[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class IntakeLog {
  readonly #segments: Segment[] = [];
  readonly #index = new Map<number, { batch: PendingBatch; location: Location }>();
  #handle: FileHandle | undefined;
  #nextId = 1;
  #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
    /** Segment size at which the log moves on to a new file. */
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {}

  /**
   * Opens the log: replays every segment, keeps the batches not yet delivered (`delivered(stream)` gives the
   * watermark), cuts a torn tail off the last segment, and deletes fully delivered segments.
   */
  async open(delivered: (stream: string) => number, minNextId: number): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const names = readdirSync(this.dir)
      .filter((n) => /^\d{16}\.log$/.test(n))
      .sort();
    let maxId = minNextId - 1;
    for (const [i, name] of names.entries()) {
      const path = join(this.dir, name);
      const seg: Segment = { first: Number(name.slice(0, 16)), path, fd: openSync(path, 'r+'), size: 0, last: new Map() };
      const valid = this.#replay(seg, (batch, location) => {
        maxId = Math.max(maxId, batch.id);
        seg.last.set(batch.stream, Math.max(seg.last.get(batch.stream) ?? 0, batch.id));
        if (batch.id > delivered(batch.stream)) this.#index.set(batch.id, { batch, location });
      });
      if (valid < seg.size) {
        // A torn write at the end (a crash mid-append): those batches were never acknowledged.
        if (i === names.length - 1) ftruncateSync(seg.fd, valid);
        seg.size = valid;
      }
      this.#segments.push(seg);
    }
    this.#nextId = maxId + 1;
    this.purge(delivered);
    await this.#openTail();
  }

  /** Replays a segment; returns the length of its valid prefix. */
  #replay(seg: Segment, visit: (batch: PendingBatch, location: Location) => void): number {
    const header = Buffer.alloc(HEADER);
    let pos = 0;
    for (;;) {
      if (readSync(seg.fd, header, 0, HEADER, pos) < HEADER || header.readUInt32BE(0) !== MAGIC) break;
      const length = header.readUInt32BE(4);
      const payload = Buffer.allocUnsafe(length);
      if (readSync(seg.fd, payload, 0, length, pos + HEADER) < length || crc32(payload) !== header.readUInt32BE(8)) break;
      const nameLength = header.readUInt16BE(36);
      const batch: PendingBatch = {
        id: header.readDoubleBE(12),
        version: header.readUInt32BE(20),
        arrival: header.readDoubleBE(24),
        records: header.readUInt32BE(32),
        stream: payload.toString('utf8', 0, nameLength),
        bytes: length - nameLength - 4 * header.readUInt32BE(32),
      };
      visit(batch, { segment: seg, offset: pos + HEADER + nameLength, length: length - nameLength });
      pos += HEADER + length;
    }
    seg.size = Math.max(seg.size, pos);
    return pos;
  }

  async #openTail(): Promise<void> {
    let tail = this.#segments[this.#segments.length - 1];
    if (!tail || tail.size >= this.segmentBytes) {
      const path = join(this.dir, segmentName(this.#nextId));
      tail = { first: this.#nextId, path, fd: openSync(path, existsSync(path) ? 'r+' : 'w+'), size: 0, last: new Map() };
      this.#segments.push(tail);
    }
    await this.#handle?.close();
    this.#handle = await open(tail.path, 'r+');
  }

  /** Appends one put call's records; resolves once they are on disk (concurrent appends share one fdatasync). */
  append(stream: string, version: number, arrival: number, records: readonly Uint8Array[]): Promise<PendingBatch> {
    const id = this.#nextId++;
    // One contiguous buffer per batch (header, stream name, length-prefixed records): one copy, one CRC, one iovec.
    const nameLength = Buffer.byteLength(stream, 'utf8');
    let bytes = 0;
    for (const r of records) bytes += r.length;
    const payloadLength = nameLength + 4 * records.length + bytes;
    const buf = Buffer.allocUnsafe(HEADER + payloadLength);
    buf.write(stream, HEADER, 'utf8');
    let off = HEADER + nameLength;
    for (const r of records) {
      buf.writeUInt32BE(r.length, off);
      buf.set(r, off + 4);
      off += 4 + r.length;
    }
    buf.writeUInt32BE(MAGIC, 0);
    buf.writeUInt32BE(payloadLength, 4);
    buf.writeUInt32BE(crc32(buf.subarray(HEADER)) >>> 0, 8);
    buf.writeDoubleBE(id, 12);
    buf.writeUInt32BE(version, 20);
    buf.writeDoubleBE(arrival, 24);
    buf.writeUInt32BE(records.length, 32);
    buf.writeUInt16BE(nameLength, 36);
    const batch: PendingBatch = { id, stream, version, arrival, records: records.length, bytes };
    const buffers = [buf];
    return new Promise<PendingBatch>((resolve, reject) => {
      // The batch is indexed (readable) only once its bytes are on disk, in #flush.
      this.#queue.push({ batch, nameLength, buffers, bytes: HEADER + payloadLength, resolve: () => resolve(batch), reject });
      if (this.#writing === undefined) this.#writing = this.#flush();
    });
  }

  /** Writes queued appends in one writev + fdatasync, then the next group, until the queue is empty. */
  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        let tail = this.#segments[this.#segments.length - 1]!;
        if (tail.size >= this.segmentBytes) {
          await this.#openTail();
          tail = this.#segments[this.#segments.length - 1]!;
        }
        const handle = this.#handle!;
        const start = tail.size;
        const buffers = group.flatMap((w) => w.buffers);
        const bytes = group.reduce((n, w) => n + w.bytes, 0);
        let written = 0;
        while (written < bytes) {
          const { bytesWritten } = await handle.writev(written === 0 ? buffers : [Buffer.concat(buffers).subarray(written)], start + written);
          written += bytesWritten;
        }
        if (this.fsync) await handle.datasync();
        let pos = start;
        for (const w of group) {
          const { id, stream } = w.batch;
          this.#index.set(id, { batch: w.batch, location: { segment: tail, offset: pos + HEADER + w.nameLength, length: w.bytes - HEADER - w.nameLength } });
          tail.last.set(stream, Math.max(tail.last.get(stream) ?? 0, id));
          pos += w.bytes;
        }
        tail.size = pos;
        for (const w of group) w.resolve();
      } catch (err) {
        // Nothing is acknowledged: cut what may have been written so it can never be replayed.
        const tail = this.#segments[this.#segments.length - 1];
        if (tail) await this.#handle?.truncate(tail.size).catch(() => undefined);
        for (const w of group) w.reject(err);
      }
    }
    this.#writing = undefined;
  }

  /** Batches not yet delivered, in id order. */
  pendingBatches(): PendingBatch[] {
    return [...this.#index.values()].map((e) => e.batch).sort((a, b) => a.id - b.id);
  }

  /** The records of a pending batch (a positional read; empty when the batch is gone). */
  readBatch(id: number): Buffer[] {
    const e = this.#index.get(id);
    if (!e) return [];
    const buf = Buffer.allocUnsafe(e.location.length);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(e.location.segment.fd, buf, got, buf.length - got, e.location.offset + got);
      if (n === 0) throw new Error(`batch ${id} is truncated in ${e.location.segment.path}`);
      got += n;
    }
    return unframe(buf);
  }

  /** Forgets delivered batches and deletes segments whose every batch is delivered; returns how many segments went. */
  purge(delivered: (stream: string) => number): number {
    for (const [id, e] of this.#index) if (id <= delivered(e.batch.stream)) this.#index.delete(id);
    let removed = 0;
    // The tail segment stays (it is being appended to).
    for (const seg of this.#segments.slice(0, -1)) {
      if ([...seg.last].every(([stream, last]) => last <= delivered(stream))) {
        closeSync(seg.fd);
        unlinkSync(seg.path);
        this.#segments.splice(this.#segments.indexOf(seg), 1);
        removed++;
      }
    }
    return removed;
  }

  /** The next id this log will assign (ids only grow, also across restarts). */
  get nextId(): number {
    return this.#nextId;
  }

  async close(): Promise<void> {
    while (this.#writing) await this.#writing;
    await this.#handle?.close();
    this.#handle = undefined;
    for (const seg of this.#segments) closeSync(seg.fd);
    this.#segments.length = 0;
  }
}
