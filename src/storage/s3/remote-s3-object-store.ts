/** ObjectStore adapter for any S3-compatible remote store: every Lakebox bucket lives under a prefix of one remote bucket. */
/*
 * Layout (see RemoteKeys): `<prefix>buckets/<name>` bucket records, `<prefix>objects/<bucket>/<key>` objects,
 * `<prefix>attrs/<id>.json` attribute sidecars, `<prefix>uploads/<bucket>/…` multipart state.
 *
 * Writes: the body is streamed to a spool file under `spoolDir`, `finalize` verifies it, and only then does
 * anything reach the remote, in one atomic step (PutObject, or CompleteMultipartUpload for big bodies and for
 * multipart uploads), with Content-MD5 on every request that carries bytes. A failed finalize or condition
 * never touches the remote object. Conditions are checked against a HeadObject under a per-key lock, and
 * the write carries If-Match/If-None-Match so a writer in another process cannot slip in between.
 *
 * Attributes: content headers become the remote object's real headers and user metadata its real user
 * metadata, when they are printable ASCII (HTTP headers would mangle anything else). Our own fields (etag,
 * lastModified, tags, checksum, part layout, and any header or metadata S3 cannot hold) go in
 * `x-amz-meta-lakebox` as base64url JSON. Limits and consequences:
 * - S3 allows 2 KB of user metadata in total. When ours does not fit (large user metadata, many tags), and
 *   always for objects above `sidecarThreshold` and for multipart objects (whose metadata is fixed when the
 *   upload starts), the attributes go to a sidecar `attrs/<id>.json` written before the object and named by
 *   `x-amz-meta-lakebox-ref`. Reading such an object costs one more GET.
 * - Tag updates rewrite the sidecar, or copy a small inline object onto itself with new metadata (objects
 *   written by other tools are adopted that way too, which S3 refuses above 5 GB).
 * - Remote keys are `<prefix>objects/<bucket>/<key>`, so keys longer than 1024 bytes minus that prefix are
 *   rejected with KeyTooLongError.
 * - Listing comes from ListObjectsV2 (UTF-8 byte order, like ours); the full ObjectMeta of each entry needs a
 *   HeadObject, cached per remote ETag + LastModified (second precision), so a second writer process changing
 *   only tags within the same second can leave stale tags in list results (HEAD/GET are always fresh).
 * - Bucket records are cached for 5 s, and deleteBucket is not atomic against a put from another process.
 * - A crash can leave spool files (removed at init), orphan sidecars and part markers (small, harmless).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { RemoteS3Config } from '../../config/config.js';
import { StorageErrors } from '../errors.js';
import type { BucketInfo, ByteRange, ObjectAttributes, ObjectMeta, PartInfo, Tag, UploadInfo } from '../model.js';
import type { CommitCondition, FinalizePart, FinalizeWrite, ListPageRequest, ObjectRead, ObjectStore } from '../object-store.js';
import { attributesOf, encodeAttributes } from './remote-s3-attributes.js';
import { RemoteBuckets } from './remote-s3-buckets.js';
import {
  deleteKeys,
  discardSpool,
  httpStatus,
  isNotFound,
  isPreconditionFailed,
  KeyedMutex,
  putJson,
  spool,
  uploadFile,
  type RemoteContext,
  type WriteCondition,
} from './remote-s3-io.js';
import { isSafeId, RemoteKeys } from './remote-s3-keys.js';
import { RemoteReads } from './remote-s3-reads.js';
import { RemoteUploads, uploadInfo } from './remote-s3-uploads.js';

export interface RemoteS3ObjectStoreOptions extends RemoteS3Config {
  readonly spoolDir: string;
  /** Bodies above this go up as remote multipart uploads (default 64 MiB). */
  readonly multipartThreshold?: number | undefined;
  /** Part size of those uploads (default 16 MiB; S3's minimum is 5 MiB). */
  readonly partSize?: number | undefined;
  /** Objects above this size keep their attributes in a sidecar, so tag updates never copy bytes (default 16 MiB). */
  readonly sidecarThreshold?: number | undefined;
}

const MiB = 1024 * 1024;

