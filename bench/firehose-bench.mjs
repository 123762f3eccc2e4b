#!/usr/bin/env node
// Firehose ingest benchmark: starts Lakebox and/or moto, drives PutRecordBatch (500 × ~300-byte JSON records per call)
// against a GZIP delivery stream with a `dt=!{timestamp:yyyy-MM-dd}/` prefix and 64 MiB / 60 s buffering, then
// flushes and checks that every acknowledged record was delivered to S3 exactly once.
//
//   node bench/firehose-bench.mjs --target all             # Lakebox and moto, markdown comparison table (~3-4 min)
//   node bench/firehose-bench.mjs --target lakebox --conc 8 --duration 20
//   node bench/firehose-bench.mjs --target lakebox --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
//   node bench/firehose-bench.mjs --help
//
// Plain Node ESM, no build step (the Lakebox target runs bin/lakebox.js, so `npm run build` first).
//
// The client sends what the AWS SDK for JavaScript v3 sends (same headers, x-amz-content-sha256 included) and signs
// with @smithy/signature-v4 + @smithy/hash-node, the SDK's own signer, over node:http keep-alive agents. To keep it
// cheap, request bodies are built once: a pool of distinct JSON bodies (different record contents), each exclusively
// checked out by one call at a time. Every record starts with {"eventId":"<9-digit call number><3-digit slot>", and
// the call number sits at a base64-aligned offset, so a call only patches 500 × 12 base64 characters of its body
// instead of re-encoding it; every record of the run is therefore unique and can be counted after delivery.
// Client CPU is measured (process.cpuUsage) alongside the server's (/proc/<pid>/stat), since both share the machine.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { CLK_TCK, freePort, httpGetStatus, lakeboxCommand, machineCpu, superviseServer, percentile, procStatusKb, processCpuSeconds, sh, sleep, splitArgs } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const gunzipAsync = promisify(gunzip);

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const ACCOUNT = '000000000000';
const BUCKET = 'firehose-bench';
const STREAM = 'bench-stream';
const PREFIX = 'dt=!{timestamp:yyyy-MM-dd}/';
const ERROR_PREFIX = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';
const SDK_VERSION = '3.1168.0';

/** The issue's targets for Lakebox on 2 cores. */
const TARGETS = {
  recordsPerSec: 200_000,
  mibPerSec: 60,
  p99AtFractionMs: 25,
  recordsPerCpuSecond: 150_000,
  rssMiB: 1024,
};

const HELP = `Usage: node bench/firehose-bench.mjs [options]

  --target LIST               lakebox, moto, or all (= lakebox,moto; default: all)
  --conc LIST                 calls in flight (one per keep-alive connection) for the closed-loop phases (default: 4,8,16)
  --duration SEC              measured seconds per closed-loop phase (default: 12)
  --warmup SEC                unmeasured seconds before each phase, same workload (default: 2)
  --latency-fraction F        rate of the latency run as a fraction of the best closed-loop rate (default: 0.7)
  --latency-rate N            rate of the latency run in records/s instead (A/B runs of two builds at the same load)
  --latency-duration SEC      measured seconds of the latency run (default: 10; 0 skips it)
  --latency-max-inflight N    connections the paced run may use at once (default: 32)
  --batch N                   records per PutRecordBatch call (default: 500, the API maximum)
  --record-bytes N            mean record size in bytes, newline included (default: 300; sizes vary ±7%)
  --pool N                    distinct request bodies (default: largest --conc + 8, at least 24)
  --buffer-mb N               BufferingHints.SizeInMBs (default: 64)
  --buffer-seconds N          BufferingHints.IntervalInSeconds (default: 60)
  --compression FORMAT        CompressionFormat (default: GZIP)
  --no-verify                 skip the flush + delivery check
  --no-drain                  Lakebox: do not flush the buffer between phases (by default each phase starts with an
                              empty buffer, so one phase's backlog does not throttle the next; the drain is reported)
  --wait-quiet SEC            before each phase, wait up to SEC seconds until other load on the machine (not the server,
                              not this client) is under 0.25 cores (default: 60; 0 disables); the load seen is reported
  --client-nice=N             renice this load generator's main thread (not the server) to N, e.g. -10 (needs root):
                              a diagnostic that shows how much of the client-measured tail is the client's own
                              scheduling on a machine it shares with the server
  --lakebox-args="ARGS"       extra arguments for \`lakebox server\` (e.g. --lakebox-args=--no-fsync); note the "="
  --server-node-args="ARGS"   extra node flags for the Lakebox server (e.g. --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof")
  --lakebox-bin PATH          lakebox entry point (default: bin/lakebox.js of this checkout)
  --data-dir DIR              parent directory of the temporary Lakebox data dir (default: the OS temp dir)
  --keep-data                 keep the Lakebox data dir
  --no-fsync-probe            skip the fsync latency probe of the data disk
  --json FILE                 also write all results as JSON (default: bench/firehose/results/firehose-<time>.json)
  --help
`;

// ---------------------------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        target: { type: 'string', default: 'all' },
        conc: { type: 'string', default: '4,8,16' },
        duration: { type: 'string', default: '12' },
        warmup: { type: 'string', default: '2' },
        'latency-fraction': { type: 'string', default: '0.7' },
        'latency-rate': { type: 'string' },
        'latency-duration': { type: 'string', default: '10' },
        'latency-max-inflight': { type: 'string', default: '32' },
        batch: { type: 'string', default: '500' },
        'record-bytes': { type: 'string', default: '300' },
        pool: { type: 'string' },
        'buffer-mb': { type: 'string', default: '64' },
        'buffer-seconds': { type: 'string', default: '60' },
        compression: { type: 'string', default: 'GZIP' },
        'client-nice': { type: 'string' },
        'no-verify': { type: 'boolean', default: false },
        'no-drain': { type: 'boolean', default: false },
        'wait-quiet': { type: 'string', default: '60' },
        'lakebox-args': { type: 'string', default: '' },
        'server-node-args': { type: 'string', default: '' },
        'lakebox-bin': { type: 'string' },
        'data-dir': { type: 'string' },
        'keep-data': { type: 'boolean', default: false },
        'no-fsync-probe': { type: 'boolean', default: false },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
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
  const num = (s, name, { int = false, min = 0 } = {}) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) fail(`--${name}: not a valid number: ${s}`);
    return n;
  };
  const targets = values.target === 'all' ? ['lakebox', 'moto'] : list(values.target);
  for (const t of targets) if (t !== 'lakebox' && t !== 'moto') fail(`--target: unknown target ${t}`);
  const conc = list(values.conc).map((c) => num(c, 'conc', { int: true, min: 1 }));
  if (conc.length === 0) fail('--conc: at least one value');
  const batch = num(values.batch, 'batch', { int: true, min: 1 });
  if (batch > 1000) fail('--batch: at most 1000 (the slot number has 3 digits)');
  const recordBytes = num(values['record-bytes'], 'record-bytes', { int: true, min: 120 });
  return {
    targets,
    conc,
    duration: num(values.duration, 'duration', { min: 1 }),
    warmup: num(values.warmup, 'warmup'),
    latencyFraction: num(values['latency-fraction'], 'latency-fraction', { min: 0.01 }),
    latencyRate: values['latency-rate'] === undefined ? undefined : num(values['latency-rate'], 'latency-rate', { min: 1 }),
    latencyDuration: num(values['latency-duration'], 'latency-duration'),
    latencyMaxInflight: num(values['latency-max-inflight'], 'latency-max-inflight', { int: true, min: 1 }),
    batch,
    recordBytes,
    pool: values.pool === undefined ? Math.max(24, Math.max(...conc) + 8) : num(values.pool, 'pool', { int: true, min: 1 }),
    bufferMb: num(values['buffer-mb'], 'buffer-mb', { int: true, min: 1 }),
    bufferSeconds: num(values['buffer-seconds'], 'buffer-seconds', { int: true }),
    compression: values.compression,
    verify: !values['no-verify'],
    drain: !values['no-drain'],
    waitQuiet: num(values['wait-quiet'], 'wait-quiet'),
    lakeboxArgs: splitArgs(values['lakebox-args']),
    serverNodeArgs: splitArgs(values['server-node-args']),
    lakeboxBin: resolve(values['lakebox-bin'] ?? join(ROOT, 'bin', 'lakebox.js')),
    dataDir: values['data-dir'],
    keepData: values['keep-data'],
    fsyncProbe: !values['no-fsync-probe'],
    json: values.json,
    clientNice: values['client-nice'] === undefined ? undefined : num(values['client-nice'], 'client-nice', { int: true, min: -20 }),
  };
}


