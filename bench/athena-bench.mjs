#!/usr/bin/env node
// Athena benchmark: starts Lakebox, generates Parquet and gzip JSON-lines data with DuckDB (uploaded through the S3 API,
// registered in Glue), then measures (1) small-query round trips through the Athena API (StartQueryExecution → poll
// GetQueryExecution → GetQueryResults), p50/p99 over N queries on a ~100 MB partitioned Parquet table, and (2) scan queries
// (count / sum / group by) on ~1 GB of Parquet and ~1 GB (uncompressed) of gzip JSON lines, through Athena and the same SQL
// directly in DuckDB (@duckdb/node-api in this process, same files, same thread count), printing the overhead ratio.
// Crawler throughput (files/s) is measured separately by bench/crawler-bench.mjs.
//
//   npm run build && node bench/athena-bench.mjs               # 1 GB + 1 GB scan data, 100 MB small table, 200 queries
//   node bench/athena-bench.mjs --scale 0.1                     # quick: 100 MB + 100 MB scan data
//
// Targets on 2 cores: small queries p50 <= 150 ms, p99 <= 500 ms; scans >= 0.8x raw DuckDB speed.
// Results: bench/athena/results/athena-<timestamp>.json (+ .md), git-ignored.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { percentile, processCpuSeconds, sh, sleep, startLakeboxServer } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    'small-mb': { type: 'string', default: '100' },
    queries: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
    poll: { type: 'string', default: '5' },
    'scan-poll': { type: 'string', default: '0.1' },
    threads: { type: 'string', default: '2' },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'Usage: node bench/athena-bench.mjs [--scale S (scan data = S GB Parquet + S GB JSON, default 1)] [--small-mb M (default 100)]\n' +
      '       [--queries N (small queries, default 200)] [--repeats R (per scan query, median, default 3)] [--poll MS (GetQueryExecution interval, default 5)]\n' +
      '       [--scan-poll F (scans poll every max(MS, F x elapsed), default 0.1; 0 = every MS)]\n' +
      '       [--threads T (raw DuckDB threads; the server uses 2 per query, default 2)] [--keep-data]',
  );
  process.exit(0);
}
const SCALE = Number(args.scale);
const SMALL_MB = Number(args['small-mb']);
const QUERIES = Number(args.queries);
const REPEATS = Number(args.repeats);
const POLL_MS = Number(args.poll);
// Scans poll GetQueryExecution every max(POLL_MS, SCAN_POLL x elapsed): a client polling every 5 ms through a scan
// spends ~2 ms of CPU per poll (SDK + server) on a 2-core machine that DuckDB needs, which no real client does
// (PyAthena polls every second). 0 polls at POLL_MS throughout.
const SCAN_POLL = Number(args['scan-poll']);
const THREADS = Number(args.threads);
const DAYS = 10;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench-secret' };
const OUTPUT = 's3://bench/athena-results/';
const log = (...a) => console.log(...a);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const dayOf = (d) => `2024-01-${String(d + 1).padStart(2, '0')}`;

const startServer = (dataDir) => startLakeboxServer(ROOT, dataDir, credentials);

