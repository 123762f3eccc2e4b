/** ObjectStore contract cases: multipart. `current()` is the fresh store each case runs against; bucket `B` exists. */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { StorageErrors } from '../errors.js';
import type { ObjectMeta, PartInfo, UploadInfo } from '../model.js';
import { MIN_PART_SIZE } from '../multipart-service.js';
import type { ObjectStore } from '../object-store.js';
import { body, expectCode, md5hex, multipartAttributes, pattern, put, putPart, readAll } from './helpers.contract.js';

export function describeMultipartCases(current: () => ObjectStore, B: string): void {
  describe('multipart uploads', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = current();
    });

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
}