function fail(message) {
  process.stderr.write(`firehose-bench: ${message}\n`);
  process.exit(2);
}

function log(message) {
  process.stderr.write(`${message}\n`);
}


function fmt(n, digits = 0) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}


function latencySummary(values) {
  let over100 = 0;
  let over25 = 0;
  for (const v of values) {
    if (v > 100) over100++;
    if (v > 25) over25++;
  }
  return { n: values.length, p50: percentile(values, 0.5), p90: percentile(values, 0.9), p99: percentile(values, 0.99), max: percentile(values, 1), over100, over25 };
}

// ---------------------------------------------------------------------------------------------------------------
// Process and machine measurements (Linux /proc)



/** CPU seconds of the main thread and of all other threads (libuv pool: fsync, gzip; GC helpers; moto's request threads). */
function threadCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const main = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    return { main, other: Math.max(0, processCpuSeconds(pid) - main) };
  } catch {
    return { main: NaN, other: NaN };
  }
}



function clientCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A CPU/time snapshot of server, client and machine; `since()` turns two of them into a window. */
function snapshot(pid) {
  // mono: CLOCK_MONOTONIC in µs, the clock of V8's .cpuprofile timestamps (bench/firehose/profile-split.mjs uses it).
  return { t: performance.now(), mono: Number(process.hrtime.bigint() / 1000n), server: processCpuSeconds(pid), threads: threadCpuSeconds(pid), client: clientCpuSeconds(), machine: machineCpu() };
}

function windowOf(a, b) {
  const seconds = (b.t - a.t) / 1000;
  const serverCpu = b.server - a.server;
  const clientCpu = b.client - a.client;
  const busy = b.machine.total - a.machine.total - (b.machine.idle - a.machine.idle);
  const cores = (b.machine.total - a.machine.total) / seconds;
  return {
    monoStartUs: a.mono,
    monoEndUs: b.mono,
    seconds,
    serverCpu,
    serverCores: serverCpu / seconds,
    serverMainThreadCores: (b.threads.main - a.threads.main) / seconds,
    serverOtherThreadCores: (b.threads.other - a.threads.other) / seconds,
    clientCpu,
    clientCores: clientCpu / seconds,
    machineBusyCores: busy / seconds,
    machineCores: cores,
    otherCores: Math.max(0, busy / seconds - serverCpu / seconds - clientCpu / seconds),
  };
}

/** Samples the machine in 1 s windows until load other than `pid` and this process is under 0.25 cores or `maxSeconds` passed. */
async function waitQuiet(pid, maxSeconds) {
  const started = Date.now();
  let logged = false;
  for (;;) {
    const a = snapshot(pid);
    await sleep(1000);
    const load = windowOf(a, snapshot(pid)).otherCores;
    if (load < 0.25 || (Date.now() - started) / 1000 >= maxSeconds) {
      if (logged || load >= 0.25) log(`   other load now ${fmt(load, 2)} cores${load >= 0.25 ? ' (going ahead anyway)' : ''}`);
      return load;
    }
    if (!logged) {
      log(`   waiting for the machine to quieten down (other load ${fmt(load, 2)} cores)...`);
      logged = true;
    }
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
    rotational = readFileSync(`/sys/block/${devName}/queue/rotational`, 'utf8').trim();
    writeCache = readFileSync(`/sys/block/${devName}/queue/write_cache`, 'utf8').trim();
  } catch {
    /* not a plain block device */
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: sh('python3', ['--version']) || 'not installed',
    moto: sh('python3', ['-c', 'import moto; print(moto.__version__)']) || 'not installed',
    disk: { device, fsType: df[1] ?? '', size: df[2] ?? '', mount: df[6] ?? '', rotational, writeCache },
  };
}

/** Latency of appending 4 KiB to a file and fsyncing it: what one Lakebox group commit (WAL fsync) costs. */
function fsyncProbe(parent, rounds = 200) {
  const dir = mkdtempSync(join(parent, 'firehose-fsync-probe-'));
  const page = Buffer.alloc(4096, 0x5a);
  const lat = [];
  try {
    const fd = openSync(join(dir, 'wal'), 'a');
    for (let i = 0; i < rounds; i++) {
      writeSync(fd, page);
      const t = performance.now();
      fsyncSync(fd);
      lat.push(performance.now() - t);
    }
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rounds, ...latencySummary(lat), mean: lat.reduce((a, b) => a + b, 0) / lat.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Servers under test




async function startServer(target, opts, workDir) {
  const port = await freePort();
  let cmd;
  let args;
  let dataDir;
  if (target === 'lakebox') {
    if (!existsSync(join(dirname(opts.lakeboxBin), '..', 'dist', 'cli', 'main.js'))) fail('dist/ is missing: run `npm run build` first');
    dataDir = join(workDir, 'lakebox-data');
    const launch = lakeboxCommand(opts.lakeboxBin, opts.serverNodeArgs);
    cmd = launch.cmd;
    args = [...launch.args, 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...opts.lakeboxArgs];
  } else {
    cmd = 'python3';
    args = ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)];
  }
  let listening = false;
  return superviseServer({
    target,
    cmd,
    args,
    cwd: workDir,
    port,
    dataDir,
    logPath: join(workDir, `${target}.log`),
    onLine: (line) => {
      try {
        if (JSON.parse(line).msg === 'listening') listening = true;
      } catch {
        /* a log line */
      }
    },
    // Lakebox prints {"msg":"listening",...} when ready; moto has no such line, so poll its API.
    isReady: async () => (target === 'lakebox' ? listening : (await httpGetStatus(port, '/moto-api/')) === 200),
    pollMs: target === 'lakebox' ? 20 : 100,
    stopGraceMs: 20_000,
    fail,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// AWS client: @smithy/signature-v4 over node:http keep-alive

const sha256 = Hash.bind(null, 'sha256');
const firehoseSigner = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'firehose', sha256 });
// S3 requests are signed as the S3 client does: the path is already URI-encoded and not encoded again.
const s3Signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 's3', sha256, uriEscapePath: false });
const USER_AGENT = `aws-sdk-js/${SDK_VERSION} ua/2.1 os/${process.platform} lang/js md/nodejs#${process.versions.node} api/firehose#${SDK_VERSION} firehose-bench`;

