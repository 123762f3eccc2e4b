#!/usr/bin/env node
// The "floor" target of s3-bench: a bare node:http server that does no S3 work at all (no SigV4, no hashing,
// no storage). PUT drains the body and answers 200; GET answers a fixed body of the size the key names
// (keys start with 4k/, 1m/ or 64m/). It shows what Node's HTTP stack and the benchmark client alone cost
// on this machine, i.e. the ceiling for any Node server here.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } });
const SIZES = { '4k': 4096, '1m': 1024 * 1024, '64m': 64 * 1024 * 1024 };
const bodies = new Map();

function bodyFor(sizeId) {
  let b = bodies.get(sizeId);
  if (!b) {
    const data = Buffer.alloc(SIZES[sizeId], 0x61);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc32(data) >>> 0);
    b = { data, crc: c.toString('base64') };
    bodies.set(sizeId, b);
  }
  return b;
}

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'Content-Length': 2 });
    res.end('ok');
    return;
  }
  if (req.method === 'PUT') {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { ETag: '"0"', 'Content-Length': 0 });
      res.end();
    });
    return;
  }
  // /bucket/<size>/...
  const sizeId = (req.url ?? '').split('/')[2] ?? '';
  if (!(sizeId in SIZES)) {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
    return;
  }
  const b = bodyFor(sizeId);
  res.writeHead(200, { 'Content-Length': b.data.length, 'x-amz-checksum-crc32': b.crc, ETag: '"0"' });
  res.end(b.data);
});

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
