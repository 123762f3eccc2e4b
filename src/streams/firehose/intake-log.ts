/** Firehose's durable intake: accepted batches appended to per-stream segment files in group commits (O_DSYNC writes), read back by position, recycled or deleted a segment at a time once delivered. */
import { closeSync, constants, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDir } from '../../shared/fsync-dir.js';
import { encodeBatch, HEADER, readFrame, unframe, type RecordData } from './intake-frame.js';

export { Base64Record, InvalidRecordData, unframe, type RecordData } from './intake-frame.js';

/** Bytes of a file: where another thread can read a batch from. */
export interface FileRange {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
}

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

interface Segment {
  readonly path: string;
  readonly fd: number;
  size: number;
  /** Highest batch id in the segment: it can go once the stream is delivered past it. */
  last: number;
}

/** One stream's segments; the last is the one appended to. Streams never share a segment, so a slow stream pins only its own data. */
interface StreamLog {
  readonly dir: string;
  readonly segments: Segment[];
  handle: FileHandle | undefined;
  /** A delivered segment file kept for reuse as the next segment (see SPARE_NAME), or one being prepared. */
  spare: 'ready' | 'preparing' | undefined;
  /** The next segment's file, created (durably named) while the tail fills, so rolling over costs no sync. */
  next: string | undefined;
  /** Its creation, while in progress. */
  creating: Promise<void> | undefined;
}

interface Location {
  readonly segment: Segment;
  /** Offset of the framed records (after the header and stream name). */
  readonly offset: number;
  readonly length: number;
}

interface PendingWrite {
  readonly batch: PendingBatch;
  readonly nameLength: number;
  readonly buffer: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Undefined on Windows, where each group commit is a writev and then an fdatasync. */
const O_DSYNC: number | undefined = constants.O_DSYNC;
const SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_NAME = /^\d{16}\.log$/;
/**
 * A full, delivered segment is renamed to this and becomes the stream's next segment, instead of being deleted
 * and a new file grown: appends then overwrite blocks that are already allocated and written, so their
 * fdatasync flushes data only, with no journal commit for a new size or new extents (the paced p99 in
 * docs/benchmarks.md, "Firehose, session 7"). Its first header is zeroed before it becomes a spare, and replay
 * stops at a batch id that does not grow, so its old batches are never read back.
 */
const SPARE_NAME = 'spare.log';
/** Spares kept across all streams; further delivered segments are deleted (each spare holds a segment's disk space). */
const MAX_SPARES = 8;

export class IntakeLog {
  readonly #streams = new Map<string, StreamLog>();
  readonly #index = new Map<number, { batch: PendingBatch; location: Location }>();
  #nextId = 1;
  #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;
  /** Spares and next segments being prepared, awaited by close. */
  readonly #background = new Set<Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
    /** Segment size at which a stream's log moves on to a new file. */
    private readonly segmentBytes = SEGMENT_BYTES,
    /** Makes the names in a directory durable (tests observe it). */
    private readonly syncDir: (path: string) => Promise<void> = fsyncDir,
  ) {}