/** One HTTP exchange; resolves { status, body } once the whole response has arrived. */
function exchange(agent, port, method, path, headers, body) {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Headers of a signed Firehose JSON 1.1 call, as the SDK builds them (signed by the SDK's signer). */
async function signFirehose(port, operation, body) {
  const signed = await firehoseSigner.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    query: {},
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Firehose_20150804.${operation}`,
      'content-length': String(body.length),
      'x-amz-user-agent': `aws-sdk-js/${SDK_VERSION}`,
      'user-agent': USER_AGENT,
      host: `127.0.0.1:${port}`,
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-request': 'attempt=1; max=1',
    },
    body,
  });
  return signed.headers;
}

async function firehoseCall(agent, port, operation, input) {
  const body = Buffer.from(JSON.stringify(input));
  const res = await exchange(agent, port, 'POST', '/', await signFirehose(port, operation, body), body);
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw new Error(`${operation} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : {};
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings and S3 keys. */
function rfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function s3Call(agent, port, method, path, query = {}) {
  const signed = await s3Signer.sign({ method, protocol: 'http:', hostname: '127.0.0.1', port, path, query, headers: { host: `127.0.0.1:${port}` } });
  const qs = Object.entries(query)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  return exchange(agent, port, method, qs ? `${path}?${qs}` : path, signed.headers, undefined);
}

function xmlUnescape(s) {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e) => {
    const m = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[e.toLowerCase()];
    if (m) return m;
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** All keys (and sizes) of the bucket, with signed ListObjectsV2 calls (1000 keys a page). */
async function listAll(agent, port) {
  const out = [];
  let token;
  for (;;) {
    const query = { 'list-type': '2', 'max-keys': '1000' };
    if (token) query['continuation-token'] = token;
    const res = await s3Call(agent, port, 'GET', `/${BUCKET}`, query);
    const xml = res.body.toString('utf8');
    if (res.status !== 200) throw new Error(`ListObjectsV2 answered ${res.status}: ${xml.slice(0, 500)}`);
    for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1]);
      const size = /<Size>(\d+)<\/Size>/.exec(m[1]);
      if (key) out.push({ key: xmlUnescape(key[1]), size: size ? Number(size[1]) : NaN });
    }
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
    const next = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml);
    if (!truncated || !next) break;
    token = xmlUnescape(next[1]);
  }
  return out;
}

function objectPath(key) {
  return `/${BUCKET}/${key.split('/').map(rfc3986).join('/')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Records and request bodies

/** Deterministic PRNG (mulberry32) so every run sends the same record contents. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'search', 'login', 'click', 'purchase', 'logout'];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'NL', 'ES', 'IT', 'CA', 'AU'];
const PATHS = ['/', '/catalog/shoes', '/catalog/jackets', '/cart', '/checkout/payment', '/search', '/account/orders', '/help/returns'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Firefox/125.0',
];
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

// Every record starts with RECORD_HEAD, then 9 digits of call number and 3 of slot number. RECORD_HEAD is 12 bytes,
// a multiple of 3, so the call number's base64 (12 characters) starts 16 characters into the record's base64 and
// does not depend on its neighbours: a call patches just those characters.
const RECORD_HEAD = '{"eventId":"';
const CALL_DIGITS = 9;
const B64_CALL_OFFSET = (RECORD_HEAD.length / 3) * 4;
const B64_CALL_LENGTH = (CALL_DIGITS / 3) * 4;

/** One ~`size`-byte JSON event (newline included), with a placeholder call number. */
function makeRecord(rand, slot, size) {
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const ts = new Date(Date.UTC(2026, 10, 22, 0, 0, 0) + Math.floor(rand() * 86_400_000)).toISOString();
  const obj = {
    ts,
    type: pick(EVENT_TYPES),
    user: `user-${String(Math.floor(rand() * 1e6)).padStart(6, '0')}`,
    session: hex(16),
    path: `${pick(PATHS)}?item=${Math.floor(rand() * 100000)}`,
    country: pick(COUNTRIES),
    ua: pick(AGENTS),
    ms: Math.floor(rand() * 2000),
    amount: Math.round(rand() * 50000) / 100,
    note: '',
  };
  const head = `${RECORD_HEAD}${'0'.repeat(CALL_DIGITS)}${String(slot).padStart(3, '0')}",`;
  const target = Math.round(size * (0.93 + 0.14 * rand()));
  const base = `${head}${JSON.stringify(obj).slice(1)}\n`.length;
  let note = '';
  while (note.length < target - base) note += `${note ? ' ' : ''}${pick(WORDS)}`;
  obj.note = note.slice(0, Math.max(0, target - base));
  const text = `${head}${JSON.stringify(obj).slice(1)}\n`;
  return Buffer.from(text, 'utf8');
}

/**
 * A reusable PutRecordBatch body: {"DeliveryStreamName":…,"Records":[{"Data":"<base64>"},…]} plus the offsets of
 * each record's call-number characters. A body is owned by one call at a time (node:http may still hold it while
 * the call is in flight), so the pool must be at least as large as the number of calls in flight.
 */
function makeBodyPool(n, batch, recordBytes) {
  const pool = [];
  for (let p = 0; p < n; p++) {
    const rand = prng(0x5eed + p * 7919);
    const parts = [`{"DeliveryStreamName":"${STREAM}","Records":[`];
    let len = parts[0].length;
    const offsets = new Int32Array(batch);
    let recordData = 0;
    for (let slot = 0; slot < batch; slot++) {
      const rec = makeRecord(rand, slot, recordBytes);
      recordData += rec.length;
      const b64 = rec.toString('base64');
      const open = `${slot ? ',' : ''}{"Data":"`;
      offsets[slot] = len + open.length + B64_CALL_OFFSET;
      parts.push(open, b64, '"}');
      len += open.length + b64.length + 2;
    }
    parts.push(']}');
    const buf = Buffer.from(parts.join(''), 'latin1');
    if (buf.length !== len + 2) throw new Error('body layout mismatch');
    pool.push({ buf, offsets, recordData });
  }
  return pool;
}