function machineInfo(dir) {
  const cpus = os.cpus();
  const df = sh('df', ['-hT', dir]).split('\n')[1]?.split(/\s+/) ?? [];
  const dev = (df[0] ?? '').replace(/^\/dev\//, '').replace(/p?[0-9]+$/, '');
  let rotational = 'unknown';
  try {
    rotational = readFileSync(`/sys/block/${dev}/queue/rotational`, 'utf8').trim() === '1' ? 'rotational' : 'non-rotational';
  } catch {
    /* not a plain block device */
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    disk: `${df[0] ?? '?'} (${df[1] ?? '?'}, ${df[2] ?? '?'}, ${rotational})`,
    loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** Every file below `dir` with its path relative to it. */
function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  return out.map((path) => ({ path, rel: relative(dir, path), size: statSync(path).size }));
}

const ROW_SQL = (from, to) =>
  `SELECT i AS id, CAST(hash(i) % 100000 AS INTEGER) AS user_id, ['eu','us','ap','sa','af','oc','na','an'][(i % 8) + 1] AS region,
          round((hash(i * 7) % 100000) / 100.0, 2) AS amount, CAST(i % 17 AS INTEGER) AS qty,
          TIMESTAMP '2024-01-01' + INTERVAL (i % 86400) SECOND AS ts, md5(i::VARCHAR)[1:24] AS note
   FROM range(${from}, ${to}) t(i)`;

/** Writes `days` dt= folders of Parquet (format 'parquet') or gzip JSON lines holding ~targetBytes (Parquet bytes / uncompressed JSON bytes). */
async function generate(conn, dir, format, targetBytes) {
  mkdirSync(dir, { recursive: true });
  const probe = join(dir, `probe.${format}`);
  await conn.run(`COPY (${ROW_SQL(0, 200_000)}) TO '${probe}' (FORMAT ${format === 'parquet' ? 'parquet' : 'json'})`);
  const bytesPerRow = statSync(probe).size / 200_000;
  const rows = Math.max(DAYS * 1000, Math.round(targetBytes / bytesPerRow));
  rmSync(probe);
  const perDay = Math.ceil(rows / DAYS);
  for (let d = 0; d < DAYS; d++) {
    mkdirSync(join(dir, `dt=${dayOf(d)}`), { recursive: true });
    const file = join(dir, `dt=${dayOf(d)}`, format === 'parquet' ? 'part-0.parquet' : 'part-0.json.gz');
    const opts = format === 'parquet' ? 'FORMAT parquet, COMPRESSION snappy' : 'FORMAT json, COMPRESSION gzip';
    await conn.run(`COPY (${ROW_SQL(d * perDay, (d + 1) * perDay)}) TO '${file}' (${opts})`);
  }
  // For JSON the probe is uncompressed, so this is the uncompressed size of the gzip files.
  return { rows: perDay * DAYS, files: listFiles(dir), logicalBytes: Math.round(perDay * DAYS * bytesPerRow) };
}

const COLUMNS = [
  ['id', 'bigint'],
  ['user_id', 'int'],
  ['region', 'string'],
  ['amount', 'double'],
  ['qty', 'int'],
  ['ts', 'timestamp'],
  ['note', 'string'],
];

async function register(s3, glue, name, format, files) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < files.length) {
        const f = files[next++];
        await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `${name}/${f.rel}`, Body: readFileSync(f.path) }));
      }
    }),
  );
  const serde =
    format === 'parquet'
      ? { InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat', SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' } }
      : { InputFormat: 'org.apache.hadoop.mapred.TextInputFormat', SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' } };
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'benchdb',
      TableInput: {
        Name: name,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: { Location: `s3://bench/${name}/`, Columns: COLUMNS.map(([Name, Type]) => ({ Name, Type })), ...serde },
      },
    }),
  );
  await glue.send(
    new BatchCreatePartitionCommand({
      DatabaseName: 'benchdb',
      TableName: name,
      PartitionInputList: Array.from({ length: DAYS }, (_, d) => ({ Values: [dayOf(d)], StorageDescriptor: { Location: `s3://bench/${name}/dt=${dayOf(d)}/` } })),
    }),
  );
}

/** One query through the Athena API: start, poll every POLL_MS, first results page. Returns wall ms and the execution. */
async function athenaQuery(athena, sql, backoff = 0) {
  const t0 = performance.now();
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'benchdb' }, ResultConfiguration: { OutputLocation: OUTPUT } }),
  );
  let qe;
  for (;;) {
    qe = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution;
    if (!['QUEUED', 'RUNNING'].includes(qe.Status.State)) break;
    await sleep(Math.max(POLL_MS, (performance.now() - t0) * backoff));
  }
  if (qe.Status.State !== 'SUCCEEDED') throw new Error(`${sql}: ${qe.Status.State} ${qe.Status.StateChangeReason ?? ''}`);
  const res = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
  return { ms: performance.now() - t0, qe, rows: res.ResultSet.Rows.slice(1).map((r) => r.Data.map((d) => d.VarCharValue ?? null)) };
}

const median = (xs) => percentile(xs, 0.5);

