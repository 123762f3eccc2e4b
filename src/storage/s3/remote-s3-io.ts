/** Plumbing for the remote S3 adapter: error classification, JSON records, spooling bodies to disk, file uploads with retries, bounded parallelism, per-key locks. */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { NativeFields } from './remote-s3-attributes.js';
import { decodeListedKey, type RemoteKeys } from './remote-s3-keys.js';

export interface RemoteContext {
  /** For requests without a streamed body: the SDK retries them. */
  readonly s3: S3Client;
  /** For requests streaming a spool file: no SDK retries, `withRetries` reopens the file instead. */
  readonly data: S3Client;
  readonly bucket: string;
  readonly keys: RemoteKeys;
  readonly spoolDir: string;
  /** Bodies above this size are uploaded as a remote multipart upload of `partSize` parts. */
  readonly multipartThreshold: number;
  readonly partSize: number;
  /** `conditionalWrites` is cleared when the remote answers 501 to If-Match/If-None-Match (older S3-compatible stores). */
  readonly features: { conditionalWrites: boolean };
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export const errorName = (err: unknown): string | undefined => (err as SdkError | null)?.name;
export const httpStatus = (err: unknown): number | undefined => (err as SdkError | null)?.$metadata?.httpStatusCode;
export const isNotFound = (err: unknown): boolean =>
  httpStatus(err) === 404 || errorName(err) === 'NoSuchKey' || errorName(err) === 'NotFound';
export const isPreconditionFailed = (err: unknown): boolean =>
  httpStatus(err) === 412 || errorName(err) === 'PreconditionFailed';
export const isNoSuchUpload = (err: unknown): boolean => errorName(err) === 'NoSuchUpload';

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN']);

function isTransient(err: unknown): boolean {
  const status = httpStatus(err);
  if (status !== undefined) return status >= 500 || status === 429;
  const code = (err as SdkError | null)?.code;
  return code !== undefined && NETWORK_CODES.has(code);
}

/** Retries `fn` (which must reopen any stream it sends) on throttling, 5xx and connection errors. */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** i));
    }
  }
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Serialises async critical sections per key (read-check-write of one remote object within this process). */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = prev.then(() => mine);
    this.#tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

export async function getJson<T>(ctx: RemoteContext, key: string): Promise<T | undefined> {
  try {
    const res = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }));
    return JSON.parse((await res.Body?.transformToString('utf8')) ?? 'null') as T;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function putJson(ctx: RemoteContext, key: string, value: unknown, ifNoneMatch = false): Promise<void> {
  await ctx.s3.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
      IfNoneMatch: ifNoneMatch ? '*' : undefined,
    }),
  );
}

/** Deletes remote keys; missing ones are fine. */
export async function deleteKeys(ctx: RemoteContext, keys: readonly string[]): Promise<void> {
  await mapLimit(keys, 8, async (key) => {
    try {
      await ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
}

/** Every key under `prefix` (and with a delimiter, the common prefixes), in the remote's order. */
export async function listAll(
  ctx: RemoteContext,
  prefix: string,
  delimiter?: string,
): Promise<{ keys: string[]; prefixes: string[] }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const res = await ctx.s3.send(
      new ListObjectsV2Command({
        Bucket: ctx.bucket,
        Prefix: prefix,
        Delimiter: delimiter,
        ContinuationToken: token,
        EncodingType: 'url',
      }),
    );
    const encoded = res.EncodingType === 'url';
    for (const o of res.Contents ?? []) if (o.Key !== undefined) keys.push(decodeListedKey(o.Key, encoded));
    for (const p of res.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(decodeListedKey(p.Prefix, encoded));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { keys, prefixes };
}

/** A body received in full on local disk, with the MD5 of the whole and of each `chunkSize` slice. */
export interface Spooled {
  readonly path: string;
  readonly size: number;
  readonly md5: Buffer;
  readonly chunkMd5s: readonly Buffer[];
}

export async function spool(body: Readable, dir: string, chunkSize: number): Promise<Spooled> {
  const path = join(dir, `lakebox-spool-${randomUUID()}`);
  const handle = await open(path, 'w');
  const whole = createHash('md5');
  const chunks: Buffer[] = [];
  let chunk: Hash = createHash('md5');
  let inChunk = 0;
  let size = 0;
  try {
    for await (const data of body) {
      const buf = data as Buffer;
      size += buf.length;
      whole.update(buf);
      for (let off = 0; off < buf.length; ) {
        const take = Math.min(chunkSize - inChunk, buf.length - off);
        chunk.update(buf.subarray(off, off + take));
        inChunk += take;
        off += take;
        if (inChunk === chunkSize) {
          chunks.push(chunk.digest());
          chunk = createHash('md5');
          inChunk = 0;
        }
      }
      for (let off = 0; off < buf.length; ) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
    }
    if (inChunk > 0) chunks.push(chunk.digest());
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return { path, size, md5: whole.digest(), chunkMd5s: chunks };
}

export async function discardSpool(file: Spooled): Promise<void> {
  await unlink(file.path).catch(() => undefined);
}

export interface WriteCondition {
  readonly IfMatch?: string | undefined;
  readonly IfNoneMatch?: string | undefined;
}

/**
 * Makes `file` the remote object `key` in one atomic step: a PutObject, or for big files a multipart upload
 * that only becomes visible at CompleteMultipartUpload. Every request carries Content-MD5, so the remote
 * verifies what it stores against what we received. Returns the remote ETag.
 */
export async function uploadFile(
  ctx: RemoteContext,
  key: string,
  file: Spooled,
  fields: NativeFields,
  condition: WriteCondition,
): Promise<string | undefined> {
  const Bucket = ctx.bucket;
  if (file.size <= ctx.multipartThreshold) {
    const res = await withRetries(() =>
      ctx.data.send(
        new PutObjectCommand({
          ...fields,
          ...condition,
          Bucket,
          Key: key,
          Body: createReadStream(file.path),
          ContentLength: file.size,
          ContentMD5: file.md5.toString('base64'),
        }),
      ),
    );
    return res.ETag;
  }
  const { UploadId } = await ctx.s3.send(new CreateMultipartUploadCommand({ ...fields, Bucket, Key: key }));
  try {
    const parts = await mapLimit(file.chunkMd5s.map((md5, i) => ({ md5, i })), 4, async ({ md5, i }) => {
      const start = i * ctx.partSize;
      const end = Math.min(file.size, start + ctx.partSize) - 1;
      const res = await withRetries(() =>
        ctx.data.send(
          new UploadPartCommand({
            Bucket,
            Key: key,
            UploadId,
            PartNumber: i + 1,
            Body: createReadStream(file.path, { start, end }),
            ContentLength: end - start + 1,
            ContentMD5: md5.toString('base64'),
          }),
        ),
      );
      return { PartNumber: i + 1, ETag: res.ETag };
    });
    const done = await ctx.s3.send(
      new CompleteMultipartUploadCommand({ ...condition, Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    return done.ETag;
  } catch (err) {
    await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId })).catch(() => undefined);
    throw err;
  }
}
