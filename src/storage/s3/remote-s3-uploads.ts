/** Multipart uploads for the remote S3 adapter: an upload record, a remote multipart upload on the object's key, and one named marker object per part. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { StorageErrors } from '../errors.js';
import type { PartInfo, UploadInfo } from '../model.js';
import type { FinalizePart } from '../object-store.js';
import type { NativeFields } from './remote-s3-attributes.js';
import {
  deleteKeys,
  getJson,
  isNoSuchUpload,
  isNotFound,
  listAll,
  mapLimit,
  putJson,
  withRetries,
  type RemoteContext,
  type Spooled,
  type WriteCondition,
} from './remote-s3-io.js';
import { isSafeId, parsePartRecord } from './remote-s3-keys.js';

const unquote = (etag: string): string => etag.replace(/^"|"$/g, '');

type Serialized<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** Stored at `uploads/<bucket>/<uploadId>.json`. */
export interface UploadRecord extends Serialized<UploadInfo> {
  readonly remoteUploadId: string;
  /** Sidecar that will hold the completed object's attributes; the remote upload's metadata already names it. */
  readonly sidecarId: string;
}

export interface RemotePart extends PartInfo {
  readonly remoteEtag: string;
}

export function uploadInfo(r: UploadRecord): UploadInfo {
  return {
    uploadId: r.uploadId,
    bucket: r.bucket,
    key: r.key,
    initiated: new Date(r.initiated),
    headers: r.headers,
    userMetadata: r.userMetadata,
    tags: r.tags,
    checksumAlgorithm: r.checksumAlgorithm,
    checksumType: r.checksumType,
  };
}

export class RemoteUploads {
  constructor(private readonly ctx: RemoteContext) {}

  async create(
    upload: Omit<UploadInfo, 'uploadId' | 'initiated'>,
    native: (sidecarId: string) => NativeFields,
  ): Promise<UploadInfo> {
    const { ctx } = this;
    const sidecarId = randomUUID();
    const res = await ctx.s3.send(
      new CreateMultipartUploadCommand({
        ...native(sidecarId),
        Bucket: ctx.bucket,
        Key: ctx.keys.object(upload.bucket, upload.key),
      }),
    );
    if (res.UploadId === undefined) throw new Error('remote CreateMultipartUpload returned no UploadId');
    const record: UploadRecord = {
      ...upload,
      uploadId: randomBytes(24).toString('base64url'),
      initiated: new Date().toISOString(),
      remoteUploadId: res.UploadId,
      sidecarId,
    };
    await putJson(ctx, ctx.keys.upload(upload.bucket, record.uploadId), record);
    return uploadInfo(record);
  }

  async record(bucket: string, uploadId: string): Promise<UploadRecord | undefined> {
    if (!isSafeId(uploadId)) return undefined;
    return getJson<UploadRecord>(this.ctx, this.ctx.keys.upload(bucket, uploadId));
  }

  async list(bucket: string): Promise<UploadRecord[]> {
    const { keys } = await listAll(this.ctx, this.ctx.keys.uploadsPrefix(bucket), '/');
    const records = await mapLimit(
      keys.filter((k) => k.endsWith('.json')),
      8,
      (k) => getJson<UploadRecord>(this.ctx, k),
    );
    return records.filter((r) => r !== undefined);
  }

