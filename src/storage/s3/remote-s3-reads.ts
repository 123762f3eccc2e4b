/** Reading objects for the remote S3 adapter: HEAD/GET into our ObjectMeta (inline or sidecar attributes), listings, and the listing meta cache. */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import { LRUCache } from 'lru-cache';
import { StorageErrors } from '../errors.js';
import type { ByteRange, ObjectMeta } from '../model.js';
import type { ListPageRequest, ObjectRead } from '../object-store.js';
import { decodeMeta, sidecarRef, type RemoteObjectFields, type StoredAttributes } from './remote-s3-attributes.js';
import { getJson, httpStatus, isNotFound, mapLimit, type RemoteContext } from './remote-s3-io.js';
import { decodeListedKey, isSafeId, listBound } from './remote-s3-keys.js';

const META_CACHE_ENTRIES = 10_000;
const HEAD_CONCURRENCY = 16;
/** S3's limit on the remote key, which includes our `<prefix>objects/<bucket>/`. */
const MAX_REMOTE_KEY_BYTES = 1024;

/** The current remote version of an object. */
export interface Current {
  readonly meta: ObjectMeta;
  readonly remoteEtag: string | undefined;
  readonly remoteLastModified: Date | undefined;
  readonly sidecarId: string | undefined;
}

interface CachedMeta {
  readonly etag: string;
  /** LastModified second of the remote version; undefined until a listing reports it (after our own write). */
  readonly second: number | undefined;
  readonly size: number;
  readonly meta: ObjectMeta;
}

const second = (d: Date | undefined): number => (d === undefined ? -1 : Math.floor(d.getTime() / 1000));

/** `s` cut (by whole characters) to a valid remote key length; a prefix sorts before `s`, so it stays a valid lower bound. */
function fitKey(s: string): string {
  if (Buffer.byteLength(s, 'utf8') <= MAX_REMOTE_KEY_BYTES) return s;
  const chars = [...s];
  while (Buffer.byteLength(chars.join(''), 'utf8') > MAX_REMOTE_KEY_BYTES) chars.pop();
  return chars.join('');
}

export class RemoteReads {
  /** Least recently used first out (a Map used as a FIFO pays for every deleted entry it skips when evicting). */
  readonly #cache = new LRUCache<string, CachedMeta>({ max: META_CACHE_ENTRIES });

  constructor(private readonly ctx: RemoteContext) {}

  /** The remote key of an object, or undefined when it cannot exist remotely (too long). */
  remoteKey(bucket: string, key: string): string | undefined {
    const remote = this.ctx.keys.object(bucket, key);
    return Buffer.byteLength(remote, 'utf8') > MAX_REMOTE_KEY_BYTES ? undefined : remote;
  }

  writableKey(bucket: string, key: string): string {
    const remote = this.remoteKey(bucket, key);
    if (remote === undefined) throw StorageErrors.keyTooLong(Buffer.byteLength(key, 'utf8'));
    return remote;
  }

