/** Runs the ObjectStore contract against RemoteS3ObjectStore on a real S3-compatible server (moto, started here), plus checks of the remote layout. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StorageErrors } from '../errors.js';
import type { ObjectAttributes, ObjectMeta } from '../model.js';
import { describeObjectStoreContract } from '../object-store.contract.js';
import { startMoto, type MotoServer } from '../../../test/helpers/moto-server.js';
import { RemoteS3ObjectStore, type RemoteS3ObjectStoreOptions } from './remote-s3-object-store.js';

const MiB = 1024 * 1024;
const REMOTE_BUCKET = 'lakebox-remote';
let moto: MotoServer | undefined;
let endpoint = '';
let client: S3Client | undefined;
let runs = 0;

beforeAll(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
  client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(new CreateBucketCommand({ Bucket: REMOTE_BUCKET }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

function options(prefix: string, spoolDir: string, over: Partial<RemoteS3ObjectStoreOptions> = {}): RemoteS3ObjectStoreOptions {
  return {
    endpoint,
    bucket: REMOTE_BUCKET,
    prefix,
    region: 'us-east-1',
    accessKeyId: 'test',
    secretAccessKey: 'test',
    forcePathStyle: true,
    spoolDir,
    // Small thresholds so the contract's 2 and 12 MiB objects take the sidecar and remote-multipart paths.
    multipartThreshold: 6 * MiB,
    partSize: 5 * MiB,
    sidecarThreshold: 1 * MiB,
    ...over,
  };
}

describeObjectStoreContract('RemoteS3ObjectStore (moto)', async () => {
  const spoolDir = await mkdtemp(join(tmpdir(), 'lakebox-s3-spool-'));
  const store = new RemoteS3ObjectStore(options(`contract-${++runs}/`, spoolDir));
  await store.init();
  return {
    store,
    scale: 2000,
    cleanup: async () => {
      await store.close();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
});

async function rawKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await client!.send(new ListObjectsV2Command({ Bucket: REMOTE_BUCKET, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(res.Contents ?? []).map((o) => o.Key ?? ''));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

const md5hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

function attrs(data: Buffer, over: Partial<ObjectAttributes> = {}): ObjectAttributes {
  return { etag: md5hex(data), headers: { contentType: 'text/plain' }, userMetadata: {}, tags: [], ...over };
}

async function put(store: RemoteS3ObjectStore, key: string, text: string, over: Partial<ObjectAttributes> = {}): Promise<ObjectMeta> {
  const data = Buffer.from(text);
  return store.putObject('b', key, Readable.from([data]), () => attrs(data, over));
}

describe('RemoteS3ObjectStore remote layout', () => {
  let prefix: string;
  let spoolDir: string;
  let store: RemoteS3ObjectStore;

  beforeEach(async () => {
    prefix = `layout-${++runs}/`;
    spoolDir = await mkdtemp(join(tmpdir(), 'lakebox-s3-spool-'));
    store = new RemoteS3ObjectStore(options(prefix, spoolDir));
    await store.init();
    await store.createBucket('b', 'us-east-1');
  });

  afterEach(async () => {
    await store.close();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('keeps everything under its prefix, with real headers and user metadata on the remote object', async () => {
    await put(store, 'a/b.txt', 'hello', {
      headers: { contentType: 'text/csv', cacheControl: 'max-age=5' },
      userMetadata: { team: 'data' },
      tags: [{ key: 'k', value: 'v' }],
    });
    const upload = await store.createUpload({ bucket: 'b', key: 'big', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const all = await rawKeys('');
    const mine = all.filter((k) => k.startsWith(prefix));
    expect(mine).toEqual(expect.arrayContaining([`${prefix}buckets/b`, `${prefix}objects/b/a/b.txt`, `${prefix}uploads/b/${upload.uploadId}.json`]));
    expect(mine).toHaveLength(3);
    const head = await client!.send(new HeadObjectCommand({ Bucket: REMOTE_BUCKET, Key: `${prefix}objects/b/a/b.txt` }));
    expect(head.ContentType).toBe('text/csv');
    expect(head.CacheControl).toBe('max-age=5');
    expect(head.ETag).toBe(`"${md5hex(Buffer.from('hello'))}"`);
    expect(head.Metadata?.team).toBe('data');
    expect(head.Metadata?.lakebox).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('sends nothing to the remote when finalize or the condition rejects a write, and leaves no spool file', async () => {
    await put(store, 'k', 'v1');
    const before = await rawKeys(prefix);
    await expect(
      store.putObject('b', 'k', Readable.from([Buffer.from('v2')]), () => {
        throw StorageErrors.badDigestMd5('a', 'b');
      }),
    ).rejects.toMatchObject({ code: 'BadDigest' });
    await expect(
      store.putObject('b', 'new', Readable.from([Buffer.from('v2')]), () => attrs(Buffer.from('v2')), () => {
        throw StorageErrors.noSuchKey('new');
      }),
    ).rejects.toMatchObject({ code: 'NoSuchKey' });
    const upload = await store.createUpload({ bucket: 'b', key: 'mp', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    await expect(
      store.putPart(upload, 1, Readable.from([Buffer.from('part')]), () => {
        throw StorageErrors.badDigestChecksum('CRC32');
      }),
    ).rejects.toMatchObject({ code: 'BadDigest' });
    expect(await store.listParts(upload)).toEqual([]);
    expect((await rawKeys(prefix)).filter((k) => !k.includes('/uploads/'))).toEqual(before);
    const head = await client!.send(new HeadObjectCommand({ Bucket: REMOTE_BUCKET, Key: `${prefix}objects/b/k` }));
    expect(head.ContentLength).toBe(2);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it('keeps attributes that exceed 2 KB of metadata in a sidecar, and drops it when the object is replaced', async () => {
    const userMetadata = { big: 'x'.repeat(1900), accent: 'café' };
    const tags = Array.from({ length: 10 }, (_, i) => ({ key: `tag-${i}`, value: 'v'.repeat(200) }));
    const meta = await put(store, 'fat', 'body', {
      headers: { contentType: 'text/plain', contentDisposition: 'attachment; filename="naïve.txt"' },
      userMetadata,
      tags,
    });
    expect(await store.headObject('b', 'fat')).toEqual(meta);
    const sidecars = (await rawKeys(prefix)).filter((k) => k.startsWith(`${prefix}attrs/`));
    expect(sidecars).toHaveLength(1);
    const head = await client!.send(new HeadObjectCommand({ Bucket: REMOTE_BUCKET, Key: `${prefix}objects/b/fat` }));
    expect(sidecars[0]).toBe(`${prefix}attrs/${head.Metadata?.['lakebox-ref']}.json`);
    const updated = await store.setTags('b', 'fat', [{ key: 'only', value: 'one' }]);
    expect(await store.headObject('b', 'fat')).toEqual(updated);
    expect(updated).toEqual({ ...meta, tags: [{ key: 'only', value: 'one' }] });
    await put(store, 'fat', 'slim');
    expect((await rawKeys(prefix)).filter((k) => k.startsWith(`${prefix}attrs/`))).toEqual([]);
  });

  it('sees every object, bucket and upload again after a reopen', async () => {
    const a = await put(store, 'x/1', 'one', { tags: [{ key: 't', value: '1' }] });
    const upload = await store.createUpload({ bucket: 'b', key: 'mp', headers: { contentType: 'a/b' }, userMetadata: {}, tags: [] });
    const part = await store.putPart(upload, 1, Readable.from([Buffer.from('part')]), () => ({
      etag: md5hex(Buffer.from('part')),
      md5: createHash('md5').update('part').digest(),
    }));
    await store.close();
    store = new RemoteS3ObjectStore(options(prefix, spoolDir));
    await store.init();
    expect((await store.listBuckets()).map((b) => b.name)).toEqual(['b']);
    expect(await store.headObject('b', 'x/1')).toEqual(a);
    expect(await store.listObjects('b', { prefix: '', limit: 10 })).toEqual([a]);
    expect(await store.getUpload('b', upload.uploadId)).toEqual(upload);
    const parts = await store.listParts(upload);
    expect(parts.map((p) => [p.partNumber, p.etag, p.size])).toEqual([[1, part.etag, 4]]);
  });

  it('reads objects other tools wrote under the prefix', async () => {
    const data = Buffer.from('written by someone else');
    await client!.send(
      new PutObjectCommand({ Bucket: REMOTE_BUCKET, Key: `${prefix}objects/b/foreign`, Body: data, ContentType: 'text/x', Metadata: { origin: 'cli' } }),
    );
    const meta = await store.headObject('b', 'foreign');
    expect(meta).toMatchObject({ key: 'foreign', size: data.length, etag: md5hex(data), userMetadata: { origin: 'cli' }, tags: [] });
    expect(meta?.headers.contentType).toBe('text/x');
    expect((await store.listObjects('b', { prefix: '', limit: 10 })).map((m) => m.key)).toEqual(['foreign']);
    const tagged = await store.setTags('b', 'foreign', [{ key: 'adopted', value: 'yes' }]);
    expect(await store.headObject('b', 'foreign')).toEqual(tagged);
  });

  it('rejects keys the remote cannot hold behind the prefix with KeyTooLongError', async () => {
    await expect(put(store, 'k'.repeat(1020), 'x')).rejects.toMatchObject({ code: 'KeyTooLongError' });
    expect(await store.headObject('b', 'k'.repeat(1020))).toBeUndefined();
  });

  it('fails init when the remote bucket does not exist', async () => {
    const other = new RemoteS3ObjectStore(options(prefix, spoolDir, { bucket: 'no-such-remote-bucket' }));
    await expect(other.init()).rejects.toThrow(/no-such-remote-bucket/);
    await other.close();
  });
});
