/** The shared behaviour suite every ObjectStore adapter must pass: `describeObjectStoreContract(name, make)` registers vitest cases. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from './object-store.js';
import { attributes, body, byBytes, type ObjectStoreFactory, type ObjectStoreFixture } from './contract/helpers.contract.js';
import { describeBucketCases } from './contract/buckets.contract.js';
import { describeObjectCases } from './contract/objects.contract.js';
import { describeListingCases } from './contract/listing.contract.js';
import { describeMultipartCases } from './contract/multipart.contract.js';
import { describeConcurrencyCases } from './contract/concurrency.contract.js';

export type { ObjectStoreFactory, ObjectStoreFixture } from './contract/helpers.contract.js';

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

    describeBucketCases(() => store, B);
    describeObjectCases(() => store, B);
    describeListingCases(() => store, B);
    describeMultipartCases(() => store, B);
    describeConcurrencyCases(() => store, B);
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
