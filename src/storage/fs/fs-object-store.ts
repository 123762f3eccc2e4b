/** ObjectStore adapter for local disk: bytes as immutable blob files, metadata in SQLite, commits made visible atomically. */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StorageErrors } from '../errors.js';
import type { BucketInfo, ByteRange, ObjectAttributes, ObjectMeta, PartInfo, Tag, UploadInfo } from '../model.js';
import type {
  CommitCondition,
  FinalizePart,
  FinalizeWrite,
  ListPageRequest,
  LocalObjectFile,
  ObjectRead,
  ObjectStore,
} from '../object-store.js';
import { BlobFiles, bufferStream, INLINE_MAX, isInline, type BlobRef, type StagedBlob } from './blob-files.js';
import { DurableSqlite } from './durable-sqlite.js';
import { prefixUpperBound } from '../key-order.js';
import { SqliteObjectIndex } from './sqlite-object-index.js';

export interface FsObjectStoreOptions {
  readonly root: string;
  readonly fsync: boolean;
  /**
   * Objects of at most this many bytes (default and maximum: INLINE_MAX, 64 KiB) are stored inside SQLite,
   * durable with the WAL fsync, rather than as a blob file of their own; 0 keeps every object in a file.
   * See docs/benchmarks.md for the gain.
   */
  readonly inlineMaxBytes?: number | undefined;
}

interface BatchedCommit {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

export class FsObjectStore implements ObjectStore {
  readonly kind = 'fs';
  #sqlite: DurableSqlite | undefined;
  #index: SqliteObjectIndex | undefined;
  readonly #blobs: BlobFiles;
  /** Object commits waiting for the next batch transaction (see #commitBatched). */
  #batch: BatchedCommit[] = [];
  #batchScheduled = false;

  constructor(private readonly options: FsObjectStoreOptions) {
    this.#blobs = new BlobFiles(options.root, options.fsync);
  }

  get #idx(): SqliteObjectIndex {
    if (this.#index === undefined) throw new Error('FsObjectStore used before init()');
    return this.#index;
  }

  async init(): Promise<void> {
    await mkdir(this.options.root, { recursive: true });
    // The database first: it takes the directory's lock before anything in tmp/ is cleaned up.
    this.#sqlite = new DurableSqlite(join(this.options.root, 'objects.sqlite'), this.options.fsync);
    await this.#sqlite.open();
    await this.#blobs.init();
    this.#index = new SqliteObjectIndex(this.#sqlite.db);
    const referenced = this.#index.referencedBlobs();
    await this.#blobs.collectGarbage((p) => referenced.has(p));
  }

  async close(): Promise<void> {
    this.#runBatch();
    await this.#blobs.close();
    await this.#sqlite?.close();
    this.#sqlite = undefined;
    this.#index = undefined;
  }

  async #durable(): Promise<void> {
    await this.#sqlite?.sync();
  }

