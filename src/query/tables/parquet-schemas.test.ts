/** ParquetSchemas: columns from the footers, uniformity across files, caching per file version, unreadable footers. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetSchemas, type ParquetFile } from './parquet-schemas.js';

let dir: string;
const file = (name: string, etag = name): ParquetFile => ({ path: join(dir, name), etag, size: 0 });
const sized = (f: ParquetFile): ParquetFile => ({ ...f, size: statSync(f.path).size });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parquet-schemas-'));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT 1 AS id, 'a' AS Name) TO '${join(dir, 'a.parquet')}' (FORMAT parquet)`);
  await c.run(`COPY (SELECT 2 AS id, 'b' AS Name) TO '${join(dir, 'b.parquet')}' (FORMAT parquet)`);
  await c.run(`COPY (SELECT 3 AS id, 'c' AS Name, 1.5 AS extra) TO '${join(dir, 'c.parquet')}' (FORMAT parquet)`);
  await c.run(`COPY (SELECT CAST(4 AS BIGINT) AS id, 'd' AS Name) TO '${join(dir, 'd.parquet')}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  writeFileSync(join(dir, 'bad.parquet'), 'not a parquet file at all');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ParquetSchemas', () => {
  it('says files with the same columns are uniform, and lists the columns lower-cased', async () => {
    const s = new ParquetSchemas();
    const got = await s.of([file('a.parquet'), file('b.parquet')].map(sized));
    expect(got).toEqual({ present: new Set(['id', 'name']), uniform: true });
  });

  it('says files differ when one has another column or another type, with the union of the columns', async () => {
    const s = new ParquetSchemas();
    expect(await s.of([file('a.parquet'), file('c.parquet')].map(sized))).toEqual({ present: new Set(['id', 'name', 'extra']), uniform: false });
    expect((await s.of([file('a.parquet'), file('d.parquet')].map(sized)))?.uniform).toBe(false);
  });

  it('answers undefined when a footer cannot be read, so the engine is asked', async () => {
    const s = new ParquetSchemas();
    expect(await s.of([file('a.parquet'), file('bad.parquet')].map(sized))).toBeUndefined();
    expect(await s.of([{ path: join(dir, 'missing.parquet'), etag: 'x', size: 100 }])).toBeUndefined();
  });

  it('reads a file version once: the same path, ETag and size come from the cache', async () => {
    const s = new ParquetSchemas();
    const b = sized(file('b.parquet', 'v1'));
    expect((await s.of([b]))?.present).toEqual(new Set(['id', 'name']));
    // Garbage under the same version key: the cached answer stands (objects never change in place) …
    writeFileSync(b.path, 'x'.repeat(b.size));
    expect((await s.of([b]))?.present).toEqual(new Set(['id', 'name']));
    // … and another ETag is read again.
    expect(await s.of([{ ...b, etag: 'v2' }])).toBeUndefined();
  });
});