/** Writes `call`'s number into every record of `body`. */
function patchBody(body, call) {
  const enc = Buffer.from(Buffer.from(String(call).padStart(CALL_DIGITS, '0'), 'latin1').toString('base64'), 'latin1');
  if (enc.length !== B64_CALL_LENGTH) throw new Error(`call number ${call} does not fit in ${CALL_DIGITS} digits`);
  const { buf, offsets } = body;
  for (let i = 0; i < offsets.length; i++) enc.copy(buf, offsets[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Load generation

/** Growable byte array: per-call state (0 not sent, 1 acknowledged, 2 failed or unknown, 3 partially failed). */
class CallLog {
  bytes = new Uint8Array(1 << 16);
  count = 0;
  partialFailures = new Set();

  next() {
    if (this.count === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    return this.count++;
  }
}

class Workload {
  constructor(server, opts) {
    this.server = server;
    this.opts = opts;
    this.pool = makeBodyPool(opts.pool, opts.batch, opts.recordBytes);
    this.free = [...this.pool];
    this.waiters = [];
    this.calls = new CallLog();
    this.recordDataBytes = this.pool.reduce((n, b) => n + b.recordData, 0) / this.pool.length;
    this.agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, keepAliveMsecs: 60_000 });
    this.errorSamples = new Map();
  }

  /** Lakebox's Firehose metrics (undefined for moto). */
  metrics() {
    return this.server.target === 'lakebox' ? lakeboxMetrics(this.server.port) : Promise.resolve(undefined);
  }

  async #takeBody() {
    const b = this.free.pop();
    if (b) return b;
    return new Promise((r) => this.waiters.push(r));
  }

  #releaseBody(b) {
    const w = this.waiters.shift();
    if (w) w(b);
    else this.free.push(b);
  }

  #noteError(msg) {
    this.errorSamples.set(msg, (this.errorSamples.get(msg) ?? 0) + 1);
  }

  /** One PutRecordBatch call; returns { ok, latencyMs, records, recordBytes }. */
  async put() {
    const body = await this.#takeBody();
    const call = this.calls.next();
    const port = this.server.port;
    let ok = false;
    let latencyMs = NaN;
    try {
      patchBody(body, call);
      const headers = await signFirehose(port, 'PutRecordBatch', body.buf);
      const t0 = performance.now();
      const res = await exchange(this.agent, port, 'POST', '/', headers, body.buf);
      latencyMs = performance.now() - t0;
      if (res.status === 200) {
        // Both servers put FailedPutCount first; parse the whole response only if it is not a plain 0 (and on a sample).
        const head = res.body.toString('latin1', 0, 64);
        const allOk = /"FailedPutCount":\s*0\s*[,}]/.test(head);
        if (!allOk || call % 97 === 0) {
          const out = JSON.parse(res.body.toString('utf8'));
          if (!Array.isArray(out.RequestResponses) || out.RequestResponses.length !== this.opts.batch) {
            throw new Error(`PutRecordBatch answered ${out.RequestResponses?.length} RequestResponses for ${this.opts.batch} records`);
          }
          if (out.FailedPutCount > 0) {
            out.RequestResponses.forEach((r, i) => {
              if (r.ErrorCode) this.calls.partialFailures.add(call * this.opts.batch + i);
            });
            this.calls.bytes[call] = 3;
            this.#noteError(`FailedPutCount ${out.FailedPutCount}: ${out.RequestResponses.find((r) => r.ErrorCode)?.ErrorCode}`);
            return { ok: false, latencyMs, records: this.opts.batch - out.FailedPutCount, recordBytes: body.recordData };
          }
        }
        this.calls.bytes[call] = 1;
        ok = true;
      } else {
        this.calls.bytes[call] = 2;
        this.#noteError(`HTTP ${res.status} ${res.body.toString('utf8', 0, 160)}`);
      }
    } catch (err) {
      this.calls.bytes[call] = 2;
      this.#noteError(String(err?.message ?? err).slice(0, 200));
    } finally {
      this.#releaseBody(body);
    }
    if (!ok) await sleep(10);
    return { ok, latencyMs, records: ok ? this.opts.batch : 0, recordBytes: ok ? body.recordData : 0 };
  }

  /**
   * Closed loop: `conc` calls in flight back to back. The first `warmup` seconds are not measured; then counts
   * calls that complete inside the measured window. Calls in flight at the end are waited for (and verified) but
   * not counted.
   */
  async closedLoop(conc, warmup, seconds) {
    const end = performance.now() + (warmup + seconds) * 1000;
    const st = { latencies: [], calls: 0, records: 0, bytes: 0, errors: 0 };
    // The window is bounded by the CPU snapshots themselves, so rates and CPU-seconds cover the same interval.
    let snapStart;
    let snapEnd;
    let metricsStart;
    const startMeasuring = setTimeout(() => {
      snapStart = snapshot(this.server.pid);
      metricsStart = this.metrics();
    }, warmup * 1000);
    const stopMeasuring = setTimeout(() => {
      snapEnd = snapshot(this.server.pid);
    }, (warmup + seconds) * 1000);
    const worker = async () => {
      while (!snapEnd && performance.now() < end + 1000) {
        const started = performance.now();
        const r = await this.put();
        if (!snapStart || snapEnd) continue;
        if (r.ok) {
          st.calls++;
          st.records += r.records;
          st.bytes += r.recordBytes;
          if (started >= snapStart.t) st.latencies.push(r.latencyMs);
        } else st.errors++;
      }
    };
    await Promise.all(Array.from({ length: conc }, () => worker()));
    clearTimeout(startMeasuring);
    clearTimeout(stopMeasuring);
    snapEnd ??= snapshot(this.server.pid);
    snapStart ??= snapEnd;
    const out = { conc, ...summarize(st, windowOf(snapStart, snapEnd)) };
    out.delivery = deliveryIn(await metricsStart, await this.metrics(), out.seconds);
    return out;
  }

  /**
   * Open loop at `recordsPerSec`: calls are scheduled at fixed intervals whatever the server does; up to
   * `maxInflight` at once (later ones wait). Reports service latency (sent → answered) and latency from the
   * scheduled start (includes any wait for a free connection, so a stalling server cannot hide its queue).
   */
  async pacedLoop(recordsPerSec, maxInflight, warmup, seconds) {
    const interval = (1000 * this.opts.batch) / recordsPerSec;
    const t0 = performance.now();
    const measureFrom = t0 + warmup * 1000;
    const end = measureFrom + seconds * 1000;
    const st = { latencies: [], scheduled: [], bySecond: [], calls: 0, records: 0, bytes: 0, errors: 0, late: 0 };
    let inflight = 0;
    const queue = [];
    const running = new Set();
    let snapStart;
    let snapEnd;
    let metricsStart;
    // The client's own event-loop delay: a response that arrives while this process is busy (or descheduled) waits.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const issue = (due) => {
      inflight++;
      const p = (async () => {
        const r = await this.put();
        const done = performance.now();
        inflight--;
        if (queue.length > 0) issue(queue.shift());
        if (due < measureFrom || due >= end) return;
        if (r.ok) {
          st.calls++;
          st.records += r.records;
          st.bytes += r.recordBytes;
          st.latencies.push(r.latencyMs);
          st.scheduled.push(done - due);
          (st.bySecond[Math.floor((due - measureFrom) / 1000)] ??= []).push(r.latencyMs);
        } else st.errors++;
      })();
      running.add(p);
      void p.finally(() => running.delete(p));
    };
    let k = 0;
    for (;;) {
      const now = performance.now();
      if (!snapStart && now >= measureFrom) {
        snapStart = snapshot(this.server.pid);
        metricsStart = this.metrics();
        loopDelay.enable();
      }
      if (now >= end) break;
      while (t0 + k * interval <= now) {
        const due = t0 + k * interval;
        k++;
        if (inflight < maxInflight) issue(due);
        else {
          queue.push(due);
          st.late++;
        }
      }
      await sleep(Math.max(0, Math.min(t0 + k * interval, end) - performance.now()));
    }
    snapEnd = snapshot(this.server.pid);
    loopDelay.disable();
    snapStart ??= snapEnd;
    queue.length = 0;
    await Promise.all([...running]);
    const w = windowOf(snapStart, snapEnd);
    // Throughput of calls scheduled in the window (all of them completed by now).
    const out = summarize(st, w);
    const metricsEnd = await this.metrics();
    out.delivery = deliveryIn(await metricsStart, metricsEnd, out.seconds);
    // The server's own view (its latency histogram; includes the warm-up's last calls): separates server time from the client's scheduling.
    out.serverLatency = serverLatencyIn(await metricsStart, metricsEnd);
    out.clientLoopDelayMs = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    out.serverLoopDelayMs = metricsEnd?.serverLoopDelayMs;
    out.targetRecordsPerSec = recordsPerSec;
    out.scheduledLatencyMs = latencySummary(st.scheduled);
    out.queuedCalls = st.late;
    // Where in the run the tail is: p99 of the calls scheduled in each second.
    out.p99BySecondMs = Array.from(st.bySecond, (xs) => (xs && xs.length > 0 ? percentile(xs, 0.99) : null));
    return out;
  }

  close() {
    this.agent.destroy();
  }
}

/** What the delivery engine did during a window: records delivered to S3 per second, buffer growth. */
function deliveryIn(a, b, seconds) {
  if (!a || !b) return undefined;
  return {
    deliveredRecordsPerSec: (b.deliveredRecords - a.deliveredRecords) / seconds,
    deliveredObjects: b.deliveredObjects - a.deliveredObjects,
    bufferedMiBStart: a.bufferedMiB,
    bufferedMiBEnd: b.bufferedMiB,
    bufferGrowthMiBPerSec: (b.bufferedMiB - a.bufferedMiB) / seconds,
    throttledRecords: b.throttledRecords - a.throttledRecords,
  };
}

