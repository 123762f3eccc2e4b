#!/usr/bin/env node
// Glue crawler benchmark: starts Lakebox, writes N new Parquet files and N gzip JSON-lines files (spread over dt=… folders),
// crawls each tree, then re-crawls both unchanged, and prints files/s (server-side crawl runtime and wall clock to READY).
//
//   npm run build && node bench/crawler-bench.mjs            # N = 2000 per format
//   node bench/crawler-bench.mjs --files 10000 --folders 100  # larger trees
//
// Targets on 2 cores: >= 500 new Parquet files/s, >= 200 new gzip JSON files/s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateCrawlerCommand, GetCrawlerCommand, GetCrawlerMetricsCommand, GetPartitionsCommand, GlueClient, StartCrawlerCommand } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { startLakeboxServer } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    folders: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '32' },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('Usage: node bench/crawler-bench.mjs [--files N (per format, default 2000)] [--folders F (default 50)] [--concurrency C (PUTs, default 32)] [--keep-data]');
  process.exit(0);
}
const N = Number(args.files);
const FOLDERS = Number(args.folders);
const CONC = Number(args.concurrency);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench-secret' };

const startServer = (dataDir) => startLakeboxServer(ROOT, dataDir, credentials);

async function parquetVariants(dir, count) {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const out = [];
  for (let v = 0; v < count; v++) {
    const file = join(dir, `v${v}.parquet`);
    await conn.run(`COPY (SELECT i::BIGINT AS id, 'user-' || i AS name, random() AS score, i % 2 = 0 AS flag, [i, i + 1] AS pair,
      {'a': i, 'b': 'x'} AS meta FROM range(${v * 100}, ${v * 100 + 200}) t(i)) TO '${file}' (FORMAT parquet)`);
    out.push(readFileSync(file));
  }
  conn.closeSync();
  db.closeSync();
  return out;
}

function jsonVariants(count) {
  const out = [];
  for (let v = 0; v < count; v++) {
    const lines = [];
    for (let i = 0; i < 50; i++) lines.push(JSON.stringify({ id: v * 100 + i, name: `user-${i}`, score: Math.random(), flag: i % 2 === 0, tags: ['a', 'b'], meta: { a: i, b: 'x' } }));
    out.push(gzipSync(lines.join('\n') + '\n'));
  }
  return out;
}

async function putAll(s3, items) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < items.length) {
        const [Key, Body] = items[next++];
        await s3.send(new PutObjectCommand({ Bucket: 'bench', Key, Body }));
      }
    }),
  );
}

async function crawl(glue, name) {
  const t0 = performance.now();
  await glue.send(new StartCrawlerCommand({ Name: name }));
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const c = (await glue.send(new GetCrawlerCommand({ Name: name }))).Crawler;
    if (c.State === 'READY') {
      if (c.LastCrawl?.Status !== 'SUCCEEDED') throw new Error(`crawl ${name}: ${c.LastCrawl?.Status} ${c.LastCrawl?.ErrorMessage ?? ''}`);
      const wall = (performance.now() - t0) / 1000;
      const m = (await glue.send(new GetCrawlerMetricsCommand({ CrawlerNameList: [name] }))).CrawlerMetricsList[0];
      return { wall, server: m.LastRuntimeSeconds };
    }
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'crawler-bench-'));
const { child, endpoint } = await startServer(dataDir);
try {
  const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  const glue = new GlueClient({ endpoint, region: 'us-east-1', credentials });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const tmp = mkdtempSync(join(tmpdir(), 'crawler-bench-parquet-'));
  const pq = await parquetVariants(tmp, 8);
  rmSync(tmp, { recursive: true, force: true });
  const js = jsonVariants(8);
  const t0 = performance.now();
  const items = [];
  for (let i = 0; i < N; i++) {
    items.push([`parquet/dt=${String(i % FOLDERS).padStart(4, '0')}/part-${i}.parquet`, pq[i % pq.length]]);
    items.push([`json/dt=${String(i % FOLDERS).padStart(4, '0')}/part-${i}.json.gz`, js[i % js.length]]);
  }
  await putAll(s3, items);
  const putSeconds = (performance.now() - t0) / 1000;
  console.log(`wrote ${N} Parquet (${pq[0].length} B) + ${N} gzip JSON (${js[0].length} B) files in ${FOLDERS} folders each: ${putSeconds.toFixed(1)} s`);
  for (const kind of ['parquet', 'json']) {
    await glue.send(new CreateCrawlerCommand({ Name: `bench-${kind}`, Role: 'bench', DatabaseName: 'benchdb', Targets: { S3Targets: [{ Path: `s3://bench/${kind}/` }] } }));
  }
  const rows = [];
  const report = (label, files, r) => {
    rows.push({ label, files, server: r.server, wall: r.wall });
    console.log(`${label.padEnd(32)} ${String(files).padStart(7)} files  server ${r.server.toFixed(2)} s = ${Math.round(files / r.server)} files/s   wall ${r.wall.toFixed(2)} s = ${Math.round(files / r.wall)} files/s`);
  };
  report('new Parquet', N, await crawl(glue, 'bench-parquet'));
  report('new gzip JSON', N, await crawl(glue, 'bench-json'));
  report('re-crawl unchanged Parquet', N, await crawl(glue, 'bench-parquet'));
  report('re-crawl unchanged gzip JSON', N, await crawl(glue, 'bench-json'));
  const parts = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'benchdb', TableName: 'parquet' }))).Partitions.length;
  console.log(`table parquet: ${parts} partitions`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (!args['keep-data']) rmSync(dataDir, { recursive: true, force: true });
}
