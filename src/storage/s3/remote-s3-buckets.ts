/** Lakebox buckets of the remote S3 adapter: one small JSON record per bucket under `<prefix>buckets/`, cached briefly. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StorageErrors } from '../errors.js';
import { compareKeys } from '../key-order.js';
import type { BucketInfo } from '../model.js';
import { deleteKeys, getJson, httpStatus, isPreconditionFailed, listAll, mapLimit, putJson, type RemoteContext } from './remote-s3-io.js';

/** How long a bucket seen to exist is trusted without asking the remote again. */
const BUCKET_CACHE_MS = 5000;

interface BucketRecord {
  readonly creationDate: string;
  readonly region: string;
}

export class RemoteBuckets {
  readonly #cache = new Map<string, { info: BucketInfo; at: number }>();

  constructor(private readonly ctx: RemoteContext) {}

  async create(name: string, region: string): Promise<BucketInfo> {
    if (await this.get(name)) throw StorageErrors.bucketAlreadyOwnedByYou(name);
    const info: BucketInfo = { name, region, creationDate: new Date() };
    const record: BucketRecord = { creationDate: info.creationDate.toISOString(), region };
    const key = this.ctx.keys.bucket(name);
    try {
      await putJson(this.ctx, key, record, this.ctx.features.conditionalWrites);
    } catch (err) {
      if (isPreconditionFailed(err)) throw StorageErrors.bucketAlreadyOwnedByYou(name);
      if (httpStatus(err) !== 501) throw err;
      this.ctx.features.conditionalWrites = false;
      await putJson(this.ctx, key, record);
    }
    this.#cache.set(name, { info, at: Date.now() });
    return info;
  }

  /** Deletes an empty bucket's record after `beforeDelete` (aborting its uploads) has run. */
  async delete(name: string, beforeDelete: () => Promise<void>): Promise<void> {
    this.#cache.delete(name);
    if (!(await this.get(name))) throw StorageErrors.noSuchBucket(name);
    const any = await this.ctx.s3.send(
      new ListObjectsV2Command({ Bucket: this.ctx.bucket, Prefix: this.ctx.keys.objectsPrefix(name), MaxKeys: 1 }),
    );
    if ((any.Contents ?? []).length > 0) throw StorageErrors.bucketNotEmpty(name);
    await beforeDelete();
    await deleteKeys(this.ctx, [this.ctx.keys.bucket(name)]);
    this.#cache.delete(name);
  }

  async get(name: string): Promise<BucketInfo | undefined> {
    if (name === '' || name.includes('/')) return undefined;
    const cached = this.#cache.get(name);
    if (cached && Date.now() - cached.at < BUCKET_CACHE_MS) return cached.info;
    const rec = await getJson<BucketRecord>(this.ctx, this.ctx.keys.bucket(name));
    if (!rec) {
      this.#cache.delete(name);
      return undefined;
    }
    const info: BucketInfo = { name, region: rec.region, creationDate: new Date(rec.creationDate) };
    this.#cache.set(name, { info, at: Date.now() });
    return info;
  }

  async require(name: string): Promise<void> {
    if (!(await this.get(name))) throw StorageErrors.noSuchBucket(name);
  }

  async list(): Promise<BucketInfo[]> {
    const prefix = this.ctx.keys.bucketsPrefix;
    const names = (await listAll(this.ctx, prefix)).keys.map((k) => k.slice(prefix.length));
    const infos = await mapLimit(names, 8, async (name) => {
      this.#cache.delete(name);
      return this.get(name);
    });
    return infos.filter((b) => b !== undefined).sort((a, b) => compareKeys(a.name, b.name));
  }
}
