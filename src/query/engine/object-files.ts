/** Local file paths for S3 objects, so DuckDB can read them: file-backed blobs in place, other objects (inline, remote) copied into `<dataDir>/query-cache/`. */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectMeta } from '../../storage/model.js';
import type { ObjectService } from '../../storage/object-service.js';

/** A readable local copy of one object, held until `release()`. */
export interface ObjectFile {
  readonly path: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  release(): void;
}

/** Keeps the name's extensions (`.json.gz`, `.parquet`…) so readers detect format and compression. */
function cacheName(meta: Pick<ObjectMeta, 'bucket' | 'key' | 'etag'>): string {
  const hash = createHash('sha256').update(`${meta.bucket}\0${meta.key}\0${meta.etag}`).digest('hex').slice(0, 32);
  const base = basename(meta.key).replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
  return `${hash}-${base}`;
}

export class ObjectFiles {
  readonly #dir: string;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly objects: ObjectService,
    dataDir: string,
  ) {
    this.#dir = join(dataDir, 'query-cache');
  }

  /** Removes the cache (called at startup: cached copies are cheap to make again). */
  async reset(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
    await mkdir(this.#dir, { recursive: true });
  }

  /** A local file with the bytes of `meta`'s object (the version listed, or a newer one if it changed meanwhile). */
  async open(meta: Pick<ObjectMeta, 'bucket' | 'key' | 'etag' | 'size'>): Promise<ObjectFile> {
    const store = this.objects.store;
    if (store.localFile) {
      const local = await store.localFile(meta.bucket, meta.key);
      if (local) return { path: local.path, bucket: meta.bucket, key: meta.key, size: local.meta.size, release: () => local.release() };
    }
    const path = join(this.#dir, cacheName(meta));
    if (!(await exists(path))) {
      let pending = this.#inFlight.get(path);
      if (!pending) {
        pending = this.#materialize(meta, path).finally(() => this.#inFlight.delete(path));
        this.#inFlight.set(path, pending);
      }
      await pending;
    }
    return { path, bucket: meta.bucket, key: meta.key, size: meta.size, release: () => undefined };
  }

  async #materialize(meta: Pick<ObjectMeta, 'bucket' | 'key'>, path: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const read = await this.objects.getObject({ bucket: meta.bucket, key: meta.key, conditions: {} });
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      await pipeline(read.body!, createWriteStream(tmp));
      await rename(tmp, path);
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