  /** Sends a received, verified part to the remote upload, then records its digests. */
  async putPart(
    rec: UploadRecord,
    partNumber: number,
    file: Spooled,
    digest: Awaited<ReturnType<FinalizePart>>,
  ): Promise<PartInfo> {
    const { ctx } = this;
    let remoteEtag: string | undefined;
    try {
      const res = await withRetries(() =>
        ctx.data.send(
          new UploadPartCommand({
            Bucket: ctx.bucket,
            Key: ctx.keys.object(rec.bucket, rec.key),
            UploadId: rec.remoteUploadId,
            PartNumber: partNumber,
            Body: createReadStream(file.path),
            ContentLength: file.size,
            ContentMD5: file.md5.toString('base64'),
          }),
        ),
      );
      remoteEtag = res.ETag === undefined ? undefined : unquote(res.ETag);
    } catch (err) {
      if (isNoSuchUpload(err) || isNotFound(err)) throw StorageErrors.noSuchUpload(rec.uploadId);
      throw err;
    }
    if (remoteEtag === undefined) throw new Error('remote UploadPart returned no ETag');
    const marker = ctx.keys.part(rec.bucket, rec.uploadId, { ...digest, partNumber, remoteEtag });
    await ctx.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: marker, Body: new Uint8Array(0), ContentLength: 0 }));
    return { ...digest, partNumber, size: file.size, lastModified: new Date() };
  }

  /**
   * The remote's parts (authoritative for which bytes are there) joined with our markers by remote ETag; a part
   * whose marker is missing (interrupted putPart) or stale (replaced part) is not reported.
   */
  async parts(rec: UploadRecord): Promise<RemotePart[]> {
    const { ctx } = this;
    const remote: Part[] = [];
    try {
      let marker: string | undefined;
      for (;;) {
        const res = await ctx.s3.send(
          new ListPartsCommand({
            Bucket: ctx.bucket,
            Key: ctx.keys.object(rec.bucket, rec.key),
            UploadId: rec.remoteUploadId,
            PartNumberMarker: marker,
          }),
        );
        remote.push(...(res.Parts ?? []));
        if (!res.IsTruncated || res.NextPartNumberMarker === undefined) break;
        marker = res.NextPartNumberMarker;
      }
    } catch (err) {
      if (isNoSuchUpload(err) || isNotFound(err)) return [];
      throw err;
    }
    const prefix = ctx.keys.partsPrefix(rec.bucket, rec.uploadId);
    const markers = new Map<string, ReturnType<typeof parsePartRecord>>();
    for (const k of (await listAll(ctx, prefix)).keys) {
      const m = parsePartRecord(k.slice(prefix.length));
      if (m) markers.set(`${m.partNumber} ${m.remoteEtag}`, m);
    }
    const out: RemotePart[] = [];
    for (const p of remote) {
      if (p.ETag === undefined) continue;
      const m = markers.get(`${p.PartNumber} ${unquote(p.ETag)}`);
      if (!m) continue;
      out.push({
        partNumber: m.partNumber,
        etag: m.etag,
        size: p.Size ?? 0,
        lastModified: p.LastModified ?? new Date(0),
        checksum: m.checksum,
        md5: m.md5,
        remoteEtag: m.remoteEtag,
      });
    }
    return out.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Completes the remote upload with `parts`; returns the new remote ETag. */
  async complete(rec: UploadRecord, parts: readonly RemotePart[], condition: WriteCondition): Promise<string | undefined> {
    const { ctx } = this;
    try {
      const res = await ctx.s3.send(
        new CompleteMultipartUploadCommand({
          ...condition,
          Bucket: ctx.bucket,
          Key: ctx.keys.object(rec.bucket, rec.key),
          UploadId: rec.remoteUploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.remoteEtag}"` })) },
        }),
      );
      return res.ETag;
    } catch (err) {
      if (isNoSuchUpload(err)) throw StorageErrors.noSuchUpload(rec.uploadId);
      throw err;
    }
  }

  /** Removes the upload's record and part markers (after completion, or as the last step of an abort). */
  async forget(rec: UploadRecord): Promise<void> {
    const { ctx } = this;
    const { keys } = await listAll(ctx, ctx.keys.partsPrefix(rec.bucket, rec.uploadId));
    await deleteKeys(ctx, keys);
    await deleteKeys(ctx, [ctx.keys.upload(rec.bucket, rec.uploadId)]);
  }

  async abort(rec: UploadRecord): Promise<void> {
    const { ctx } = this;
    try {
      await ctx.s3.send(
        new AbortMultipartUploadCommand({
          Bucket: ctx.bucket,
          Key: ctx.keys.object(rec.bucket, rec.key),
          UploadId: rec.remoteUploadId,
        }),
      );
    } catch (err) {
      if (!isNoSuchUpload(err) && !isNotFound(err)) throw err;
    }
    await deleteKeys(ctx, [ctx.keys.sidecar(rec.sidecarId)]);
    await this.forget(rec);
  }
}
