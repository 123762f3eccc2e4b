#!/usr/bin/env node
// S3 throughput/latency benchmark: starts Lakebox and/or moto, runs the same SigV4-signed, checksummed PUT/GET workload against each.
//
//   npm run bench:s3 -- --target all                 # Lakebox and moto side by side, markdown comparison table
//   node bench/s3-bench.mjs --target lakebox --duration 10 --conc-4k 32,64 --sizes 4k,1m
//   node bench/s3-bench.mjs --help
//
// Plain Node ESM (no build step for the bench itself; the Lakebox target runs bin/lakebox.js, so `npm run build` first).
// The client is deliberately lean so it is not the bottleneck on a small machine: one process, N keep-alive TCP
// connections with one request in flight each, a hand-written HTTP/1.1 request writer/response parser, a SigV4
// signer on node:crypto (checked against @smithy/signature-v4 at startup), and request bodies whose SHA-256 and
// CRC32 are computed once up front. Requests carry what the AWS SDK for JavaScript v3 sends: a signed payload hash
// (x-amz-content-sha256), x-amz-checksum-crc32 + x-amz-sdk-checksum-algorithm on PUT, x-amz-checksum-mode: ENABLED
// on GET, and the client checks the returned CRC32 against the bytes received, like the SDK does.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';

import { CLK_TCK, freePort, httpGetStatus, lakeboxCommand, machineCpu, superviseServer, percentile, procStatusKb, processCpuSeconds, sh, sleep, splitArgs } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_TARGETS = {
  // The issue's targets, on 2 cores.
  'PUT 4 KiB': { value: 3500, unit: 'ops/s' },
  'GET 4 KiB': { value: 4500, unit: 'ops/s' },
  'PUT 1 MiB': { value: 200, unit: 'MiB/s' },
  'GET 1 MiB': { value: 400, unit: 'MiB/s' },
};

const HELP = `Usage: node bench/s3-bench.mjs [options]

  --target LIST               servers to start and benchmark, comma-separated: lakebox, moto, floor (a bare
                              node:http server doing no S3 work: the ceiling for Node here); all = lakebox,moto
                              (default: all)
  --sizes LIST                object sizes, e.g. 4k,64k,1m,64m (default: 4k,1m,64m)
  --duration SEC              measured seconds per phase (default: 8)
  --warmup SEC                unmeasured warm-up seconds per phase, same workload (default: 1)
  --ops N                     stop a phase after N operations (default: no cap; the duration still applies)
  --workloads LIST            put,get or just one of them; a GET-only run writes a few objects first (default: put,get)
  --prefill N                 objects a GET-only run writes first and then reads at random (default: 1,000 for
                              4 KiB, fewer for large sizes so they total ~256 MiB)
  --conc-4k LIST              connections for the 4 KiB phases, and other sizes under 1 MiB (default: 32,64)
  --conc-1m LIST              connections for the 1 MiB phases, and other sizes under 64 MiB (default: 16)
  --conc-64m LIST             connections for the 64 MiB phases, and larger (default: 4)
  --no-verify                 do not check the CRC32 of GET responses on the client
  --unsigned-payload          PUT with x-amz-content-sha256: UNSIGNED-PAYLOAD (as SDKs do over HTTPS) instead of the
                              body's SHA-256 (as the JS SDK v3 does over plain HTTP, the default here)
  --client raw|node-http      HTTP client: lean raw-socket client (default) or node:http with a keep-alive Agent
  --lakebox-args="ARGS"       extra arguments for \`lakebox server\` (e.g. --lakebox-args=--no-fsync); note the "="
  --server-node-args="ARGS"   extra node flags for the Lakebox server process
                              (e.g. --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof")
  --lakebox-bin PATH          the lakebox entry point to run (default: bin/lakebox.js of this checkout), e.g. another build
  --data-dir DIR              parent directory for the Lakebox data dir (default: the OS temp dir); removed afterwards
  --keep-data                 keep the Lakebox data dir
  --no-fsync-probe            skip the fsync latency probe of the data disk
  --wait-quiet SEC            before each phase, wait up to SEC seconds for other load on the machine to drop
                              below 0.25 cores (default: 30; 0 disables); the load seen is reported either way
  --json FILE                 also write all results as JSON (default: bench/results/s3-<time>.json)
  --help
`;

