/** Runs the ObjectStore contract against FsObjectStore (fsync on), plus crash-safety, blob-cleanup and path-containment checks of the disk layout. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageErrors } from '../errors.js';
import type { ObjectMeta, PartInfo, UploadInfo } from '../model.js';
import { describeObjectStoreContract } from '../object-store.contract.js';
import { FsObjectStore } from './fs-object-store.js';

describeObjectStoreContract('FsObjectStore', async (purpose) => {
  const root = await mkdtemp(join(tmpdir(), 'lakebox-fs-contract-'));
  // The 100k-key case measures the listing index, not durability: without fsync it inserts ~3x faster.
  const store = new FsObjectStore({ root, fsync: purpose !== 'scale' });
  await store.init();
  return {
    store,
    scale: 100_000,
    cleanup: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

/** A body big enough to be a blob file whatever small-object optimisation the store applies (≤ 256 KiB inline). */
const fileBody = (label: string): string => `${label}:${'.'.repeat(256 * 1024)}`;

async function put(store: FsObjectStore, key: string, data: string): Promise<ObjectMeta> {
  const buf = Buffer.from(data, 'utf8');
  return store.putObject('b', key, Readable.from([buf]), () => ({
    etag: md5(buf).toString('hex'),
    headers: { contentType: 'text/plain' },
    userMetadata: {},
    tags: [],
  }));
}

async function putPart(store: FsObjectStore, upload: UploadInfo, n: number, data: string): Promise<PartInfo> {
  const buf = Buffer.from(data, 'utf8');
  return store.putPart(upload, n, Readable.from([buf]), () => ({ etag: md5(buf).toString('hex'), md5: md5(buf) }));
}

