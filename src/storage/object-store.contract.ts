/** The shared behaviour suite every ObjectStore adapter must pass: `describeObjectStoreContract(name, make)` registers vitest cases. */
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageErrors } from './errors.js';
import { prefixUpperBound } from './key-order.js';
import type { ObjectAttributes, ObjectMeta, PartInfo, UploadInfo } from './model.js';
import { MIN_PART_SIZE } from './multipart-service.js';
import type { CommitCondition, FinalizeWrite, ObjectStore } from './object-store.js';

export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
  /** Keys the listing scale case inserts (default 2000); large only where inserting is cheap. */
  readonly scale?: number | undefined;
}

/** `'scale'` is asked for the one listing-at-scale case, so an adapter may trade durability for speed there. */
export type ObjectStoreFactory = (purpose: 'default' | 'scale') => Promise<ObjectStoreFixture>;

const md5hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

function body(data: Buffer | string): Readable {
  return Readable.from([typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Distinct, position-dependent bytes: a mix-up of offsets or parts shows as a mismatch. */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(Math.ceil(size / 4) * 4);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((Math.imul(i >>> 2, 2654435761) + Math.imul(seed, 40503)) >>> 0, i);
  return b.subarray(0, size);
}

function attributes(data: Buffer, over: Partial<ObjectAttributes> = {}): ObjectAttributes {
  return {
    etag: md5hex(data),
    headers: { contentType: 'application/octet-stream' },
    userMetadata: {},
    tags: [],
    ...over,
  };
}

async function put(
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

async function putPart(store: ObjectStore, upload: UploadInfo, n: number, data: Buffer): Promise<PartInfo> {
  const md5 = createHash('md5').update(data).digest();
  return store.putPart(upload, n, body(data), () => ({
    etag: md5.toString('hex'),
    md5,
    checksum: { algorithm: 'SHA256', value: createHash('sha256').update(data).digest('base64') },
  }));
}

function multipartAttributes(parts: readonly PartInfo[]): ObjectAttributes {
  const etag = `${createHash('md5').update(Buffer.concat(parts.map((p) => p.md5))).digest('hex')}-${parts.length}`;
  return {
    etag,
    headers: { contentType: 'application/x-parquet', cacheControl: 'max-age=60' },
    userMetadata: { origin: 'multipart' },
    tags: [{ key: 'layer', value: 'raw' }],
    parts: parts.map((p) => ({ size: p.size, checksum: p.checksum?.value })),
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

async function listKeys(store: ObjectStore, bucket: string, prefix = '', from?: Buffer | string, fromInclusive?: boolean, limit = 1000): Promise<string[]> {
  const start = typeof from === 'string' ? Buffer.from(from, 'utf8') : from;
  return (await store.listObjects(bucket, { prefix, from: start, fromInclusive, limit })).map((m) => m.key);
}

export function describeObjectStoreContract(name: string, make: ObjectStoreFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture | undefined;
    let store: ObjectStore;
    const B = 'contract-bucket';

    beforeEach(async () => {
      fixture = await make('default');
      store = fixture.store;
      await store.createBucket(B, 'us-east-1');
    });

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe('buckets', () => {
      it('creates a bucket and reads it back', async () => {
        const created = await store.createBucket('contract-other', 'eu-west-1');
        expect(created).toMatchObject({ name: 'contract-other', region: 'eu-west-1' });
        expect(created.creationDate).toBeInstanceOf(Date);
        expect(Math.abs(created.creationDate.getTime() - Date.now())).toBeLessThan(60_000);
        const got = await store.getBucket('contract-other');
        expect(got).toEqual(created);
      });

      it('rejects a duplicate bucket with BucketAlreadyOwnedByYou and keeps the original', async () => {
        await expectCode(store.createBucket(B, 'eu-west-1'), 'BucketAlreadyOwnedByYou');
        expect((await store.getBucket(B))?.region).toBe('us-east-1');
      });

      it('lists buckets in name order', async () => {
        for (const n of ['contract-b', 'contract-a-b', 'contract-a', 'contract-a.b']) await store.createBucket(n, 'us-east-1');
        const names = (await store.listBuckets()).map((b) => b.name);
        expect(names).toEqual(['contract-a', 'contract-a-b', 'contract-a.b', 'contract-b', B]);
      });

      it('reports a missing bucket as undefined and refuses to delete it with NoSuchBucket', async () => {
        expect(await store.getBucket('contract-missing')).toBeUndefined();
        await expectCode(store.deleteBucket('contract-missing'), 'NoSuchBucket');
      });

      it('refuses to delete a non-empty bucket, then deletes it once empty', async () => {
        await put(store, B, 'k', 'v');
        await expectCode(store.deleteBucket(B), 'BucketNotEmpty');
        expect(await store.getBucket(B)).toBeDefined();
        expect((await store.headObject(B, 'k'))?.size).toBe(1);
        expect(await store.deleteObject(B, 'k')).toBe(true);
        await store.deleteBucket(B);
        expect(await store.getBucket(B)).toBeUndefined();
        expect((await store.listBuckets()).map((b) => b.name)).not.toContain(B);
        await expectCode(store.headObject(B, 'k'), 'NoSuchBucket');
      });

      it('deleting a bucket aborts its leftover uploads', async () => {
        const upload = await store.createUpload({ bucket: B, key: 'left/over', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
        await putPart(store, upload, 1, pattern(1000, 1));
        await store.deleteBucket(B);
        expect(await store.getBucket(B)).toBeUndefined();
        await store.createBucket(B, 'us-east-1');
        expect(await store.getUpload(B, upload.uploadId)).toBeUndefined();
        expect(await store.listUploads(B)).toEqual([]);
        expect(await store.listParts(upload)).toEqual([]);
        expect(await store.listObjects(B, { prefix: '', limit: 10 })).toEqual([]);
      });

      it('rejects object operations on a missing bucket with NoSuchBucket', async () => {
        const M = 'contract-missing';
        await expectCode(put(store, M, 'k', 'v'), 'NoSuchBucket');
        await expectCode(store.headObject(M, 'k'), 'NoSuchBucket');
        await expectCode(store.getObject(M, 'k'), 'NoSuchBucket');
        await expectCode(store.deleteObject(M, 'k'), 'NoSuchBucket');
        await expectCode(store.listObjects(M, { prefix: '', limit: 10 }), 'NoSuchBucket');
        await expectCode(store.setTags(M, 'k', []), 'NoSuchBucket');
        await expectCode(store.createUpload({ bucket: M, key: 'k', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] }), 'NoSuchBucket');
        await expectCode(store.listUploads(M), 'NoSuchBucket');
      });
    });

    describe('objects', () => {
      it('round-trips binary data and every attribute through put, head and get', async () => {
        const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
        const attrs: ObjectAttributes = {
          etag: md5hex(data),
          headers: {
            contentType: 'application/vnd.apache.parquet',
            contentEncoding: 'gzip',
            contentDisposition: 'attachment; filename="data.parquet"',
            contentLanguage: 'en-GB',
            cacheControl: 'no-cache',
            expires: 'Thu, 01 Dec 2044 16:00:00 GMT',
          },
          userMetadata: { owner: 'team-a', 'mixed-case-value': 'Hello World' },
          tags: [
            { key: 'layer', value: 'raw' },
            { key: 'pii', value: 'false' },
          ],
          checksum: { algorithm: 'CRC32', value: 'AAAAAA==', type: 'FULL_OBJECT' },
        };
        const sizes: number[] = [];
        const before = Date.now();
        const meta = await store.putObject(B, 'dir/file.bin', body(data), (size) => {
          sizes.push(size);
          return attrs;
        });
        expect(sizes).toEqual([data.length]);
        expect(meta).toMatchObject({ ...attrs, bucket: B, key: 'dir/file.bin', size: data.length });
        expect(meta.lastModified.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(meta.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
        expect(await store.headObject(B, 'dir/file.bin')).toEqual(meta);
        const read = await store.getObject(B, 'dir/file.bin');
        expect(read?.meta).toEqual(meta);
        expect((await readAll(read!.body)).equals(data)).toBe(true);
      });

      it('stores an empty object', async () => {
        const meta = await put(store, B, 'empty', Buffer.alloc(0));
        expect(meta.size).toBe(0);
        expect(meta.etag).toBe(md5hex(Buffer.alloc(0)));
        const read = await store.getObject(B, 'empty');
        expect(read?.meta.size).toBe(0);
        expect((await readAll(read!.body)).length).toBe(0);
      });

      it('reads byte ranges of an object, with the whole object as meta', async () => {
        const data = pattern(1000, 7);
        await put(store, B, 'ranged', data);
        for (const [start, end] of [[0, 9], [10, 19], [500, 500], [990, 999], [0, 999]] as const) {
          const read = await store.getObject(B, 'ranged', { start, end });
          expect(read?.meta.size).toBe(1000);
          expect((await readAll(read!.body)).equals(data.subarray(start, end + 1))).toBe(true);
        }
      });

      it('round-trips a 12 MiB object and ranges across its 5 MiB boundaries', async () => {
        const data = pattern(12 * 1024 * 1024 + 3, 11);
        const meta = await put(store, B, 'big/object', data);
        expect(meta.size).toBe(data.length);
        const read = await store.getObject(B, 'big/object');
        expect(md5hex(await readAll(read!.body))).toBe(md5hex(data));
        const five = 5 * 1024 * 1024;
        for (const [start, end] of [[five - 3, five + 3], [2 * five - 1, 2 * five], [data.length - 2, data.length - 1]] as const) {
          const r = await store.getObject(B, 'big/object', { start, end });
          expect((await readAll(r!.body)).equals(data.subarray(start, end + 1))).toBe(true);
        }
      });

      it('deleteObject removes the object and reports whether one existed', async () => {
        await put(store, B, 'gone', 'bye');
        expect(await store.deleteObject(B, 'gone')).toBe(true);
        expect(await store.deleteObject(B, 'gone')).toBe(false);
        expect(await store.headObject(B, 'gone')).toBeUndefined();
        expect(await store.getObject(B, 'gone')).toBeUndefined();
        expect(await listKeys(store, B)).toEqual([]);
      });

      it('overwriting replaces the bytes and every attribute', async () => {
        await put(store, B, 'k', 'version one', {
          headers: { contentType: 'text/plain', contentLanguage: 'en' },
          userMetadata: { a: '1', b: '2' },
          tags: [{ key: 't', value: 'v' }],
          checksum: { algorithm: 'SHA256', value: createHash('sha256').update('version one').digest('base64'), type: 'FULL_OBJECT' },
        });
        const v2 = await put(store, B, 'k', 'v2', { headers: { contentType: 'application/json' }, userMetadata: { c: '3' } });
        const head = await store.headObject(B, 'k');
        expect(head).toEqual(v2);
        expect(head?.userMetadata).toEqual({ c: '3' });
        expect(head?.tags).toEqual([]);
        expect(head?.checksum).toBeUndefined();
        expect(head?.headers.contentLanguage).toBeUndefined();
        const read = await store.getObject(B, 'k');
        expect((await readAll(read!.body)).toString()).toBe('v2');
        const listed = await store.listObjects(B, { prefix: '', limit: 10 });
        expect(listed.map((m) => [m.key, m.size, m.etag])).toEqual([['k', 2, md5hex(Buffer.from('v2'))]]);
      });

      it('a throwing finalize leaves the previous object intact and makes nothing new visible', async () => {
        const v1 = await put(store, B, 'k', 'original');
        const failing: FinalizeWrite = () => {
          throw StorageErrors.badDigestMd5('x', 'y');
        };
        await expectCode(store.putObject(B, 'k', body('replacement'), failing), 'BadDigest');
        await expectCode(store.putObject(B, 'new', body('never'), async () => Promise.reject(StorageErrors.incompleteBody())), 'IncompleteBody');
        expect(await store.headObject(B, 'k')).toEqual(v1);
        expect((await readAll((await store.getObject(B, 'k'))!.body)).toString()).toBe('original');
        expect(await store.headObject(B, 'new')).toBeUndefined();
        expect(await store.getObject(B, 'new')).toBeUndefined();
        expect(await listKeys(store, B)).toEqual(['k']);
      });

      it('a body that fails mid-stream never calls finalize and changes nothing', async () => {
        const v1 = await put(store, B, 'k', 'original');
        const broken = new PassThrough();
        broken.write(Buffer.alloc(64 * 1024, 1));
        setTimeout(() => broken.destroy(new Error('connection reset')), 10);
        let finalized = false;
        await expect(
          store.putObject(B, 'k', broken, () => {
            finalized = true;
            return attributes(Buffer.alloc(0));
          }),
        ).rejects.toThrow('connection reset');
        expect(finalized).toBe(false);
        expect(await store.headObject(B, 'k')).toEqual(v1);
        expect(await listKeys(store, B)).toEqual(['k']);
      });

      it('the commit condition sees the current object and can veto the write', async () => {
        const seen: (ObjectMeta | undefined)[] = [];
        const v1 = await put(store, B, 'k', 'one', {}, (cur) => void seen.push(cur));
        expect(seen).toEqual([undefined]);
        const v2 = await put(store, B, 'k', 'two', {}, (cur) => void seen.push(cur));
        expect(seen[1]?.etag).toBe(v1.etag);
        const veto: CommitCondition = (cur) => {
          if (cur !== undefined) throw StorageErrors.preconditionFailed('If-None-Match');
        };
        await expectCode(put(store, B, 'k', 'three', {}, veto), 'PreconditionFailed');
        expect(await store.headObject(B, 'k')).toEqual(v2);
        expect((await readAll((await store.getObject(B, 'k'))!.body)).toString()).toBe('two');
        const refuseNew: CommitCondition = (cur) => {
          if (cur === undefined) throw StorageErrors.noSuchKey('fresh');
        };
        await expectCode(put(store, B, 'fresh', 'x', {}, refuseNew), 'NoSuchKey');
        expect(await store.headObject(B, 'fresh')).toBeUndefined();
        await put(store, B, 'fresh', 'x', {}, veto);
        expect((await store.headObject(B, 'fresh'))?.size).toBe(1);
      });

      it('setTags replaces the tags and keeps bytes, other attributes and lastModified', async () => {
        const v1 = await put(store, B, 'tagged', 'payload', { userMetadata: { m: '1' }, tags: [{ key: 'a', value: '1' }] });
        const tags = [
          { key: 'b', value: '2' },
          { key: 'c', value: 'три' },
        ];
        const updated = await store.setTags(B, 'tagged', tags);
        expect(updated).toEqual({ ...v1, tags });
        expect(await store.headObject(B, 'tagged')).toEqual({ ...v1, tags });
        const read = await store.getObject(B, 'tagged');
        expect(read?.meta.tags).toEqual(tags);
        expect((await readAll(read!.body)).toString()).toBe('payload');
        expect((await store.listObjects(B, { prefix: 'tagged', limit: 10 }))[0]?.tags).toEqual(tags);
        expect((await store.setTags(B, 'tagged', []))?.tags).toEqual([]);
        expect((await store.headObject(B, 'tagged'))?.tags).toEqual([]);
        const odd = 'dir/../odd key+é%20/';
        const o1 = await put(store, B, odd, 'odd', { tags: [{ key: 'x', value: 'y' }] });
        expect(await store.setTags(B, odd, tags)).toEqual({ ...o1, tags });
        expect(await store.headObject(B, odd)).toEqual({ ...o1, tags });
        expect(await store.setTags(B, 'absent', tags)).toBeUndefined();
        expect(await store.headObject(B, 'absent')).toBeUndefined();
      });
    });

    describe('listing', () => {
      const KEYS = [
        'a', 'a/b', 'a-c', 'a0', 'a/b/c', 'a b', ' lead', 'a//b', 'dir/', 'dir/x', '../x', 'a/../../b', './y',
        'é', 'e\u0301', '\u{1F600}', '\uE000', '\uFFFD', '~', 'Z', 'z', '%41', '+plus', 'q?x=1&y#h', 'tab\tkey',
      ];

      it('lists every key in UTF-8 byte order and round-trips odd keys', async () => {
        const expected = [...KEYS].sort(byBytes);
        // The set must tell byte order from JavaScript's UTF-16 order, or this case could not fail.
        expect([...KEYS].sort()).not.toEqual(expected);
        const metas = new Map<string, ObjectMeta>();
        for (const k of KEYS) metas.set(k, await put(store, B, k, `body of ${k}`));
        const listed = await store.listObjects(B, { prefix: '', limit: 1000 });
        expect(listed.map((m) => m.key)).toEqual(expected);
        for (const m of listed) expect(m).toEqual(metas.get(m.key));
        for (const k of KEYS) {
          const read = await store.getObject(B, k);
          expect((await readAll(read!.body)).toString()).toBe(`body of ${k}`);
        }
        const paged: string[] = [];
        let from: Buffer | undefined;
        for (;;) {
          const page = await listKeys(store, B, '', from, false, 4);
          paged.push(...page);
          if (page.length < 4) break;
          from = Buffer.from(page[page.length - 1]!, 'utf8');
        }
        expect(paged).toEqual(expected);
      });

      it('keeps each bucket’s keys to itself, even when bucket names share a prefix', async () => {
        await store.createBucket('contract-bucket-2', 'us-east-1');
        await store.createBucket('contract-bucke', 'us-east-1');
        await put(store, B, 'k1', '1');
        await put(store, 'contract-bucket-2', 'k2', '2');
        await put(store, 'contract-bucke', 't/k3', '3');
        expect(await listKeys(store, B)).toEqual(['k1']);
        expect(await listKeys(store, 'contract-bucket-2')).toEqual(['k2']);
        expect(await listKeys(store, 'contract-bucke')).toEqual(['t/k3']);
        expect(await store.headObject(B, 'k2')).toBeUndefined();
        await expectCode(store.deleteBucket('contract-bucket-2'), 'BucketNotEmpty');
      });

      it('pages by prefix, from and fromInclusive, including start positions that are not UTF-8', async () => {
        for (const k of ['o', 'p', 'p/', 'p/1', 'p/2', 'p/20', 'p/3', 'p0', 'q', 'ÿ', 'ÿz', 'Ā']) await put(store, B, k, k);
        expect(await listKeys(store, B, 'p/')).toEqual(['p/', 'p/1', 'p/2', 'p/20', 'p/3']);
        expect(await listKeys(store, B, 'p/', undefined, undefined, 2)).toEqual(['p/', 'p/1']);
        expect(await listKeys(store, B, 'p/', 'p/2', false)).toEqual(['p/20', 'p/3']);
        expect(await listKeys(store, B, 'p/', 'p/2', true)).toEqual(['p/2', 'p/20', 'p/3']);
        expect(await listKeys(store, B, 'p/', 'p/2')).toEqual(['p/20', 'p/3']);
        expect(await listKeys(store, B, 'p/', 'p/25', true)).toEqual(['p/3']);
        expect(await listKeys(store, B, 'p/', 'p/25', false)).toEqual(['p/3']);
        expect(await listKeys(store, B, 'p/', 'a', false)).toEqual(['p/', 'p/1', 'p/2', 'p/20', 'p/3']);
        expect(await listKeys(store, B, 'p/', 'p0', true)).toEqual([]);
        expect(await listKeys(store, B, 'p')).toEqual(['p', 'p/', 'p/1', 'p/2', 'p/20', 'p/3', 'p0']);
        expect(await listKeys(store, B, 'zzz')).toEqual([]);
        expect(await listKeys(store, B, '', 'p/3', false, 2)).toEqual(['p0', 'q']);
        // How listing.ts skips a common prefix: from = the prefix's upper bound, inclusive.
        expect(await listKeys(store, B, '', prefixUpperBound(Buffer.from('p/')), true, 3)).toEqual(['p0', 'q', 'ÿ']);
        expect(await listKeys(store, B, '', Buffer.from([0x70, 0x2f, 0x32, 0xff]), false)).toEqual(['p/3', 'p0', 'q', 'ÿ', 'ÿz', 'Ā']);
        const afterY = prefixUpperBound(Buffer.from('ÿ'))!;
        expect(afterY.equals(Buffer.from([0xc3, 0xc0]))).toBe(true);
        expect(await listKeys(store, B, '', afterY, true)).toEqual(['Ā']);
        expect(await listKeys(store, B, 'ÿ', undefined, undefined, 10)).toEqual(['ÿ', 'ÿz']);
      });
    });

    describe('multipart uploads', () => {
      const newUpload = (key: string, over: Partial<UploadInfo> = {}) =>
        store.createUpload({
          bucket: B,
          key,
          headers: { contentType: 'application/x-parquet', cacheControl: 'max-age=60' },
          userMetadata: { origin: 'multipart' },
          tags: [{ key: 'layer', value: 'raw' }],
          checksumAlgorithm: 'SHA256',
          checksumType: 'COMPOSITE',
          ...over,
        });

      it('creates an upload that getUpload and listUploads find', async () => {
        const upload = await newUpload('mp/key');
        expect(upload).toMatchObject({ bucket: B, key: 'mp/key', checksumAlgorithm: 'SHA256', checksumType: 'COMPOSITE' });
        expect(upload.uploadId).toMatch(/^\S+$/);
        expect(upload.initiated).toBeInstanceOf(Date);
        expect(await store.getUpload(B, upload.uploadId)).toEqual(upload);
        const other = await newUpload('mp/other', { checksumAlgorithm: undefined, checksumType: undefined });
        const listed = await store.listUploads(B);
        expect(listed.map((u) => u.uploadId).sort()).toEqual([upload.uploadId, other.uploadId].sort());
        expect(listed.find((u) => u.uploadId === other.uploadId)).toEqual(other);
        expect(await store.getUpload(B, 'no-such-upload')).toBeUndefined();
        await store.createBucket('contract-else', 'us-east-1');
        expect(await store.getUpload('contract-else', upload.uploadId)).toBeUndefined();
        expect(await store.headObject(B, 'mp/key')).toBeUndefined();
      });

      it('puts, replaces and lists parts, then completes with a subset in order', async () => {
        const upload = await newUpload('mp/object');
        const p1 = await putPart(store, upload, 1, pattern(MIN_PART_SIZE, 1));
        const p2old = await putPart(store, upload, 2, pattern(MIN_PART_SIZE, 2));
        const tail = pattern(1234, 3);
        const p3 = await putPart(store, upload, 3, tail);
        const replacement = pattern(MIN_PART_SIZE + 17, 22);
        const p2 = await putPart(store, upload, 2, replacement);
        expect(p2.etag).not.toBe(p2old.etag);
        expect(p2).toMatchObject({ partNumber: 2, size: MIN_PART_SIZE + 17, etag: md5hex(replacement) });
        const listed = await store.listParts(upload);
        const strip = ({ lastModified: _l, ...p }: PartInfo) => p;
        expect(listed.map(strip)).toEqual([p1, p2, p3].map(strip));
        expect(listed.every((p) => p.lastModified instanceof Date)).toBe(true);
        expect(listed[1]?.md5.equals(createHash('md5').update(replacement).digest())).toBe(true);

        const attrs = multipartAttributes([p2, p3]);
        const meta = await store.completeUpload(upload, [p2, p3], attrs);
        expect(meta).toMatchObject({ ...attrs, bucket: B, key: 'mp/object', size: replacement.length + tail.length });
        expect(await store.headObject(B, 'mp/object')).toEqual(meta);
        const whole = Buffer.concat([replacement, tail]);
        const read = await store.getObject(B, 'mp/object');
        expect(read?.meta).toEqual(meta);
        expect(md5hex(await readAll(read!.body))).toBe(md5hex(whole));
        const across = { start: replacement.length - 10, end: replacement.length + 4 };
        const r = await store.getObject(B, 'mp/object', across);
        expect((await readAll(r!.body)).equals(whole.subarray(across.start, across.end + 1))).toBe(true);
        const inTail = { start: replacement.length + 100, end: replacement.length + 199 };
        const r2 = await store.getObject(B, 'mp/object', inTail);
        expect((await readAll(r2!.body)).equals(tail.subarray(100, 200))).toBe(true);

        expect(await store.getUpload(B, upload.uploadId)).toBeUndefined();
        expect(await store.listUploads(B)).toEqual([]);
        expect(await store.listParts(upload)).toEqual([]);
        expect((await store.listObjects(B, { prefix: 'mp/', limit: 10 }))).toEqual([meta]);
      });

      it('abortUpload discards the parts and the upload, and makes no object', async () => {
        const upload = await newUpload('mp/aborted');
        await putPart(store, upload, 1, pattern(2000, 1));
        await putPart(store, upload, 2, pattern(3000, 2));
        expect(await store.listParts(upload)).toHaveLength(2);
        await store.abortUpload(upload);
        expect(await store.getUpload(B, upload.uploadId)).toBeUndefined();
        expect(await store.listUploads(B)).toEqual([]);
        expect(await store.listParts(upload)).toEqual([]);
        expect(await store.headObject(B, 'mp/aborted')).toBeUndefined();
        await expectCode(store.abortUpload(upload), 'NoSuchUpload');
        await expectCode(putPart(store, upload, 3, pattern(10, 3)), 'NoSuchUpload');
        await expectCode(store.completeUpload(upload, [], multipartAttributes([])), 'NoSuchUpload');
      });

      it('rejects unknown upload ids with NoSuchUpload', async () => {
        const real = await newUpload('mp/real');
        const fake: UploadInfo = { ...real, uploadId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
        await expectCode(putPart(store, fake, 1, pattern(10, 1)), 'NoSuchUpload');
        await expectCode(store.completeUpload(fake, [], multipartAttributes([])), 'NoSuchUpload');
        await expectCode(store.abortUpload(fake), 'NoSuchUpload');
        expect(await store.listParts(real)).toEqual([]);
      });

      it('completeUpload rejects a part whose etag does not match with InvalidPart and keeps the upload', async () => {
        const upload = await newUpload('mp/invalid');
        const p1 = await putPart(store, upload, 1, pattern(100, 1));
        await expectCode(store.completeUpload(upload, [{ ...p1, etag: md5hex(Buffer.from('other')) }], multipartAttributes([p1])), 'InvalidPart');
        await expectCode(store.completeUpload(upload, [{ ...p1, partNumber: 2 }], multipartAttributes([p1])), 'InvalidPart');
        expect(await store.getUpload(B, upload.uploadId)).toBeDefined();
        expect(await store.headObject(B, 'mp/invalid')).toBeUndefined();
        const meta = await store.completeUpload(upload, [p1], multipartAttributes([p1]));
        expect(meta.size).toBe(100);
      });

      it('a throwing part finalize keeps the previous part', async () => {
        const upload = await newUpload('mp/part-fail');
        const p1 = await putPart(store, upload, 1, pattern(500, 1));
        await expectCode(
          store.putPart(upload, 1, body(pattern(600, 2)), () => {
            throw StorageErrors.badDigestChecksum('SHA256');
          }),
          'BadDigest',
        );
        const listed = await store.listParts(upload);
        expect(listed.map((p) => [p.partNumber, p.etag, p.size])).toEqual([[1, p1.etag, 500]]);
      });

      it('completeUpload checks the condition, keeps the upload when it fails, and replaces the object when it holds', async () => {
        const v1 = await put(store, B, 'mp/cond', 'simple version');
        const upload = await newUpload('mp/cond');
        const p1 = await putPart(store, upload, 1, pattern(4096, 5));
        const seen: (ObjectMeta | undefined)[] = [];
        await expectCode(
          store.completeUpload(upload, [p1], multipartAttributes([p1]), (cur) => {
            seen.push(cur);
            throw StorageErrors.preconditionFailed('If-None-Match');
          }),
          'PreconditionFailed',
        );
        expect(seen.map((m) => m?.etag)).toEqual([v1.etag]);
        expect(await store.headObject(B, 'mp/cond')).toEqual(v1);
        expect(await store.getUpload(B, upload.uploadId)).toEqual(upload);
        const meta = await store.completeUpload(upload, [p1], multipartAttributes([p1]), (cur) => void seen.push(cur));
        expect(seen).toHaveLength(2);
        expect(await store.headObject(B, 'mp/cond')).toEqual(meta);
        expect(meta.parts).toEqual([{ size: 4096, checksum: p1.checksum?.value }]);
        expect((await readAll((await store.getObject(B, 'mp/cond'))!.body)).equals(pattern(4096, 5))).toBe(true);
        const v3 = await put(store, B, 'mp/cond', 'simple again');
        expect((await store.headObject(B, 'mp/cond'))?.parts).toBeUndefined();
        expect(await store.headObject(B, 'mp/cond')).toEqual(v3);
      });
    });

    describe('concurrency', () => {
      it('a read stream opened before overwrites and a delete returns the old bytes completely', async () => {
        const v1 = pattern(2 * 1024 * 1024, 1);
        const v2 = pattern(2 * 1024 * 1024 + 5, 2);
        await put(store, B, 'hot', v1);
        const r1 = await store.getObject(B, 'hot');
        await put(store, B, 'hot', v2);
        const r2 = await store.getObject(B, 'hot');
        await put(store, B, 'hot', 'v3');
        expect(await store.deleteObject(B, 'hot')).toBe(true);
        expect(md5hex(await readAll(r1!.body))).toBe(md5hex(v1));
        expect(md5hex(await readAll(r2!.body))).toBe(md5hex(v2));
        expect(r1?.meta.etag).toBe(md5hex(v1));
        expect(r2?.meta.etag).toBe(md5hex(v2));
        expect(await store.getObject(B, 'hot')).toBeUndefined();
      });

      it('a range read of a multipart object survives an overwrite', async () => {
        const upload = await store.createUpload({ bucket: B, key: 'hot-mp', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
        const a = pattern(MIN_PART_SIZE, 8);
        const b = pattern(70_000, 9);
        const parts = [await putPart(store, upload, 1, a), await putPart(store, upload, 2, b)];
        await store.completeUpload(upload, parts, multipartAttributes(parts));
        const range = { start: MIN_PART_SIZE - 1000, end: MIN_PART_SIZE + 60_000 };
        const r = await store.getObject(B, 'hot-mp', range);
        await put(store, B, 'hot-mp', 'replaced');
        expect(await store.deleteObject(B, 'hot-mp')).toBe(true);
        const got = await readAll(r!.body);
        expect(got.equals(Buffer.concat([a, b]).subarray(range.start, range.end + 1))).toBe(true);
      });

      it('concurrent writers to one key leave exactly one complete version', async () => {
        const bodies = Array.from({ length: 6 }, (_, i) => pattern(50_000 + i, 100 + i));
        await Promise.all(bodies.map((d) => put(store, B, 'contended', d)));
        const read = await store.getObject(B, 'contended');
        const got = await readAll(read!.body);
        const winner = bodies.find((d) => d.equals(got));
        expect(winner).toBeDefined();
        expect(read?.meta.etag).toBe(md5hex(winner!));
        expect(read?.meta.size).toBe(winner!.length);
        expect(await listKeys(store, B)).toEqual(['contended']);
      });
    });
  });

  describe(`ObjectStore contract at scale: ${name}`, () => {
    let fixture: ObjectStoreFixture | undefined;

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('lists every one of many keys exactly once, in byte order, 1000 at a time', async () => {
      fixture = await make('scale');
      const { store } = fixture;
      const n = fixture.scale ?? 2000;
      await store.createBucket('scale', 'us-east-1');
      // Unpadded numbers under a few prefixes, inserted in a scrambled order: byte order differs from both.
      const keys = Array.from({ length: n }, (_, i) => `${['logs', 'logs-x', 'logs/'][i % 3]}${i}`);
      const order = keys.map((_, i) => (i * 7919) % n);
      expect(new Set(order).size).toBe(n);
      let next = 0;
      const one = Buffer.from('x');
      const attrs = attributes(one);
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < n) {
            const key = keys[order[next++]!]!;
            await store.putObject('scale', key, body(one), () => attrs);
          }
        }),
      );
      const expected = [...keys].sort(byBytes);
      const seen: string[] = [];
      let from: Buffer | undefined;
      for (;;) {
        const page = await store.listObjects('scale', { prefix: '', from, limit: 1000 });
        expect(page.length).toBeLessThanOrEqual(1000);
        for (const m of page) expect(m.size).toBe(1);
        seen.push(...page.map((m) => m.key));
        if (page.length < 1000) break;
        from = Buffer.from(page[page.length - 1]!.key, 'utf8');
      }
      expect(seen.length).toBe(n);
      expect(seen).toEqual(expected);
      const slash = await store.listObjects('scale', { prefix: 'logs/', limit: n });
      expect(slash.map((m) => m.key)).toEqual(expected.filter((k) => k.startsWith('logs/')));
    }, 300_000);
  });
}
