import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../storage/fs/fs-object-store.js';
import { ObjectService } from '../../storage/object-service.js';
import { ObjectFiles } from './object-files.js';

let dir: string;
let store: FsObjectStore;
let objects: ObjectService;

async function put(key: string, body: Buffer) {
  return objects.putObject({ bucket: 'bkt', key, body: Readable.from([body]), headers: { contentType: 'application/octet-stream' }, userMetadata: {}, tags: [], integrity: {}, conditions: {} });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-object-files-'));
  store = new FsObjectStore({ root: join(dir, 's3'), fsync: false });
  await store.init();
  objects = new ObjectService(store, 'us-east-1');
  await objects.createBucket('bkt', undefined);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ObjectFiles', () => {
  it('reads file-backed objects in place and keeps the file while leased, even when overwritten', async () => {
    const big = Buffer.alloc(200_000, 7);
    const meta = await put('data/big.parquet', big);
    const files = new ObjectFiles(objects, dir);
    const f = await files.open(meta);
    expect(f.path.startsWith(join(dir, 's3'))).toBe(true);
    expect(readFileSync(f.path).equals(big)).toBe(true);
    await put('data/big.parquet', Buffer.alloc(200_000, 8));
    expect(existsSync(f.path)).toBe(true);
    f.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(f.path)).toBe(false);
  });

  it('materializes inline objects into the query cache, keyed by etag, keeping the extension', async () => {
    const small = Buffer.from('{"a":1}\n');
    const meta = await put('logs/x.json.gz', small);
    const files = new ObjectFiles(objects, dir);
    await files.reset();
    const f = await files.open(meta);
    expect(f.path.startsWith(join(dir, 'query-cache'))).toBe(true);
    expect(f.path.endsWith('x.json.gz')).toBe(true);
    expect(readFileSync(f.path).equals(small)).toBe(true);
    const changed = await put('logs/x.json.gz', Buffer.from('{"a":2}\n'));
    const g = await files.open(changed);
    expect(g.path).not.toBe(f.path);
    expect(readFileSync(g.path, 'utf8')).toBe('{"a":2}\n');
  });

  it('evicts least recently used copies beyond its budget, never one being read', async () => {
    const files = new ObjectFiles(objects, dir, 100);
    await files.reset();
    const metas = [];
    for (let i = 0; i < 4; i++) metas.push(await put(`c/f${i}.json`, Buffer.alloc(40, 65 + i)));
    const a = await files.open(metas[0]!);
    const b = await files.open(metas[1]!);
    b.release();
    expect(files.cachedBytes).toBe(80);
    // A third copy overflows the budget: b (unused, least recent after a) goes; a is still being read.
    const c = await files.open(metas[2]!);
    c.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(b.path)).toBe(false);
    expect(existsSync(a.path)).toBe(true);
    expect(files.cachedBytes).toBe(80);
    a.release();
    const d = await files.open(metas[3]!);
    d.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(a.path)).toBe(false);
    expect(files.cachedBytes).toBeLessThanOrEqual(100);
    // An evicted copy is fetched again on demand.
    const again = await files.open(metas[1]!);
    expect(readFileSync(again.path).equals(Buffer.alloc(40, 66))).toBe(true);
    again.release();
  });

  it('FsObjectStore.localFile answers only for single-file objects', async () => {
    await put('small', Buffer.from('x'));
    expect(await store.localFile('bkt', 'small')).toBeUndefined();
    expect(await store.localFile('bkt', 'absent')).toBeUndefined();
  });
});
