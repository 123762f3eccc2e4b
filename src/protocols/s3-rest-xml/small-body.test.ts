/** smallBody over a real HTTP server: whole bodies, signed-hash mismatches and client aborts. */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallBody } from './small-body.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('smallBody', () => {
  let server: Server;
  let port: number;
  let next: (req: IncomingMessage) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      next(req);
      res.on('error', () => undefined);
      req.on('close', () => res.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Sends `parts` (with pauses between them) and returns what reading the body gave on the server. */
  async function send(parts: Buffer[], length: number, expected: (all: Buffer) => string | undefined, abort = false): Promise<Buffer | Error> {
    const all = Buffer.concat(parts);
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => (arrived = r));
    const result = new Promise<Buffer | Error>((resolve) => {
      next = (req) => {
        arrived();
        const body = smallBody(req, expected(all));
        // Read only after a delay, as a handler that awaits other work first would: an error raised meanwhile must
        // reach the reader (async iteration of a destroyed stream rejects with its error), not crash the process.
        setTimeout(() => {
          void (async () => {
            const chunks: Buffer[] = [];
            try {
              for await (const c of body) chunks.push(c as Buffer);
              resolve(Buffer.concat(chunks));
            } catch (err) {
              resolve(err as Error);
            }
          })();
        }, 30);
      };
    });
    const req = request({ port, method: 'PUT', path: '/', headers: { 'content-length': String(length) } });
    req.on('error', () => undefined);
    for (const p of parts) {
      req.write(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (abort) {
      // Abort only once the server has the request: a reset that beats it to the socket would leave nothing to read.
      await requestArrived;
      req.destroy();
    } else req.end();
    return result;
  }

  it('yields the whole body once it has arrived, in one chunk', async () => {
    const parts = [Buffer.from('hello '), Buffer.from('small '), Buffer.from('world')];
    const got = await send(parts, 17, (all) => sha(all));
    expect(got).toEqual(Buffer.from('hello small world'));
  });

  it('accepts an empty body and UNSIGNED-PAYLOAD', async () => {
    expect(await send([], 0, () => sha(''))).toEqual(Buffer.alloc(0));
    expect(await send([Buffer.from('abc')], 3, () => undefined)).toEqual(Buffer.from('abc'));
  });

  it('fails with XAmzContentSHA256Mismatch when the body is not what was signed', async () => {
    const got = await send([Buffer.from('tampered')], 8, () => sha('original'));
    expect(got).toBeInstanceOf(Error);
    expect((got as Error & { code?: string }).code).toBe('XAmzContentSHA256Mismatch');
  });

  it('fails with IncompleteBody when the client goes away mid-body', async () => {
    const got = await send([Buffer.from('only part of it')], 1000, () => sha('x'), true);
    expect(got).toBeInstanceOf(Error);
    // The socket's reset may arrive before the request's close (as on the streamed path): either way the read fails.
    expect(['IncompleteBody', 'ECONNRESET']).toContain((got as Error & { code?: string }).code);
  });
});
