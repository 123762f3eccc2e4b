/** Immutable blob files on local disk: streamed to a temp file, fsync'd, renamed into a sharded blob tree; reads guarded against concurrent deletion. */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { ByteRange } from '../model.js';

/** One stored segment of an object (a whole object, or one multipart part). */
export interface BlobRef {
  readonly path: string;
  readonly size: number;
}

export class BlobFiles {
  readonly #tmpDir: string;
  readonly #blobDir: string;
  readonly #readers = new Map<string, number>();
  readonly #pendingUnlink = new Set<string>();
  readonly #shardsMade = new Set<string>();

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

  /** Streams `body` to a temp file and fsyncs it. Returns a staged blob not yet in the blob tree. */
  async stage(body: Readable): Promise<{ tmpPath: string; size: number }> {
    const tmpPath = join(this.#tmpDir, randomUUID());
    const handle = await open(tmpPath, 'w');
    let size = 0;
    try {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        size += buf.length;
        let off = 0;
        while (off < buf.length) {
          const { bytesWritten } = await handle.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
      }
      if (this.fsync) await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
    await handle.close();
    return { tmpPath, size };
  }

  async discard(tmpPath: string): Promise<void> {
    await unlink(tmpPath).catch(() => undefined);
  }

  /** Moves a staged file into the blob tree; returns its path relative to the blob root. */
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
      const dh = await open(dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    }
    return `${shard}/${name}`;
  }

  /** Deletes blobs no longer referenced, once no reader has them open. */
  release(paths: readonly string[]): void {
    for (const p of paths) {
      if ((this.#readers.get(p) ?? 0) > 0) this.#pendingUnlink.add(p);
      else void unlink(join(this.#blobDir, p)).catch(() => undefined);
    }
  }

  /** A stream over `range` of the concatenation of `blobs`. Must be called synchronously after the metadata lookup. */
  read(blobs: readonly BlobRef[], range: ByteRange | undefined): Readable {
    const total = blobs.reduce((n, b) => n + b.size, 0);
    const start = range?.start ?? 0;
    const end = range?.end ?? total - 1;
    for (const b of blobs) this.#readers.set(b.path, (this.#readers.get(b.path) ?? 0) + 1);
    let released = false;
    const done = (): void => {
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
    if (end < start) {
      done();
      return Readable.from([]);
    }
    if (blobs.length === 1 && blobs[0] !== undefined) {
      const s = createReadStream(join(this.#blobDir, blobs[0].path), { start, end, highWaterMark: 256 * 1024 });
      s.once('close', done);
      return s;
    }
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
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
            highWaterMark: 256 * 1024,
          });
          for await (const chunk of s) {
            if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
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
    for (const shard of await readdir(this.#blobDir)) {
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
