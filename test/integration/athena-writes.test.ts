/** Athena writes through @aws-sdk/client-athena: CTAS (Parquet partitioned, read back with pyarrow; JSON; TEXTFILE), INSERT INTO, UNLOAD, manifests and errors. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient, GetQueryResultsCommand, StartQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GetPartitionsCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { waitForQuery, parquetTableInput } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const OUTPUT = 's3://results/athena/';
let server: LakeboxProcess;
let athena: AthenaClient;
let glue: GlueClient;
let s3: S3Client;
let work: string;

const REGIONS = ['eu', 'us', 'ap'];
/** Source rows: id, region, amount (double), qty (int). */
const SALES = Array.from({ length: 600 }, (_, i) => ({ id: i + 1, region: REGIONS[i % 3]!, amount: (i % 50) * 1.25, qty: (i * 7) % 11 }));

async function start(sql: string): Promise<string> {
  const out = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'lake' }, ResultConfiguration: { OutputLocation: OUTPUT } }));
  return out.QueryExecutionId!;
}

async function run(sql: string): Promise<QueryExecution> {
  return waitForQuery(athena, await start(sql), 60_000);
}

async function ok(sql: string): Promise<QueryExecution> {
  const qe = await run(sql);
  expect(qe.Status!.State, qe.Status!.StateChangeReason).toBe('SUCCEEDED');
  return qe;
}

async function rows(sql: string): Promise<(string | undefined)[][]> {
  const qe = await ok(sql);
  const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
  return (page.ResultSet!.Rows ?? []).slice(1).map((r) => (r.Data ?? []).map((d) => d.VarCharValue));
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((c) => c.Key!).sort();
}

async function get(uri: string): Promise<Buffer> {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri)!;
  const out = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** Downloads every manifest entry below `root` into a local folder (same relative paths) and returns it. */
async function download(manifestUri: string, root: string): Promise<{ dir: string; files: string[] }> {
  const files = (await get(manifestUri)).toString('utf8').split('\n').filter(Boolean);
  const dir = mkdtempSync(join(work, 'dl-'));
  for (const f of files) {
    expect(f.startsWith(root)).toBe(true);
    const local = join(dir, f.slice(root.length));
    mkdirSync(dirname(local), { recursive: true });
    writeFileSync(local, await get(f));
  }
  return { dir, files };
}