function summarize(st, w) {
  return {
    seconds: w.seconds,
    calls: st.calls,
    records: st.records,
    errors: st.errors,
    recordsPerSec: st.records / w.seconds,
    mibPerSec: st.bytes / 1024 / 1024 / w.seconds,
    latencyMs: latencySummary(st.latencies),
    cpu: w,
    serverCpuSecondsPerMillionRecords: st.records > 0 ? (w.serverCpu * 1e6) / st.records : NaN,
    recordsPerServerCpuSecond: w.serverCpu > 0 ? st.records / w.serverCpu : NaN,
    clientCpuSecondsPerMillionRecords: st.records > 0 ? (w.clientCpu * 1e6) / st.records : NaN,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lakebox metrics (delivery progress during the run)

async function lakeboxMetrics(port) {
  const res = await exchange(false, port, 'GET', '/metrics', {}, undefined).catch(() => undefined);
  if (!res || res.status !== 200) return undefined;
  const text = res.body.toString('utf8');
  const get = (name) => {
    const m = new RegExp(`^lakebox_firehose_${name}\\{[^}]*delivery_stream="${STREAM}"[^}]*\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return {
    incomingRecords: get('IncomingRecords_total'),
    deliveredRecords: get('DeliveryToS3_Records_total'),
    deliveredObjects: get('DeliveryToS3_ObjectCount_total'),
    deliveryFailures: get('DeliveryToS3_Failures_total'),
    bufferedMiB: get('BufferedBytes') / 1024 / 1024,
    throttledRecords: get('ThrottledRecords_total'),
    putLatencyBuckets: putLatencyBuckets(text),
    // prom-client's event-loop delay statistics restart at every scrape: at the end of a window they cover the window.
    serverLoopDelayMs: { p99: 1000 * Number(/^lakebox_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN), max: 1000 * Number(/^lakebox_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) },
  };
}

/** Cumulative buckets of the server's own PutRecordBatch latency histogram (first byte in → last byte out): [le seconds, count]. */
function putLatencyBuckets(text) {
  const out = [];
  for (const m of text.matchAll(/^lakebox_request_duration_seconds_bucket\{([^}]*)\} (\S+)$/gm)) {
    const labels = m[1];
    if (!labels.includes('operation="PutRecordBatch"')) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le !== undefined) out.push([le === '+Inf' ? Infinity : Number(le), Number(m[2])]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Server-side latency of the calls between two metric snapshots: share over 25 ms and the bucket holding the p99. */
function serverLatencyIn(a, b) {
  if (!a?.putLatencyBuckets?.length || !b?.putLatencyBuckets?.length) return undefined;
  const before = new Map(a.putLatencyBuckets);
  const delta = b.putLatencyBuckets.map(([le, n]) => [le, n - (before.get(le) ?? 0)]);
  const total = delta[delta.length - 1][1];
  if (total <= 0) return undefined;
  const under25 = delta.find(([le]) => le >= 0.025)?.[1] ?? total;
  const p99Bucket = delta.find(([, n]) => n >= 0.99 * total)?.[0];
  return { calls: total, over25msShare: (total - under25) / total, p99AtMostMs: p99Bucket === undefined ? NaN : p99Bucket * 1000 };
}

// ---------------------------------------------------------------------------------------------------------------
// Flush and verification

async function flushLakebox(opts, server, workDir) {
  const args = [opts.lakeboxBin, 'firehose', 'flush', STREAM, '--host', '127.0.0.1', '--port', String(server.port)];
  const env = { ...process.env, LAKEBOX_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, LAKEBOX_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
  const t = performance.now();
  const out = await new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise(text.trim()) : reject(new Error(`lakebox firehose flush exited ${code}: ${text}`))));
  });
  return { seconds: (performance.now() - t) / 1000, output: out, command: `node ${args.map((a) => a.replace(`${ROOT}/`, '')).join(' ')}` };
}

/** Lists the bucket, downloads every object (4 at a time), gunzips when it starts with the gzip magic, counts records by id. */
async function verifyDelivery(workload, opts) {
  const { port } = workload.server;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const t0 = performance.now();
  const objects = await listAll(agent, port);
  const batch = opts.batch;
  const calls = workload.calls;
  const counts = new Uint8Array(calls.count * batch);
  const v = {
    objects: objects.length,
    errorObjects: 0,
    gzipObjects: 0,
    storedBytes: 0,
    recordBytes: 0,
    recordsFound: 0,
    malformed: 0,
    unknownIds: 0,
    acknowledged: 0,
    missing: 0,
    duplicated: 0,
    unacknowledgedDelivered: 0,
    prefixMismatch: 0,
    sampleKeys: objects.slice(0, 3).map((o) => o.key),
  };
  const today = new Date().toISOString().slice(0, 10);
  const expectPrefix = workload.server.target === 'lakebox' ? `dt=${today}/` : undefined;
  const head = Buffer.from(RECORD_HEAD, 'latin1');
  const countRecords = (data) => {
    let off = 0;
    while (off < data.length) {
      let nl = data.indexOf(10, off);
      if (nl < 0) nl = data.length;
      if (nl - off < head.length + 12 || data.compare(head, 0, head.length, off, off + head.length) !== 0) v.malformed++;
      else {
        let callNo = 0;
        let slot = 0;
        let bad = false;
        const p = off + head.length;
        for (let i = 0; i < 12; i++) {
          const d = data[p + i] - 48;
          if (d < 0 || d > 9) bad = true;
          if (i < CALL_DIGITS) callNo = callNo * 10 + d;
          else slot = slot * 10 + d;
        }
        const idx = callNo * batch + slot;
        if (bad) v.malformed++;
        else if (slot >= batch || idx >= counts.length) v.unknownIds++;
        else {
          if (counts[idx] < 255) counts[idx]++;
          v.recordsFound++;
        }
      }
      v.recordBytes += nl + 1 - off;
      off = nl + 1;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const o = objects[next++];
      if (o.key.startsWith('errors/')) v.errorObjects++;
      if (expectPrefix && !o.key.startsWith(expectPrefix) && !o.key.startsWith('errors/')) v.prefixMismatch++;
      const res = await s3Call(agent, port, 'GET', objectPath(o.key));
      if (res.status !== 200) throw new Error(`GetObject ${o.key} answered ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
      v.storedBytes += res.body.length;
      let data = res.body;
      if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
        v.gzipObjects++;
        data = await gunzipAsync(data);
      }
      countRecords(data);
    }
  };
  await Promise.all(Array.from({ length: 4 }, () => worker()));
  agent.destroy();
  for (let c = 0; c < calls.count; c++) {
    const state = calls.bytes[c];
    for (let s = 0; s < batch; s++) {
      const idx = c * batch + s;
      const acked = state === 1 || (state === 3 && !calls.partialFailures.has(idx));
      const n = counts[idx];
      if (acked) {
        v.acknowledged++;
        if (n === 0) v.missing++;
        else if (n > 1) v.duplicated++;
      } else if (n > 0) {
        v.unacknowledgedDelivered++;
        if (n > 1) v.duplicated++;
      }
    }
  }
  v.seconds = (performance.now() - t0) / 1000;
  v.compressionRatio = v.storedBytes > 0 ? v.recordBytes / v.storedBytes : NaN;
  v.exactlyOnce = v.missing === 0 && v.duplicated === 0 && v.malformed === 0 && v.unknownIds === 0 && v.acknowledged > 0;
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Running one target

async function setup(server, agent) {
  // The bucket first (moto's Firehose writes into moto's S3 and fails if the bucket is missing).
  const res = await s3Call(agent, server.port, 'PUT', `/${BUCKET}`);
  if (res.status !== 200) throw new Error(`CreateBucket answered ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
}

async function createStream(server, agent, opts) {
  const config = {
    RoleARN: `arn:aws:iam::${ACCOUNT}:role/firehose-bench`,
    BucketARN: `arn:aws:s3:::${BUCKET}`,
    Prefix: PREFIX,
    ErrorOutputPrefix: ERROR_PREFIX,
    BufferingHints: { SizeInMBs: opts.bufferMb, IntervalInSeconds: opts.bufferSeconds },
    CompressionFormat: opts.compression,
  };
  await firehoseCall(agent, server.port, 'CreateDeliveryStream', { DeliveryStreamName: STREAM, DeliveryStreamType: 'DirectPut', ExtendedS3DestinationConfiguration: config });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await firehoseCall(agent, server.port, 'DescribeDeliveryStream', { DeliveryStreamName: STREAM });
    if (d.DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE') return config;
    if (Date.now() > deadline) throw new Error('the delivery stream did not become ACTIVE within 30 s');
    await sleep(100);
  }
}

function phaseLine(label, r) {
  const c = r.cpu;
  const d = r.delivery;
  return (
    `   ${label.padEnd(16)} ${fmt(r.recordsPerSec).padStart(8)} rec/s ${fmt(r.mibPerSec, 1).padStart(6)} MiB/s  p50 ${fmt(r.latencyMs.p50, 1)} ms p99 ${fmt(r.latencyMs.p99, 1)} ms max ${fmt(r.latencyMs.max, 0)} ms (${r.latencyMs.over100} > 100 ms)` +
    `  server ${fmt(c.serverCores, 2)} cores (main ${fmt(c.serverMainThreadCores, 2)}, other threads ${fmt(c.serverOtherThreadCores, 2)}), ${fmt(r.serverCpuSecondsPerMillionRecords, 2)} CPU-s/M rec` +
    `  client ${fmt(c.clientCores, 2)} cores  other ${fmt(c.otherCores, 2)} cores  machine ${fmt(c.machineBusyCores, 2)}/${fmt(c.machineCores, 0)} busy` +
    `${r.errors ? `  ERRORS ${r.errors}` : ''}` +
    (d
      ? `\n   ${''.padEnd(16)} delivered to S3 in the window ${fmt(d.deliveredRecordsPerSec)} rec/s (${d.deliveredObjects} objects); buffer ${fmt(d.bufferedMiBStart, 0)} → ${fmt(d.bufferedMiBEnd, 0)} MiB (${fmt(d.bufferGrowthMiBPerSec, 1)} MiB/s)${d.throttledRecords ? `, ${fmt(d.throttledRecords)} records throttled` : ''}`
      : '')
  );
}

async function benchTarget(target, opts, workDir) {
  log(`\n== ${target}: starting server`);
  const server = await startServer(target, opts, workDir);
  log(`   pid ${server.pid}, port ${server.port}: ${server.command}`);
  // After the server is spawned (a child inherits its parent's niceness); only this process's main thread changes.
  if (opts.clientNice !== undefined) {
    os.setPriority(process.pid, opts.clientNice);
    log(`   load generator reniced to ${opts.clientNice} (diagnostic; the server keeps its own priority)`);
  }
  const setupAgent = new Agent({ keepAlive: true, maxSockets: 2 });
  await setup(server, setupAgent);
  const streamConfig = await createStream(server, setupAgent, opts);
  setupAgent.destroy();
  const idleRssMiB = procStatusKb(server.pid, 'VmRSS') / 1024;
  const cpuStart = processCpuSeconds(server.pid);
  const workload = new Workload(server, opts);
  log(`   ${opts.pool} request bodies of ${fmt(workload.pool[0].buf.length / 1024, 0)} KiB, ${opts.batch} records of ${fmt(workload.recordDataBytes / opts.batch, 0)} bytes on average`);
  const result = { target, command: server.command, idleRssMiB, streamConfig, phases: [], latencyRun: undefined, metrics: [], errors: {} };
  result.drains = [];
  // Lakebox: empty the buffer before a phase (unmeasured, reported), so one phase's backlog does not throttle the next.
  const drain = async (before) => {
    if (target !== 'lakebox' || !opts.drain) return;
    const a = snapshot(server.pid);
    const m = await lakeboxMetrics(server.port);
    if (!m || m.bufferedMiB === 0) return;
    const f = await flushLakebox(opts, server, workDir);
    const w = windowOf(a, snapshot(server.pid));
    result.drains.push({ before, bufferedMiB: m.bufferedMiB, seconds: f.seconds, serverCpu: w.serverCpu, monoStartUs: w.monoStartUs, monoEndUs: w.monoEndUs });
    log(`   drain before ${before}: flushed ${fmt(m.bufferedMiB, 1)} MiB in ${fmt(f.seconds, 1)} s (${fmt(m.bufferedMiB / f.seconds, 1)} MiB/s, ${fmt(w.serverCpu, 1)} server CPU-s)`);
  };
  const quiet = async () => (opts.waitQuiet > 0 ? waitQuiet(server.pid, opts.waitQuiet) : undefined);
  try {
    for (const conc of opts.conc) {
      await drain(`c${conc}`);
      const otherBefore = await quiet();
      const r = await workload.closedLoop(conc, opts.warmup, opts.duration);
      server.assertAlive();
      r.otherCoresBefore = otherBefore;
      r.rssMiB = procStatusKb(server.pid, 'VmRSS') / 1024;
      result.phases.push(r);
      log(phaseLine(`closed c${conc}`, r));
    }
    const best = result.phases.reduce((a, b) => (b.recordsPerSec > a.recordsPerSec ? b : a));
    result.peak = best;
    if (opts.latencyDuration > 0 && best.recordsPerSec > 0) {
      const rate = opts.latencyRate ?? best.recordsPerSec * opts.latencyFraction;
      await drain('paced run');
      const otherBefore = await quiet();
      const r = await workload.pacedLoop(rate, opts.latencyMaxInflight, Math.min(opts.warmup, 2), opts.latencyDuration);
      server.assertAlive();
      r.otherCoresBefore = otherBefore;
      r.fraction = opts.latencyFraction;
      result.latencyRun = r;
      log(phaseLine(`paced ${fmt(100 * opts.latencyFraction)}%`, r));
      log(`   ${''.padEnd(16)} target ${fmt(rate)} rec/s; p99 from the scheduled start ${fmt(r.scheduledLatencyMs.p99, 1)} ms; ${r.queuedCalls} calls waited for a connection`);
      log(`   ${''.padEnd(16)} p99 by second (ms): ${r.p99BySecondMs.map((v) => (v === null ? '-' : fmt(v, 1))).join(' ')}`);
      if (r.serverLatency) {
        const clientOver = r.latencyMs.over25 !== undefined ? `; client-measured ${fmt((100 * r.latencyMs.over25) / r.latencyMs.n, 2)}%` : '';
        log(`   ${''.padEnd(16)} server-side (its histogram): ${fmt(100 * r.serverLatency.over25msShare, 2)}% of ${r.serverLatency.calls} calls over 25 ms${clientOver}; p99 ≤ ${fmt(r.serverLatency.p99AtMostMs, 1)} ms; client event-loop delay p99 ${fmt(r.clientLoopDelayMs.p99, 1)} ms, max ${fmt(r.clientLoopDelayMs.max, 1)} ms; server's p99 ${fmt(r.serverLoopDelayMs?.p99, 1)} ms, max ${fmt(r.serverLoopDelayMs?.max, 1)} ms`);
      }
    }
    result.loadCpuSeconds = processCpuSeconds(server.pid) - cpuStart;
    result.acceptedRecords = 0;
    for (let c = 0; c < workload.calls.count; c++) if (workload.calls.bytes[c] === 1) result.acceptedRecords += opts.batch;
    if (opts.verify) {
      const beforeFlush = snapshot(server.pid);
      if (target === 'lakebox') {
        result.beforeFlush = await lakeboxMetrics(server.port);
        result.deliveredBeforeFinalFlush = result.beforeFlush;
        result.flush = await flushLakebox(opts, server, workDir);
        result.flush.cpu = windowOf(beforeFlush, snapshot(server.pid));
        result.flush.bufferedMiB = result.beforeFlush?.bufferedMiB;
        log(`   flush: ${result.flush.command} → ${result.flush.output} in ${fmt(result.flush.seconds, 2)} s (server ${fmt(result.flush.cpu.serverCpu, 2)} CPU-s)`);
      }
      const cpuDelivered = processCpuSeconds(server.pid) - cpuStart;
      result.endToEnd = {
        serverCpuSeconds: cpuDelivered,
        recordsPerServerCpuSecond: result.acceptedRecords / cpuDelivered,
        serverCpuSecondsPerMillionRecords: (cpuDelivered * 1e6) / result.acceptedRecords,
      };
      log(
        `   end to end (every accepted record, warm-ups included, taken in and delivered): ${fmt(cpuDelivered, 1)} server CPU-s for ${fmt(result.acceptedRecords)} records = ` +
          `${fmt(result.endToEnd.recordsPerServerCpuSecond)} records per CPU-s (${fmt(result.endToEnd.serverCpuSecondsPerMillionRecords, 2)} CPU-s/M)`,
      );
      const verifyStart = snapshot(server.pid);
      result.verification = await verifyDelivery(workload, opts);
      result.verification.cpu = windowOf(verifyStart, snapshot(server.pid));
      const v = result.verification;
      log(
        `   verify: ${v.objects} objects (${v.gzipObjects} gzip, ${v.errorObjects} under errors/), ${fmt(v.storedBytes / 1024 / 1024, 1)} MiB stored, ${fmt(v.recordBytes / 1024 / 1024, 1)} MiB of records (${fmt(v.compressionRatio, 2)}×); ` +
          `${fmt(v.acknowledged)} acknowledged, ${fmt(v.recordsFound)} found, missing ${v.missing}, duplicated ${v.duplicated}, malformed ${v.malformed}, unknown ${v.unknownIds}, unacknowledged-but-delivered ${v.unacknowledgedDelivered}` +
          `${v.prefixMismatch ? `, ${v.prefixMismatch} keys outside dt=<today>/` : ''} → ${v.exactlyOnce ? 'EXACTLY ONCE' : 'FAILED'} (${fmt(v.seconds, 1)} s)`,
      );
    }
    result.totalCpuSeconds = processCpuSeconds(server.pid) - cpuStart;
    result.peakRssMiB = procStatusKb(server.pid, 'VmHWM') / 1024;
    result.errors = Object.fromEntries(workload.errorSamples);
    if (workload.errorSamples.size) log(`   errors: ${JSON.stringify(result.errors).slice(0, 600)}`);
  } finally {
    workload.close();
    const peak = procStatusKb(server.pid, 'VmHWM') / 1024;
    if (!Number.isNaN(peak)) result.peakRssMiB = peak;
    result.exit = await server.stop();
    if (opts.clientNice !== undefined) os.setPriority(process.pid, 0);
  }
  result.totalCalls = workload.calls.count;
  log(`   peak RSS (VmHWM) ${fmt(result.peakRssMiB)} MiB; server CPU ${fmt(result.totalCpuSeconds, 1)} s in total`);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

function verdict(value, target, higherIsBetter) {
  if (value === undefined || Number.isNaN(value)) return 'not measured';
  const met = higherIsBetter ? value >= target : value <= target;
  if (met) return 'met';
  const pct = higherIsBetter ? 100 * (1 - value / target) : 100 * (value / target - 1);
  return `**missed** (${higherIsBetter ? `${fmt(pct, 0)}% short` : `${fmt(pct, 0)}% over`})`;
}

function markdownReport(run) {
  const out = [];
  const m = run.machine;
  const o = run.options;
  out.push('### Machine and workload', '');
  out.push(`- ${m.cpu}, ${m.cores} cores shared by the client and the server, ${m.memGiB} GiB RAM; ${m.kernel}; Node ${m.node}; ${m.python}; moto ${m.moto}`);
  out.push(`- Data disk: ${m.disk.device} (${m.disk.fsType}, ${m.disk.size}, rotational=${m.disk.rotational || '?'}, write cache: ${m.disk.writeCache || '?'})`);
  if (run.fsync) out.push(`- fsync of a 4 KiB append: p50 ${fmt(run.fsync.p50, 2)} ms, p99 ${fmt(run.fsync.p99, 2)} ms (${run.fsync.rounds} rounds)`);
  out.push(
    `- PutRecordBatch of ${o.batch} JSON records (~${o.recordBytes} bytes each, ${o.pool} distinct bodies, every record unique); closed loop at ${o.conc.join(', ')} calls in flight, ` +
      `${o.warmup} s warm-up + ${o.duration} s measured each; then ${fmt(100 * o.latencyFraction)}% of the best rate, paced, ${o.latencyDuration} s. ` +
      `Stream: ${o.compression}, Prefix \`${PREFIX}\`, ErrorOutputPrefix \`${ERROR_PREFIX}\`, buffering ${o.bufferMb} MiB / ${o.bufferSeconds} s. ` +
      'Client: @smithy/signature-v4 over node:http keep-alive, same headers as the AWS SDK v3 (x-amz-content-sha256 included).',
  );
  out.push(`- Command: \`node bench/firehose-bench.mjs ${run.argv.join(' ')}\``.replace(/ `$/, '`'));
  out.push('');
  for (const t of run.targets) {
    out.push(`#### ${t.target}`, '', `Server: \`${t.command.replace(/\/tmp\/[^ ]+/g, '<tmp>').replace(`${ROOT}/`, '')}\``, '');
    const lakeCols = t.target === 'lakebox';
    out.push(
      `| Phase | Records/s accepted | MiB/s | p50 ms | p99 ms | max ms | Server cores (main / other threads) | Server CPU-s per M records | Records per server CPU-s | Client cores | Other load (cores) | Errors |${lakeCols ? ' Delivered to S3 in window (rec/s) | Buffer start → end (MiB) |' : ''}`,
    );
    out.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${lakeCols ? '---:|---:|' : ''}`);
    const row = (label, r) =>
      `| ${label} | ${fmt(r.recordsPerSec)} | ${fmt(r.mibPerSec, 1)} | ${fmt(r.latencyMs.p50, 1)} | ${fmt(r.latencyMs.p99, 1)} | ${fmt(r.latencyMs.max, 0)} | ${fmt(r.cpu.serverCores, 2)} (${fmt(r.cpu.serverMainThreadCores, 2)} / ${fmt(r.cpu.serverOtherThreadCores, 2)}) | ` +
      `${fmt(r.serverCpuSecondsPerMillionRecords, 2)} | ${fmt(r.recordsPerServerCpuSecond)} | ${fmt(r.cpu.clientCores, 2)} | ${fmt(r.cpu.otherCores, 2)} | ${r.errors} |` +
      (lakeCols ? ` ${fmt(r.delivery?.deliveredRecordsPerSec)} | ${fmt(r.delivery?.bufferedMiBStart)} → ${fmt(r.delivery?.bufferedMiBEnd)} |` : '');
    for (const r of t.phases) out.push(row(`closed loop, ${r.conc} in flight`, r));
    if (t.latencyRun) {
      const r = t.latencyRun;
      out.push(row(`paced at ${fmt(100 * r.fraction)}% (${fmt(r.targetRecordsPerSec)} rec/s)`, r));
    }
    out.push('');
    const notes = [];
    if (t.latencyRun) notes.push(`paced run: p99 measured from the scheduled start ${fmt(t.latencyRun.scheduledLatencyMs.p99, 1)} ms (${t.latencyRun.queuedCalls} calls waited for one of ${o.latencyMaxInflight} connections)`);
    const sl = t.latencyRun?.serverLatency;
    if (sl) {
      notes.push(
        `paced run, server side (its request-latency histogram): ${fmt(100 * sl.over25msShare, 2)}% of calls over 25 ms (client-measured ${fmt((100 * t.latencyRun.latencyMs.over25) / t.latencyRun.latencyMs.n, 2)}%); ` +
          `event-loop delay p99 / max: client ${fmt(t.latencyRun.clientLoopDelayMs.p99, 1)} / ${fmt(t.latencyRun.clientLoopDelayMs.max, 1)} ms, server ${fmt(t.latencyRun.serverLoopDelayMs?.p99, 1)} / ${fmt(t.latencyRun.serverLoopDelayMs?.max, 1)} ms${o.clientNice !== undefined ? `; load generator at nice ${o.clientNice}` : ''}`,
      );
    }
    if (t.drains?.length) {
      notes.push(`buffer drained (flush, unmeasured) before: ${t.drains.map((d) => `${d.before} ${fmt(d.bufferedMiB, 0)} MiB in ${fmt(d.seconds, 1)} s (${fmt(d.bufferedMiB / d.seconds, 1)} MiB/s, ${fmt(d.serverCpu, 1)} CPU-s)`).join('; ')}`);
    }
    const windows = [...t.phases, ...(t.latencyRun ? [t.latencyRun] : [])].filter((r) => r.delivery);
    if (windows.length) {
      notes.push(
        `deliveries triggered by the 64 MiB size hint inside the measured windows: ${windows.reduce((n, r) => n + r.delivery.deliveredObjects, 0)} objects; ` +
          `${fmt(t.beforeFlush?.bufferedMiB ?? NaN, 0)} MiB were still buffered at the final flush`,
      );
    }
    if (t.flush) notes.push(`final flush ${fmt(t.flush.seconds, 2)} s, ${fmt(t.flush.cpu.serverCpu, 2)} server CPU-s`);
    const v = t.verification;
    if (v) {
      notes.push(
        `delivery check: ${v.objects} objects (${v.gzipObjects} gzip), ${fmt(v.storedBytes / 1024 / 1024, 1)} MiB stored for ${fmt(v.recordBytes / 1024 / 1024, 1)} MiB of records (${fmt(v.compressionRatio, 2)}×); ` +
          `${fmt(v.acknowledged)} records acknowledged, missing ${v.missing}, duplicated ${v.duplicated}, malformed ${v.malformed} → **${v.exactlyOnce ? 'every record exactly once' : 'NOT exactly once'}**`,
      );
    }
    notes.push(`idle RSS ${fmt(t.idleRssMiB)} MiB, peak RSS (VmHWM, whole run) ${fmt(t.peakRssMiB)} MiB; server CPU ${fmt(t.totalCpuSeconds, 1)} s for ${fmt(t.acceptedRecords)} records over the whole run (${fmt(t.acceptedRecords / t.totalCpuSeconds)} records per CPU-s incl. warm-ups, flush and verification reads)`);
    if (Object.keys(t.errors).length) notes.push(`errors: ${JSON.stringify(t.errors).slice(0, 400)}`);
    for (const n of notes) out.push(`- ${n}`);
    out.push('');
  }
  const lake = run.targets.find((t) => t.target === 'lakebox');
  const moto = run.targets.find((t) => t.target === 'moto');
  out.push('#### Comparison', '');
  const cols = [lake, moto].filter(Boolean);
  out.push(`| Metric | ${cols.map((t) => t.target).join(' | ')} |${lake ? ' Target (Lakebox, 2 cores) | Lakebox verdict |' : ''}`);
  out.push(`|---|${cols.map(() => '---:|').join('')}${lake ? '---|---|' : ''}`);
  const line = (label, f, digits, target, higher) => {
    const vals = cols.map((t) => fmt(f(t), digits));
    const tail = lake ? ` ${target === undefined ? '' : `${higher ? '≥' : '≤'} ${fmt(target)}`} | ${target === undefined ? '' : verdict(f(lake), target, higher)} |` : '';
    out.push(`| ${label} | ${vals.join(' | ')} |${tail}`);
  };
  line('Peak records/s accepted (best closed-loop phase)', (t) => t.peak?.recordsPerSec, 0, TARGETS.recordsPerSec, true);
  line('Peak MiB/s of record data accepted', (t) => t.peak?.mibPerSec, 1, TARGETS.mibPerSec, true);
  line('Calls in flight at the peak', (t) => t.peak?.conc, 0);
  line('p50 call latency at the peak (ms)', (t) => t.peak?.latencyMs.p50, 1);
  line('p99 call latency at the peak (ms)', (t) => t.peak?.latencyMs.p99, 1);
  line(`p99 call latency at ${fmt(100 * o.latencyFraction)}% of the peak, paced (ms)`, (t) => t.latencyRun?.latencyMs.p99, 1, TARGETS.p99AtFractionMs, false);
  line('Records per server CPU-second (at the peak)', (t) => t.peak?.recordsPerServerCpuSecond, 0, TARGETS.recordsPerCpuSecond, true);
  line('Server CPU-seconds per million records (at the peak)', (t) => t.peak?.serverCpuSecondsPerMillionRecords, 2);
  line('Records per server CPU-second, end to end (accepted and delivered, whole run)', (t) => t.endToEnd?.recordsPerServerCpuSecond, 0, TARGETS.recordsPerCpuSecond, true);
  line('Server cores used at the peak', (t) => t.peak?.cpu.serverCores, 2);
  line('Client cores used at the peak', (t) => t.peak?.cpu.clientCores, 2);
  line('Peak server RSS, VmHWM (MiB)', (t) => t.peakRssMiB, 0, TARGETS.rssMiB, false);
  line('Objects written', (t) => t.verification?.objects, 0);
  out.push(`| Every acknowledged record delivered exactly once | ${cols.map((t) => (t.verification ? (t.verification.exactlyOnce ? `yes (${fmt(t.verification.acknowledged)})` : 'NO') : '–')).join(' | ')} |${lake ? ' yes | |' : ''}`);
  out.push('');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseOptions(argv);
  const parent = opts.dataDir ? resolve(opts.dataDir) : os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const workDir = mkdtempSync(join(parent, 'firehose-bench-'));
  const machine = machineInfo(parent);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB RAM, ${machine.kernel}, node ${machine.node}`);
  let fsync;
  if (opts.fsyncProbe) {
    fsync = fsyncProbe(parent);
    log(`fsync probe (4 KiB append + fsync): p50 ${fmt(fsync.p50, 3)} ms, p99 ${fmt(fsync.p99, 3)} ms`);
  }
  const targets = [];
  try {
    for (const target of opts.targets) targets.push(await benchTarget(target, opts, workDir));
  } finally {
    if (!opts.keepData) rmSync(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}`);
  }
  const run = {
    date: new Date().toISOString(),
    argv,
    options: { ...opts, lakeboxBin: undefined },
    machine,
    fsync,
    targets,
  };
  process.stdout.write(`${markdownReport(run)}\n`);
  const jsonPath = opts.json ?? join(ROOT, 'bench', 'firehose', 'results', `firehose-${run.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  log(`\nresults: ${jsonPath}`);
  const failed = targets.some((t) => t.verification && !t.verification.exactlyOnce);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`firehose-bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
