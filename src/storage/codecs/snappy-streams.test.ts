/** The snappy stream readers: both framings, bytes arriving in arbitrary pieces, framing detection and refusals. */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { compressorFor } from '../../streams/firehose/delivery/compressors.js';
import { SnappyDecoder, SnappyFormatError, snappyFraming, type SnappyFraming } from './snappy-streams.js';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** Text of `n` JSON lines, varied enough not to compress to nothing. */
const lines = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `{"i":${i},"s":"${(i * 7919).toString(36).repeat(i % 9)}"}\n`).join(''));

/** Feeds `data` to a decoder in pieces of `piece` bytes. */
async function decode(data: Buffer, piece: number, accept?: readonly SnappyFraming[]): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) pieces.push(data.subarray(i, i + piece));
  return buffer(Readable.from(pieces).pipe(new SnappyDecoder(accept)));
}

const options = { gzipLevel: 1 };

describe('SnappyDecoder', () => {
  const raw = lines(20_000);

  it.each([1, 7, 4096, 1 << 20])('decodes Firehose HADOOP_SNAPPY objects fed in %i-byte pieces', async (piece) => {
    const stored = await compressorFor('HADOOP_SNAPPY', options).compress(raw);
    expect(raw.length).toBeGreaterThan(3 * 256 * 1024); // several blocks
    expect(snappyFraming(stored)).toBe('hadoop');
    expect((await decode(stored, piece)).equals(raw)).toBe(true);
  });

  it.each([3, 65536])('decodes Firehose Snappy (snappy-java) objects fed in %i-byte pieces', async (piece) => {
    const stored = await compressorFor('Snappy', options).compress(raw);
    expect(snappyFraming(stored)).toBe('snappy-java');
    expect((await decode(stored, piece)).equals(raw)).toBe(true);
  });

  it('reads Hadoop blocks made of several chunks, and empty blocks', async () => {
    const a = raw.subarray(0, 100_000);
    const b = raw.subarray(100_000, 180_000);
    const c = raw.subarray(180_000, 200_000);
    const chunk = (x: Buffer): Buffer[] => {
      const z = compressSync(x);
      return [u32(z.length), z];
    };
    const stored = Buffer.concat([u32(a.length + b.length), ...chunk(a), ...chunk(b), u32(0), u32(c.length), ...chunk(c)]);
    expect((await decode(stored, 1000)).equals(raw.subarray(0, 200_000))).toBe(true);
  });

  it('detects neither framing in text, and refuses it', async () => {
    expect(snappyFraming(Buffer.from('{"a":1}\n{"a":2}\n'))).toBeUndefined();
    expect(snappyFraming(Buffer.from('id,name\n1,x\n'))).toBeUndefined();
    await expect(decode(Buffer.from('{"a":1}\n{"a":2}\n'), 4)).rejects.toThrow(SnappyFormatError);
  });

  it('refuses a framing it was not asked to read, naming it', async () => {
    const stored = await compressorFor('Snappy', options).compress(raw);
    await expect(decode(stored, 4096, ['hadoop'])).rejects.toThrow(/snappy-java's stream format.*HADOOP_SNAPPY/);
  });

  it('refuses a truncated stream and a corrupt chunk', async () => {
    const stored = await compressorFor('HADOOP_SNAPPY', options).compress(raw);
    await expect(decode(stored.subarray(0, stored.length - 10), 4096)).rejects.toThrow(/ends inside a block/);
    const corrupt = Buffer.from(stored);
    corrupt.fill(0xff, 8, 64);
    await expect(decode(corrupt, 4096)).rejects.toThrow(SnappyFormatError);
  });
});
