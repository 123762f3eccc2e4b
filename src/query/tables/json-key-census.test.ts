/** The JSON key census: spellings and counts as both readers see them, one engine query per batch of uncached files, cache keyed by path/size/mtime and bounded, failing files isolated. */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { SqliteCensusStore } from './census-store.js';
import { JsonKeyCensus, UNKNOWN_CENSUS, type CensusRunner, type FileCensus } from './json-key-census.js';
import type { FileRef } from './serde-readers.js';

let dir: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakebox-census-'));
  duck = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await duck.connect();
});

afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** A runner on the test connection that counts its queries. */
function counting(): CensusRunner & { calls: number } {
  const r = {
    calls: 0,
    async rows(sql: string) {
      r.calls++;
      return (await conn.runAndReadAll(sql)).getRowsJson().map((row) => row.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))));
    },
  };
  return r;
}

async function file(name: string, text: string | Buffer): Promise<FileRef> {
  const path = join(dir, name);
  await writeFile(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return { path, uri: `s3://b/${name}` };
}

const spellings = (c: unknown): string[] => ((c as FileCensus).keys ?? []).map((k) => k.spelling).sort();

describe('JsonKeyCensus', () => {
  it('lists distinct top-level spellings, from read_json records when aligned, else from the lines Athena sees', async () => {
    const a = await file('a.json.gz', '{"Id":1,"name":"x","nested":{"Inner":1}}\n{"id":2,"Name":"y"}\n\n   \n{"Id":3}\n');
    const b = await file('b.json', '{"x":1}\r{"X":2}\n[1]\n{oops\n\t\n');
    const c = await file('c.json', '');
    const census = await new JsonKeyCensus().census([a, b, c], counting());
    expect(census.get(a.path)).toMatchObject({ aligned: true, records: 3, objects: 3 });
    expect(spellings(census.get(a.path))).toEqual(['Id', 'Name', 'id', 'name', 'nested']);
    expect((census.get(a.path) as FileCensus).keys).toContainEqual({ spelling: 'Name', lower: 'name' });
    // Lines reader: {"x":1} / {"X":2} / [1] / {oops; read_json: one malformed record for the \r line, [1], {oops.
    expect(census.get(b.path)).toMatchObject({ aligned: false, records: 3, objects: 0 });
    expect(spellings(census.get(b.path))).toEqual(['X', 'x']);
    expect(census.get(c.path)).toEqual({ aligned: true, keys: [], records: 0, objects: 0, duplicateKeys: 'none' });
  });

  it('records whether a JSON-object line repeats a top-level key, exactly or once lower-cased, in the lines Athena sees', async () => {
    const none = await file('dup-none.json', '{"a":1,"b":{"x":1,"x":2}}\n{"A":2}\n[1,1]\n{oops,"a":1,"a":2}\n');
    const folded = await file('dup-folded.json.gz', '{"a":1}\n{"Ab":1,"x":0,"aB":2}\n');
    const exact = await file('dup-exact.json', '{"a":1,"A":2}\n{"a":1,"b":2,"a":3}\n');
    // read_json sees one record repeating "a"; Athena splits it at the \r into two malformed lines.
    const split = await file('dup-split.json', '{"a":1,\r"a":2}\n{"b":1}\n');
    // read_json sees one malformed record; Athena sees two lines, the second repeating "a" once lower-cased.
    const hidden = await file('dup-hidden.json', '{"a":1}\r{"a":2,"A":3}\n');
    const runner = counting();
    const census = await new JsonKeyCensus().census([none, folded, exact, split, hidden], runner);
    expect(runner.calls).toBe(2);
    expect(census.get(none.path)).toMatchObject({ aligned: false, duplicateKeys: 'none' });
    expect(census.get(folded.path)).toMatchObject({ aligned: true, duplicateKeys: 'folded' });
    expect(census.get(exact.path)).toMatchObject({ aligned: true, duplicateKeys: 'exact' });
    expect(census.get(split.path)).toMatchObject({ aligned: false, duplicateKeys: 'none' });
    expect(census.get(hidden.path)).toMatchObject({ aligned: false, duplicateKeys: 'folded' });
    expect(spellings(census.get(exact.path))).toEqual(['A', 'a', 'b']);
  });

  it('queries the engine once for uncached files and again only when a file changes', async () => {
    const a = await file('cache-a.json', '{"a":1}\n');
    const b = await file('cache-b.json', '{"b":1}\n');
    const census = new JsonKeyCensus();
    const runner = counting();
    await census.census([a, b], runner);
    expect(runner.calls).toBe(1);
    const again = await census.census([b, a, a], runner);
    expect(runner.calls).toBe(1);
    expect(spellings(again.get(a.path))).toEqual(['a']);
    await writeFile(a.path, '{"A":1,"c":2}\n');
    await utimes(a.path, new Date(), new Date(Date.now() + 5000));
    const changed = await census.census([a, b], runner);
    expect(runner.calls).toBe(2);
    expect(spellings(changed.get(a.path))).toEqual(['A', 'c']);
  });

  it('stays within its weight budget, evicting the least recently used files', async () => {
    const files = await Promise.all([0, 1, 2, 3].map((i) => file(`lru-${i}.json`, `{"k${i}a":1,"k${i}b":2}\n`)));
    const census = new JsonKeyCensus({ maxWeight: 7 });
    const runner = counting();
    for (const f of files) await census.census([f], runner);
    expect(census.size).toBe(2);
    await census.census([files[3]!], runner);
    expect(runner.calls).toBe(4);
    await census.census([files[0]!], runner);
    expect(runner.calls).toBe(5);
  });

  it('records files over the key limit without keys', async () => {
    const f = await file('many.json', `{${Array.from({ length: 20 }, (_, i) => `"k${i}":1`).join(',')}}\n`);
    const census = await new JsonKeyCensus({ maxKeysPerFile: 10 }).census([f], counting());
    expect(census.get(f.path)).toMatchObject({ aligned: true, objects: 1, keys: undefined });
  });

  it('marks only the files the engine cannot read as unknown, and rethrows aborts', async () => {
    const good = await file('ok.json', '{"a":1}\n');
    const bad = await file('bad.json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]));
    const runner = counting();
    const census = await new JsonKeyCensus().census([good, bad], runner);
    expect(census.get(bad.path)).toBe(UNKNOWN_CENSUS);
    expect(spellings(census.get(good.path))).toEqual(['a']);
    const missing = { path: join(dir, 'nope.json'), uri: 's3://b/nope.json' };
    expect((await new JsonKeyCensus().census([missing], runner)).get(missing.path)).toBe(UNKNOWN_CENSUS);
    class Stop extends Error {}
    const aborting: CensusRunner = { rows: () => Promise.reject(new Stop('interrupted')) };
    const other = await file('abort.json', '{"a":1}\n');
    await expect(new JsonKeyCensus({ isAbort: (e) => e instanceof Stop }).census([other, good], aborting)).rejects.toBeInstanceOf(Stop);
  });
});

describe('JsonKeyCensus with a store (censuses kept across restarts)', () => {
  it('a new census (as after a restart) reads stored entries instead of scanning; changed or broken entries are taken again', async () => {
    const db = new Database(':memory:');
    const store = new SqliteCensusStore(db);
    const f = await file('persist.json', '{"Id":1,"name":"x"}\n{"id":2,"name":"y","name":"z"}\n');
    const first = counting();
    const taken = (await new JsonKeyCensus({ store }).census([f], first)).get(f.path) as FileCensus;
    expect(first.calls).toBeGreaterThan(0);
    expect(taken.duplicateKeys).toBe('exact');

    const second = counting();
    const restarted = (await new JsonKeyCensus({ store }).census([f], second)).get(f.path);
    expect(second.calls).toBe(0);
    expect(restarted).toEqual(taken);

    // A new version of the file (size and mtime change) is not answered from the store.
    await writeFile(f.path, '{"a":1}\n');
    await utimes(f.path, new Date(), new Date(Date.now() + 5_000));
    const third = counting();
    const changed = (await new JsonKeyCensus({ store }).census([f], third)).get(f.path) as FileCensus;
    expect(third.calls).toBeGreaterThan(0);
    expect(spellings(changed)).toEqual(['a']);

    // An entry that does not parse (another version's shape) is recomputed, not trusted.
    db.prepare("UPDATE json_census SET doc = '{\"v\":0,\"aligned\":true}'").run();
    const fourth = counting();
    const again = (await new JsonKeyCensus({ store }).census([f], fourth)).get(f.path) as FileCensus;
    expect(fourth.calls).toBeGreaterThan(0);
    expect(spellings(again)).toEqual(['a']);
    db.close();
  });
});
