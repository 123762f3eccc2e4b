/** Immutable blob files on local disk: streamed to a temp file, fsync'd, renamed into a sharded blob tree; reads guarded against concurrent deletion. */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { ByteRange } from '../model.js';
import { WholeBody } from '../whole-body.js';

/** One stored segment of an object (a whole object, or one multipart part). */
export interface BlobRef {
  readonly path: string;
  readonly size: number;
}

/**
 * Bodies up to this size are kept in SQLite (table `inline_blobs`, made durable by the WAL fsync) instead of
 * a file of their own: a small PUT then costs no file create, rename or fsync, and a small GET no open/read/close.
 */
export const INLINE_MAX = 64 * 1024;
/** `BlobRef.path` of an inline blob: this prefix and its row id. File blob paths are `<shard>/<uuid>`. */
export const INLINE_PREFIX = 'inline:';

export function isInline(path: string): boolean {
  return path.startsWith(INLINE_PREFIX);
}

/** A received body: either in memory (small enough to live in SQLite) or an fsync'd temp file not yet in the blob tree. */
export type StagedBlob =
  | { readonly kind: 'inline'; readonly data: Buffer; readonly size: number }
  | { readonly kind: 'file'; readonly tmpPath: string; readonly size: number };

/**
 * Received chunks are gathered and written with one writev per this many bytes: fewer thread-pool round trips
 * than one write per socket chunk, while writing still overlaps receiving (1 MiB batches measured ~15% slower
 * for 1 MiB PUTs than 256 KiB ones; see docs/benchmarks.md).
 */
const WRITE_BATCH = 256 * 1024;
/**
 * A large body is flushed in slices of this many bytes while it is still being written (fdatasync in the
 * background, at most one in flight), so its final fsync never pushes many MiB to the disk at once: other files'
 * syncs queue behind such a flush. Measured standalone beside 8 MiB writes, a small appender's sync p99 went from
 * 6.4 to 3.5 ms, for 14% of the large writer's throughput (docs/benchmarks.md, "Firehose, session 7").
 */
const SYNC_SLICE = 2 * 1024 * 1024;
const MIN_READ_CHUNK = 64 * 1024;
const MAX_READ_CHUNK = 1024 * 1024;

function readChunk(length: number): number {
  return Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, length));
}

/** Background fdatasyncs of a file being written, one per SYNC_SLICE bytes, at most one in flight. */
class SliceSync {
  #unsynced = 0;
  #inFlight: Promise<void> | undefined;
  #error: Error | undefined;

  /** Counts `bytes` just written; once a slice has accumulated, waits for the previous fdatasync and starts the next. */
  async written(handle: FileHandle, bytes: number): Promise<void> {
    this.#unsynced += bytes;
    if (this.#unsynced < SYNC_SLICE) return;
    await this.settle();
    this.#unsynced = 0;
    this.#inFlight = handle.datasync().catch((err: unknown) => {
      this.#error ??= err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Waits for the fdatasync in flight; rethrows the first one that failed. */
  async settle(): Promise<void> {
    await this.#inFlight;
    this.#inFlight = undefined;
    if (this.#error !== undefined) throw this.#error;
  }
}

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let list = buffers;
  while (list.length > 0) {
    const { bytesWritten } = await handle.writev(list);
    if (bytesWritten <= 0) throw new Error('short write to a blob file');
    let n = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of list) {
      if (n >= b.length) {
        n -= b.length;
        continue;
      }
      rest.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
    list = rest;
  }
}

/**
 * fsync of one directory shared by concurrent callers (group commit): a call resolves after an fsync that
 * started after the call, so every rename made before the call is durable.
 */
class DirectorySync {
  #handle: Promise<FileHandle> | undefined;
  #inFlight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(private readonly path: string) {}

  sync(): Promise<void> {
    if (this.#inFlight === undefined) {
      this.#inFlight = this.#fsync().finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    if (this.#queued === undefined) {
      this.#queued = this.#inFlight
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return this.sync();
        });
    }
    return this.#queued;
  }

