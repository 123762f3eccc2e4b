/**
 * Local file paths for S3 objects, so DuckDB can read them: file-backed blobs in place, other objects (inline, remote)
 * copied into `<dataDir>/query-cache/`, and snappy text (which DuckDB cannot decompress) decoded there.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectMeta } from '../../storage/model.js';
import type { ObjectService } from '../../storage/object-service.js';
import { SnappyDecoder } from '../../storage/codecs/snappy-streams.js';

/** A readable local copy of one object, held until `release()`. */
export interface ObjectFile {
  readonly path: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  release(): void;
}

/** How a copy is made: the bytes as stored, or decoded from Hadoop's snappy framing (what Athena reads as `.snappy`). */
export type CopyDecoding = 'none' | 'hadoop-snappy';

export interface OpenOptions {
  /** Decode the object into the copy (the file handed out then holds the raw bytes). */
  readonly decode?: CopyDecoding;
}

/** Keeps the name's extensions (`.json.gz`, `.parquet`…) so readers detect format and compression. */
function cacheName(meta: Pick<ObjectMeta, 'bucket' | 'key' | 'etag'>, decode: CopyDecoding): string {
  const hash = createHash('sha256').update(`${meta.bucket}\0${meta.key}\0${meta.etag}\0${decode}`).digest('hex').slice(0, 32);
  const base = basename(meta.key).replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
  return decode === 'none' ? `${hash}-${base}` : `${hash}-${base}.decoded`;
}

interface CacheEntry {
  readonly size: number;
  /** Queries reading the file now; it is never evicted while above zero. */
  readers: number;
}

/** Default size budget of the query cache (copies of inline and remote objects). */
export const DEFAULT_QUERY_CACHE_BYTES = 4 * 1024 * 1024 * 1024;

export class ObjectFiles {
  readonly #dir: string;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Cached copies in least-recently-used order (a Map keeps insertion order; a hit moves the entry to the end). */
  readonly #entries = new Map<string, CacheEntry>();
  #bytes = 0;

  constructor(
    private readonly objects: ObjectService,
    dataDir: string,
    /** Copies are evicted, least recently used first, once they exceed this many bytes (files in use stay). */
    private readonly budgetBytes = DEFAULT_QUERY_CACHE_BYTES,
  ) {
    this.#dir = join(dataDir, 'query-cache');
  }

  /** Bytes held by cached copies. */
  get cachedBytes(): number {
    return this.#bytes;
  }

  /** Removes the cache (called at startup: cached copies are cheap to make again). */
  async reset(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
    await mkdir(this.#dir, { recursive: true });
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** A local file with the bytes of `meta`'s object (the version listed, or a newer one if it changed meanwhile). */
  async open(meta: Pick<ObjectMeta, 'bucket' | 'key' | 'etag' | 'size'>, options: OpenOptions = {}): Promise<ObjectFile> {
    const store = this.objects.store;
    const decode = options.decode ?? 'none';
    if (store.localFile && decode === 'none') {
      const local = await store.localFile(meta.bucket, meta.key);
      if (local) return { path: local.path, bucket: meta.bucket, key: meta.key, size: local.meta.size, release: () => local.release() };
    }
    const path = join(this.#dir, cacheName(meta, decode));
    for (;;) {
      const entry = this.#entries.get(path);
      if (entry && (await exists(path))) {
        entry.readers++;
        this.#entries.delete(path);
        this.#entries.set(path, entry);
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          entry.readers--;
          void this.#evict();
        };
        return { path, bucket: meta.bucket, key: meta.key, size: entry.size, release };
      }
      if (entry) this.#forget(path, entry);
      let pending = this.#inFlight.get(path);
      if (!pending) {
        pending = this.#materialize(meta, path, decode).finally(() => this.#inFlight.delete(path));
        this.#inFlight.set(path, pending);
      }
      await pending;
    }
  }

  #forget(path: string, entry: CacheEntry): void {
    if (this.#entries.get(path) !== entry) return;
    this.#entries.delete(path);
    this.#bytes -= entry.size;
  }

  /** Deletes least recently used copies nobody reads until the cache fits its budget. */
  async #evict(): Promise<void> {
    for (const [path, entry] of this.#entries) {
      if (this.#bytes <= this.budgetBytes) return;
      if (entry.readers > 0) continue;
      this.#forget(path, entry);
      await rm(path, { force: true });
    }
  }

  async #materialize(meta: Pick<ObjectMeta, 'bucket' | 'key'>, path: string, decode: CopyDecoding): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const read = await this.objects.getObject({ bucket: meta.bucket, key: meta.key, conditions: {} });
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      if (decode === 'hadoop-snappy') await pipeline(read.body!, new SnappyDecoder(['hadoop']), createWriteStream(tmp));
      else await pipeline(read.body!, createWriteStream(tmp));
      await rename(tmp, path);
      const size = (await stat(path)).size;
      this.#entries.set(path, { size, readers: 0 });
      this.#bytes += size;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
