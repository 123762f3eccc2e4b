/** ObjectStore contract cases: buckets. `current()` is the fresh store each case runs against; bucket `B` exists. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../object-store.js';
import { expectCode, pattern, put, putPart } from './helpers.contract.js';

export function describeBucketCases(current: () => ObjectStore, B: string): void {
  describe('buckets', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = current();
    });

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
}