  async #fsync(): Promise<void> {
    if (this.#handle === undefined) {
      const opening = open(this.path, 'r');
      this.#handle = opening;
      opening.catch(() => {
        if (this.#handle === opening) this.#handle = undefined;
      });
    }
    await (await this.#handle).sync();
  }

  async close(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
    await this.#queued?.catch(() => undefined);
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

export class BlobFiles {
  readonly #tmpDir: string;
  readonly #blobDir: string;
  readonly #readers = new Map<string, number>();
  readonly #pendingUnlink = new Set<string>();
  readonly #shardsMade = new Set<string>();
  readonly #dirSyncs = new Map<string, DirectorySync>();

  constructor(
    root: string,
    private readonly fsync: boolean,
  ) {
    this.#tmpDir = join(root, 'tmp');
    this.#blobDir = join(root, 'blobs');
  }

  async init(): Promise<void> {
    // Anything left in tmp/ was never acknowledged: a crash cut its upload short.
    await rm(this.#tmpDir, { recursive: true, force: true });
    await mkdir(this.#tmpDir, { recursive: true });
    await mkdir(this.#blobDir, { recursive: true });
  }

  /** Closes the cached directory handles. */
  async close(): Promise<void> {
    const syncs = [...this.#dirSyncs.values()];
    this.#dirSyncs.clear();
    await Promise.all(syncs.map((s) => s.close()));
  }

  /**
   * Receives `body`. Bodies of at most `inlineMax` bytes stay in memory (the caller stores them in SQLite);
   * larger ones are streamed to a temp file that is fsync'd before this resolves, not yet in the blob tree.
   */
  async stage(body: Readable, inlineMax = 0): Promise<StagedBlob> {
    if (body instanceof WholeBody) {
      const data = await body.whole;
      if (inlineMax > 0 && data.length <= inlineMax) return { kind: 'inline', data, size: data.length };
    }
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let size = 0;
    let handle: FileHandle | undefined;
    let tmpPath: string | undefined;
    const slices = this.fsync ? new SliceSync() : undefined;
    try {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        if (buf.length === 0) continue;
        size += buf.length;
        pending.push(buf);
        pendingBytes += buf.length;
        if (handle === undefined) {
          if (size <= inlineMax) continue;
          tmpPath = join(this.#tmpDir, randomUUID());
          handle = await open(tmpPath, 'w');
        }
        if (pendingBytes >= WRITE_BATCH) {
          await writeAll(handle, pending);
          await slices?.written(handle, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (handle === undefined && inlineMax > 0 && size <= inlineMax) {
        const data = pending.length === 1 && pending[0] !== undefined ? pending[0] : Buffer.concat(pending, size);
        return { kind: 'inline', data, size };
      }
      if (handle === undefined) {
        tmpPath = join(this.#tmpDir, randomUUID());
        handle = await open(tmpPath, 'w');
      }
      if (pending.length > 0) await writeAll(handle, pending);
      pending = [];
      await slices?.settle();
      if (this.fsync) await handle.sync();
    } catch (err) {
      await slices?.settle().catch(() => undefined);
      await handle?.close().catch(() => undefined);
      if (tmpPath !== undefined) await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
    await handle.close();
    return { kind: 'file', tmpPath: tmpPath as string, size };
  }

  async discard(staged: StagedBlob): Promise<void> {
    if (staged.kind === 'file') await unlink(staged.tmpPath).catch(() => undefined);
  }

  /** Moves a staged file into the blob tree (rename, then a directory fsync shared with concurrent publishers); returns its path relative to the blob root. */
  async publish(tmpPath: string): Promise<string> {
    const name = tmpPath.slice(tmpPath.lastIndexOf('/') + 1);
    const shard = name.slice(0, 2);
    const dir = join(this.#blobDir, shard);
    if (!this.#shardsMade.has(shard)) {
      await mkdir(dir, { recursive: true });
      this.#shardsMade.add(shard);
    }
    await rename(tmpPath, join(dir, name));
    if (this.fsync) {
      let ds = this.#dirSyncs.get(shard);
      if (ds === undefined) {
        ds = new DirectorySync(dir);
        this.#dirSyncs.set(shard, ds);
      }
      await ds.sync();
    }
    return `${shard}/${name}`;
  }

  /** Deletes blob files no longer referenced, once no reader has them open. Inline blobs are rows, dropped by the index. */
  release(paths: readonly string[]): void {
    for (const p of paths) {
      if (isInline(p)) continue;
      if ((this.#readers.get(p) ?? 0) > 0) this.#pendingUnlink.add(p);
      else void unlink(join(this.#blobDir, p)).catch(() => undefined);
    }
  }

  /** Absolute path of a file blob. */
  filePath(path: string): string {
    return join(this.#blobDir, path);
  }

  /**
   * Counts a reader on `blobs` until the returned function is called: a blob released meanwhile is unlinked
   * only then. Must be called synchronously after the metadata lookup.
   */
  lease(blobs: readonly BlobRef[]): () => void {
    for (const b of blobs) this.#readers.set(b.path, (this.#readers.get(b.path) ?? 0) + 1);
    let released = false;
    return (): void => {
      if (released) return;
      released = true;
      for (const b of blobs) {
        const n = (this.#readers.get(b.path) ?? 1) - 1;
        if (n > 0) this.#readers.set(b.path, n);
        else {
          this.#readers.delete(b.path);
          if (this.#pendingUnlink.delete(b.path)) void unlink(join(this.#blobDir, b.path)).catch(() => undefined);
        }
      }
    };
  }

  /** A stream over `range` of the concatenation of `blobs` (files only). Must be called synchronously after the metadata lookup. */
  read(blobs: readonly BlobRef[], range: ByteRange | undefined): Readable {
    const total = blobs.reduce((n, b) => n + b.size, 0);
    const start = range?.start ?? 0;
    const end = range?.end ?? total - 1;
    const done = this.lease(blobs);
    if (end < start) {
      done();
      return Readable.from([]);
    }
    const chunk = readChunk(end - start + 1);
    if (blobs.length === 1 && blobs[0] !== undefined) {
      const s = createReadStream(join(this.#blobDir, blobs[0].path), { start, end, highWaterMark: chunk });
      s.once('close', done);
      return s;
    }
    const out = new PassThrough({ highWaterMark: chunk });
    out.once('close', done);
    const dir = this.#blobDir;
    void (async () => {
      let offset = 0;
      try {
        for (const b of blobs) {
          const bStart = offset;
          const bEnd = offset + b.size - 1;
          offset += b.size;
          if (bEnd < start || bStart > end || b.size === 0) continue;
          const s = createReadStream(join(dir, b.path), {
            start: Math.max(start, bStart) - bStart,
            end: Math.min(end, bEnd) - bStart,
            highWaterMark: chunk,
          });
          for await (const c of s) {
            if (!out.write(c) && !out.destroyed) {
              // Wake on 'close' too: a consumer that abandons the stream never drains it.
              await new Promise<void>((r) => {
                const wake = (): void => {
                  out.off('drain', wake);
                  out.off('close', wake);
                  r();
                };
                out.once('drain', wake);
                out.once('close', wake);
              });
            }
            if (out.destroyed) {
              s.destroy();
              return;
            }
          }
        }
        out.end();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
    return out;
  }

  /** Removes blob files not in `referenced` (left by a crash between publish and commit). */
  async collectGarbage(referenced: (path: string) => boolean): Promise<number> {
    let removed = 0;
    for (const entry of await readdir(this.#blobDir, { withFileTypes: true })) {
      // Only shard directories belong here; anything else (a stray file) is skipped, not fatal.
      if (!entry.isDirectory()) continue;
      const shard = entry.name;
      for (const name of await readdir(join(this.#blobDir, shard))) {
        const p = `${shard}/${name}`;
        if (!referenced(p)) {
          await unlink(join(this.#blobDir, p)).catch(() => undefined);
          removed++;
        }
      }
    }
    return removed;
  }
}

/** `range` of an in-memory blob, as a stream that also hands over its bytes whole (see WholeBody). */
export function bufferStream(data: Buffer, range: ByteRange | undefined): Readable {
  return WholeBody.of(range ? data.subarray(range.start, range.end + 1) : data);
}