async function readText(store: FsObjectStore, key: string): Promise<string | undefined> {
  const read = await store.getObject('b', key);
  if (!read) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of read.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every file under `dir`, as paths relative to it. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Blob deletions are fire-and-forget; wait until the blob tree settles at `n` files. */
async function blobCountSettles(root: string, n: number): Promise<string[]> {
  let found: string[] = [];
  for (let i = 0; i < 300; i++) {
    found = await files(join(root, 'blobs'));
    if (found.length === n) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  return found;
}

/** File descriptors this process holds on blob files under `blobDir` (Linux; directory handles are not counted). */
async function openBlobFds(blobDir: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${blobDir}/`) && /\/[0-9a-f]{2}\/[^/]+$/.test(target.slice(blobDir.length))) n++;
  }
  return n;
}

describe('FsObjectStore on disk', () => {
  let parent: string;
  let root: string;
  let store: FsObjectStore;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'lakebox-fs-'));
    root = join(parent, 'data');
    store = new FsObjectStore({ root, fsync: true });
    await store.init();
    await store.createBucket('b', 'us-east-1');
  });

  afterEach(async () => {
    await store.close();
    await rm(parent, { recursive: true, force: true });
  });

  it('removes leftover temp files and unreferenced blobs at init, and keeps everything committed across a reopen', async () => {
    const plain = await put(store, 'plain', fileBody('plain'));
    const small = await put(store, 'small', 'small bytes');
    const upload = await store.createUpload({ bucket: 'b', key: 'done', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const parts = [await putPart(store, upload, 1, 'first '), await putPart(store, upload, 2, 'second')];
    const done = await store.completeUpload(upload, parts, { etag: 'e-2', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [], parts: [{ size: 6 }, { size: 6 }] });
    const open = await store.createUpload({ bucket: 'b', key: 'open', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const openPart = await putPart(store, open, 1, 'pending part');
    await store.close();

    // What a crash leaves: a half-received body in tmp/, and a blob renamed into place whose commit never happened.
    await writeFile(join(root, 'tmp', 'interrupted-upload'), 'partial');
    await mkdir(join(root, 'blobs', 'zz'), { recursive: true });
    await writeFile(join(root, 'blobs', 'zz', 'zz-orphan'), 'orphan');
    const committedBlobs = (await files(join(root, 'blobs'))).filter((p) => p !== join('zz', 'zz-orphan'));
    // At least the big object's file and the three part files (small bodies may live in SQLite instead).
    expect(committedBlobs.length).toBeGreaterThanOrEqual(4);

    store = new FsObjectStore({ root, fsync: true });
    await store.init();
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await files(join(root, 'blobs'))).toEqual(committedBlobs);
    expect(await store.headObject('b', 'plain')).toEqual(plain);
    expect(await store.headObject('b', 'small')).toEqual(small);
    expect(await store.headObject('b', 'done')).toEqual(done);
    expect(await readText(store, 'plain')).toBe(fileBody('plain'));
    expect(await readText(store, 'small')).toBe('small bytes');
    expect(await readText(store, 'done')).toBe('first second');
    expect(await store.getUpload('b', open.uploadId)).toEqual(open);
    expect(await store.listParts(open)).toEqual([openPart]);
    const finished = await store.completeUpload(open, [openPart], { etag: 'e-1', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    expect(finished.size).toBe('pending part'.length);
    expect(await readText(store, 'open')).toBe('pending part');
  });

  it('keeps keys that look like paths inside the data directory, as blobs named by uuid', async () => {
    const outsideBefore = existsSync(join(tmpdir(), 'etc', 'passwd'));
    const keys = ['../../etc/passwd', '../outside', '/absolute/path', 'a/../../../x', '..', '.', '....//....//y', '..\\..\\windows', 'blobs/../tmp/x'];
    for (const k of keys) await put(store, k, fileBody(k));
    expect(await readdir(parent)).toEqual(['data']);
    const all = await files(parent);
    expect(all.every((p) => p.startsWith(`data${'/'}`))).toBe(true);
    expect(all.some((p) => /passwd|outside|absolute|windows/.test(p))).toBe(false);
    const blobs = await files(join(root, 'blobs'));
    expect(blobs).toHaveLength(keys.length);
    for (const p of blobs) expect(p).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(existsSync(join(tmpdir(), 'etc', 'passwd'))).toBe(outsideBefore);
    for (const k of keys) expect(await readText(store, k)).toBe(fileBody(k));
  });

  it('leaves no temp file or blob behind for rejected writes, and frees replaced and unused blobs', async () => {
    await put(store, 'k', fileBody('v1'));
    await expect(
      store.putObject('b', 'k', Readable.from([Buffer.from(fileBody('bad'))]), () => {
        throw StorageErrors.badDigestMd5('a', 'b');
      }),
    ).rejects.toMatchObject({ code: 'BadDigest' });
    await expect(
      store.putObject('b', 'k', Readable.from([Buffer.from(fileBody('vetoed'))]), () => ({ etag: 'x', headers: { contentType: 'a' }, userMetadata: {}, tags: [] }), () => {
        throw StorageErrors.preconditionFailed('If-Match');
      }),
    ).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await blobCountSettles(root, 1)).toHaveLength(1);

    await put(store, 'k', fileBody('v2'));
    expect(await blobCountSettles(root, 1)).toHaveLength(1);
    expect(await readText(store, 'k')).toBe(fileBody('v2'));

    const upload = await store.createUpload({ bucket: 'b', key: 'mp', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const p1 = await putPart(store, upload, 1, 'one');
    await putPart(store, upload, 1, 'one, replaced');
    const p2 = await putPart(store, upload, 2, 'two');
    const p3 = await putPart(store, upload, 3, 'three');
    expect(p1.etag).not.toBe((await store.listParts(upload))[0]?.etag);
    expect(await blobCountSettles(root, 4)).toHaveLength(4);
    await store.completeUpload(upload, [p2, p3], { etag: 'e-2', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    expect(await blobCountSettles(root, 3)).toHaveLength(3);
    expect(await readText(store, 'mp')).toBe('twothree');

    expect(await store.deleteObject('b', 'mp')).toBe(true);
    expect(await store.deleteObject('b', 'k')).toBe(true);
    expect(await blobCountSettles(root, 0)).toEqual([]);
  });
  it('serves the current bytes of small (inline) objects after overwrites, deletes and reused row ids', async () => {
    // Each read may come from the in-memory cache of inline bodies: it must never return a previous version.
    await put(store, 'a', 'a-1');
    expect(await readText(store, 'a')).toBe('a-1');
    expect(await readText(store, 'a')).toBe('a-1');
    await put(store, 'a', 'a-2');
    expect(await readText(store, 'a')).toBe('a-2');
    // Deleting the newest row lets SQLite hand its row id to the next insert: the new object must not read as 'b-1'.
    await put(store, 'b', 'b-1');
    expect(await readText(store, 'b')).toBe('b-1');
    expect(await store.deleteObject('b', 'b')).toBe(true);
    await put(store, 'c', 'c-1');
    expect(await readText(store, 'c')).toBe('c-1');
    expect(await readText(store, 'b')).toBeUndefined();
    // A rejected conditional write leaves the cached bytes of the current version in place.
    await expect(
      store.putObject('b', 'c', Readable.from([Buffer.from('c-2')]), () => ({ etag: 'x', headers: { contentType: 'text/plain' }, userMetadata: {}, tags: [] }), () => {
        throw StorageErrors.preconditionFailed('If-Match');
      }),
    ).rejects.toThrow();
    expect(await readText(store, 'c')).toBe('c-1');
    // Ranged reads of a cached body.
    const ranged = await store.getObject('b', 'c', { start: 2, end: 2 });
    const chunks: Buffer[] = [];
    for await (const ch of ranged!.body) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('1');
    expect(await readText(store, 'c')).toBe('c-1');
  });

  it('caches what a batch of concurrent writes committed, in order, and nothing of a write that failed', async () => {
    // Puts issued in the same tick share one SQLite transaction (each in a savepoint); the caches are filled only
    // after the commit, in write order, and a failed put's savepoint drops what it queued.
    const conditional = (key: string, data: string, fail: boolean): Promise<ObjectMeta> =>
      store.putObject('b', key, Readable.from([Buffer.from(data)]), () => ({ etag: md5(Buffer.from(data)).toString('hex'), headers: { contentType: 'text/plain' }, userMetadata: {}, tags: [] }), () => {
        if (fail) throw StorageErrors.preconditionFailed('If-None-Match');
      });
    const results = await Promise.allSettled([
      conditional('same', 'first', false),
      conditional('same', 'second', false),
      conditional('other', 'kept', false),
      conditional('same', 'rejected', true),
      conditional('fresh', 'never', true),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(await readText(store, 'same')).toBe('second');
    expect(await readText(store, 'other')).toBe('kept');
    expect(await readText(store, 'fresh')).toBeUndefined();
    expect((await store.headObject('b', 'same'))?.etag).toBe(md5(Buffer.from('second')).toString('hex'));
    // A delete in a later batch drops the cached entry for good.
    expect(await store.deleteObject('b', 'same')).toBe(true);
    expect(await readText(store, 'same')).toBeUndefined();
    expect(await store.headObject('b', 'same')).toBeUndefined();
  });

  it('starts even when something other than a shard directory sits in blobs/ (e.g. a .DS_Store)', async () => {
    await put(store, 'kept', fileBody('kept'));
    await store.close();
    await writeFile(join(root, 'blobs', '.DS_Store'), 'finder junk');
    store = new FsObjectStore({ root, fsync: true });
    await store.init();
    expect(await readText(store, 'kept')).toBe(fileBody('kept'));
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes the blob files of a multipart read the consumer abandons', async () => {
    const upload = await store.createUpload({ bucket: 'b', key: 'mp', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const parts: PartInfo[] = [];
    for (const n of [1, 2]) parts.push(await putPart(store, upload, n, String(n).repeat(4 * 1024 * 1024)));
    await store.completeUpload(upload, parts, { etag: 'e-2', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    for (let i = 0; i < 3; i++) {
      const read = await store.getObject('b', 'mp');
      await read!.body[Symbol.asyncIterator]().next();
      // Let the producer fill the stream's buffer and wait for 'drain', as with a slow client that then disconnects.
      await new Promise((r) => setTimeout(r, 50));
      read!.body.destroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await openBlobFds(join(root, 'blobs'))).toBe(0);
  });
});