const parent = mkdtempSync(join(os.tmpdir(), 'athena-bench-'));
const machine = machineInfo(parent);
log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB RAM, disk ${machine.disk}, load ${machine.loadavg}`);
const dataDir = join(parent, 'lakebox');
const { child, endpoint } = await startServer(dataDir);
const result = { date: new Date().toISOString(), argv: process.argv.slice(2), machine, options: { SCALE, SMALL_MB, QUERIES, REPEATS, POLL_MS, SCAN_POLL, THREADS }, datasets: {}, small: {}, scans: [] };
try {
  const cfg = { endpoint, region: 'us-east-1', credentials };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const glue = new GlueClient(cfg);
  const athena = new AthenaClient(cfg);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'benchdb' } }));

  const raw = await DuckDBInstance.create(':memory:', { threads: String(THREADS) });
  const conn = await raw.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const sets = { small: ['parquet', SMALL_MB * 1e6], scan_parquet: ['parquet', SCALE * 1e9], scan_json: ['json', SCALE * 1e9] };
  const local = {};
  for (const [name, [format, bytes]] of Object.entries(sets)) {
    const t0 = performance.now();
    const gen = await generate(conn, join(parent, 'gen', name), format, bytes);
    const genS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await register(s3, glue, name, format, gen.files);
    const size = gen.files.reduce((n, f) => n + f.size, 0);
    local[name] = gen.files;
    result.datasets[name] = { format, rows: gen.rows, files: gen.files.length, bytes: size, uncompressedBytes: gen.logicalBytes, generateSeconds: genS, uploadSeconds: (performance.now() - t1) / 1000 };
    log(`${name.padEnd(13)} ${format.padEnd(7)} ${String(gen.rows).padStart(10)} rows ${fmt(size / 1e6, 0).padStart(6)} MB${format === 'json' ? ` (${fmt(gen.logicalBytes / 1e6, 0)} MB uncompressed)` : ''} in ${gen.files.length} files (generated ${fmt(genS)} s, uploaded ${fmt(result.datasets[name].uploadSeconds)} s)`);
  }

  // 1. Small queries: one client, sequential, partition-selective queries on the ~100 MB table.
  const perDay = Math.ceil(result.datasets.small.rows / DAYS);
  const small = (i) => {
    const d = i % DAYS;
    const day = dayOf(d);
    switch (i % 4) {
      case 0:
        return `SELECT count(*) FROM small WHERE dt = '${day}'`;
      case 1:
        return `SELECT id, region, amount FROM small WHERE dt = '${day}' AND id = ${d * perDay + ((i * 7919) % perDay)}`;
      case 2:
        return `SELECT region, sum(amount) AS s FROM small WHERE dt = '${day}' GROUP BY region ORDER BY region`;
      default:
        return `SELECT id, amount FROM small WHERE dt = '${day}' ORDER BY amount DESC LIMIT 10`;
    }
  };
  for (let i = 0; i < 8; i++) await athenaQuery(athena, small(i)); // warm-up
  const serverCpu0 = processCpuSeconds(child.pid);
  const lat = [];
  const engine = [];
  const t0 = performance.now();
  for (let i = 0; i < QUERIES; i++) {
    const r = await athenaQuery(athena, small(i));
    lat.push(r.ms);
    engine.push(r.qe.Statistics.EngineExecutionTimeInMillis);
  }
  const wall = (performance.now() - t0) / 1000;
  result.small = {
    queries: QUERIES,
    p50: percentile(lat, 0.5),
    p90: percentile(lat, 0.9),
    p99: percentile(lat, 0.99),
    max: Math.max(...lat),
    engineP50: percentile(engine, 0.5),
    qps: QUERIES / wall,
    serverCores: (processCpuSeconds(child.pid) - serverCpu0) / wall,
  };
  const s = result.small;
  log(`small queries: ${QUERIES} sequential round trips: p50 ${fmt(s.p50)} ms, p90 ${fmt(s.p90)} ms, p99 ${fmt(s.p99)} ms, max ${fmt(s.max)} ms; ` +
    `engine p50 ${fmt(s.engineP50, 0)} ms; ${fmt(s.qps)} queries/s; server ${fmt(s.serverCores, 2)} cores`);

  // 2. Scans: the same SQL through Athena and directly in DuckDB over the same (local) files.
  const fileList = (name) => `[${local[name].map((f) => `'${f.path}'`).join(', ')}]`;
  const jsonCols = `{${COLUMNS.map(([n, t]) => `'${n}': '${{ bigint: 'BIGINT', int: 'INTEGER', string: 'VARCHAR', double: 'DOUBLE', timestamp: 'TIMESTAMP' }[t]}'`).join(', ')}}`;
  await conn.run(`CREATE VIEW scan_parquet AS SELECT * FROM read_parquet(${fileList('scan_parquet')}, hive_partitioning = true, hive_types = {'dt': VARCHAR})`);
  await conn.run(`CREATE VIEW scan_json AS SELECT * FROM read_json(${fileList('scan_json')}, format = 'newline_delimited', columns = ${jsonCols}, hive_partitioning = true, hive_types = {'dt': VARCHAR})`);
  const scans = [
    ['count', (t) => `SELECT count(*) FROM ${t}`],
    ['sum', (t) => `SELECT sum(amount), avg(qty), max(ts) FROM ${t}`],
    ['group by', (t) => `SELECT region, count(*), sum(amount) FROM ${t} GROUP BY region ORDER BY region`],
    ['filter + group', (t) => `SELECT dt, count(DISTINCT user_id) FROM ${t} WHERE amount > 500 GROUP BY dt ORDER BY dt`],
  ];
  for (const table of ['scan_parquet', 'scan_json']) {
    for (const [label, sql] of scans) {
      const q = sql(table);
      const a = [];
      const e = [];
      const d = [];
      let athenaRows;
      try {
        await athenaQuery(athena, q, SCAN_POLL); // warm-up (page cache, file copies)
      } catch (err) {
        result.scans.push({ table, query: label, sql: q, error: err.message.split('\n')[0] });
        log(`${table.padEnd(13)} ${label.padEnd(15)} FAILED through Athena: ${err.message.split('\n')[0]}`);
        continue;
      }
      for (let r = 0; r < REPEATS; r++) {
        const x = await athenaQuery(athena, q, SCAN_POLL);
        a.push(x.ms);
        e.push(x.qe.Statistics.EngineExecutionTimeInMillis);
        athenaRows = x.rows.length;
        const t1 = performance.now();
        const reader = await conn.runAndReadAll(q);
        d.push(performance.now() - t1);
        if (reader.getRows().length !== athenaRows) throw new Error(`${q}: row counts differ (${reader.getRows().length} vs ${athenaRows})`);
      }
      const row = { table, query: label, sql: q, athenaMs: median(a), athenaEngineMs: median(e), duckdbMs: median(d), bytes: result.datasets[table].bytes };
      row.ratio = row.duckdbMs / row.athenaMs;
      result.scans.push(row);
      log(`${table.padEnd(13)} ${label.padEnd(15)} athena ${fmt(row.athenaMs, 0).padStart(6)} ms (engine ${fmt(row.athenaEngineMs, 0)} ms)  duckdb ${fmt(row.duckdbMs, 0).padStart(6)} ms  speed ratio ${fmt(row.ratio, 2)}x`);
    }
  }
  conn.closeSync();
  raw.closeSync();
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (!args['keep-data']) rmSync(parent, { recursive: true, force: true });
}

const md = [
  '### Athena benchmark',
  '',
  `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB RAM; disk ${machine.disk}; ${machine.kernel}; Node ${machine.node}; load average at start ${machine.loadavg}`,
  `- Options: ${result.argv.join(' ') || '(defaults)'}; client polls GetQueryExecution every ${POLL_MS} ms (scans: every max(${POLL_MS} ms, ${SCAN_POLL} × elapsed)); server: 2 DuckDB threads per query; raw DuckDB: ${THREADS} threads`,
  `- Data: ${Object.entries(result.datasets).map(([n, d]) => `${n} ${d.format} ${fmt(d.bytes / 1e6, 0)} MB${d.format === 'json' ? ` gzip (${fmt(d.uncompressedBytes / 1e6, 0)} MB uncompressed)` : ''} / ${d.rows} rows / ${d.files} files`).join('; ')} (${DAYS} dt= partitions each)`,
  '',
  '| Small queries (~100 MB Parquet) | Queries | p50 ms | p90 ms | p99 ms | max ms | engine p50 ms | queries/s | Target |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  `| start → poll → results, sequential | ${result.small.queries} | ${fmt(result.small.p50)} | ${fmt(result.small.p90)} | ${fmt(result.small.p99)} | ${fmt(result.small.max)} | ${fmt(result.small.engineP50, 0)} | ${fmt(result.small.qps)} | p50 ≤ 150, p99 ≤ 500 |`,
  '',
  '| Scan | Query | File MB | Athena round trip ms | Athena engine ms | Raw DuckDB ms | Speed vs raw DuckDB | Target |',
  '|---|---|---:|---:|---:|---:|---:|---|',
  ...result.scans.map((r) =>
    r.error
      ? `| ${r.table} | ${r.query} | ${fmt(result.datasets[r.table].bytes / 1e6, 0)} | failed: ${r.error.slice(0, 120)} | | | | ≥ 0.8× |`
      : `| ${r.table} | ${r.query} | ${fmt(r.bytes / 1e6, 0)} | ${fmt(r.athenaMs, 0)} | ${fmt(r.athenaEngineMs, 0)} | ${fmt(r.duckdbMs, 0)} | ${fmt(r.ratio, 2)}× | ≥ 0.8× |`,
  ),
  '',
  'Crawler throughput (files/s): see `node bench/crawler-bench.mjs`.',
].join('\n');
log(`\n${md}`);
const outDir = join(ROOT, 'bench', 'athena', 'results');
mkdirSync(outDir, { recursive: true });
const stamp = result.date.replace(/[:.]/g, '-');
writeFileSync(join(outDir, `athena-${stamp}.json`), JSON.stringify(result, null, 2));
writeFileSync(join(outDir, `athena-${stamp}.md`), `${md}\n`);
log(`saved bench/athena/results/athena-${stamp}.json`);
