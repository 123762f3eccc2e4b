import { afterAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
let server: LakeboxProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  if (server) removeDir(server.dataDir);
});

function client(endpoint: string): S3Client {
  // No retries: a request cut by the kill must surface as a failure, never be silently replayed.
  return new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
}

describe('crash safety', () => {
  it('keeps every acknowledged object, whole, after kill -9 in the middle of a write storm', async () => {
    server = await startLakebox();
    let s3 = client(server.endpoint);
    const Bucket = 'crash-test';
    await s3.send(new CreateBucketCommand({ Bucket }));

    // A completed multipart object and an overwritten object must both survive.
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp.bin' }));
    const p1 = randomBytes(5 * 1024 * 1024);
    const p2 = randomBytes(1000);
    const e1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'mp.bin', UploadId: mp.UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket, Key: 'mp.bin', UploadId: mp.UploadId, PartNumber: 2, Body: p2 }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'mp.bin',
        UploadId: mp.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
      }),
    );

    const payloads = new Map<string, Buffer>();
    const acked = new Set<string>();
    const writers: Promise<void>[] = [];
    let killed = false;
    for (let w = 0; w < 8; w++) {
      writers.push(
        (async () => {
          for (let i = 0; !killed && i < 500; i++) {
            const Key = `storm/w${w}/obj-${String(i).padStart(4, '0')}`;
            const Body = randomBytes(1 + ((w * 7919 + i * 104729) % 200_000));
            payloads.set(Key, Body);
            try {
              await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
              acked.add(Key);
            } catch {
              return;
            }
          }
        })(),
      );
    }
    while (acked.size < 150) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await server.stop('SIGKILL');
    await Promise.all(writers);
    s3.destroy();

    server = await startLakebox({ dataDir: server.dataDir });
    s3 = client(server.endpoint);
    for (const Key of acked) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      const bytes = await got.Body!.transformToByteArray();
      expect(md5(bytes), Key).toBe(md5(payloads.get(Key)!));
    }
    // Whatever is listed (acknowledged or caught mid-flight) is complete: never torn, never half-visible.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'storm/' }));
    for (const obj of listed.Contents ?? []) {
      expect(obj.ETag).toBe(`"${md5(payloads.get(obj.Key!)!)}"`);
      expect(obj.Size).toBe(payloads.get(obj.Key!)!.length);
    }
    expect(listed.Contents!.length).toBeGreaterThanOrEqual(acked.size);
    const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp.bin' }));
    expect(md5(await whole.Body!.transformToByteArray())).toBe(md5(Buffer.concat([p1, p2])));
    // Temp files of cut-off uploads are gone after restart.
    expect(readdirSync(join(server.dataDir, 's3', 'tmp'))).toEqual([]);
    s3.destroy();
  });
});