  /**
   * Runs `fn` (reads and writes of one object commit) inside a transaction shared with the other commits that
   * are ready in the same event-loop turn, each in its own savepoint: a commit that throws is rolled back alone
   * and only its caller sees the error. One COMMIT then writes the pages all of them touched once, instead of
   * once per PUT. Durability is unchanged: callers still await the WAL fsync before acknowledging.
   */
  #commitBatched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#batch.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#batchScheduled) {
        this.#batchScheduled = true;
        setImmediate(() => this.#runBatch());
      }
    });
  }

  #runBatch(): void {
    this.#batchScheduled = false;
    const ops = this.#batch;
    if (ops.length === 0) return;
    this.#batch = [];
    const idx = this.#index;
    if (idx === undefined) {
      for (const op of ops) op.reject(new Error('FsObjectStore closed'));
      return;
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      idx.transaction(() => {
        for (const op of ops) {
          try {
            // Nested: better-sqlite3 runs it as a savepoint of the batch transaction.
            results.push({ ok: true, value: idx.transaction(op.fn) });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      });
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    ops.forEach((op, i) => {
      const r = results[i];
      if (r?.ok) op.resolve(r.value);
      else op.reject(r?.error);
    });
  }

  async createBucket(name: string, region: string): Promise<BucketInfo> {
    if (this.#idx.getBucket(name)) throw StorageErrors.bucketAlreadyOwnedByYou(name);
    const info: BucketInfo = { name, region, creationDate: new Date() };
    this.#idx.insertBucket(info);
    await this.#durable();
    return info;
  }

  async deleteBucket(name: string): Promise<void> {
    const idx = this.#idx;
    const released = idx.transaction(() => {
      if (!idx.getBucket(name)) throw StorageErrors.noSuchBucket(name);
      if (idx.bucketHasObjects(name)) throw StorageErrors.bucketNotEmpty(name);
      const blobs: string[] = [];
      for (const u of idx.listUploads(name)) blobs.push(...idx.deleteUpload(u.uploadId));
      idx.deleteBucket(name);
      return blobs;
    });
    await this.#durable();
    this.#blobs.release(released);
  }

  async getBucket(name: string): Promise<BucketInfo | undefined> {
    return this.#idx.getBucket(name);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return this.#idx.listBuckets();
  }

  #requireBucket(bucket: string): void {
    if (!this.#idx.getBucket(bucket)) throw StorageErrors.noSuchBucket(bucket);
  }

  async putObject(
    bucket: string,
    key: string,
    body: Readable,
    finalize: FinalizeWrite,
    condition?: CommitCondition,
  ): Promise<ObjectMeta> {
    this.#requireBucket(bucket);
    // Small bodies stay in memory and are committed into SQLite with the metadata (durable with the WAL fsync).
    const staged = await this.#blobs.stage(body, Math.min(this.options.inlineMaxBytes ?? INLINE_MAX, INLINE_MAX));
    let blob: BlobRef | Buffer;
    let attrs: ObjectAttributes;
    try {
      attrs = await finalize(staged.size);
      blob = staged.kind === 'inline' ? staged.data : { path: await this.#blobs.publish(staged.tmpPath), size: staged.size };
    } catch (err) {
      await this.#blobs.discard(staged);
      throw err;
    }
    const meta: ObjectMeta = { ...attrs, bucket, key, size: staged.size, lastModified: new Date() };
    return this.#commitObject(meta, blob, condition);
  }

  /** Commits `meta` with its bytes: published blob files, or an in-memory body stored inline in the same transaction. */
  async #commitObject(meta: ObjectMeta, bytes: BlobRef[] | BlobRef | Buffer, condition?: CommitCondition): Promise<ObjectMeta> {
    const idx = this.#idx;
    const files: BlobRef[] = Buffer.isBuffer(bytes) ? [] : Array.isArray(bytes) ? bytes : [bytes];
    let replaced: BlobRef[];
    let blobs: BlobRef[];
    try {
      ({ replaced, blobs } = await this.#commitBatched(() => {
        if (!idx.getBucket(meta.bucket)) throw StorageErrors.noSuchBucket(meta.bucket);
        const current = idx.getObject(meta.bucket, meta.key);
        condition?.(current?.meta);
        const refs = Buffer.isBuffer(bytes) ? [idx.insertInline(bytes)] : files;
        if (current) idx.dropInline(current.blobs);
        idx.putObject(meta, refs);
        return { replaced: current?.blobs ?? [], blobs: refs };
      }));
    } catch (err) {
      this.#blobs.release(files.map((b) => b.path));
      throw err;
    }
    await this.#durable();
    this.#blobs.release(replaced.filter((r) => !blobs.some((b) => b.path === r.path)).map((b) => b.path));
    return meta;
  }

  async headObject(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    this.#requireBucket(bucket);
    return this.#idx.getObject(bucket, key)?.meta;
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<ObjectRead | undefined> {
    this.#requireBucket(bucket);
    const stored = this.#idx.getObject(bucket, key);
    if (!stored) return undefined;
    const first = stored.blobs[0];
    if (stored.blobs.length === 1 && first !== undefined && isInline(first.path)) {
      // Read in the same tick as the lookup: these are the bytes of this version.
      const data = this.#idx.getInline(first.path);
      if (data === undefined) throw new Error(`inline blob ${first.path} of ${bucket}/${key} is missing`);
      return { meta: stored.meta, body: bufferStream(data, range) };
    }
    // Opened in the same tick as the lookup, so a concurrent overwrite cannot delete the blobs under us.
    return { meta: stored.meta, body: this.#blobs.read(stored.blobs, range) };
  }

  /**
   * The local file holding a whole object, readable in place, when it is one blob file (not inline, not multipart).
   * The file stays on disk until `release()` is called, even if the object is overwritten or deleted meanwhile.
   */
  async localFile(bucket: string, key: string): Promise<LocalObjectFile | undefined> {
    this.#requireBucket(bucket);
    const stored = this.#idx.getObject(bucket, key);
    const first = stored?.blobs[0];
    if (!stored || stored.blobs.length !== 1 || first === undefined || isInline(first.path)) return undefined;
    const release = this.#blobs.lease(stored.blobs);
    return { path: this.#blobs.filePath(first.path), meta: stored.meta, release };
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const idx = this.#idx;
    const removed = idx.transaction(() => {
      if (!idx.getBucket(bucket)) throw StorageErrors.noSuchBucket(bucket);
      const current = idx.getObject(bucket, key);
      if (current) {
        idx.deleteObject(bucket, key);
        idx.dropInline(current.blobs);
      }
      return current?.blobs;
    });
    if (removed === undefined) return false;
    await this.#durable();
    this.#blobs.release(removed.map((b) => b.path));
    return true;
  }

  async listObjects(bucket: string, request: ListPageRequest): Promise<ObjectMeta[]> {
    this.#requireBucket(bucket);
    const prefix = Buffer.from(request.prefix, 'utf8');
    let lower: Buffer = prefix;
    let inclusive = true;
    if (request.from !== undefined && Buffer.compare(request.from, prefix) >= 0) {
      lower = request.from;
      inclusive = request.fromInclusive ?? false;
    }
    const upper = prefix.length > 0 ? prefixUpperBound(prefix) : undefined;
    return this.#idx.listObjects(bucket, lower, inclusive, upper, request.limit).map((s) => s.meta);
  }

  async setTags(bucket: string, key: string, tags: readonly Tag[]): Promise<ObjectMeta | undefined> {
    const idx = this.#idx;
    const updated = idx.transaction(() => {
      if (!idx.getBucket(bucket)) throw StorageErrors.noSuchBucket(bucket);
      const current = idx.getObject(bucket, key);
      if (!current) return undefined;
      const meta: ObjectMeta = { ...current.meta, tags };
      idx.updateAttrs(meta);
      return meta;
    });
    if (updated) await this.#durable();
    return updated;
  }

  async createUpload(upload: Omit<UploadInfo, 'uploadId' | 'initiated'>): Promise<UploadInfo> {
    this.#requireBucket(upload.bucket);
    const info: UploadInfo = { ...upload, uploadId: randomBytes(24).toString('base64url'), initiated: new Date() };
    this.#idx.insertUpload(info);
    await this.#durable();
    return info;
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadInfo | undefined> {
    return this.#idx.getUpload(bucket, uploadId);
  }

  async listUploads(bucket: string): Promise<UploadInfo[]> {
    this.#requireBucket(bucket);
    return this.#idx.listUploads(bucket);
  }

  async putPart(upload: UploadInfo, partNumber: number, body: Readable, finalize: FinalizePart): Promise<PartInfo> {
    // Parts are always files: CompleteMultipartUpload references them without copying.
    const staged: StagedBlob = await this.#blobs.stage(body);
    let path: string;
    let digest: Awaited<ReturnType<FinalizePart>>;
    try {
      if (staged.kind !== 'file') throw new Error('a part was staged inline');
      digest = await finalize(staged.size);
      path = await this.#blobs.publish(staged.tmpPath);
    } catch (err) {
      await this.#blobs.discard(staged);
      throw err;
    }
    const part: PartInfo = { ...digest, partNumber, size: staged.size, lastModified: new Date() };
    const idx = this.#idx;
    let previous: string | undefined;
    try {
      previous = idx.transaction(() => {
        if (!idx.getUpload(upload.bucket, upload.uploadId)) throw StorageErrors.noSuchUpload(upload.uploadId);
        const old = idx.getPart(upload.uploadId, partNumber);
        idx.putPart(upload.uploadId, part, path);
        return old?.blob;
      });
    } catch (err) {
      this.#blobs.release([path]);
      throw err;
    }
    await this.#durable();
    if (previous !== undefined) this.#blobs.release([previous]);
    return part;
  }

  async listParts(upload: UploadInfo): Promise<PartInfo[]> {
    return this.#idx.listParts(upload.uploadId).map(({ blob: _b, ...p }) => p);
  }

  async completeUpload(
    upload: UploadInfo,
    parts: readonly PartInfo[],
    attributes: ObjectAttributes,
    condition?: CommitCondition,
  ): Promise<ObjectMeta> {
    const idx = this.#idx;
    const result = idx.transaction(() => {
      if (!idx.getBucket(upload.bucket)) throw StorageErrors.noSuchBucket(upload.bucket);
      if (!idx.getUpload(upload.bucket, upload.uploadId)) throw StorageErrors.noSuchUpload(upload.uploadId);
      const stored = new Map(idx.listParts(upload.uploadId).map((p) => [p.partNumber, p]));
      const blobs: BlobRef[] = parts.map((p) => {
        const s = stored.get(p.partNumber);
        if (!s || s.etag !== p.etag) throw StorageErrors.invalidPart(upload.uploadId, p.partNumber, p.etag);
        return { path: s.blob, size: s.size };
      });
      const current = idx.getObject(upload.bucket, upload.key);
      condition?.(current?.meta);
      if (current) idx.dropInline(current.blobs);
      const size = blobs.reduce((n, b) => n + b.size, 0);
      const meta: ObjectMeta = { ...attributes, bucket: upload.bucket, key: upload.key, size, lastModified: new Date() };
      idx.putObject(meta, blobs);
      const used = new Set(blobs.map((b) => b.path));
      const unused = idx.deleteUpload(upload.uploadId).filter((b) => !used.has(b));
      return { meta, released: [...unused, ...(current?.blobs.map((b) => b.path) ?? [])] };
    });
    await this.#durable();
    this.#blobs.release(result.released);
    return result.meta;
  }

  async abortUpload(upload: UploadInfo): Promise<void> {
    const idx = this.#idx;
    const released = idx.transaction(() => {
      if (!idx.getUpload(upload.bucket, upload.uploadId)) throw StorageErrors.noSuchUpload(upload.uploadId);
      return idx.deleteUpload(upload.uploadId);
    });
    await this.#durable();
    this.#blobs.release(released);
  }
}