// ---------------------------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: 'all' },
      sizes: { type: 'string', default: '4k,1m,64m' },
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '1' },
      ops: { type: 'string' },
      'conc-4k': { type: 'string', default: '32,64' },
      'conc-1m': { type: 'string', default: '16' },
      'conc-64m': { type: 'string', default: '4' },
      'no-verify': { type: 'boolean', default: false },
      'unsigned-payload': { type: 'boolean', default: false },
      client: { type: 'string', default: 'raw' },
      'lakebox-args': { type: 'string', default: '' },
      'server-node-args': { type: 'string', default: '' },
      'data-dir': { type: 'string' },
      'lakebox-bin': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      'no-fsync-probe': { type: 'boolean', default: false },
      json: { type: 'string' },
      'wait-quiet': { type: 'string', default: '30' },
      prefill: { type: 'string', default: '0' },
      workloads: { type: 'string', default: 'put,get' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    });
  } catch (err) {
    fail(`${err.message}\n\n${HELP}`);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const list = (s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const ints = (s, name) =>
    list(s).map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 1) fail(`--${name}: not a positive integer: ${x}`);
      return n;
    });
  const targets = values.target === 'all' ? ['lakebox', 'moto'] : list(values.target);
  for (const t of targets) if (t !== 'lakebox' && t !== 'moto' && t !== 'floor') fail(`--target: unknown target ${t}`);
  const sizes = list(values.sizes).map((s) => {
    const size = parseSize(s);
    if (!size) fail(`--sizes: not a size: ${s} (use e.g. 4k, 64k, 1m, 64m)`);
    return size;
  });
  if (values.client !== 'raw' && values.client !== 'node-http') fail('--client: raw or node-http');
  const num = (s, name) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) fail(`--${name}: not a number: ${s}`);
    return n;
  };
  return {
    targets,
    sizes,
    duration: num(values.duration, 'duration'),
    warmup: num(values.warmup, 'warmup'),
    ops: values.ops === undefined ? undefined : num(values.ops, 'ops'),
    conc: { '4k': ints(values['conc-4k'], 'conc-4k'), '1m': ints(values['conc-1m'], 'conc-1m'), '64m': ints(values['conc-64m'], 'conc-64m') },
    verify: !values['no-verify'],
    unsignedPayload: values['unsigned-payload'],
    client: values.client,
    lakeboxArgs: splitArgs(values['lakebox-args']),
    serverNodeArgs: splitArgs(values['server-node-args']),
    dataDir: values['data-dir'],
    lakeboxBin: resolve(values['lakebox-bin'] ?? join(ROOT, 'bin', 'lakebox.js')),
    keepData: values['keep-data'],
    fsyncProbe: !values['no-fsync-probe'],
    json: values.json,
    waitQuiet: num(values['wait-quiet'], 'wait-quiet'),
    prefill: num(values.prefill, 'prefill'),
    workloads: list(values.workloads).map((w) => {
      const up = w.toUpperCase();
      if (up !== 'PUT' && up !== 'GET') fail(`--workloads: unknown workload ${w}`);
      return up;
    }),
  };
}

/** Parses an object size such as 4k, 64k, 1m, 64m. Below 1 MiB results are in ops/s, from 1 MiB on in MiB/s. */
function parseSize(text) {
  const m = /^(\d+)([km])$/i.exec(text.trim());
  if (!m || Number(m[1]) < 1) return undefined;
  const n = Number(m[1]);
  const mega = m[2].toLowerCase() === 'm';
  const bytes = n * (mega ? 1024 * 1024 : 1024);
  return {
    id: `${n}${mega ? 'm' : 'k'}`,
    label: `${n} ${mega ? 'MiB' : 'KiB'}`,
    bytes,
    unit: bytes < 1024 * 1024 ? 'ops/s' : 'MiB/s',
    bodies: Math.max(2, Math.min(16, Math.floor((64 * 1024 * 1024) / bytes))),
  };
}

function sizeOf(id) {
  return parseSize(id);
}


function fail(message) {
  process.stderr.write(`s3-bench: ${message}\n`);
  process.exit(2);
}

function log(message) {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// SigV4 signing (header-based, S3 flavour: path not re-encoded, signed payload hash)

const REGION = 'us-east-1';
const ACCESS_KEY = 'test';
const SECRET_KEY = 'test';

class Signer {
  #day = '';
  #key = Buffer.alloc(0);

  #signingKey(day) {
    if (day !== this.#day) {
      const h = (k, d) => createHmac('sha256', k).update(d).digest();
      this.#key = h(h(h(h(`AWS4${SECRET_KEY}`, day), REGION), 's3'), 'aws4_request');
      this.#day = day;
    }
    return this.#key;
  }

  /** Returns the Authorization header value; `headers` maps lower-case names to values, all of which are signed. */
  authorization(method, path, headers, amzDate) {
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const n of names) canonicalHeaders += `${n}:${String(headers[n]).trim()}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `${method}\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${headers['x-amz-content-sha256']}`;
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${REGION}/s3/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(day)).update(stringToSign).digest('hex');
    return `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }
}

let cachedDateSecond = -1;
let cachedAmzDate = '';
function amzDateNow() {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  if (sec !== cachedDateSecond) {
    cachedDateSecond = sec;
    cachedAmzDate = new Date(sec * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  }
  return cachedAmzDate;
}

/** Cross-checks our signer against @smithy/signature-v4 (what the AWS SDK uses) on a PUT and a GET. */
async function selfCheckSigner() {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const sv4 = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    region: REGION,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: true,
  });
  const date = new Date('2026-01-02T03:04:05Z');
  const amzDate = '20260102T030405Z';
  const body = Buffer.from('hello, lakebox');
  const cases = [
    {
      method: 'PUT',
      path: '/bench/some/key-000001',
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
        'x-amz-checksum-crc32': crc32Base64(body),
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
    },
    {
      method: 'GET',
      path: '/bench/some/key-000001',
      headers: {
        host: '127.0.0.1:4566',
        'x-amz-checksum-mode': 'ENABLED',
        'x-amz-content-sha256': createHash('sha256').update('').digest('hex'),
      },
    },
  ];
  const ours = new Signer();
  for (const c of cases) {
    const signed = await sv4.sign(
      { method: c.method, protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: c.path, query: {}, headers: { ...c.headers }, body },
      { signingDate: date },
    );
    const mine = ours.authorization(c.method, c.path, { ...c.headers, 'x-amz-date': amzDate }, amzDate);
    if (signed.headers.authorization !== mine) {
      throw new Error(`SigV4 self-check failed for ${c.method}:\n  smithy: ${signed.headers.authorization}\n  ours:   ${mine}`);
    }
  }
}

function crc32Base64(buf) {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(buf) >>> 0);
  return out.toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Request payloads: a few distinct random bodies per size, hashed once.