  /** Our meta from a HEAD/GET response; undefined when its sidecar vanished (replaced meanwhile) unless `lenient`. */
  async #decode(bucket: string, key: string, size: number, fields: RemoteObjectFields, lenient: boolean): Promise<ObjectMeta | undefined> {
    const ref = sidecarRef(fields);
    let sidecar: StoredAttributes | undefined;
    if (ref !== undefined && isSafeId(ref)) {
      sidecar = await getJson<StoredAttributes>(this.ctx, this.ctx.keys.sidecar(ref));
      if (sidecar === undefined && !lenient) return undefined;
    }
    return decodeMeta(bucket, key, size, fields, sidecar);
  }

  async head(bucket: string, key: string): Promise<Current | undefined> {
    const remoteKey = this.remoteKey(bucket, key);
    if (remoteKey === undefined) return undefined;
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await this.ctx.s3.send(new HeadObjectCommand({ Bucket: this.ctx.bucket, Key: remoteKey }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      const meta = await this.#decode(bucket, key, res.ContentLength ?? 0, res, attempt >= 3);
      if (meta) return { meta, remoteEtag: res.ETag, remoteLastModified: res.LastModified, sidecarId: sidecarRef(res) };
    }
  }

  /** Meta and bytes from one GetObject response, so they belong to the same version. */
  async get(bucket: string, key: string, range: ByteRange | undefined): Promise<ObjectRead | undefined> {
    const remoteKey = this.remoteKey(bucket, key);
    if (remoteKey === undefined) return undefined;
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await this.ctx.s3.send(
          new GetObjectCommand({
            Bucket: this.ctx.bucket,
            Key: remoteKey,
            Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
          }),
        );
      } catch (err) {
        if (isNotFound(err)) return undefined;
        // The object shrank since the caller sized the range: hand back the new version, which it will reject.
        if (httpStatus(err) === 416) {
          const cur = await this.head(bucket, key);
          return cur && { meta: cur.meta, body: Readable.from([]) };
        }
        throw err;
      }
      const body = res.Body;
      if (!(body instanceof Readable)) throw new Error('remote GetObject returned no readable body');
      const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
      const size = total !== undefined ? Number(total) : (res.ContentLength ?? 0);
      const meta = await this.#decode(bucket, key, size, res, attempt >= 3);
      if (meta) return { meta, body };
      body.destroy();
    }
  }

  /** A page of full ObjectMeta in UTF-8 byte order (the remote's order), exact for any start position. */
  async list(bucket: string, request: ListPageRequest): Promise<ObjectMeta[]> {
    const out: ObjectMeta[] = [];
    if (request.limit <= 0) return out;
    const base = this.ctx.keys.objectsPrefix(bucket);
    const bound = listBound(request.prefix, request.from, request.fromInclusive ?? false);
    let token: string | undefined;
    for (;;) {
      const res = await this.ctx.s3.send(
        new ListObjectsV2Command({
          Bucket: this.ctx.bucket,
          Prefix: base + request.prefix,
          StartAfter: token === undefined && bound.startAfter !== undefined ? fitKey(base + bound.startAfter) : undefined,
          ContinuationToken: token,
          MaxKeys: Math.min(1000, request.limit - out.length),
          EncodingType: 'url',
        }),
      );
      const encoded = res.EncodingType === 'url';
      const listed = (res.Contents ?? [])
        .map((o) => ({ o, key: decodeListedKey(o.Key ?? '', encoded).slice(base.length) }))
        .filter((e) => bound.accepts(e.key));
      // An object deleted between the listing and its HEAD is skipped; the page is then filled from further on.
      const metas = await mapLimit(listed, HEAD_CONCURRENCY, (e) => this.#listedMeta(bucket, e.key, e.o));
      for (const m of metas) if (m !== undefined && out.length < request.limit) out.push(m);
      if (out.length >= request.limit || !res.IsTruncated || res.NextContinuationToken === undefined) return out;
      token = res.NextContinuationToken;
    }
  }

  /**
   * Full meta of a listed object: from the cache while the remote version is unchanged (same ETag, size and
   * LastModified second; an entry from our own write learns its second from the first listing), else by HEAD.
   */
  async #listedMeta(bucket: string, key: string, listed: _Object): Promise<ObjectMeta | undefined> {
    const remoteKey = this.ctx.keys.object(bucket, key);
    const hit = this.#cache.get(remoteKey);
    const listedSecond = second(listed.LastModified);
    if (hit && hit.etag === listed.ETag && hit.size === listed.Size && (hit.second ?? listedSecond) === listedSecond) {
      this.#cache.set(remoteKey, { ...hit, second: listedSecond });
      return hit.meta;
    }
    const cur = await this.head(bucket, key);
    if (!cur) return undefined;
    this.remember(cur.meta, cur.remoteEtag, cur.remoteLastModified);
    return cur.meta;
  }

  forget(bucket: string, key: string): void {
    this.#cache.delete(this.ctx.keys.object(bucket, key));
  }

  /** Records `meta` as the attributes of the remote version with this ETag (and LastModified, when known). */
  remember(meta: ObjectMeta, etag: string | undefined, lastModified: Date | undefined): void {
    const remoteKey = this.ctx.keys.object(meta.bucket, meta.key);
    this.#cache.delete(remoteKey);
    if (etag === undefined) return;
    this.#cache.set(remoteKey, { etag, second: lastModified && second(lastModified), size: meta.size, meta });
  }
}
