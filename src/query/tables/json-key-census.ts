/** Per-file census of JSON-lines files (top-level key spellings; whether DuckDB's NDJSON reader sees the lines Athena sees; whether a line repeats a key), computed by the engine and cached in memory by local path, size and mtime. */
import { stat } from 'node:fs/promises';
import { isObject, jsonLines, ndjsonRecords } from './json-lines.js';
import type { FileRef } from './serde-readers.js';

/**
 * What one file holds. `aligned` when DuckDB's NDJSON reader sees exactly the lines Athena sees and every one is a JSON
 * object: each record is a JSON object whose text has no `\r` inside (Athena splits lines on a lone `\r` too, and
 * read_json only on `\n`). Then read_json can stand in for the lines reader, and `keys` come from its records;
 * otherwise `keys` come from the lines reader's JSON-object lines.
 */
export interface FileCensus {
  readonly aligned: boolean;
  /** Distinct top-level key spellings, each with DuckDB's `lower()` of it; undefined past the key limit. */
  readonly keys: readonly KeySpelling[] | undefined;
  /** Records read_json reads, and how many of them are JSON objects. */
  readonly records: number;
  readonly objects: number;
  /**
   * Whether some JSON-object line repeats a top-level key: `exact` (the same spelling twice, so also `folded`), `folded`
   * (only spellings equal after DuckDB's `lower()`), or `none`. A reader treats any other value as unknown.
   */
  readonly duplicateKeys: DuplicateKeys;
}

export type DuplicateKeys = 'none' | 'folded' | 'exact';

export interface KeySpelling {
  readonly spelling: string;
  readonly lower: string;
}

/** A file whose census could not be taken (the engine failed on it): only the generic reading path applies. */
export const UNKNOWN_CENSUS = 'unknown';
export type CensusEntry = FileCensus | typeof UNKNOWN_CENSUS;

/** Runs one SQL query on the query's engine session, returning its rows as text. */
export interface CensusRunner {
  rows(sql: string): Promise<readonly (readonly (string | null)[])[]>;
}

/** The census port the relation builder depends on. */
export interface JsonCensusPort {
  /** The census of every file (keyed by path); files the engine failed on are UNKNOWN_CENSUS. Aborts rethrow. */
  census(files: readonly FileRef[], runner: CensusRunner): Promise<ReadonlyMap<string, CensusEntry>>;
}

/** Censuses kept across restarts (census-store.ts), consulted when the in-memory cache misses. */
export interface CensusStore {
  get(key: string): FileCensus | undefined;
  put(key: string, census: FileCensus): void;
}

export interface JsonKeyCensusOptions {
  /** Where censuses outlive the process; without one they are taken again after a restart. */
  readonly store?: CensusStore | undefined;
  /** Cache budget in key spellings (each file also counts 1). */
  readonly maxWeight?: number;
  /** A file with more distinct top-level keys than this is recorded without its keys. */
  readonly maxKeysPerFile?: number;
  /** Errors that must propagate (the query was interrupted) rather than mark files UNKNOWN_CENSUS. */
  readonly isAbort?: (err: unknown) => boolean;
  /** Size and mtime of a local file (tests replace it). */
  readonly stat?: (path: string) => Promise<{ size: number; mtimeMs: number }>;
}

/** The distinct key lists of a file's JSON-object lines (aggregate over `ks`, one line's `json_keys`). */
const KEY_LISTS = 'list(DISTINCT ks) FILTER (WHERE ks IS NOT NULL)';
const keyPairs = (lists: string): string => `CAST(to_json(list_transform(list_distinct(flatten(coalesce(${lists}, []))), k -> [k, lower(k)])) AS VARCHAR)`;
/**
 * `DuplicateKeys` of a file from its distinct key lists (`json_keys` keeps repeated keys, in order): computed once per
 * distinct list after the aggregation, so the census does no more work per line than before.
 */
const duplicates = (lists: string): string => {
  const some = (distinct: string): string => `len(list_filter(coalesce(${lists}, []), l -> len(${distinct}) < len(l))) > 0`;
  return `CASE WHEN ${some('list_distinct(l)')} THEN 'exact' WHEN ${some('list_distinct(list_transform(l, k -> lower(k)))')} THEN 'folded' ELSE 'none' END`;
};

/** First census query, over DuckDB's NDJSON view: file, records, objects, objects with a `\r` inside, keys JSON, duplicate keys. */
export function recordCensusSql(files: readonly FileRef[]): string {
  const ks = `CASE WHEN starts_with(json, '{') THEN json_keys(json) END`;
  return (
    `SELECT filename, n, objects, split, ${keyPairs('lists')}, ${duplicates('lists')} FROM (` +
    `SELECT filename, count(*) AS n, count(ks) AS objects, count(ks) FILTER (WHERE contains(json, chr(13))) AS split, ${KEY_LISTS} AS lists ` +
    `FROM (SELECT filename, json, ${ks} AS ks FROM ${ndjsonRecords(files)}) GROUP BY filename)`
  );
}

/** Second census query, for files that are not aligned, over the lines Athena sees: file, keys JSON, duplicate keys. */
export function lineCensusSql(files: readonly FileRef[]): string {
  const ks = `CASE WHEN ${isObject('body')} THEN json_keys(body) END`;
  return (
    `SELECT filename, ${keyPairs('lists')}, ${duplicates('lists')} FROM (` +
    `SELECT filename, ${KEY_LISTS} AS lists FROM (SELECT filename, ${ks} AS ks FROM ${jsonLines(files)}) GROUP BY filename)`
  );
}

const duplicateKeys = (v: string | null | undefined): DuplicateKeys => (v === 'exact' || v === 'folded' || v === 'none' ? v : 'exact');