function makeBodies(size) {
  const bodies = [];
  for (let i = 0; i < size.bodies; i++) {
    const data = randomBytes(size.bytes);
    bodies.push({ data, sha256: createHash('sha256').update(data).digest('hex'), crc32: crc32Base64(data) });
  }
  return bodies;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** When set, PUTs send x-amz-content-sha256: UNSIGNED-PAYLOAD (what the SDKs send over HTTPS) instead of the body's SHA-256. */
let unsignedPayload = false;

function buildRequest(signer, hostHeader, op, path, body) {
  const amzDate = amzDateNow();
  let headers;
  if (op === 'PUT') {
    headers = {
      'content-length': String(body.data.length),
      'content-type': 'application/octet-stream',
      host: hostHeader,
      'x-amz-checksum-crc32': body.crc32,
      'x-amz-content-sha256': unsignedPayload ? 'UNSIGNED-PAYLOAD' : body.sha256,
      'x-amz-date': amzDate,
      'x-amz-sdk-checksum-algorithm': 'CRC32',
    };
  } else {
    headers = {
      host: hostHeader,
      'x-amz-checksum-mode': 'ENABLED',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': amzDate,
    };
  }
  headers.authorization = signer.authorization(op, path, headers, amzDate);
  return headers;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP/1.1 clients. Both resolve { status, bytes, crcOk, errorBody } when the last response byte has arrived.

/** A lean keep-alive HTTP/1.1 connection on a raw socket: one request in flight, Content-Length or chunked bodies. */
class RawConnection {
  #host;
  #port;
  #socket = undefined;
  #pending = undefined;
  #state = undefined;
  #readBuffer = undefined;

  constructor(host, port) {
    this.#host = host;
    this.#port = port;
  }

  #connect() {
    return new Promise((resolvePromise, reject) => {
      // Reads land in one reusable buffer per connection (no allocation per read); #onData consumes each
      // read synchronously and copies only what it keeps (a split response head, error bodies).
      this.#readBuffer ??= Buffer.allocUnsafe(READ_BUFFER);
      const socket = connect({
        host: this.#host,
        port: this.#port,
        onread: {
          buffer: this.#readBuffer,
          callback: (n, buf) => {
            if (this.#socket === socket) this.#onData(buf.subarray(0, n));
          },
        },
      });
      socket.setNoDelay(true);
      const onError = (err) => reject(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        socket.on('error', (err) => {
          if (this.#socket === socket) this.#fail(err);
        });
        socket.on('close', () => {
          // A socket we dropped ourselves (Connection: close) must not touch the next request's state.
          if (this.#socket !== socket) return;
          if (this.#state?.untilClose) this.#finish();
          else this.#fail(new Error('connection closed before the response was complete'));
          this.#socket = undefined;
        });
        this.#socket = socket;
        resolvePromise(socket);
      });
    });
  }

  async request(method, path, headers, body, verify) {
    const socket = this.#socket ?? (await this.#connect());
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    return new Promise((resolvePromise, reject) => {
      this.#pending = { resolve: resolvePromise, reject };
      this.#state = {
        method,
        verify,
        head: [],
        parsed: false,
        status: 0,
        remaining: 0,
        chunked: undefined,
        untilClose: false,
        close: false,
        crc: 0,
        expectCrc: undefined,
        bytes: 0,
        errorBody: [],
      };
      if (body) {
        socket.cork();
        socket.write(head);
        socket.write(body);
        socket.uncork();
      } else socket.write(head);
    });
  }

  #onData(chunk) {
    const st = this.#state;
    if (!st) return;
    let buf = chunk;
    if (!st.parsed) {
      const all = st.head.length === 0 ? buf : Buffer.concat([...st.head, buf]);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        st.head = [Buffer.from(all)];
        return;
      }
      st.head = [];
      this.#parseHead(all.toString('latin1', 0, end));
      buf = all.subarray(end + 4);
      if (this.#state !== st) return;
    }
    if (buf.length > 0) this.#body(buf);
  }

  #parseHead(text) {
    const st = this.#state;
    const lines = text.split('\r\n');
    st.status = Number(lines[0].slice(9, 12));
    let length;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding' && /chunked/i.test(value)) st.chunked = { phase: 'size', line: '', left: 0 };
      else if (name === 'connection' && /close/i.test(value)) st.close = true;
      else if (name === 'x-amz-checksum-crc32') st.expectCrc = value;
    }
    st.parsed = true;
    if (st.method === 'HEAD' || st.status === 204 || st.status === 304) this.#finish();
    else if (st.chunked) return;
    else if (length !== undefined) {
      st.remaining = length;
      if (length === 0) this.#finish();
    } else st.untilClose = true;
  }

  #consume(buf) {
    const st = this.#state;
    st.bytes += buf.length;
    if (st.status >= 300) {
      if (st.errorBody.length < 64) st.errorBody.push(Buffer.from(buf));
    } else if (st.verify) st.crc = crc32(buf, st.crc);
  }

  #body(buf) {
    const st = this.#state;
    if (st.chunked) {
      this.#chunked(buf);
      return;
    }
    if (st.untilClose) {
      this.#consume(buf);
      return;
    }
    const take = Math.min(buf.length, st.remaining);
    this.#consume(take === buf.length ? buf : buf.subarray(0, take));
    st.remaining -= take;
    if (st.remaining === 0) this.#finish();
  }

  #chunked(buf) {
    const st = this.#state;
    const c = st.chunked;
    let i = 0;
    while (i < buf.length && this.#state === st) {
      if (c.phase === 'data') {
        const take = Math.min(buf.length - i, c.left);
        this.#consume(buf.subarray(i, i + take));
        i += take;
        c.left -= take;
        if (c.left === 0) {
          c.phase = 'crlf';
          c.line = '';
        }
        continue;
      }
      const nl = buf.indexOf(10, i);
      if (nl < 0) {
        c.line += buf.toString('latin1', i);
        return;
      }
      const line = (c.line + buf.toString('latin1', i, nl)).replace(/\r$/, '');
      c.line = '';
      i = nl + 1;
      if (c.phase === 'crlf') c.phase = 'size';
      else if (c.phase === 'size') {
        c.left = parseInt(line.split(';')[0], 16);
        c.phase = c.left === 0 ? 'trailer' : 'data';
      } else if (c.phase === 'trailer' && line === '') this.#finish();
    }
  }

  #finish() {
    const st = this.#state;
    const p = this.#pending;
    this.#state = undefined;
    this.#pending = undefined;
    if (st.close || st.untilClose) {
      const s = this.#socket;
      this.#socket = undefined;
      s?.destroy();
    }
    let crcOk;
    if (st.verify && st.status < 300 && st.expectCrc !== undefined) {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(st.crc >>> 0);
      crcOk = out.toString('base64') === st.expectCrc;
    }
    p?.resolve({ status: st.status, bytes: st.bytes, crcOk, errorBody: Buffer.concat(st.errorBody).toString('utf8', 0, 600) });
  }

  #fail(err) {
    const p = this.#pending;
    this.#state = undefined;
    this.#pending = undefined;
    const s = this.#socket;
    this.#socket = undefined;
    s?.destroy();
    p?.reject(err);
  }

  close() {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}

