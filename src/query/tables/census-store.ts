/** JSON key censuses kept in SQLite across restarts, keyed like the in-memory cache (local path, size, mtime); a cache: entries that fail to parse are recomputed. */
import type Database from 'better-sqlite3';
import type { CensusStore, DuplicateKeys, FileCensus, KeySpelling } from './json-key-census.js';

/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 200_000;
/** Writes between two checks of the bound. */
const PRUNE_EVERY = 1_000;
const VERSION = 1;

const DUPLICATES: readonly DuplicateKeys[] = ['none', 'folded', 'exact'];

function decode(doc: string): FileCensus | undefined {
  try {
    const d = JSON.parse(doc) as Record<string, unknown>;
    if (d.v !== VERSION || typeof d.aligned !== 'boolean' || typeof d.records !== 'number' || typeof d.objects !== 'number') return undefined;
    if (!DUPLICATES.includes(d.duplicateKeys as DuplicateKeys)) return undefined;
    let keys: KeySpelling[] | undefined;
    if (d.keys !== null) {
      if (!Array.isArray(d.keys)) return undefined;
      keys = [];
      for (const k of d.keys as unknown[]) {
        if (!Array.isArray(k) || typeof k[0] !== 'string' || typeof k[1] !== 'string') return undefined;
        keys.push({ spelling: k[0], lower: k[1] });
      }
    }
    return { aligned: d.aligned, keys, records: d.records, objects: d.objects, duplicateKeys: d.duplicateKeys as DuplicateKeys };
  } catch {
    return undefined;
  }
}

function encode(c: FileCensus): string {
  return JSON.stringify({
    v: VERSION,
    aligned: c.aligned,
    keys: c.keys === undefined ? null : c.keys.map((k) => [k.spelling, k.lower]),
    records: c.records,
    objects: c.objects,
    duplicateKeys: c.duplicateKeys,
  });
}

export class SqliteCensusStore implements CensusStore {
  readonly #get;
  readonly #put;
  readonly #prune;
  #writes = 0;

  constructor(
    db: Database.Database,
    private readonly maxEntries = MAX_ENTRIES,
    private readonly pruneEvery = PRUNE_EVERY,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS json_census (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
    this.#get = db.prepare<[string], { doc: string }>('SELECT doc FROM json_census WHERE key = ?');
    this.#put = db.prepare<[string, string]>('INSERT OR REPLACE INTO json_census (key, doc) VALUES (?, ?)');
    this.#prune = db.prepare<[number]>('DELETE FROM json_census WHERE id <= (SELECT max(id) FROM json_census) - ?');
  }

  get(key: string): FileCensus | undefined {
    const row = this.#get.get(key);
    return row === undefined ? undefined : decode(row.doc);
  }

  put(key: string, census: FileCensus): void {
    this.#put.run(key, encode(census));
    if (++this.#writes % this.pruneEvery === 0) this.#prune.run(this.maxEntries);
  }
}
