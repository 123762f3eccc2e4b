#!/usr/bin/env node
// Athena JSON-lines scan benchmark, engine level (no server): generates gzip JSON lines in dt= partitions with DuckDB
// (the same rows as bench/athena-bench.mjs), then times count / sum / group by / filter + group on
//   raw     DuckDB read_json with explicit columns and hive partitioning (the athena-bench baseline),
//   before  the relation Lakebox built before the key census (every line parsed into a key/value map),
//   scan    today's generic path (what a file the census cannot vouch for is read with),
//   cold    a fresh key census of the files + today's relation (the first query over new files),
//   warm    today's relation with the census cached (later queries).
// The Lakebox relations are built by dist/ (run `npm run build` first), exactly as a server query's view.
//
//   npm run build && node bench/athena-json-scan.mjs --threads 2          # ~1 GB of JSON (uncompressed)
//   node bench/athena-json-scan.mjs --scale 0.1 --repeats 1               # quick
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
    skip: { type: 'string', default: '' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('Usage: node bench/athena-json-scan.mjs [--scale GB (uncompressed JSON, default 1)] [--threads T (default 2)] [--repeats R (warm runs, median, default 3)]\n' +
    '       [--data-dir D (keep and reuse the generated files there)] [--skip before,scan (relations not to time)]');
  process.exit(0);
}
const SCALE = Number(args.scale);
const REPEATS = Number(args.repeats);
const DAYS = 10;
const skip = new Set(args.skip.split(',').filter(Boolean));
const { buildRelation } = await import(join(ROOT, 'dist/query/tables/relation-builder.js'));
const { JsonKeyCensus } = await import(join(ROOT, 'dist/query/tables/json-key-census.js'));
const { linesReader } = await import(join(ROOT, 'dist/query/tables/serde-readers.js'));

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dayOf = (d) => `2024-01-${String(d + 1).padStart(2, '0')}`;
const ROW_SQL = (from, to) =>
  `SELECT i AS id, CAST(hash(i) % 100000 AS INTEGER) AS user_id, ['eu','us','ap','sa','af','oc','na','an'][(i % 8) + 1] AS region,
          round((hash(i * 7) % 100000) / 100.0, 2) AS amount, CAST(i % 17 AS INTEGER) AS qty,
          TIMESTAMP '2024-01-01' + INTERVAL (i % 86400) SECOND AS ts, md5(i::VARCHAR)[1:24] AS note
   FROM range(${from}, ${to}) t(i)`;
const COLUMNS = [['id', 'bigint'], ['user_id', 'int'], ['region', 'string'], ['amount', 'double'], ['qty', 'int'], ['ts', 'timestamp'], ['note', 'string']];
const DUCK = { bigint: 'BIGINT', int: 'INTEGER', string: 'VARCHAR', double: 'DOUBLE', timestamp: 'TIMESTAMP' };

const instance = await DuckDBInstance.create(':memory:', { threads: args.threads });
const conn = await instance.connect();
await conn.run("SET integer_division = true; SET TimeZone = 'UTC'");

