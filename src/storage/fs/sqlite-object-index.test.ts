/** SqliteObjectIndex caches never serve what a rolled-back (sub)transaction wrote, and follow a transaction’s writes in order. */
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObjectMeta } from '../model.js';
import { SqliteObjectIndex } from './sqlite-object-index.js';

const meta = (key: string, etag: string): ObjectMeta => ({
  bucket: 'b',
  key,
  size: 3,
  etag,
  lastModified: new Date(1_700_000_000_000),
  headers: { contentType: 'text/plain' },
  userMetadata: {},
  tags: [],
});

describe('SqliteObjectIndex caches', () => {
  let idx: SqliteObjectIndex;

  beforeEach(() => {
    idx = new SqliteObjectIndex(new Database(':memory:'));
    idx.insertBucket({ name: 'b', creationDate: new Date(), region: 'us-east-1' });
  });

  const put = (key: string, etag: string, bytes: string): void => {
    const ref = idx.insertInline(Buffer.from(bytes));
    idx.putObject(meta(key, etag), [ref]);
  };
  const read = (key: string): { etag: string; bytes: string } | undefined => {
    const s = idx.getObject('b', key);
    if (!s) return undefined;
    return { etag: s.meta.etag, bytes: idx.getInline(s.blobs[0]!.path)!.toString() };
  };

  it('a transaction that fails after writing leaves no cache entry behind', () => {
    expect(() =>
      idx.transaction(() => {
        put('k', 'e1', 'one');
        throw new Error('fails after its writes');
      }),
    ).toThrow('fails after its writes');
    expect(read('k')).toBeUndefined();
    // Nothing queued by the failed transaction may surface when the next one commits.
    idx.transaction(() => put('other', 'o1', 'O-1'));
    expect(read('k')).toBeUndefined();
    expect(read('other')).toEqual({ etag: 'o1', bytes: 'O-1' });
  });

  it('a failed savepoint drops its entries while the rest of the batch commits them', () => {
    idx.transaction(() => {
      idx.transaction(() => put('a', 'a1', 'A-1'));
      expect(() =>
        idx.transaction(() => {
          put('a', 'a2', 'A-2');
          put('c', 'c1', 'C-1');
          throw new Error('op fails');
        }),
      ).toThrow('op fails');
      idx.transaction(() => put('b', 'b1', 'B-1'));
    });
    expect(read('a')).toEqual({ etag: 'a1', bytes: 'A-1' });
    expect(read('b')).toEqual({ etag: 'b1', bytes: 'B-1' });
    expect(read('c')).toBeUndefined();
  });

  it('applies a transaction’s writes in order: a delete after a put in the same transaction wins', () => {
    put('k', 'e0', 'zero');
    expect(read('k')?.etag).toBe('e0');
    idx.transaction(() => {
      const old = idx.getObject('b', 'k')!;
      idx.dropInline(old.blobs);
      put('k', 'e1', 'one');
      const now = idx.getObject('b', 'k')!;
      idx.dropInline(now.blobs);
      idx.deleteObject('b', 'k');
    });
    expect(read('k')).toBeUndefined();
  });
});
