/** The gzip worker: framed and encoded input, delimiters, concurrent jobs, backpressure and failures. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipWorker } from './gzip-worker.js';

function frame(records: string[]): Buffer {
  return Buffer.concat(
    records.flatMap((r) => {
      const b = Buffer.from(r);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return [len, b];
    }),
  );
}

async function collect(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function* pieces<T>(bufs: T[]): AsyncGenerator<T> {
  for (const b of bufs) yield b;
}

describe('GzipWorker', () => {
  const worker = new GzipWorker();
  afterAll(() => worker.close());

  it('strips the framing and puts newlines between records, across pieces, when asked', async () => {
    const input = [frame(['a', 'bc']), frame(['d']), frame([])];
    const plain = gunzipSync(await collect(worker.gzip(pieces(input), { level: 1, framed: true, delimiter: false })));
    expect(plain.toString()).toBe('abcd');
    const delimited = gunzipSync(await collect(worker.gzip(pieces([frame(['a', 'bc']), frame(['d'])]), { level: 6, framed: true, delimiter: true })));
    expect(delimited.toString()).toBe('a\nbc\nd');
  });

  it('reads framed records from file ranges itself, and fails on a range it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gzip-worker-'));
    try {
      const path = join(dir, 'segment.log');
      const a = frame(['one', 'two']);
      const b = frame(['three']);
      writeFileSync(path, Buffer.concat([Buffer.from('header'), a, Buffer.from('xx'), b]));
      const ranges = [
        { path, offset: 6, length: a.length },
        { path, offset: 6 + a.length + 2, length: b.length },
      ];
      const out = await collect(worker.gzip(pieces(ranges), { level: 1, framed: true, delimiter: true }));
      expect(gunzipSync(out).toString()).toBe('one\ntwo\nthree');
      await expect(collect(worker.gzip(pieces([{ path: join(dir, 'gone.log'), offset: 0, length: 4 }]), { level: 1, framed: true, delimiter: false }))).rejects.toThrow(/ENOENT/);
      await expect(collect(worker.gzip(pieces([{ path, offset: 6, length: 4096 }]), { level: 1, framed: true, delimiter: false }))).rejects.toThrow(/end of/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compresses encoded input as is, and runs jobs side by side', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const chunks = Array.from({ length: 9 }, (_, i) => Buffer.from(big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024)));
    const [a, b] = await Promise.all([
      collect(worker.gzip(pieces(chunks), { level: 1, framed: false, delimiter: false })),
      collect(worker.gzip(pieces([Buffer.from('hello')]), { level: 1, framed: false, delimiter: true })),
    ]);
    expect(gunzipSync(a).equals(big)).toBe(true);
    // One gzip member: header, one deflate stream over the whole input, then CRC-32 and length of all of it.
    expect([...a.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    expect(inflateRawSync(a.subarray(10, a.length - 8)).equals(big)).toBe(true);
    expect(a.readUInt32LE(a.length - 8)).toBe(crc32(big));
    expect(a.readUInt32LE(a.length - 4)).toBe(big.length);
    // An independent reader agrees.
    expect(execFileSync('gzip', ['-dc'], { input: a, maxBuffer: 64 * 1024 * 1024 }).equals(big)).toBe(true);
    expect(gunzipSync(b).toString()).toBe('hello');
  });

  it('keeps only a bounded amount of input in flight when the reader does not read', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        // Incompressible, so the output (which the reader leaves unread) fills up.
        const b = randomBytes(256 * 1024);
        produced += b.length;
        yield b;
      }
    }
    const out = worker.gzip(endless(), { level: 1, framed: false, delimiter: false });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect(produced).toBeGreaterThan(1024 * 1024);
      expect(produced).toBeLessThan(32 * 1024 * 1024);
      // Reading resumes the job.
      const before = produced;
      let read = 0;
      for await (const c of out) {
        read += (c as Buffer).length;
        if (read > 40 * 1024 * 1024) break;
      }
      expect(produced).toBeGreaterThan(before + 32 * 1024 * 1024);
    } finally {
      out.destroy();
    }
  });

  it('fails the stream on malformed framing and on a failing source, and keeps working afterwards', async () => {
    const torn = Buffer.from([0, 0, 0, 9, 65]);
    await expect(collect(worker.gzip(pieces([torn]), { level: 1, framed: true, delimiter: false }))).rejects.toThrow(/framing/);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('x');
      throw new Error('source broke');
    }
    await expect(collect(worker.gzip(failing(), { level: 1, framed: false, delimiter: false }))).rejects.toThrow(/source broke/);
    const ok = await collect(worker.gzip(pieces([frame(['fine'])]), { level: 1, framed: true, delimiter: false }));
    expect(gunzipSync(ok).toString()).toBe('fine');
  });
});
