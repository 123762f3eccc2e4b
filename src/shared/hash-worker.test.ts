/** The hash worker and the streams that use it: offloaded digests equal the inline ones, mismatches and aborts behave. */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PayloadHashVerifier } from '../protocols/sigv4/payload-hash-verifier.js';
import { DigestingStream } from '../storage/checksums.js';
import type { ChecksumAlgorithm } from '../storage/model.js';
import { HashWorker, OFFLOAD_HASHING_BYTES } from './hash-worker.js';

const body = randomBytes(3 * 1024 * 1024 + 17);
const chunks = (data: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));
const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

async function digestsOf(algorithms: ChecksumAlgorithm[], sizeHint: number | undefined): Promise<{ md5: string; sums: (string | undefined)[] }> {
  const d = new DigestingStream(algorithms, sizeHint);
  await pipeline(Readable.from(chunks(body, 65536)), d, sink());
  return { md5: (await d.md5()).toString('hex'), sums: await Promise.all(algorithms.map(async (a) => (await d.checksum(a))?.toString('base64'))) };
}

describe('HashWorker', () => {
  it('computes MD5, SHA-256 and CRC32 of chunked input like the inline hashes', async () => {
    const job = HashWorker.shared.open(['md5', 'sha256', 'crc32']);
    for (const c of chunks(body, 100_000)) await job.update(c);
    const d = await job.digest();
    expect(d.get('md5')!.toString('hex')).toBe(createHash('md5').update(body).digest('hex'));
    expect(d.get('sha256')!.toString('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(d.get('crc32')!.readUInt32BE(0)).toBe(crc32(body));
  });

  it('gives DigestingStream the same ETag and checksums offloaded as inline, for every algorithm', async () => {
    const all: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
    for (const a of all) {
      const inline = await digestsOf([a], undefined);
      const offloaded = await digestsOf([a], body.length);
      expect(offloaded, a).toEqual(inline);
      expect(inline.sums[0], a).toBeTruthy();
    }
    expect((await digestsOf([], OFFLOAD_HASHING_BYTES)).md5).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('makes PayloadHashVerifier fail a large body whose SHA-256 does not match, and pass one that does', async () => {
    const good = createHash('sha256').update(body).digest('hex');
    await pipeline(Readable.from(chunks(body, 65536)), new PayloadHashVerifier(good, body.length), sink());
    const bad = createHash('sha256').update('other').digest('hex');
    await expect(pipeline(Readable.from(chunks(body, 65536)), new PayloadHashVerifier(bad, body.length), sink())).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
  });

  it('closes every job: finished bodies nobody asked digests of, and aborted ones', async () => {
    const before = HashWorker.shared.activeJobs;
    await pipeline(Readable.from(chunks(body, 65536)), new DigestingStream(['CRC32'], body.length), sink());
    const aborted = new DigestingStream([], body.length);
    aborted.write(body.subarray(0, 1000));
    aborted.destroy();
    for (let i = 0; i < 50 && HashWorker.shared.activeJobs > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(HashWorker.shared.activeJobs).toBe(before);
  });

  it('forgets an aborted job and keeps serving others', async () => {
    const d = new DigestingStream(['CRC32'], body.length);
    d.write(body.subarray(0, 1000));
    d.destroy();
    expect((await digestsOf(['CRC32'], body.length)).sums[0]).toBe((await digestsOf(['CRC32'], undefined)).sums[0]);
  });
});
