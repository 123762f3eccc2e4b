/** SqliteCensusStore: round trip of every field, the newest entries kept within the bound. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteCensusStore } from './census-store.js';
import type { FileCensus } from './json-key-census.js';

const census = (n: number): FileCensus => ({ aligned: n % 2 === 0, keys: [{ spelling: `K${n}`, lower: `k${n}` }], records: n, objects: n - 1, duplicateKeys: 'folded' });

describe('SqliteCensusStore', () => {
  it('returns what was put, including a census recorded without its keys', () => {
    const store = new SqliteCensusStore(new Database(':memory:'));
    store.put('a', census(4));
    store.put('b', { aligned: false, keys: undefined, records: 3, objects: 3, duplicateKeys: 'none' });
    expect(store.get('a')).toEqual(census(4));
    expect(store.get('b')).toEqual({ aligned: false, keys: undefined, records: 3, objects: 3, duplicateKeys: 'none' });
    expect(store.get('c')).toBeUndefined();
  });

  it('keeps only the newest entries once past its bound', () => {
    const store = new SqliteCensusStore(new Database(':memory:'), 5, 10);
    for (let i = 1; i <= 30; i++) store.put(`k${i}`, census(i));
    // Pruned after the 30th write: the 5 newest remain.
    expect(store.get('k25')).toBeUndefined();
    for (let i = 26; i <= 30; i++) expect(store.get(`k${i}`)).toEqual(census(i));
  });
});