function expectedByRegion(filter: (s: (typeof SALES)[number]) => boolean = () => true): Record<string, { n: number; amount: number }> {
  const out: Record<string, { n: number; amount: number }> = {};
  for (const s of SALES.filter(filter)) {
    const e = (out[s.region] ??= { n: 0, amount: 0 });
    e.n++;
    e.amount += s.amount;
  }
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lb-writes-'));
  server = await startLakebox({ env: { LAKEBOX_ATHENA_MAX_CONCURRENT_QUERIES: '2' } });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  glue = new GlueClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  for (const b of ['lake', 'results']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
  const path = join(work, 'sales.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM (VALUES ${SALES.map((s) => `(${s.id}, '${s.region}', ${s.amount}, ${s.qty})`).join(', ')}) AS t(id, region, amount, qty)) TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'sales/part-0.parquet', Body: readFileSync(path) }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'lake',
      TableInput: parquetTableInput('sales', 's3://lake/sales/', [{ Name: 'id', Type: 'bigint' }, { Name: 'region', Type: 'string' }, { Name: 'amount', Type: 'double' }, { Name: 'qty', Type: 'int' }]),
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  rmSync(work, { recursive: true, force: true });
});

describe('CTAS', () => {
  it('writes a partitioned Parquet table that pyarrow and Athena read back', async () => {
    const qe = await ok(`CREATE TABLE by_region WITH (format = 'PARQUET', write_compression = 'SNAPPY', partitioned_by = ARRAY['region']) AS SELECT id, amount, qty, region FROM sales WHERE id <= 450`);
    const id = qe.QueryExecutionId!;
    expect(qe).toMatchObject({ StatementType: 'DDL', SubstatementType: 'CREATE_TABLE_AS_SELECT' });
    expect(qe.ResultConfiguration!.OutputLocation).toBe(`${OUTPUT}tables/${id}`);
    expect(qe.Statistics!.DataManifestLocation).toBe(`${OUTPUT}tables/${id}-manifest.csv`);
    const res = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(res.UpdateCount).toBe(450);
    expect(res.ResultSet!.Rows).toEqual([]);
    expect(res.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type])).toEqual([['rows', 'bigint']]);
    expect(await keys('results', `athena/tables/${id}.metadata`)).toHaveLength(1);

    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'by_region' }))).Table!;
    expect(table.StorageDescriptor).toMatchObject({
      Location: `${OUTPUT}tables/${id}`,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    });
    expect(table.StorageDescriptor!.Columns!.map((c) => `${c.Name}:${c.Type}`)).toEqual(['id:bigint', 'amount:double', 'qty:int']);
    expect(table.PartitionKeys).toEqual([{ Name: 'region', Type: 'string' }]);
    expect(table.Parameters).toMatchObject({ has_encrypted_data: 'false', 'parquet.compression': 'SNAPPY', EXTERNAL: 'TRUE' });
    const parts = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'by_region' }))).Partitions!;
    expect(parts.map((p) => p.Values![0]).sort()).toEqual(['ap', 'eu', 'us']);
    expect(parts.find((p) => p.Values![0] === 'eu')!.StorageDescriptor!.Location).toBe(`${OUTPUT}tables/${id}/region=eu`);

    const { dir, files } = await download(qe.Statistics!.DataManifestLocation!, `${OUTPUT}tables/${id}/`);
    expect(files.every((f) => /\/region=(eu|us|ap)\/[^/]+$/.test(f))).toBe(true);
    const script = [
      'import json, sys, pyarrow.dataset as ds',
      "t = ds.dataset(sys.argv[1], format='parquet', partitioning='hive').to_table()",
      'out = {}',
      "for r in t.to_pylist(): e = out.setdefault(r['region'], [0, 0.0]); e[0] += 1; e[1] += r['amount']",
      'print(json.dumps(out))',
    ].join('\n');
    const fromArrow = JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' })) as Record<string, [number, number]>;
    const expected = expectedByRegion((s) => s.id <= 450);
    for (const r of REGIONS) {
      expect(fromArrow[r]![0]).toBe(expected[r]!.n);
      expect(fromArrow[r]![1]).toBeCloseTo(expected[r]!.amount, 6);
    }
    expect(await rows(`SELECT region, count(*), sum(qty) FROM by_region WHERE region = 'us' GROUP BY region`)).toEqual([
      ['us', String(expected.us!.n), String(SALES.filter((s) => s.id <= 450 && s.region === 'us').reduce((n, s) => n + s.qty, 0))],
    ]);
  }, 60_000);

  it('writes gzip JSON and TEXTFILE tables', async () => {
    const json = await ok(`CREATE TABLE as_json WITH (format = 'JSON') AS SELECT id, region, amount FROM sales WHERE qty = 3`);
    const { files } = await download(json.Statistics!.DataManifestLocation!, `${OUTPUT}tables/${json.QueryExecutionId}/`);
    expect(files.every((f) => f.endsWith('.gz'))).toBe(true);
    const parsed = (await Promise.all(files.map(get))).flatMap((b) => gunzipSync(b).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number }));
    expect(parsed.map((p) => p.id).sort((a, b) => a - b)).toEqual(SALES.filter((s) => s.qty === 3).map((s) => s.id));
    expect((await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'as_json' }))).Table!.StorageDescriptor!.SerdeInfo!.SerializationLibrary).toBe('org.apache.hive.hcatalog.data.JsonSerDe');
    expect(await rows('SELECT count(*), min(id) FROM as_json')).toEqual([[String(parsed.length), String(Math.min(...parsed.map((p) => p.id)))]]);

    const bucketed = await ok(`CREATE TABLE bucketed WITH (bucketed_by = ARRAY['id'], bucket_count = 4) AS SELECT id, region FROM sales`);
    const names = (await get(bucketed.Statistics!.DataManifestLocation!)).toString('utf8').split('\n').filter(Boolean).map((f) => f.split('/').pop()!);
    expect(names.map((n) => n.slice(0, 9)).sort()).toEqual(['000000_0_', '000001_0_', '000002_0_', '000003_0_']);
    expect((await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'bucketed' }))).Table!.StorageDescriptor).toMatchObject({ NumberOfBuckets: 4, BucketColumns: ['id'] });
    expect(await rows('SELECT count(*) FROM bucketed')).toEqual([['600']]);
    const empty = await ok(`CREATE TABLE empty_copy AS SELECT * FROM sales WITH NO DATA`);
    expect((await athena.send(new GetQueryResultsCommand({ QueryExecutionId: empty.QueryExecutionId }))).UpdateCount).toBe(0);
    expect(await rows('SELECT count(*) FROM empty_copy')).toEqual([['0']]);

    const text = await ok(`CREATE TABLE as_text WITH (format = 'TEXTFILE', field_delimiter = ',', write_compression = 'NONE') AS SELECT id, region, CAST(NULL AS varchar) AS note FROM sales WHERE id <= 3`);
    const body = (await get((await get(text.Statistics!.DataManifestLocation!)).toString().trim())).toString('utf8');
    expect(body.split('\n').filter(Boolean).sort()).toEqual(['1,eu,\\N', '2,us,\\N', '3,ap,\\N']);
    expect(await rows('SELECT count(*), max(region) FROM as_text')).toEqual([['3', 'us']]);
  }, 60_000);

  it('reports Athena errors and leaves nothing behind', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'taken/x.txt', Body: 'x' }));
    const taken = await run(`CREATE TABLE t_taken WITH (external_location = 's3://lake/taken/') AS SELECT 1 AS a`);
    expect(taken.Status!.State).toBe('FAILED');
    expect(taken.Status!.StateChangeReason).toMatch(/^HIVE_PATH_ALREADY_EXISTS: Target directory for table 'lake.t_taken' already exists: s3:\/\/lake\/taken\./);
    const order = await run(`CREATE TABLE t_order WITH (partitioned_by = ARRAY['region']) AS SELECT region, id FROM sales`);
    expect(order.Status!.StateChangeReason).toBe('HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and in the same order as the table properties: [region]');
    const orc = await run(`CREATE TABLE t_orc WITH (format = 'ORC') AS SELECT 1 AS a`);
    expect(orc.Status!.AthenaError!.ErrorType).toBe(1200);
    expect(orc.Status!.StateChangeReason).toMatch(/^NOT_SUPPORTED: Writing ORC files is not supported/);
    const again = await run(`CREATE TABLE by_region AS SELECT 1 AS a`);
    expect(again.Status!.StateChangeReason).toBe("TABLE_ALREADY_EXISTS: line 1:1: Destination table 'awsdatacatalog.lake.by_region' already exists");
    for (const qe of [order, orc]) expect(await keys('results', `athena/tables/${qe.QueryExecutionId}`)).toEqual([]);
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 't_order' }))).rejects.toThrow();
  }, 60_000);
});

