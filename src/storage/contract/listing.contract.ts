/** ObjectStore contract cases: listing. `current()` is the fresh store each case runs against; bucket `B` exists. */
import { beforeEach, describe, expect, it } from 'vitest';
import { prefixUpperBound } from '../key-order.js';
import type { ObjectMeta } from '../model.js';
import type { ObjectStore } from '../object-store.js';
import { byBytes, expectCode, listKeys, put, readAll } from './helpers.contract.js';

export function describeListingCases(current: () => ObjectStore, B: string): void {
  describe('listing', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = current();
    });

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
}
