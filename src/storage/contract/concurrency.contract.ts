/** ObjectStore contract cases: concurrency. `current()` is the fresh store each case runs against; bucket `B` exists. */
import { beforeEach, describe, expect, it } from 'vitest';
import { MIN_PART_SIZE } from '../multipart-service.js';
import type { ObjectStore } from '../object-store.js';
import { listKeys, md5hex, multipartAttributes, pattern, put, putPart, readAll } from './helpers.contract.js';

export function describeConcurrencyCases(current: () => ObjectStore, B: string): void {
  describe('concurrency', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = current();
    });

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
}