function parseKeys(json: string | null, max: number): KeySpelling[] | undefined {
  const pairs = JSON.parse(json ?? '[]') as [string, string][];
  return pairs.length > max ? undefined : pairs.map(([spelling, lower]) => ({ spelling, lower }));
}

/** Files stat'ed at once. */
const STAT_BATCH = 64;

const EMPTY: FileCensus = { aligned: true, keys: [], records: 0, objects: 0, duplicateKeys: 'none' };

interface Cached {
  readonly entry: CensusEntry;
  readonly weight: number;
}

/** The census with a bounded in-memory cache (least recently used evicted); objects are immutable per local file version. */
export class JsonKeyCensus implements JsonCensusPort {
  readonly #cache = new Map<string, Cached>();
  #weight = 0;
  readonly #maxWeight: number;
  readonly #maxKeys: number;
  readonly #isAbort: (err: unknown) => boolean;
  readonly #stat: (path: string) => Promise<{ size: number; mtimeMs: number }>;
  readonly #store: CensusStore | undefined;

  constructor(options: JsonKeyCensusOptions = {}) {
    this.#store = options.store;
    this.#maxWeight = options.maxWeight ?? 250_000;
    this.#maxKeys = options.maxKeysPerFile ?? 10_000;
    this.#isAbort = options.isAbort ?? (() => false);
    this.#stat = options.stat ?? ((path) => stat(path));
  }

  /** Cached files (for tests and metrics). */
  get size(): number {
    return this.#cache.size;
  }

  async census(files: readonly FileRef[], runner: CensusRunner): Promise<ReadonlyMap<string, CensusEntry>> {
    const out = new Map<string, CensusEntry>();
    const missing: { file: FileRef; key: string }[] = [];
    const unique = [...new Map(files.map((f) => [f.path, f])).values()];
    for (let i = 0; i < unique.length; i += STAT_BATCH) {
      const batch = unique.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((f) => this.#stat(f.path).catch(() => undefined)));
      batch.forEach((file, j) => {
        const s = stats[j];
        if (s === undefined) return void out.set(file.path, UNKNOWN_CENSUS);
        const key = `${file.path}\0${s.size}\0${s.mtimeMs}`;
        const hit = this.#cache.get(key);
        if (!hit) {
          const stored = this.#store?.get(key);
          if (stored === undefined) return void missing.push({ file, key });
          this.#remember(key, stored);
          return void out.set(file.path, stored);
        }
        this.#cache.delete(key);
        this.#cache.set(key, hit);
        out.set(file.path, hit.entry);
      });
    }
    if (missing.length === 0) return out;
    let taken: Map<string, CensusEntry>;
    try {
      taken = await this.#take(missing.map((m) => m.file), runner);
    } catch (err) {
      if (this.#isAbort(err) || missing.length === 1) throw err;
      // One file failed the batch: take each file alone so only the failing ones fall back.
      taken = new Map();
      for (const m of missing) {
        try {
          for (const [path, c] of await this.#take([m.file], runner)) taken.set(path, c);
        } catch (e) {
          if (this.#isAbort(e)) throw e;
          taken.set(m.file.path, UNKNOWN_CENSUS);
        }
      }
    }
    for (const m of missing) {
      const entry = taken.get(m.file.path) ?? UNKNOWN_CENSUS;
      out.set(m.file.path, entry);
      this.#remember(m.key, entry);
      // A failed census may be transient (a file being replaced): only real ones are kept across restarts.
      if (entry !== UNKNOWN_CENSUS) this.#store?.put(m.key, entry);
    }
    return out;
  }

  async #take(files: readonly FileRef[], runner: CensusRunner): Promise<Map<string, CensusEntry>> {
    try {
      const out = new Map<string, CensusEntry>(files.map((f) => [f.path, EMPTY]));
      for (const r of await runner.rows(recordCensusSql(files))) {
        const [records, objects, split] = [Number(r[1]), Number(r[2]), Number(r[3])];
        const entry: FileCensus = { aligned: objects === records && split === 0, keys: parseKeys(r[4] ?? null, this.#maxKeys), records, objects, duplicateKeys: duplicateKeys(r[5]) };
        out.set(String(r[0]), entry);
      }
      const unaligned = files.filter((f) => !(out.get(f.path) as FileCensus).aligned);
      if (unaligned.length > 0) {
        // Keys and duplicates of these files are those of the lines Athena sees, not of read_json's records.
        for (const f of unaligned) out.set(f.path, { ...(out.get(f.path) as FileCensus), keys: [], duplicateKeys: 'none' });
        for (const r of await runner.rows(lineCensusSql(unaligned))) {
          const c = out.get(String(r[0]));
          if (c !== undefined && c !== UNKNOWN_CENSUS) out.set(String(r[0]), { ...c, keys: parseKeys(r[1] ?? null, this.#maxKeys), duplicateKeys: duplicateKeys(r[2]) });
        }
      }
      return out;
    } catch (err) {
      if (files.length === 1 && !this.#isAbort(err)) return new Map([[files[0]!.path, UNKNOWN_CENSUS]]);
      throw err;
    }
  }

  #remember(key: string, entry: CensusEntry): void {
    const weight = 1 + (entry === UNKNOWN_CENSUS ? 0 : (entry.keys?.length ?? 0));
    if (weight > this.#maxWeight) return;
    const old = this.#cache.get(key);
    if (old) this.#weight -= old.weight;
    this.#cache.delete(key);
    this.#cache.set(key, { entry, weight });
    this.#weight += weight;
    for (const [k, v] of this.#cache) {
      if (this.#weight <= this.#maxWeight) break;
      this.#cache.delete(k);
      this.#weight -= v.weight;
    }
  }
}