describe('INSERT INTO and UNLOAD', () => {
  it('appends rows and registers a new partition', async () => {
    const qe = await ok(`INSERT INTO by_region SELECT id, amount, qty, CASE WHEN id > 590 THEN 'sa' ELSE region END FROM sales WHERE id > 450`);
    expect(qe).toMatchObject({ StatementType: 'DML', SubstatementType: 'INSERT' });
    expect(qe.ResultConfiguration!.OutputLocation).toBe(`${OUTPUT}${qe.QueryExecutionId}`);
    expect(qe.Statistics!.DataManifestLocation).toBe(`${OUTPUT}${qe.QueryExecutionId}-manifest.csv`);
    expect((await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }))).UpdateCount).toBe(150);
    const manifest = (await get(qe.Statistics!.DataManifestLocation!)).toString('utf8').split('\n').filter(Boolean);
    expect(manifest.filter((f) => f.includes('/region=sa/'))).toHaveLength(1);
    const parts = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'by_region' }))).Partitions!;
    expect(parts.map((p) => p.Values![0]).sort()).toEqual(['ap', 'eu', 'sa', 'us']);
    expect(await rows('SELECT count(*), count(DISTINCT id), sum(amount) FROM by_region')).toEqual([['600', '600', `${SALES.reduce((n, s) => n + s.amount, 0)}.0`]]);
    expect(await rows(`SELECT count(*) FROM by_region WHERE region = 'sa'`)).toEqual([['10']]);

    const values = await ok(`INSERT INTO as_text (region, id) VALUES ('zz', 99)`);
    expect((await athena.send(new GetQueryResultsCommand({ QueryExecutionId: values.QueryExecutionId }))).UpdateCount).toBe(1);
    expect(await rows('SELECT id, region, note FROM as_text WHERE id = 99')).toEqual([['99', 'zz', undefined]]);
  }, 60_000);

  it('unloads to an empty location and refuses a non-empty one', async () => {
    const qe = await ok(`UNLOAD (SELECT id, amount, region FROM sales WHERE qty = 5) TO 's3://lake/unload/' WITH (format = 'JSON', compression = 'NONE', partitioned_by = ARRAY['region'])`);
    expect(qe).toMatchObject({ StatementType: 'DML', SubstatementType: 'UNLOAD' });
    const listed = (await keys('lake', 'unload/')).map((k) => `s3://lake/${k}`);
    const manifest = (await get(qe.Statistics!.DataManifestLocation!)).toString('utf8').split('\n').filter(Boolean);
    expect(manifest.sort()).toEqual(listed);
    const data = (await Promise.all(listed.map(get))).flatMap((b) => b.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; region?: string }));
    expect(data.map((d) => d.id).sort((a, b) => a - b)).toEqual(SALES.filter((s) => s.qty === 5).map((s) => s.id));
    expect(data.every((d) => d.region === undefined)).toBe(true);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId, QueryResultType: 'DATA_MANIFEST' }));
    expect(page.ResultSet!.Rows!.map((r) => r.Data![0]!.VarCharValue).sort()).toEqual(listed);
    const again = await run(`UNLOAD (SELECT 1 AS a) TO 's3://lake/unload/' WITH (format = 'PARQUET')`);
    expect(again.Status!.StateChangeReason).toMatch(/^HIVE_PATH_ALREADY_EXISTS/);
  }, 60_000);
});