  /** Stream names are `[a-zA-Z0-9_.-]+`; the prefix keeps `.` and `..` ordinary directory names. */
  #streamDir(stream: string): string {
    return join(this.dir, `s-${stream}`);
  }

  /**
   * Opens the log: replays every stream's segments, keeps the batches not yet delivered (`delivered(stream)` gives
   * the watermark), cuts a torn tail off each stream's last segment, and deletes fully delivered segments.
   */
  async open(delivered: (stream: string) => number, minNextId: number): Promise<void> {
    if (mkdirSync(this.dir, { recursive: true }) !== undefined && this.fsync) await this.syncDir(dirname(this.dir));
    let maxId = minNextId - 1;
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith('s-')) continue;
      const stream = entry.name.slice(2);
      const log: StreamLog = { dir: join(this.dir, entry.name), segments: [], handle: undefined, spare: undefined, next: undefined, creating: undefined };
      // A spare is renamed only after its zeroed header is durable, so one found here is ready for reuse.
      if (existsSync(join(log.dir, SPARE_NAME))) log.spare = 'ready';
      const names = readdirSync(log.dir)
        .filter((n) => SEGMENT_NAME.test(n))
        .sort();
      for (const [i, name] of names.entries()) {
        const path = join(log.dir, name);
        const seg: Segment = { path, fd: openSync(path, 'r+'), size: 0, last: 0 };
        const valid = this.#replay(seg, stream, (batch, location) => {
          maxId = Math.max(maxId, batch.id);
          seg.last = Math.max(seg.last, batch.id);
          if (batch.id > delivered(stream)) this.#index.set(batch.id, { batch, location });
        });
        // A torn write at the end (a crash mid-append): those batches were never acknowledged. It is in the last
        // segment, or in the one before when the last was created ahead of need and is still empty.
        if (i >= names.length - 2) ftruncateSync(seg.fd, valid);
        log.segments.push(seg);
      }
      this.#streams.set(stream, log);
    }
    this.#nextId = maxId + 1;
    this.purge(delivered);
  }

  /** Replays a segment; returns the length of its valid prefix. */
  #replay(seg: Segment, stream: string, visit: (batch: PendingBatch, location: Location) => void): number {
    let pos = 0;
    let lastId = 0;
    for (;;) {
      const frame = readFrame(seg.fd, pos, stream);
      // Ids grow within a segment; a smaller one is a batch left over from the file's earlier use as a segment.
      if (!frame || !(frame.id > lastId)) break;
      lastId = frame.id;
      const { id, version, arrival, records, nameLength, length } = frame;
      visit({ id, version, arrival, records, stream, bytes: length - nameLength - 4 * records }, { segment: seg, offset: pos + HEADER + nameLength, length: length - nameLength });
      pos += HEADER + length;
    }
    seg.size = pos;
    return pos;
  }

  /** The stream's segment to append to, rolling over to a new file when the current one is full. */
  async #tail(stream: string): Promise<{ log: StreamLog; tail: Segment }> {
    let log = this.#streams.get(stream);
    if (!log) {
      log = { dir: this.#streamDir(stream), segments: [], handle: undefined, spare: undefined, next: undefined, creating: undefined };
      const created = mkdirSync(log.dir, { recursive: true }) !== undefined;
      this.#streams.set(stream, log);
      // The stream's directory entry must be durable before a batch in it is acknowledged.
      if (created && this.fsync) await this.syncDir(this.dir);
    }
    let tail = log.segments[log.segments.length - 1];
    if (!tail || tail.size >= this.segmentBytes || !log.handle) {
      if (!tail || tail.size >= this.segmentBytes) {
        if (log.creating) await log.creating;
        const path = log.next ?? (await this.#createSegmentFile(log));
        log.next = undefined;
        tail = { path, fd: openSync(path, 'r+'), size: 0, last: 0 };
        log.segments.push(tail);
      }
      await log.handle?.close();
      // With fsync on, each writev is durable when it returns (O_DSYNC): one thread-pool round trip per group
      // commit instead of a writev and then an fdatasync (which is kept where the platform has no O_DSYNC).
      log.handle = await open(tail.path, this.fsync && O_DSYNC !== undefined ? constants.O_RDWR | O_DSYNC : 'r+');
    }
    return { log, tail };
  }

  /**
   * Creates the stream's next segment file (its spare renamed, when there is one) and makes its name durable:
   * fdatasync of the file alone does not cover its directory entry.
   */
  async #createSegmentFile(log: StreamLog): Promise<string> {
    const path = join(log.dir, `${this.#nextId.toString().padStart(16, '0')}.log`);
    if (existsSync(path)) return path;
    let reused = false;
    if (log.spare === 'ready') {
      log.spare = undefined;
      reused = await rename(join(log.dir, SPARE_NAME), path).then(
        () => true,
        () => false,
      );
    }
    if (!reused) closeSync(openSync(path, 'w'));
    if (this.fsync) await this.syncDir(log.dir);
    return path;
  }

  /** Starts creating the next segment once the tail is half full, off the append path. */
  #prepareNext(log: StreamLog, tail: Segment): void {
    if (log.next !== undefined || log.creating || tail.size < this.segmentBytes / 2) return;
    const task = this.#createSegmentFile(log).then(
      (path) => {
        log.next = path;
      },
      () => undefined, // the append that needs it creates it then (and reports the error)
    );
    log.creating = task;
    this.#background.add(task);
    void task.finally(() => {
      log.creating = undefined;
      this.#background.delete(task);
    });
  }

  /** Appends one put call's records; resolves once they are on disk (concurrent appends share one durable write). */
  append(stream: string, version: number, arrival: number, records: readonly RecordData[]): Promise<PendingBatch> {
    const id = this.#nextId++;
    const { buffer, nameLength, bytes } = encodeBatch(stream, id, version, arrival, records);
    const batch: PendingBatch = { id, stream, version, arrival, records: records.length, bytes };
    return new Promise<PendingBatch>((resolve, reject) => {
      // The batch is indexed (readable) only once its bytes are on disk, in #writeStream.
      this.#queue.push({ batch, nameLength, buffer, resolve: () => resolve(batch), reject });
      this.#writing ??= this.#flush();
    });
  }

  /** Writes the queued appends, one durable writev per stream (streams in parallel), until the queue is empty. */
  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      const byStream = new Map<string, PendingWrite[]>();
      for (const w of group) {
        const list = byStream.get(w.batch.stream);
        if (list) list.push(w);
        else byStream.set(w.batch.stream, [w]);
      }
      await Promise.all([...byStream].map(([stream, writes]) => this.#writeStream(stream, writes)));
    }
    this.#writing = undefined;
  }

  async #writeStream(stream: string, writes: readonly PendingWrite[]): Promise<void> {
    let tail: Segment | undefined;
    let log: StreamLog | undefined;
    try {
      ({ log, tail } = await this.#tail(stream));
      const handle = log.handle!;
      const start = tail.size;
      const buffers = writes.map((w) => w.buffer);
      const bytes = buffers.reduce((n, b) => n + b.length, 0);
      let written = 0;
      while (written < bytes) {
        const { bytesWritten } = await handle.writev(written === 0 ? buffers : [Buffer.concat(buffers).subarray(written)], start + written);
        written += bytesWritten;
      }
      if (this.fsync && O_DSYNC === undefined) await handle.datasync();
      let pos = start;
      for (const w of writes) {
        const { id } = w.batch;
        this.#index.set(id, { batch: w.batch, location: { segment: tail, offset: pos + HEADER + w.nameLength, length: w.buffer.length - HEADER - w.nameLength } });
        tail.last = Math.max(tail.last, id);
        pos += w.buffer.length;
      }
      tail.size = pos;
      for (const w of writes) w.resolve();
      this.#prepareNext(log, tail);
    } catch (err) {
      // Nothing is acknowledged: cut what may have been written so it can never be replayed.
      if (tail) await log?.handle?.truncate(tail.size).catch(() => undefined);
      for (const w of writes) w.reject(err);
    }
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

  /** Where a pending batch's framed records are (`u32 length | bytes` each; see `unframe`), for readers on other threads. */
  locate(id: number): FileRange | undefined {
    const e = this.#index.get(id);
    return e && { path: e.location.segment.path, offset: e.location.offset, length: e.location.length };
  }

  /** Forgets delivered batches and deletes segments whose every batch is delivered; returns how many segments went. */
  purge(delivered: (stream: string) => number): number {
    for (const [id, e] of this.#index) if (id <= delivered(e.batch.stream)) this.#index.delete(id);
    let removed = 0;
    for (const [stream, log] of this.#streams) {
      const watermark = delivered(stream);
      // The tail segment stays (it is being appended to).
      for (const seg of log.segments.slice(0, -1)) {
        if (seg.last > watermark) break;
        closeSync(seg.fd);
        log.segments.splice(log.segments.indexOf(seg), 1);
        removed++;
        if (log.spare === undefined && seg.size >= this.segmentBytes && this.#spareCount() < MAX_SPARES) {
          log.spare = 'preparing';
          const task = this.#makeSpare(log, seg.path).finally(() => this.#background.delete(task));
          this.#background.add(task);
        } else {
          // Freeing a 64 MiB file's blocks can take milliseconds: off the event loop.
          void unlink(seg.path).catch(() => undefined);
        }
      }
    }
    return removed;
  }

  #spareCount(): number {
    let n = 0;
    for (const log of this.#streams.values()) if (log.spare !== undefined) n++;
    return n;
  }

  /** Zeroes a delivered segment's first header (durably), then renames it to the stream's spare. */
  async #makeSpare(log: StreamLog, path: string): Promise<void> {
    try {
      const handle = await open(path, 'r+');
      try {
        await handle.write(Buffer.alloc(HEADER), 0, HEADER, 0);
        if (this.fsync) await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(path, join(log.dir, SPARE_NAME));
      if (log.spare === 'preparing') log.spare = 'ready';
    } catch {
      if (log.spare === 'preparing') log.spare = undefined;
      await unlink(path).catch(() => undefined);
    }
  }

  /** Removes a deleted stream's log (its batches were counted delivered first). */
  async dropStream(stream: string): Promise<void> {
    while (this.#writing) await this.#writing;
    await Promise.all([...this.#background]);
    const log = this.#streams.get(stream);
    if (!log) return;
    this.#streams.delete(stream);
    for (const [id, e] of this.#index) if (e.batch.stream === stream) this.#index.delete(id);
    await log.handle?.close();
    for (const seg of log.segments) closeSync(seg.fd);
    rmSync(log.dir, { recursive: true, force: true });
  }

  /** Bytes of segment files on disk (delivered batches included until their segment goes). */
  get diskBytes(): number {
    let n = 0;
    for (const log of this.#streams.values()) for (const seg of log.segments) n += seg.size;
    return n;
  }

  /** The next id this log will assign (ids only grow, also across restarts). */
  get nextId(): number {
    return this.#nextId;
  }

  async close(): Promise<void> {
    while (this.#writing) await this.#writing;
    await Promise.all([...this.#background]);
    for (const log of this.#streams.values()) {
      await log.handle?.close();
      log.handle = undefined;
      for (const seg of log.segments) closeSync(seg.fd);
      log.segments.length = 0;
    }
    this.#streams.clear();
  }
}