interface Written {
  readonly meta: ObjectMeta;
  readonly sidecarId: string | undefined;
  readonly remoteEtag: string | undefined;
}

export class RemoteS3ObjectStore implements ObjectStore {
  readonly kind = 's3';
  readonly #ctx: RemoteContext;
  readonly #keys: RemoteKeys;
  readonly #buckets: RemoteBuckets;
  readonly #reads: RemoteReads;
  readonly #uploads: RemoteUploads;
  readonly #sidecarThreshold: number;
  readonly #locks = new KeyedMutex();

  constructor(private readonly options: RemoteS3ObjectStoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint === undefined || options.endpoint === '' ? undefined : options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId !== undefined && options.secretAccessKey !== undefined
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // Content-MD5 already protects every body; SDK-default CRC trailers are not understood by every store.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.#keys = new RemoteKeys(options.prefix);
    this.#ctx = {
      s3: new S3Client(config),
      data: new S3Client({ ...config, maxAttempts: 1 }),
      bucket: options.bucket,
      keys: this.#keys,
      spoolDir: options.spoolDir,
      multipartThreshold: options.multipartThreshold ?? 64 * MiB,
      partSize: options.partSize ?? 16 * MiB,
      features: { conditionalWrites: true },
    };
    this.#buckets = new RemoteBuckets(this.#ctx);
    this.#reads = new RemoteReads(this.#ctx);
    this.#uploads = new RemoteUploads(this.#ctx);
    this.#sidecarThreshold = options.sidecarThreshold ?? 16 * MiB;
  }

  async init(): Promise<void> {
    await mkdir(this.options.spoolDir, { recursive: true });
    for (const name of await readdir(this.options.spoolDir)) {
      if (name.startsWith('lakebox-spool-')) await unlink(join(this.options.spoolDir, name)).catch(() => undefined);
    }
    try {
      await this.#ctx.s3.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      throw new Error(`remote bucket "${this.options.bucket}" is not reachable: ${(err as Error).name}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.#ctx.s3.destroy();
    this.#ctx.data.destroy();
  }

  async createBucket(name: string, region: string): Promise<BucketInfo> {
    return this.#buckets.create(name, region);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#buckets.delete(name, async () => {
      for (const rec of await this.#uploads.list(name)) await this.#uploads.abort(rec);
    });
  }

  async getBucket(name: string): Promise<BucketInfo | undefined> {
    return this.#buckets.get(name);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return this.#buckets.list();
  }

  async headObject(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    await this.#buckets.require(bucket);
    return (await this.#reads.head(bucket, key))?.meta;
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<ObjectRead | undefined> {
    await this.#buckets.require(bucket);
    return this.#reads.get(bucket, key, range);
  }

  async listObjects(bucket: string, request: ListPageRequest): Promise<ObjectMeta[]> {
    await this.#buckets.require(bucket);
    return this.#reads.list(bucket, request);
  }

  /**
   * Runs `write` under the key's lock once `condition` accepts the current object; retries when the remote
   * refuses the conditional write because another process changed the object in between.
   */
  async #commit(
    bucket: string,
    key: string,
    condition: CommitCondition | undefined,
    write: (cond: WriteCondition, lastModified: Date) => Promise<Written>,
  ): Promise<ObjectMeta> {
    return this.#locks.run(`${bucket}/${key}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const cur = await this.#reads.head(bucket, key);
        condition?.(cur?.meta);
        let cond: WriteCondition = {};
        if (condition !== undefined && this.#ctx.features.conditionalWrites) {
          cond = cur === undefined ? { IfNoneMatch: '*' } : { IfMatch: cur.remoteEtag };
        }
        let written;
        try {
          written = await write(cond, new Date());
        } catch (err) {
          this.#reads.forget(bucket, key);
          if (Object.keys(cond).length > 0 && httpStatus(err) === 501) {
            // Only this process's lock keeps the check and the write together from now on.
            this.#ctx.features.conditionalWrites = false;
            continue;
          }
          if (condition !== undefined && isPreconditionFailed(err)) {
            if (attempt < 3) continue;
            throw StorageErrors.preconditionFailed(cur === undefined ? 'If-None-Match' : 'If-Match');
          }
          throw err;
        }
        this.#reads.remember(written.meta, written.remoteEtag, undefined);
        if (cur?.sidecarId !== undefined && cur.sidecarId !== written.sidecarId && isSafeId(cur.sidecarId)) {
          await deleteKeys(this.#ctx, [this.#keys.sidecar(cur.sidecarId)]).catch(() => undefined);
        }
        return written.meta;
      }
    });
  }

  async putObject(
    bucket: string,
    key: string,
    body: Readable,
    finalize: FinalizeWrite,
    condition?: CommitCondition,
  ): Promise<ObjectMeta> {
    await this.#buckets.require(bucket);
    const remoteKey = this.#reads.writableKey(bucket, key);
    const file = await spool(body, this.#ctx.spoolDir, this.#ctx.partSize);
    try {
      const attrs = await finalize(file.size);
      return await this.#commit(bucket, key, condition, async (cond, lastModified) => {
        const force = file.size > this.#sidecarThreshold ? randomUUID() : undefined;
        const enc = encodeAttributes(attrs, lastModified, { force, newId: randomUUID });
        const sidecarKey = enc.sidecar && this.#keys.sidecar(enc.sidecar.id);
        if (sidecarKey !== undefined) await putJson(this.#ctx, sidecarKey, enc.sidecar?.body);
        let remoteEtag;
        try {
          remoteEtag = await uploadFile(this.#ctx, remoteKey, file, enc.native, cond);
        } catch (err) {
          if (sidecarKey !== undefined) await deleteKeys(this.#ctx, [sidecarKey]).catch(() => undefined);
          throw err;
        }
        return { meta: { ...attrs, bucket, key, size: file.size, lastModified }, sidecarId: enc.sidecar?.id, remoteEtag };
      });
    } finally {
      await discardSpool(file);
    }
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    await this.#buckets.require(bucket);
    const remoteKey = this.#reads.remoteKey(bucket, key);
    if (remoteKey === undefined) return false;
    return this.#locks.run(`${bucket}/${key}`, async () => {
      const cur = await this.#reads.head(bucket, key);
      if (!cur) return false;
      await this.#ctx.s3.send(new DeleteObjectCommand({ Bucket: this.#ctx.bucket, Key: remoteKey }));
      this.#reads.forget(bucket, key);
      if (cur.sidecarId !== undefined && isSafeId(cur.sidecarId)) {
        await deleteKeys(this.#ctx, [this.#keys.sidecar(cur.sidecarId)]).catch(() => undefined);
      }
      return true;
    });
  }

  async setTags(bucket: string, key: string, tags: readonly Tag[]): Promise<ObjectMeta | undefined> {
    await this.#buckets.require(bucket);
    const remoteKey = this.#reads.remoteKey(bucket, key);
    if (remoteKey === undefined) return undefined;
    return this.#locks.run(`${bucket}/${key}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const cur = await this.#reads.head(bucket, key);
        if (!cur) return undefined;
        const meta: ObjectMeta = { ...cur.meta, tags: [...tags] };
        const ref = cur.sidecarId !== undefined && isSafeId(cur.sidecarId) ? cur.sidecarId : undefined;
        const enc = encodeAttributes(attributesOf(meta), meta.lastModified, { force: ref, newId: randomUUID });
        const sidecarKey = enc.sidecar && this.#keys.sidecar(enc.sidecar.id);
        if (sidecarKey !== undefined) await putJson(this.#ctx, sidecarKey, enc.sidecar?.body);
        this.#reads.forget(bucket, key);
        // A sidecar rewrite is the whole update; an inline object is copied onto itself with new metadata.
        if (ref !== undefined) {
          this.#reads.remember(meta, cur.remoteEtag, cur.remoteLastModified);
          return meta;
        }
        try {
          const copied = await this.#ctx.s3.send(
            new CopyObjectCommand({
              ...enc.native,
              Bucket: this.#ctx.bucket,
              Key: remoteKey,
              CopySource: `${this.#ctx.bucket}/${encodeURIComponent(remoteKey)}`,
              CopySourceIfMatch: cur.remoteEtag,
              MetadataDirective: 'REPLACE',
            }),
          );
          this.#reads.remember(meta, copied.CopyObjectResult?.ETag, copied.CopyObjectResult?.LastModified);
          return meta;
        } catch (err) {
          if (sidecarKey !== undefined) await deleteKeys(this.#ctx, [sidecarKey]).catch(() => undefined);
          if (isNotFound(err)) return undefined;
          if (!isPreconditionFailed(err) || attempt >= 3) throw err;
        }
      }
    });
  }

  async createUpload(upload: Omit<UploadInfo, 'uploadId' | 'initiated'>): Promise<UploadInfo> {
    await this.#buckets.require(upload.bucket);
    this.#reads.writableKey(upload.bucket, upload.key);
    // The remote upload's metadata is fixed now, so the completed object's attributes go to a sidecar it names.
    const attrs: ObjectAttributes = { etag: '', headers: upload.headers, userMetadata: upload.userMetadata, tags: upload.tags };
    return this.#uploads.create(upload, (id) => encodeAttributes(attrs, new Date(), { force: id, newId: randomUUID }).native);
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadInfo | undefined> {
    const rec = await this.#uploads.record(bucket, uploadId);
    return rec && uploadInfo(rec);
  }

  async listUploads(bucket: string): Promise<UploadInfo[]> {
    await this.#buckets.require(bucket);
    return (await this.#uploads.list(bucket)).map(uploadInfo);
  }

  async putPart(upload: UploadInfo, partNumber: number, body: Readable, finalize: FinalizePart): Promise<PartInfo> {
    const rec = await this.#uploads.record(upload.bucket, upload.uploadId);
    if (!rec) throw StorageErrors.noSuchUpload(upload.uploadId);
    const file = await spool(body, this.#ctx.spoolDir, this.#ctx.partSize);
    try {
      const digest = await finalize(file.size);
      return await this.#uploads.putPart(rec, partNumber, file, digest);
    } finally {
      await discardSpool(file);
    }
  }

  async listParts(upload: UploadInfo): Promise<PartInfo[]> {
    const rec = await this.#uploads.record(upload.bucket, upload.uploadId);
    if (!rec) return [];
    return (await this.#uploads.parts(rec)).map(({ remoteEtag: _r, ...p }) => p);
  }

  async completeUpload(
    upload: UploadInfo,
    parts: readonly PartInfo[],
    attributes: ObjectAttributes,
    condition?: CommitCondition,
  ): Promise<ObjectMeta> {
    await this.#buckets.require(upload.bucket);
    const rec = await this.#uploads.record(upload.bucket, upload.uploadId);
    if (!rec) throw StorageErrors.noSuchUpload(upload.uploadId);
    const stored = new Map((await this.#uploads.parts(rec)).map((p) => [p.partNumber, p]));
    const chosen = parts.map((p) => {
      const s = stored.get(p.partNumber);
      if (!s || s.etag !== p.etag) throw StorageErrors.invalidPart(upload.uploadId, p.partNumber, p.etag);
      return s;
    });
    const size = chosen.reduce((n, p) => n + p.size, 0);
    const meta = await this.#commit(rec.bucket, rec.key, condition, async (cond, lastModified) => {
      const enc = encodeAttributes(attributes, lastModified, { force: rec.sidecarId, newId: randomUUID });
      await putJson(this.#ctx, this.#keys.sidecar(rec.sidecarId), enc.sidecar?.body);
      const remoteEtag = await this.#uploads.complete(rec, chosen, cond);
      return { meta: { ...attributes, bucket: rec.bucket, key: rec.key, size, lastModified }, sidecarId: rec.sidecarId, remoteEtag };
    });
    await this.#uploads.forget(rec);
    return meta;
  }

  async abortUpload(upload: UploadInfo): Promise<void> {
    const rec = await this.#uploads.record(upload.bucket, upload.uploadId);
    if (!rec) throw StorageErrors.noSuchUpload(upload.uploadId);
    await this.#uploads.abort(rec);
  }
}
