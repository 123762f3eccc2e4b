import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { errorName } from '../helpers/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

let server: LakeboxProcess;
let s3: S3Client;

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const bucketName = (): string => `sdk-${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  server = await startLakebox();
  s3 = new S3Client({ endpoint: server.endpoint, region: 'eu-central-1', credentials, forcePathStyle: true });
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});


describe('S3 through @aws-sdk/client-s3', () => {
  it('round-trips objects sent as strings, buffers and streams, with the default CRC32 checksums', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new HeadBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'str.txt', Body: 'hello lakebox', ContentType: 'text/plain', Metadata: { Team: 'data' } }));
    const payload = randomBytes(300_000);
    // A Readable body makes the SDK use aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER and a CRC32 trailer.
    const put = await s3.send(
      new PutObjectCommand({ Bucket, Key: 'dir/stream.bin', Body: Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]), ContentLength: payload.length }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update(payload).digest('hex')}"`);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(payload) >>> 0);
    expect(put.ChecksumCRC32).toBe(crc.toString('base64'));

    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/stream.bin', ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(payload)).toBe(true);
    expect(got.ChecksumCRC32).toBe(crc.toString('base64'));

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'str.txt' }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.ContentLength).toBe(13);
    expect(head.Metadata).toEqual({ team: 'data' });
  });

  it('validates every flexible checksum algorithm the SDK can send', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as ChecksumAlgorithm[]) {
      const Body = randomBytes(10_000);
      const put = await s3.send(new PutObjectCommand({ Bucket, Key: `c-${alg}`, Body, ChecksumAlgorithm: alg }));
      const field = `Checksum${alg}` as const;
      expect(put[field], alg).toBeTruthy();
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: `c-${alg}`, ChecksumMode: 'ENABLED' }));
      expect(got[field]).toBe(put[field]);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Body)).toBe(true);
    }
    // SHA-256 computed independently of the server.
    const Body = Buffer.from('abc');
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'sha', Body, ChecksumAlgorithm: 'SHA256' }));
    expect(put.ChecksumSHA256).toBe(createHash('sha256').update(Body).digest('base64'));
    // A wrong client-supplied checksum is rejected and nothing is stored.
    const bad = await errorName(s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'data', ChecksumCRC32: 'AAAAAA==' })));
    expect(bad).toBe('BadDigest');
    expect(await errorName(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad' })))).toBe('NotFound');
  });

  it('uploads multipart with @aws-sdk/lib-storage and reads parts back', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    const data = randomBytes(12 * 1024 * 1024 + 123);
    const upload = new Upload({ client: s3, params: { Bucket, Key: 'big/object.bin', Body: data }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const done = await upload.done();
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big/object.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    const part2 = await s3.send(new GetObjectCommand({ Bucket, Key: 'big/object.bin', PartNumber: 2 }));
    expect(part2.PartsCount).toBe(3);
    expect(part2.ContentRange).toBe(`bytes ${5 * 1024 * 1024}-${10 * 1024 * 1024 - 1}/${data.length}`);
    expect(Buffer.from(await part2.Body!.transformToByteArray()).equals(data.subarray(5 * 1024 * 1024, 10 * 1024 * 1024))).toBe(true);
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'big/object.bin', Range: 'bytes=5242870-5242889' }));
    expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(data.subarray(5242870, 5242890))).toBe(true);
  });

  it('serves presigned GET and PUT URLs from @aws-sdk/s3-request-presigner', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    // Like AWS: a presigned PUT from a default client bakes the CRC32 of an empty body into the URL,
    // so uploading real data with it fails BadDigest; presign with WHEN_REQUIRED checksums instead.
    const baked = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'baked' }), { expiresIn: 60 });
    expect(baked).toContain('x-amz-checksum-crc32=');
    const bakedRes = await fetch(baked, { method: 'PUT', body: 'data' });
    expect(bakedRes.status).toBe(400);
    expect(await bakedRes.text()).toContain('<Code>BadDigest</Code>');
    const presigner = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const putUrl = await getSignedUrl(presigner, new PutObjectCommand({ Bucket, Key: 'pre signed/ü.txt' }), { expiresIn: 60 });
    const putRes = await fetch(putUrl, { method: 'PUT', body: 'via presigned url' });
    expect(putRes.status).toBe(200);
    presigner.destroy();
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'pre signed/ü.txt' }), { expiresIn: 60 });
    const getRes = await fetch(getUrl);
    expect(getRes.status).toBe(200);
    expect(await getRes.text()).toBe('via presigned url');
    const tampered = getUrl.replace('pre%20signed', 'pre%20signed2');
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('supports virtual-hosted-style addressing (bucket.localhost)', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    // Resolve every *.localhost name to loopback, as many systems do, so the SDK's default style works.
    const httpAgent = new Agent({
      keepAlive: true,
      lookup: (_host, options, cb) => {
        if (options.all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    });
    const vhost = new S3Client({
      endpoint: `http://localhost:${server.port}`,
      region: 'us-east-1',
      credentials,
      requestHandler: new NodeHttpHandler({ httpAgent }),
    });
    await vhost.send(new PutObjectCommand({ Bucket, Key: 'a/vhost.txt', Body: 'virtual' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'a/vhost.txt' }));
    expect(await got.Body!.transformToString()).toBe('virtual');
    const list = await vhost.send(new ListObjectsV2Command({ Bucket }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['a/vhost.txt']);
    vhost.destroy();
  });

  it('lists thousands of keys in byte order through the paginator, with delimiters', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    const keys: string[] = [];
    for (let i = 0; i < 1500; i++) keys.push(`logs/${String(i % 3)}/${String(i).padStart(5, '0')}.json`);
    keys.push('logs-top.txt', 'logs/é.txt', 'logs/~tilde', 'logs/a b+c=d%e');
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
    }
    const seen: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 400 }, { Bucket, Prefix: 'logs/' })) {
      for (const c of page.Contents ?? []) seen.push(c.Key!);
    }
    const expected = keys.filter((k) => k.startsWith('logs/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(seen).toEqual(expected);
    const top = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['logs-top.txt']);
    const second = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'logs/', Delimiter: '/', MaxKeys: 2 }));
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/0/', 'logs/1/']);
    expect(second.IsTruncated).toBe(true);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'logs/', Delimiter: '/', ContinuationToken: second.NextContinuationToken }));
    expect(rest.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/2/']);
    expect(rest.Contents?.map((c) => c.Key)).toEqual(['logs/a b+c=d%e', 'logs/~tilde', 'logs/é.txt']);
  });

  it('copies and batch-deletes, and reports errors as the SDK exception classes', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'copy me', ContentType: 'text/x-src', Metadata: { a: '1' } }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst-copy', CopySource: `${Bucket}/src` }));
    await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'dst-replace', CopySource: `${Bucket}/src`, MetadataDirective: 'REPLACE', ContentType: 'text/x-new', Metadata: { b: '2' } }),
    );
    const copied = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-copy' }));
    expect(copied.ContentType).toBe('text/x-src');
    expect(copied.Metadata).toEqual({ a: '1' });
    const replaced = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-replace' }));
    expect(replaced.ContentType).toBe('text/x-new');
    expect(replaced.Metadata).toEqual({ b: '2' });
    const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'src' }, { Key: 'dst-copy' }, { Key: 'never-existed' }] } }));
    expect(del.Deleted?.map((d) => d.Key).sort()).toEqual(['dst-copy', 'never-existed', 'src']);
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'src' }))).rejects.toBeInstanceOf(NoSuchKey);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'x' }))).rejects.toBeInstanceOf(NoSuchBucket);
    const err = await s3.send(new PutObjectCommand({ Bucket, Key: 'k'.repeat(1025), Body: 'x' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).name).toBe('KeyTooLongError');
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(400);
  });

  it('rejects wrong credentials', async () => {
    const wrong = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...credentials, secretAccessKey: 'nope' } });
    expect(await errorName(wrong.send(new ListObjectsV2Command({ Bucket: 'anything' })))).toBe('SignatureDoesNotMatch');
    const unknown = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } });
    expect(await errorName(unknown.send(new ListObjectsV2Command({ Bucket: 'anything' })))).toBe('InvalidAccessKeyId');
    const unsigned = await fetch(`${server.endpoint}/anything`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>AccessDenied</Code>');
    wrong.destroy();
    unknown.destroy();
  });

  it('exposes health without auth and Prometheus metrics per operation', async () => {
    const Bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'm', Body: 'metrics' }));
    await (await s3.send(new GetObjectCommand({ Bucket, Key: 'm' }))).Body!.transformToString();
    const health = await fetch(`${server.endpoint}/_lakebox/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', services: { s3: 'ready' } });
    const metrics = await (await fetch(`${server.endpoint}/metrics`)).text();
    expect(metrics).toMatch(/lakebox_requests_total\{service="s3",operation="PutObject",status="200"\} \d+/);
    expect(metrics).toMatch(/lakebox_request_duration_seconds_bucket\{le="[^"]+",service="s3",operation="GetObject"\}/);
  });
});