const dataDir = args['data-dir'] ? resolve(args['data-dir']) : mkdtempSync(join(os.tmpdir(), 'lakebox-json-scan-'));
const files = [];
const t0 = performance.now();
for (let d = 0; d < DAYS; d++) {
  const dir = join(dataDir, `dt=${dayOf(d)}`);
  const path = join(dir, 'part-0.json.gz');
  files.push({ path, uri: `s3://bench/json/dt=${dayOf(d)}/part-0.json.gz`, partitionValues: [dayOf(d)] });
}
if (!files.every((f) => existsSync(f.path))) {
  const probe = join(dataDir, 'probe.json');
  mkdirSync(dataDir, { recursive: true });
  await conn.run(`COPY (${ROW_SQL(0, 100_000)}) TO '${probe}' (FORMAT json)`);
  const perDay = Math.ceil((SCALE * 1e9) / (statSync(probe).size / 100_000) / DAYS);
  rmSync(probe);
  for (let d = 0; d < DAYS; d++) {
    mkdirSync(dirname(files[d].path), { recursive: true });
    await conn.run(`COPY (${ROW_SQL(d * perDay, (d + 1) * perDay)}) TO '${files[d].path}' (FORMAT json, COMPRESSION gzip)`);
  }
}
const gz = files.reduce((n, f) => n + statSync(f.path).size, 0);
const lines = linesReader(files);
const stats = (await conn.runAndReadAll(`SELECT count(*), sum(strlen(line) + 1) FROM ${lines}`)).getRows()[0];
const rows = Number(stats[0]);
console.log(`data: ${rows} rows, ${fmt(Number(stats[1]) / 1e6)} MB JSON (${fmt(gz / 1e6)} MB gzip) in ${files.length} dt= files, ${dataDir}` +
  ` (ready in ${fmt((performance.now() - t0) / 1000, 1)} s); DuckDB ${args.threads} threads; ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const table = {
  Name: 'json', DatabaseName: 'bench', TableType: 'EXTERNAL_TABLE', PartitionKeys: [{ Name: 'dt', Type: 'string' }],
  StorageDescriptor: {
    Columns: COLUMNS.map(([Name, Type]) => ({ Name, Type })), Location: 's3://bench/json/',
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat', SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: {} },
  },
};
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const fileJoin = (reader) => {
  const values = files.map((f) => `(${lit(f.path)}, ${lit(f.partitionValues[0])})`).join(', ');
  return `SELECT ${COLUMNS.map(([c]) => `d.${c}`).join(', ')}, f.__p0 AS dt FROM ${reader} AS d JOIN (VALUES ${values}) AS f(__file, __p0) ON d.filename = f.__file`;
};
/** The JSON relation as Lakebox built it before the key census (OpenX defaults: case-insensitive, strict). */
function beforeRelation() {
  const cols = COLUMNS.map(([c, t]) => {
    const v = `list_filter(e, x -> lower(x.key) = ${lit(c)})[-1].value`;
    return `${DUCK[t] === 'VARCHAR' ? `(${v} ->> '$')` : `TRY_CAST(${v} AS ${DUCK[t]})`} AS ${c}`;
  });
  const parsed = `CASE WHEN json_valid(line) THEN (CASE WHEN json_type(line) = 'OBJECT' THEN map_entries(json_transform(line, '"MAP(VARCHAR, JSON)"')) END) END`;
  const checked = `CASE WHEN e IS NULL THEN error('HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: ' || left(line, 200)) ELSE e END`;
  return `(SELECT filename, ${cols.join(', ')} FROM (SELECT filename, ${checked} AS e FROM (SELECT filename, line, ${parsed} AS e FROM ${lines} WHERE line IS NOT NULL AND trim(line) <> '')))`;
}
const runner = { rows: async (sql) => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map((v) => (v === null ? null : String(v)))) };
const view = async (name, sql) => conn.run(`CREATE OR REPLACE VIEW ${name} AS ${sql}`);
const jsonCols = `{${COLUMNS.map(([n, t]) => `'${n}': '${DUCK[t]}'`).join(', ')}}`;
await view('raw', `SELECT * FROM read_json([${files.map((f) => lit(f.path)).join(', ')}], format = 'newline_delimited', columns = ${jsonCols}, hive_partitioning = true, hive_types = {'dt': VARCHAR})`);
await view('before', fileJoin(beforeRelation()));
await view('scan', buildRelation(table, files, { withPath: false }));

const QUERIES = [
  ['count', (t) => `SELECT count(*) FROM ${t}`],
  ['sum', (t) => `SELECT sum(amount), avg(qty), max(ts) FROM ${t}`],
  ['group by', (t) => `SELECT region, count(*), sum(amount) FROM ${t} GROUP BY region ORDER BY region`],
  ['filter + group', (t) => `SELECT dt, count(DISTINCT user_id) FROM ${t} WHERE amount > 500 GROUP BY dt ORDER BY dt`],
];
const time = async (sql) => {
  const t = performance.now();
  const out = (await conn.runAndReadAll(sql)).getRows();
  return { ms: performance.now() - t, out: JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? String(v) : typeof v === 'number' ? Number(v.toPrecision(9)) : v)) };
};
const warmCensus = new JsonKeyCensus();
await warmCensus.census(files, runner);
const results = [];
console.log(`\n| Query | raw read_json ms | before ms | scan ms | cold ms (census + query) | warm ms | before/raw | warm speed vs raw | cold speed vs raw |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const [label, sql] of QUERIES) {
  const raw = [];
  const before = [];
  const scan = [];
  const warm = [];
  let expected;
  for (let r = 0; r < REPEATS; r++) {
    const x = await time(sql('raw'));
    raw.push(x.ms);
    expected = x.out;
    if (!skip.has('before')) {
      const y = await time(sql('before'));
      before.push(y.ms);
      if (y.out !== expected) throw new Error(`${label}: before answers ${y.out}, raw ${expected}`);
    }
    if (!skip.has('scan')) {
      const y = await time(sql('scan'));
      scan.push(y.ms);
      if (y.out !== expected) throw new Error(`${label}: scan answers ${y.out}, raw ${expected}`);
    }
    const t = performance.now();
    const census = await warmCensus.census(files, runner);
    await view('warm', buildRelation(table, files, { withPath: false, jsonCensus: census }));
    const w = await time(sql('warm'));
    warm.push(performance.now() - t);
    if (w.out !== expected) throw new Error(`${label}: warm answers ${w.out}, raw ${expected}`);
  }
  const t = performance.now();
  const census = await new JsonKeyCensus().census(files, runner);
  const censusMs = performance.now() - t;
  await view('cold', buildRelation(table, files, { withPath: false, jsonCensus: census }));
  const c = await time(sql('cold'));
  if (c.out !== expected) throw new Error(`${label}: cold answers ${c.out}, raw ${expected}`);
  const row = { label, raw: median(raw), before: median(before), scan: median(scan), censusMs, cold: censusMs + c.ms, warm: median(warm) };
  results.push(row);
  console.log(`| ${label} | ${fmt(row.raw)} | ${fmt(row.before)} | ${fmt(row.scan)} | ${fmt(row.cold)} (${fmt(row.censusMs)} + ${fmt(c.ms)}) | ${fmt(row.warm)} | ` +
    `${fmt(row.before / row.raw, 2)}× | ${fmt(row.raw / row.warm, 2)}× | ${fmt(row.raw / row.cold, 2)}× |`);
}
console.log(`\n${REPEATS} warm run(s) per relation, median; cold = one fresh census + one query. Answers of every relation checked equal to raw.`);
conn.closeSync();
instance.closeSync();
if (!args['data-dir']) rmSync(dataDir, { recursive: true, force: true });
else if (readdirSync(dataDir).length === 0) rmSync(dataDir, { recursive: true, force: true });
