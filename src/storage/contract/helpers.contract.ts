/** Fixture types and helpers shared by the ObjectStore contract cases. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { ObjectAttributes, ObjectMeta, PartInfo, UploadInfo } from '../model.js';
import type { CommitCondition, ObjectStore } from '../object-store.js';

export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
  /** Keys the listing scale case inserts (default 2000); large only where inserting is cheap. */
  readonly scale?: number | undefined;
}

/** `'scale'` is asked for the one listing-at-scale case, so an adapter may trade durability for speed there. */
export type ObjectStoreFactory = (purpose: 'default' | 'scale') => Promise<ObjectStoreFixture>;

export const md5hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

export function body(data: Buffer | string): Readable {
  return Readable.from([typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Distinct, position-dependent bytes: a mix-up of offsets or parts shows as a mismatch. */
export function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(Math.ceil(size / 4) * 4);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((Math.imul(i >>> 2, 2654435761) + Math.imul(seed, 40503)) >>> 0, i);
  return b.subarray(0, size);
}

export function attributes(data: Buffer, over: Partial<ObjectAttributes> = {}): ObjectAttributes {
  return {
    etag: md5hex(data),
    headers: { contentType: 'application/octet-stream' },
    userMetadata: {},
    tags: [],
    ...over,
  };
}

export async function put(
  store: ObjectStore,
  bucket: string,
  key: string,
  data: Buffer | string,
  over: Partial<ObjectAttributes> = {},
  condition?: CommitCondition,
): Promise<ObjectMeta> {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return store.putObject(bucket, key, body(buf), () => attributes(buf, over), condition);
}

export async function putPart(store: ObjectStore, upload: UploadInfo, n: number, data: Buffer): Promise<PartInfo> {
  const md5 = createHash('md5').update(data).digest();
  return store.putPart(upload, n, body(data), () => ({
    etag: md5.toString('hex'),
    md5,
    checksum: { algorithm: 'SHA256', value: createHash('sha256').update(data).digest('base64') },
  }));
}

export function multipartAttributes(parts: readonly PartInfo[]): ObjectAttributes {
  const etag = `${createHash('md5').update(Buffer.concat(parts.map((p) => p.md5))).digest('hex')}-${parts.length}`;
  return {
    etag,
    headers: { contentType: 'application/x-parquet', cacheControl: 'max-age=60' },
    userMetadata: { origin: 'multipart' },
    tags: [{ key: 'layer', value: 'raw' }],
    parts: parts.map((p) => ({ size: p.size, checksum: p.checksum?.value })),
  };
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

export const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export async function listKeys(store: ObjectStore, bucket: string, prefix = '', from?: Buffer | string, fromInclusive?: boolean, limit = 1000): Promise<string[]> {
  const start = typeof from === 'string' ? Buffer.from(from, 'utf8') : from;
  return (await store.listObjects(bucket, { prefix, from: start, fromInclusive, limit })).map((m) => m.key);
}
