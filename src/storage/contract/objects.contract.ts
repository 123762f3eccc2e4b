/** ObjectStore contract cases: objects. `current()` is the fresh store each case runs against; bucket `B` exists. */
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { StorageErrors } from '../errors.js';
import type { ObjectAttributes, ObjectMeta } from '../model.js';
import type { CommitCondition, FinalizeWrite } from '../object-store.js';
import type { ObjectStore } from '../object-store.js';
import { attributes, body, expectCode, listKeys, md5hex, pattern, put, readAll } from './helpers.contract.js';

export function describeObjectCases(current: () => ObjectStore, B: string): void {
  describe('objects', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = current();
    });

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
}
