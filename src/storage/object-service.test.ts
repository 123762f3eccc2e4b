/** ObjectService over the filesystem store: a put's size hint only decides where the body is hashed, never what is stored or checked. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs/fs-object-store.js';
import { ObjectService } from './object-service.js';

describe('ObjectService.putObject with a size hint', () => {
  let root: string;
  let store: FsObjectStore;
  let service: ObjectService;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lakebox-objsvc-'));
    store = new FsObjectStore({ root, fsync: false });
    await store.init();
    service = new ObjectService(store, 'us-east-1');
    await service.createBucket('bucket-b', undefined);
  });

  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  // Bodies on both sides of the offload threshold (256 KiB), hints larger and smaller than the body.
  it.each([
    [1_000, 10 * 1024 * 1024],
    [600 * 1024, 1],
    [600 * 1024, 10 * 1024 * 1024],
    [3 * 1024 * 1024 + 7, 256 * 1024],
  ])('a %i-byte body with hint %i gets its MD5 ETag and is stored whole', async (size, hint) => {
    const data = randomBytes(size);
    const chunks = Array.from({ length: Math.ceil(size / 65_536) }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
    const meta = await service.putObject({
      bucket: 'bucket-b',
      key: `k-${size}-${hint}`,
      body: Readable.from(chunks),
      headers: { contentType: 'application/octet-stream' },
      userMetadata: {},
      tags: [],
      integrity: { sizeHint: hint },
      conditions: {},
    });
    expect(meta.etag).toBe(createHash('md5').update(data).digest('hex'));
    expect(meta.size).toBe(size);
    const read = await store.getObject('bucket-b', `k-${size}-${hint}`);
    const back: Buffer[] = [];
    for await (const c of read!.body) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(data)).toBe(true);
  });
});
