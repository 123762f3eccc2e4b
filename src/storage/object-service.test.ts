/** ObjectService over the filesystem store: a put's size hint only decides where the body is hashed, never what is stored or checked; whole bodies are checked as streamed ones are. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs/fs-object-store.js';
import type { IntegrityInput } from './integrity.js';
import { ObjectService } from './object-service.js';
import { WholeBody } from './whole-body.js';

let root: string;
let store: FsObjectStore;
let service: ObjectService;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakebox-objsvc-'));
  store = new FsObjectStore({ root, fsync: false });
  await store.init();
  service = new ObjectService(store, 'us-east-1');
  await service.createBucket('bucket-b', undefined);
  await service.createBucket('bucket-w', undefined);
});

afterAll(async () => {
  await store.close();
  await rm(root, { recursive: true, force: true });
});

describe('ObjectService.putObject with a size hint', () => {

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

describe('ObjectService.putObject with a body that arrives whole', () => {
  const put = (key: string, body: WholeBody, integrity: IntegrityInput) =>
    service.putObject({ bucket: 'bucket-w', key, body, headers: { contentType: 'application/octet-stream' }, userMetadata: {}, tags: [], integrity, conditions: {} });

  it('stores the bytes with their MD5 ETag and checks the client checksum', async () => {
    const data = randomBytes(4096);
    const body = new WholeBody();
    const pending = put('ok', body, { expectedSize: data.length, checksumAlgorithm: 'CRC32', checksumValue: () => crc32b64(data) });
    body.complete(data);
    const meta = await pending;
    expect(meta.etag).toBe(createHash('md5').update(data).digest('hex'));
    expect(meta.checksum).toEqual({ algorithm: 'CRC32', value: crc32b64(data), type: 'FULL_OBJECT' });
    const read = await store.getObject('bucket-w', 'ok');
    const back: Buffer[] = [];
    for await (const c of read!.body) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(data)).toBe(true);
  });

  it('refuses a wrong checksum, a wrong Content-MD5 and a short body, and stores nothing', async () => {
    const data = randomBytes(100);
    const cases: [string, IntegrityInput][] = [
      ['BadDigest', { checksumAlgorithm: 'CRC32', checksumValue: () => crc32b64(Buffer.from('other')) }],
      ['BadDigest', { contentMd5: createHash('md5').update('other').digest('base64') }],
      ['IncompleteBody', { expectedSize: data.length + 1 }],
    ];
    for (const [i, [code, integrity]] of cases.entries()) {
      const body = new WholeBody();
      const pending = put(`bad-${i}`, body, integrity);
      body.complete(data);
      await expect(pending).rejects.toMatchObject({ code });
      expect(await store.headObject('bucket-w', `bad-${i}`)).toBeUndefined();
    }
  });

  it('fails with the error the body failed with', async () => {
    const body = new WholeBody();
    const pending = put('aborted', body, {});
    body.fail(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(await store.headObject('bucket-w', 'aborted')).toBeUndefined();
  });
});

function crc32b64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}
