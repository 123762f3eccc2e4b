/** requestBody over a real HTTP server: a body asked for after its client went away fails at once, on both paths. */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../sigv4/verifier.js';
import { requestBody } from './s3-protocol.js';
import { SMALL_BODY_BYTES } from './small-body.js';

const UNSIGNED = { payloadHash: 'UNSIGNED-PAYLOAD' } as AuthContext;

describe('requestBody after the client went away', () => {
  let server: Server;
  let port: number;
  let onRequest: (req: IncomingMessage) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req) => onRequest(req));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // A handler still authenticating when the client aborts asks for the body only after the request closed.
  it.each([
    ['small (read whole)', 1_000],
    ['streamed', SMALL_BODY_BYTES + 100_000],
  ])('%s bodies fail with IncompleteBody instead of waiting forever', async (_label, length) => {
    const result = new Promise<unknown>((resolve) => {
      onRequest = (req) => {
        req.once('close', () => {
          void (async () => {
            try {
              for await (const chunk of requestBody(req, UNSIGNED).body) void chunk;
              resolve('ended');
            } catch (err) {
              resolve(err);
            }
          })();
        });
      };
    });
    const req = request({ port, method: 'PUT', path: '/b/k', headers: { 'content-length': String(length) } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(500, 1));
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    expect(await result).toMatchObject({ code: 'IncompleteBody' });
  });
});