/** node:http with a keep-alive Agent, for cross-checking the raw client. */
class NodeHttpConnection {
  #agent;
  #host;
  #port;

  constructor(host, port, agent) {
    this.#host = host;
    this.#port = port;
    this.#agent = agent;
  }

  request(method, path, headers, body, verify) {
    return new Promise((resolvePromise, reject) => {
      const req = httpRequest({ host: this.#host, port: this.#port, method, path, headers, agent: this.#agent }, (res) => {
        let crc = 0;
        let bytes = 0;
        const errorBody = [];
        const status = res.statusCode ?? 0;
        res.on('data', (chunk) => {
          bytes += chunk.length;
          if (status >= 300) errorBody.push(chunk);
          else if (verify) crc = crc32(chunk, crc);
        });
        res.on('end', () => {
          const expect = res.headers['x-amz-checksum-crc32'];
          let crcOk;
          if (verify && status < 300 && typeof expect === 'string') {
            const out = Buffer.alloc(4);
            out.writeUInt32BE(crc >>> 0);
            crcOk = out.toString('base64') === expect;
          }
          resolvePromise({ status, bytes, crcOk, errorBody: Buffer.concat(errorBody).toString('utf8', 0, 600) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close() {}
}

function openConnections(kind, host, port, n) {
  if (kind === 'raw') return Array.from({ length: n }, () => new RawConnection(host, port));
  // Imported lazily so the raw client does not pay for it.
  return import('node:http').then(({ Agent }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
    return Array.from({ length: n }, () => new NodeHttpConnection(host, port, agent));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Process and machine measurements



/**
 * CPU seconds of a process split into its main thread (user, system) and all other threads (libuv pool, GC
 * helpers, ...; for moto, the per-connection threads). The process total also counts threads that have exited.
 */
function threadCpuSeconds(pid) {
  const out = { mainUser: 0, mainSystem: 0, otherThreads: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.mainUser = Number(f[11]) / CLK_TCK;
    out.mainSystem = Number(f[12]) / CLK_TCK;
    out.otherThreads = Math.max(0, processCpuSeconds(pid) - out.mainUser - out.mainSystem);
  } catch {
    /* process gone */
  }
  return out;
}


/** Resets VmHWM to the current RSS (Linux ≥ 4.0, needs permission on the process); returns whether it worked. */
function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}



function machineInfo(dataParent) {
  const cpus = os.cpus();
  const df = sh('df', ['-hT', dataParent]).split('\n')[1]?.split(/\s+/) ?? [];
  const device = df[0] ?? '';
  const devName = device.replace(/^\/dev\//, '').replace(/[0-9]+$/, '');
  let rotational = '';
  let writeCache = '';
  try {
    rotational = `rotational=${readFileSync(`/sys/block/${devName}/queue/rotational`, 'utf8').trim()} (as the kernel reports it)`;
    writeCache = readFileSync(`/sys/block/${devName}/queue/write_cache`, 'utf8').trim();
  } catch {
    /* not a plain block device */
  }
  let pythonVersion = sh('python3', ['--version']);
  let motoVersion = sh('python3', ['-c', 'import moto; print(moto.__version__)']);
  if (!motoVersion) motoVersion = 'not installed';
  if (!pythonVersion) pythonVersion = 'not installed';
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: pythonVersion,
    moto: motoVersion,
    disk: { device, fsType: df[1] ?? '', size: df[2] ?? '', mount: df[6] ?? '', rotational, writeCache, mountOptions: mountOptions(df[6]) },
    lsblk: sh('lsblk', ['-d', '-o', 'NAME,SIZE,ROTA,TYPE,MODEL']),
  };
}

function mountOptions(mount) {
  if (!mount) return '';
  try {
    const line = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[1] === mount);
    return line?.split(' ')[3] ?? '';
  } catch {
    return '';
  }
}

/** fsync latency of the data disk: what one durable Lakebox PUT pays (new file fsync, rename + directory fsync, WAL append + fsync). */
function fsyncProbe(parent, rounds = 200) {
  const dir = mkdtempSync(join(parent, 'lakebox-fsync-probe-'));
  const page = randomBytes(4096);
  const lat = { newFile: [], dirAfterRename: [], walAppend: [] };
  const t = () => performance.now();
  try {
    const dfd = openSync(dir, 'r');
    const wal = openSync(join(dir, 'wal'), 'a');
    for (let i = 0; i < rounds; i++) {
      const f = openSync(join(dir, `tmp-${i}`), 'w');
      writeSync(f, page);
      let s = t();
      fsyncSync(f);
      lat.newFile.push(t() - s);
      closeSync(f);
      renameSync(join(dir, `tmp-${i}`), join(dir, `blob-${i}`));
      s = t();
      fsyncSync(dfd);
      lat.dirAfterRename.push(t() - s);
      writeSync(wal, page);
      s = t();
      fsyncSync(wal);
      lat.walAppend.push(t() - s);
    }
    closeSync(wal);
    closeSync(dfd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = {};
  for (const [k, v] of Object.entries(lat)) out[k] = { p50: percentile(v, 0.5), p99: percentile(v, 0.99), mean: v.reduce((a, b) => a + b, 0) / v.length };
  out.rounds = rounds;
  return out;
}


// ---------------------------------------------------------------------------------------------------------------
// Servers under test



async function startServer(target, opts, workDir) {
  const port = await freePort();
  let cmd;
  let args;
  let readyPath;
  let dataDir;
  if (target === 'lakebox') {
    const bin = opts.lakeboxBin;
    if (!existsSync(join(dirname(bin), '..', 'dist', 'cli', 'main.js'))) fail(`${join(dirname(bin), '..', 'dist')} is missing: run \`npm run build\` first`);
    dataDir = join(workDir, 'lakebox-data');
    const launch = lakeboxCommand(bin, opts.serverNodeArgs);
    cmd = launch.cmd;
    args = [
      ...launch.args,
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...opts.lakeboxArgs,
    ];
    readyPath = '/_lakebox/health';
  } else if (target === 'floor') {
    cmd = process.execPath;
    args = [...opts.serverNodeArgs, join(ROOT, 'bench', 'http-floor-server.mjs'), '--port', String(port)];
    readyPath = '/health';
  } else {
    cmd = 'python3';
    args = ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)];
    readyPath = '/moto-api/';
  }
  return superviseServer({
    target,
    cmd,
    args,
    cwd: workDir,
    port,
    dataDir,
    logPath: join(workDir, `${target}.log`),
    isReady: async () => (await httpGetStatus(port, readyPath)) === 200,
    fail,
  });
}



// ---------------------------------------------------------------------------------------------------------------
// Workload

const BUCKET = 'lakebox-bench';
const READ_BUFFER = 256 * 1024;

async function createBucket(server, signer) {
  const conn = new RawConnection('127.0.0.1', server.port);
  const path = `/${BUCKET}`;
  const amzDate = amzDateNow();
  const headers = { host: `127.0.0.1:${server.port}`, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': amzDate, 'content-length': '0' };
  headers.authorization = signer.authorization('PUT', path, headers, amzDate);
  const res = await conn.request('PUT', path, headers, undefined, false);
  conn.close();
  if (res.status !== 200) throw new Error(`CreateBucket on ${server.target} answered ${res.status}: ${res.errorBody}`);
}

/**
 * Runs one phase: `conc` connections, each issuing `op` back to back until the deadline (or the op cap).
 * Returns latencies in ms and counters.
 */
async function runLoad({ server, signer, client, op, size, bodies, conc, seconds, maxOps, keys, verify, prefix }) {
  const host = '127.0.0.1';
  const hostHeader = `${host}:${server.port}`;
  const conns = await openConnections(client, host, server.port, conc);
  const latencies = [];
  let issued = 0;
  let ok = 0;
  let errors = 0;
  let crcMismatches = 0;
  let bytes = 0;
  const errorSamples = new Map();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let lastDone = start;
  const worker = async (conn, w) => {
    for (;;) {
      if (performance.now() >= deadline || (maxOps !== undefined && issued >= maxOps)) return;
      const n = issued++;
      let key;
      let body;
      if (op === 'PUT') {
        key = `${prefix}/${w}-${String(n).padStart(9, '0')}`;
        body = bodies[n % bodies.length];
      } else {
        if (keys.length === 0) return;
        key = keys[Math.floor(Math.random() * keys.length)];
      }
      const path = `/${BUCKET}/${key}`;
      const headers = buildRequest(signer, hostHeader, op, path, body);
      const t0 = performance.now();
      let res;
      try {
        res = await conn.request(op, path, headers, body?.data, verify && op === 'GET');
      } catch (err) {
        errors++;
        const msg = String(err?.message ?? err);
        errorSamples.set(msg, (errorSamples.get(msg) ?? 0) + 1);
        await sleep(10);
        continue;
      }
      const t1 = performance.now();
      lastDone = t1;
      const good = res.status === 200 && (op === 'PUT' || res.bytes === size.bytes) && res.crcOk !== false;
      if (res.crcOk === false) crcMismatches++;
      if (good) {
        ok++;
        latencies.push(t1 - t0);
        bytes += size.bytes;
        if (op === 'PUT') keys.push(key);
      } else {
        errors++;
        const msg = `HTTP ${res.status}${res.crcOk === false ? ' (CRC32 mismatch)' : ''} ${res.errorBody.slice(0, 200)}`;
        errorSamples.set(msg, (errorSamples.get(msg) ?? 0) + 1);
      }
    }
  };
  await Promise.all(conns.map((c, i) => worker(c, i)));
  for (const c of conns) c.close();
  // Until the last response arrived (requests in flight at the deadline are counted and waited for).
  const elapsed = (Math.max(lastDone, start + seconds * 1000 * (ok > 0 ? 0 : 1)) - start) / 1000;
  return { latencies, ok, errors, crcMismatches, bytes, elapsed, errorSamples: Object.fromEntries(errorSamples) };
}

/** Samples machine CPU in 1 s windows until load other than `pid` is under 0.25 cores or `maxSeconds` passed; returns the last load seen. */
async function waitQuiet(pid, maxSeconds) {
  const started = Date.now();
  let load;
  let logged = false;
  for (;;) {
    const m0 = machineCpu();
    const p0 = processCpuSeconds(pid);
    const c0 = process.cpuUsage();
    await sleep(1000);
    const m1 = machineCpu();
    const busy = m1.total - m0.total - (m1.idle - m0.idle);
    const c1 = process.cpuUsage(c0);
    const window = (m1.total - m0.total) / os.availableParallelism();
    load = Math.max(0, (busy - (processCpuSeconds(pid) - p0) - (c1.user + c1.system) / 1e6) / Math.max(window, 1e-9));
    if (load < 0.25 || (Date.now() - started) / 1000 >= maxSeconds) break;
    if (!logged) {
      log(`   waiting for the machine to quieten down (other load ${fmt(load, 2)} cores)...`);
      logged = true;
    }
  }
  return load;
}

async function runPhase(ctx, { op, size, conc }) {
  const { server, opts } = ctx;
  const keys = ctx.keys[size.id];
  const common = { server, signer: ctx.signer, client: opts.client, op, size, bodies: ctx.bodies[size.id], conc, keys, verify: opts.verify };
  if (op === 'GET' && keys.length === 0 && !opts.workloads.includes('PUT')) {
    // GET-only run: write a few objects first, unmeasured.
    const count = opts.prefill || Math.max(8, Math.min(1000, Math.floor((256 * 1024 * 1024) / size.bytes)));
    await runLoad({ ...common, op: 'PUT', seconds: 3600, maxOps: count, prefix: `${size.id}/prefill` });
  }
  if (op === 'GET' && keys.length === 0) return undefined;
  if (opts.warmup > 0) {
    await runLoad({ ...common, seconds: opts.warmup, maxOps: undefined, prefix: `${size.id}/c${conc}/warm` });
    server.assertAlive();
  }
  const loadBefore = opts.waitQuiet > 0 ? await waitQuiet(server.pid, opts.waitQuiet) : undefined;
  const peakResetOk = resetPeakRss(server.pid);
  const cpu0 = processCpuSeconds(server.pid);
  const threads0 = threadCpuSeconds(server.pid);
  const client0 = process.cpuUsage();
  const m0 = machineCpu();
  const r = await runLoad({ ...common, seconds: opts.duration, maxOps: opts.ops, prefix: `${size.id}/c${conc}/run` });
  server.assertAlive();
  const m1 = machineCpu();
  const client1 = process.cpuUsage(client0);
  const cpu1 = processCpuSeconds(server.pid);
  const threads1 = threadCpuSeconds(server.pid);
  const hwmKb = procStatusKb(server.pid, 'VmHWM');
  // RSS split at the end of the phase: file-backed pages (the SQLite memory map, page cache) are reclaimable.
  const rssAnonKb = procStatusKb(server.pid, 'RssAnon');
  const rssFileKb = procStatusKb(server.pid, 'RssFile');
  const elapsed = Math.max(r.elapsed, 1e-9);
  const serverCpu = cpu1 - cpu0;
  const clientCpu = (client1.user + client1.system) / 1e6;
  const machineBusy = m1.total - m0.total - (m1.idle - m0.idle);
  const machineTotal = m1.total - m0.total;
  const result = {
    name: `${op} ${size.label}`,
    op,
    size: size.id,
    objectBytes: size.bytes,
    conc,
    ops: r.ok,
    errors: r.errors,
    crcMismatches: r.crcMismatches,
    errorSamples: r.errorSamples,
    seconds: elapsed,
    opsPerSec: r.ok / elapsed,
    mibPerSec: r.bytes / 1024 / 1024 / elapsed,
    latencyMs: { p50: percentile(r.latencies, 0.5), p90: percentile(r.latencies, 0.9), p99: percentile(r.latencies, 0.99), max: percentile(r.latencies, 1) },
    serverCpuSeconds: serverCpu,
    serverCores: serverCpu / elapsed,
    // Where the server's CPU went: its main (event loop) thread in user and kernel mode, and all its other threads.
    serverThreadCores: {
      mainUser: (threads1.mainUser - threads0.mainUser) / elapsed,
      mainSystem: (threads1.mainSystem - threads0.mainSystem) / elapsed,
      otherThreads: (threads1.otherThreads - threads0.otherThreads) / elapsed,
    },
    serverCpuMsPerOp: r.ok > 0 ? (1000 * serverCpu) / r.ok : NaN,
    clientCpuSeconds: clientCpu,
    clientCores: clientCpu / elapsed,
    machineBusyPercent: machineTotal > 0 ? (100 * machineBusy) / machineTotal : NaN,
    // CPU used by everything else on the machine (kernel threads, other processes) during the phase.
    otherCores: Math.max(0, machineBusy / elapsed - serverCpu / elapsed - clientCpu / elapsed),
    otherCoresBefore: loadBefore,
    serverPeakRssMiB: peakResetOk ? hwmKb / 1024 : undefined,
    serverRssAtEndMiB: { anon: rssAnonKb / 1024, file: rssFileKb / 1024 },
  };
  ctx.overallPeakKb = Math.max(ctx.overallPeakKb, hwmKb);
  return result;
}

async function benchTarget(target, opts, workDir, signer, bodies) {
  log(`\n== ${target}: starting server`);
  const server = await startServer(target, opts, workDir);
  log(`   pid ${server.pid}, port ${server.port}: ${server.command}`);
  await createBucket(server, signer);
  const idleRssMiB = procStatusKb(server.pid, 'VmRSS') / 1024;
  const ctx = { server, opts, signer, bodies, keys: {}, overallPeakKb: procStatusKb(server.pid, 'VmHWM') };
  const phases = [];
  for (const size of opts.sizes) {
    ctx.keys[size.id] = [];
    const concs = opts.conc[size.id] ?? (size.bytes < 1024 * 1024 ? opts.conc['4k'] : size.bytes < 64 * 1024 * 1024 ? opts.conc['1m'] : opts.conc['64m']);
    if (opts.workloads.includes('PUT')) for (const conc of concs) phases.push({ op: 'PUT', size, conc });
    if (opts.workloads.includes('GET')) for (const conc of concs) phases.push({ op: 'GET', size, conc });
  }
  const results = [];
  const cpuStart = processCpuSeconds(server.pid);
  try {
    for (const phase of phases) {
      const r = await runPhase(ctx, phase);
      if (!r) {
        log(`   ${phase.op} ${phase.size.label} c${phase.conc}: skipped (no objects were written)`);
        continue;
      }
      results.push(r);
      const rate = phase.size.unit === 'ops/s' ? `${fmt(r.opsPerSec, 0)} ops/s` : `${fmt(r.mibPerSec, 1)} MiB/s (${fmt(r.opsPerSec, 1)} ops/s)`;
      log(
        `   ${r.name.padEnd(11)} c${String(r.conc).padEnd(3)} ${rate.padEnd(28)} p50 ${fmt(r.latencyMs.p50, 2)} ms  p99 ${fmt(r.latencyMs.p99, 2)} ms` +
          `  server ${fmt(r.serverCores, 2)} cores (main ${fmt(r.serverThreadCores.mainUser, 2)} usr + ${fmt(r.serverThreadCores.mainSystem, 2)} sys, other threads ${fmt(r.serverThreadCores.otherThreads, 2)}; ${fmt(r.serverCpuMsPerOp, 3)} ms/op), client ${fmt(r.clientCores, 2)} cores, machine ${fmt(r.machineBusyPercent, 0)}% busy, other ${fmt(r.otherCores, 2)} cores` +
          `${r.serverPeakRssMiB !== undefined ? `, server peak RSS ${fmt(r.serverPeakRssMiB, 0)} MiB` : ''}` +
          `${r.serverRssAtEndMiB.anon > 0 ? ` (at the end: ${fmt(r.serverRssAtEndMiB.anon, 0)} anon + ${fmt(r.serverRssAtEndMiB.file, 0)} file-backed)` : ''}` +
          `${r.errors ? `  ERRORS ${r.errors}: ${JSON.stringify(r.errorSamples).slice(0, 300)}` : ''}`,
      );
    }
  } finally {
    const cpuTotal = processCpuSeconds(server.pid) - cpuStart;
    const peakKb = Math.max(ctx.overallPeakKb, procStatusKb(server.pid, 'VmHWM'));
    const exit = await server.stop();
    ctx.summary = { cpuTotal, peakKb, exit };
  }
  return {
    target,
    command: server.command,
    idleRssMiB,
    peakRssMiB: ctx.summary.peakKb / 1024,
    serverCpuSecondsTotal: ctx.summary.cpuTotal,
    results,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

function fmt(n, digits) {
  if (n === undefined || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function rateOf(r) {
  return sizeOf(r.size).unit === 'ops/s' ? r.opsPerSec : r.mibPerSec;
}

function rateText(r) {
  if (!r) return '–';
  return sizeOf(r.size).unit === 'ops/s' ? `${fmt(r.opsPerSec, 0)} ops/s` : `${fmt(r.mibPerSec, 1)} MiB/s`;
}

function markdownReport(run) {
  const out = [];
  const m = run.machine;
  out.push(`### Machine`, '');
  out.push(`- CPU: ${m.cpu}, ${m.cores} cores (client and server share them); RAM ${m.memGiB} GiB`);
  out.push(`- Kernel: ${m.kernel}; Node ${m.node}; ${m.python}; moto ${m.moto}`);
  out.push(
    `- Data disk: ${m.disk.device} (${m.disk.fsType}, ${m.disk.size}, mounted on ${m.disk.mount}, ${m.disk.mountOptions}); ${m.disk.rotational}; write cache: ${m.disk.writeCache || 'unknown'}`,
  );
  if (run.fsync) {
    const f = run.fsync;
    out.push(
      `- fsync latency (${f.rounds} rounds, 4 KiB): new file fsync p50 ${fmt(f.newFile.p50, 3)} ms / p99 ${fmt(f.newFile.p99, 3)} ms; ` +
        `directory fsync after rename p50 ${fmt(f.dirAfterRename.p50, 3)} / p99 ${fmt(f.dirAfterRename.p99, 3)} ms; ` +
        `append + fsync p50 ${fmt(f.walAppend.p50, 3)} / p99 ${fmt(f.walAppend.p99, 3)} ms`,
    );
  }
  out.push(`- Options: ${run.argv.length ? run.argv.join(' ') : '(defaults)'}; ${run.options.duration} s measured + ${run.options.warmup} s warm-up per phase; client: ${run.options.client}; PUT payload: ${run.options.unsignedPayload ? 'UNSIGNED-PAYLOAD' : 'signed SHA-256'} + x-amz-checksum-crc32; GET: x-amz-checksum-mode ENABLED, CRC32 checked by the client: ${run.options.verify ? 'yes' : 'no'}`);
  out.push('');
  for (const t of run.targets) {
    out.push(`### ${t.target}`, '', `Server: \`${t.command}\` — idle RSS ${fmt(t.idleRssMiB, 0)} MiB, peak RSS ${fmt(t.peakRssMiB, 0)} MiB, ${fmt(t.serverCpuSecondsTotal, 1)} CPU s in total`, '');
    out.push('| Workload | Conns | Throughput | ops/s | p50 ms | p99 ms | Server CPU (cores) | Client CPU (cores) | Other CPU (cores) | Machine busy | Server peak RSS MiB | Errors |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of t.results) {
      out.push(
        `| ${r.name} | ${r.conc} | ${rateText(r)} | ${fmt(r.opsPerSec, r.opsPerSec < 100 ? 1 : 0)} | ${fmt(r.latencyMs.p50, 2)} | ${fmt(r.latencyMs.p99, 2)} | ` +
          `${fmt(r.serverCores, 2)} | ${fmt(r.clientCores, 2)} | ${fmt(r.otherCores, 2)} | ${fmt(r.machineBusyPercent, 0)}% | ${r.serverPeakRssMiB === undefined ? '–' : fmt(r.serverPeakRssMiB, 0)} | ${r.errors} |`,
      );
    }
    out.push('');
  }
  if (run.targets.length > 1) {
    const ts = run.targets;
    const key = (r) => `${r.name}|${r.conc}`;
    const idx = ts.map((t) => new Map(t.results.map((r) => [key(r), r])));
    const lake = ts.findIndex((t) => t.target === 'lakebox');
    const moto = ts.findIndex((t) => t.target === 'moto');
    const both = lake >= 0 && moto >= 0;
    const rows = [];
    for (const t of ts) for (const r of t.results) if (!rows.some((x) => key(x) === key(r))) rows.push(r);
    out.push(`### Comparison`, '');
    out.push(
      `| Workload | Conns | ${ts.map((t) => t.target).join(' | ')} |${both ? ' lakebox ÷ moto |' : ''} ${ts.map((t) => `${t.target} p50 / p99 ms`).join(' | ')} | Target (2 cores), lakebox |`,
    );
    out.push(`|---|---:|${ts.map(() => '---:|').join('')}${both ? '---:|' : ''}${ts.map(() => '---:|').join('')}---|`);
    for (const row of rows) {
      const rs = idx.map((m) => m.get(key(row)));
      const ratio = both && rs[lake] && rs[moto] ? rateOf(rs[lake]) / rateOf(rs[moto]) : NaN;
      out.push(
        `| ${row.name} | ${row.conc} | ${rs.map((r) => rateText(r)).join(' | ')} |${both ? ` ${Number.isFinite(ratio) ? `${fmt(ratio, 1)}×` : '–'} |` : ''} ` +
          `${rs.map((r) => (r ? `${fmt(r.latencyMs.p50, 2)} / ${fmt(r.latencyMs.p99, 2)}` : '–')).join(' | ')} | ${lake >= 0 && rs[lake] ? targetText(rs[lake]) : '–'} |`,
      );
    }
    const filler = `${both ? ' |' : ''}${ts.map(() => ' |').join('')} |`;
    out.push(`| Server peak RSS | | ${ts.map((t) => `${fmt(t.peakRssMiB, 0)} MiB`).join(' | ')} |${filler}`);
    out.push(`| Server CPU, whole run | | ${ts.map((t) => `${fmt(t.serverCpuSecondsTotal, 1)} s`).join(' | ')} |${filler}`);
    out.push('');
  } else if (run.targets.length === 1) {
    out.push(`### Against the targets`, '');
    out.push('| Workload | Conns | Measured | Target (2 cores) |', '|---|---:|---:|---|');
    for (const r of run.targets[0].results) if (PAGE_TARGETS[r.name]) out.push(`| ${r.name} | ${r.conc} | ${rateText(r)} | ${targetText(r)} |`);
    out.push('');
  }
  return out.join('\n');
}

function targetText(r) {
  const t = PAGE_TARGETS[r.name];
  if (!t) return '–';
  const v = rateOf(r);
  const verdict = v >= t.value ? 'met' : `missed by ${fmt(100 * (1 - v / t.value), 0)}%`;
  return `≥ ${fmt(t.value, 0)} ${t.unit}: ${verdict}`;
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseOptions(argv);
  await selfCheckSigner();
  const parent = opts.dataDir ? resolve(opts.dataDir) : os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const workDir = mkdtempSync(join(parent, 'lakebox-bench-'));
  const machine = machineInfo(parent);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB RAM, ${machine.kernel}, node ${machine.node}`);
  log(`data disk: ${machine.disk.device} ${machine.disk.fsType} (${machine.disk.rotational}, write cache ${machine.disk.writeCache || '?'})`);
  let fsync;
  if (opts.fsyncProbe) {
    fsync = fsyncProbe(parent);
    log(
      `fsync probe: new file p50 ${fmt(fsync.newFile.p50, 3)} ms p99 ${fmt(fsync.newFile.p99, 3)} ms; dir after rename p50 ${fmt(fsync.dirAfterRename.p50, 3)} ms; ` +
        `append p50 ${fmt(fsync.walAppend.p50, 3)} ms`,
    );
  }
  unsignedPayload = opts.unsignedPayload;
  const signer = new Signer();
  const bodies = {};
  for (const size of opts.sizes) bodies[size.id] = makeBodies(size);
  const targets = [];
  try {
    for (const target of opts.targets) targets.push(await benchTarget(target, opts, workDir, signer, bodies));
  } finally {
    if (!opts.keepData) rmSync(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}`);
  }
  const run = {
    date: new Date().toISOString(),
    argv,
    options: {
      duration: opts.duration,
      warmup: opts.warmup,
      ops: opts.ops,
      conc: opts.conc,
      client: opts.client,
      verify: opts.verify,
      unsignedPayload: opts.unsignedPayload,
    },
    machine,
    fsync,
    targets,
  };
  const md = markdownReport(run);
  process.stdout.write(`${md}\n`);
  const jsonPath = opts.json ?? join(ROOT, 'bench', 'results', `s3-${run.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  log(`\nresults: ${jsonPath}`);
}

main().catch((err) => {
  process.stderr.write(`s3-bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
