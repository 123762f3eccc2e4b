/** Glue crawlers against the real server: JSON lines (some gzip), CSV (`,` and `|`), Parquet under dt=… folders, crawled into tables and partitions; incremental re-crawl, DeleteBehavior, StopCrawler, schedules, restart persistence. */
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateCrawlerCommand,
  DeleteCrawlerCommand,
  GetCrawlerCommand,
  GetCrawlerMetricsCommand,
  GetCrawlersCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  ListCrawlersCommand,
  ListCrawlsCommand,
  StartCrawlerCommand,
  StartCrawlerScheduleCommand,
  StopCrawlerCommand,
  StopCrawlerScheduleCommand,
  UpdateCrawlerCommand,
  type Crawler,
  type Table,
} from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { errorName } from '../helpers/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const ROLE = 'arn:aws:iam::000000000000:role/crawler';
let server: LakeboxProcess;
let glue: GlueClient;
let s3: S3Client;
let tmp: string;

const clients = (endpoint: string) => {
  glue = new GlueClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
};

const put = (Key: string, Body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket: 'lake', Key, Body }));
const jsonLines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function parquet(sql: string): Promise<Buffer> {
  const file = join(tmp, `${Math.random().toString(36).slice(2)}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (${sql}) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  return readFileSync(file);
}

async function crawl(name: string): Promise<Crawler> {
  await glue.send(new StartCrawlerCommand({ Name: name }));
  for (let i = 0; i < 300; i++) {
    const c = (await glue.send(new GetCrawlerCommand({ Name: name }))).Crawler!;
    if (c.State === 'READY' && c.LastCrawl?.StartTime) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`crawler ${name} did not finish`);
}

const table = async (db: string, name: string): Promise<Table> => (await glue.send(new GetTableCommand({ DatabaseName: db, Name: name }))).Table!;
const columns = (t: Table) => t.StorageDescriptor!.Columns!.map((c) => `${c.Name}:${c.Type}`);
const partitions = async (db: string, name: string) =>
  ((await glue.send(new GetPartitionsCommand({ DatabaseName: db, TableName: name }))).Partitions ?? []).map((p) => `${p.Values!.join('/')}@${p.StorageDescriptor!.Location}`).sort();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'crawler-it-'));
  server = await startLakebox();
  clients(server.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await Promise.all([
    put('events/dt=2024-01-01/part-0.json', jsonLines([{ id: 1, name: 'a', tags: ['x'] }, { id: 2, name: 'b', tags: [] }])),
    put('events/dt=2024-01-02/part-0.json.gz', gzipSync(jsonLines([{ id: 3000000000, name: 'c', nested: { k: 1.5 } }]))),
    put('events/dt=2024-01-02/notes.txt', 'excluded by the crawler\n'),
    put('sales/dt=2024-01-01/a.csv', 'id,amount,paid,customer\n1,10.5,true,ann\n2,3,false,bob\n'),
    put('sales/dt=2024-01-02/b.csv', 'id,amount,paid,customer\n3,7.25,true,cid\n'),
    put('pipes/data.psv', 'code|qty|label\nA|1|first, with comma\nB|2|second\n'),
    put('metrics/dt=2024-01-01/m.parquet', await parquet("SELECT 1::INTEGER AS host_id, 0.5::DOUBLE AS cpu, 'h1' AS host FROM range(5)")),
    put('metrics/dt=2024-01-02/m.parquet', await parquet("SELECT 2::INTEGER AS host_id, 0.25::DOUBLE AS cpu, 'h2' AS host FROM range(7)")),
    put('events/_SUCCESS', ''),
  ]);
  await glue.send(
    new CreateCrawlerCommand({
      Name: 'lake-crawler',
      Role: ROLE,
      DatabaseName: 'lakedb',
      Targets: { S3Targets: [{ Path: 's3://lake/', Exclusions: ['**.txt', 'stop/**'] }] },
      SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'DELETE_FROM_DATABASE' },
      Tags: { team: 'data' },
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Glue crawler definitions', () => {
  it('creates with Glue defaults and refuses duplicates and bad input', async () => {
    const c = (await glue.send(new GetCrawlerCommand({ Name: 'lake-crawler' }))).Crawler!;
    expect(c).toMatchObject({
      Name: 'lake-crawler',
      Role: ROLE,
      DatabaseName: 'lakedb',
      State: 'READY',
      Version: 1,
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' },
      LineageConfiguration: { CrawlerLineageSettings: 'DISABLE' },
      Targets: { S3Targets: [{ Path: 's3://lake/', Exclusions: ['**.txt', 'stop/**'] }], JdbcTargets: [] },
    });
    expect(c.CreationTime).toBeInstanceOf(Date);
    expect(c.LastCrawl).toBeUndefined();
    const create = (extra: object) => glue.send(new CreateCrawlerCommand({ Name: 'x', Role: ROLE, Targets: { S3Targets: [{ Path: 's3://lake/x' }] }, ...extra }));
    expect(await errorName(glue.send(new CreateCrawlerCommand({ Name: 'lake-crawler', Role: ROLE, Targets: { S3Targets: [{ Path: 's3://lake/' }] } })))).toBe('AlreadyExistsException');
    expect(await errorName(create({ Schedule: 'cron(0 12 * * * *)' }))).toBe('InvalidInputException');
    expect(await errorName(create({ Schedule: 'cron(0/2 * * * ? *)' }))).toBe('InvalidInputException');
    expect(await errorName(create({ Targets: { S3Targets: [{ Path: 'lake/x' }] } }))).toBe('InvalidInputException');
    expect(await errorName(create({ Configuration: '{not json' }))).toBe('InvalidInputException');
    expect(await errorName(glue.send(new GetCrawlerCommand({ Name: 'missing' })))).toBe('EntityNotFoundException');
    expect(await errorName(glue.send(new StopCrawlerCommand({ Name: 'lake-crawler' })))).toBe('CrawlerNotRunningException');
    expect((await glue.send(new ListCrawlersCommand({ Tags: { team: 'data' } }))).CrawlerNames).toEqual(['lake-crawler']);
    expect((await glue.send(new ListCrawlersCommand({ Tags: { team: 'other' } }))).CrawlerNames).toEqual([]);
  });
});

describe('crawling S3', () => {
  it('creates one table per dataset with partitions, formats and crawler parameters', async () => {
    const c = await crawl('lake-crawler');
    expect(c.LastCrawl).toMatchObject({ Status: 'SUCCEEDED', LogGroup: '/aws-glue/crawlers', LogStream: 'lake-crawler' });
    const names = ((await glue.send(new GetTablesCommand({ DatabaseName: 'lakedb' }))).TableList ?? []).map((t) => t.Name).sort();
    expect(names).toEqual(['events', 'metrics', 'pipes', 'sales']);

    const events = await table('lakedb', 'events');
    expect(columns(events)).toEqual(['id:bigint', 'name:string', 'tags:array<string>', 'nested:struct<k:double>']);
    expect(events.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(events.StorageDescriptor).toMatchObject({ Location: 's3://lake/events/', SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' } });
    expect(events.Parameters).toMatchObject({ classification: 'json', typeOfData: 'file', objectCount: '2', recordCount: '3', UPDATED_BY_CRAWLER: 'lake-crawler', CrawlerSchemaDeserializerVersion: '1.0' });
    expect(events.TableType).toBe('EXTERNAL_TABLE');
    expect(await partitions('lakedb', 'events')).toEqual(['2024-01-01@s3://lake/events/dt=2024-01-01/', '2024-01-02@s3://lake/events/dt=2024-01-02/']);
    const gz = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'lakedb', TableName: 'events', Expression: "dt = '2024-01-02'" }))).Partitions![0]!;
    expect(gz.Parameters).toMatchObject({ compressionType: 'gzip', objectCount: '1', recordCount: '1' });

    const sales = await table('lakedb', 'sales');
    expect(columns(sales)).toEqual(['id:bigint', 'amount:double', 'paid:boolean', 'customer:string']);
    expect(sales.StorageDescriptor!.SerdeInfo).toEqual({ SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: { 'field.delim': ',' } });
    expect(sales.Parameters).toMatchObject({ classification: 'csv', delimiter: ',', 'skip.header.line.count': '1', compressionType: 'none', recordCount: '3' });

    const pipes = await table('lakedb', 'pipes');
    expect(columns(pipes)).toEqual(['code:string', 'qty:bigint', 'label:string']);
    expect(pipes.PartitionKeys).toEqual([]);
    expect(pipes.StorageDescriptor!.SerdeInfo!.Parameters).toEqual({ 'field.delim': '|' });

    const metrics = await table('lakedb', 'metrics');
    expect(columns(metrics)).toEqual(['host_id:int', 'cpu:double', 'host:string']);
    expect(metrics.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    });
    expect(metrics.Parameters).toMatchObject({ classification: 'parquet', recordCount: '12', objectCount: '2' });
    expect(await partitions('lakedb', 'metrics')).toHaveLength(2);

    const m = (await glue.send(new GetCrawlerMetricsCommand({ CrawlerNameList: ['lake-crawler'] }))).CrawlerMetricsList![0]!;
    expect(m).toMatchObject({ CrawlerName: 'lake-crawler', TablesCreated: 4, TablesUpdated: 0, TablesDeleted: 0, StillEstimating: false });
    const crawls = (await glue.send(new ListCrawlsCommand({ CrawlerName: 'lake-crawler' }))).Crawls!;
    expect(crawls[0]!.State).toBe('COMPLETED');
    expect(crawls[0]!.Summary).toContain('"TABLE":{"ADD":{"Count":4}}');
  });

  it('re-crawls unchanged data without changes, updates changed schemas and deletes vanished tables', async () => {
    await crawl('lake-crawler');
    let m = (await glue.send(new GetCrawlerMetricsCommand({ CrawlerNameList: ['lake-crawler'] }))).CrawlerMetricsList![0]!;
    expect(m).toMatchObject({ TablesCreated: 0, TablesUpdated: 0, TablesDeleted: 0 });
    await put('sales/dt=2024-01-03/c.csv', 'id,amount,paid,customer,region\n4,1.5,true,dan,eu\n');
    await s3.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'pipes/data.psv' }));
    await crawl('lake-crawler');
    m = (await glue.send(new GetCrawlerMetricsCommand({ CrawlerNameList: ['lake-crawler'] }))).CrawlerMetricsList![0]!;
    expect(m).toMatchObject({ TablesCreated: 0, TablesUpdated: 1, TablesDeleted: 1 });
    expect(columns(await table('lakedb', 'sales'))).toEqual(['id:bigint', 'amount:double', 'paid:boolean', 'customer:string', 'region:string']);
    expect(await partitions('lakedb', 'sales')).toHaveLength(3);
    expect(await errorName(glue.send(new GetTableCommand({ DatabaseName: 'lakedb', Name: 'pipes' })))).toBe('EntityNotFoundException');
  });

  it('CRAWL_NEW_FOLDERS_ONLY adds only new folders as partitions', async () => {
    await glue.send(
      new CreateCrawlerCommand({ Name: 'incremental', Role: ROLE, DatabaseName: 'incdb', Targets: { S3Targets: [{ Path: 's3://lake/events' }] }, RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' } }),
    );
    expect((await glue.send(new GetCrawlerCommand({ Name: 'incremental' }))).Crawler!.SchemaChangePolicy).toEqual({ UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' });
    await crawl('incremental');
    expect(await partitions('incdb', 'events')).toHaveLength(2);
    await put('events/dt=2024-01-03/part-0.json', jsonLines([{ id: 9, name: 'z', extra: true }]));
    await crawl('incremental');
    expect(await partitions('incdb', 'events')).toEqual([
      '2024-01-01@s3://lake/events/dt=2024-01-01/',
      '2024-01-02@s3://lake/events/dt=2024-01-02/',
      '2024-01-03@s3://lake/events/dt=2024-01-03/',
    ]);
    // LOG: the table keeps its schema.
    expect(columns(await table('incdb', 'events'))).not.toContain('extra:boolean');
    const m = (await glue.send(new GetCrawlerMetricsCommand({ CrawlerNameList: ['incremental'] }))).CrawlerMetricsList![0]!;
    expect(m).toMatchObject({ TablesCreated: 0, TablesUpdated: 0 });
  });

  it('StopCrawler cancels a running crawl; StartCrawler refuses while running', async () => {
    // Enough files that the crawl outlasts the next few calls: small objects are read straight from SQLite, so a few
    // hundred can be crawled within one round trip.
    const body = jsonLines([{ a: 1 }]);
    for (let i = 0; i < 3000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => put(`stop/f=${i + j}/x.json`, body)));
    await glue.send(new CreateCrawlerCommand({ Name: 'stopper', Role: ROLE, DatabaseName: 'stopdb', Targets: { S3Targets: [{ Path: 's3://lake/stop/' }] } }));
    await glue.send(new StartCrawlerCommand({ Name: 'stopper' }));
    expect(await errorName(glue.send(new StartCrawlerCommand({ Name: 'stopper' })))).toBe('CrawlerRunningException');
    expect(await errorName(glue.send(new UpdateCrawlerCommand({ Name: 'stopper', Description: 'x' })))).toBe('CrawlerRunningException');
    await glue.send(new StopCrawlerCommand({ Name: 'stopper' }));
    const second = await errorName(glue.send(new StopCrawlerCommand({ Name: 'stopper' })));
    expect(['CrawlerStoppingException', 'CrawlerNotRunningException']).toContain(second);
    let c: Crawler;
    do {
      await new Promise((r) => setTimeout(r, 50));
      c = (await glue.send(new GetCrawlerCommand({ Name: 'stopper' }))).Crawler!;
    } while (c.State !== 'READY');
    expect(c.LastCrawl?.Status).toBe('CANCELLED');
    expect((await glue.send(new ListCrawlsCommand({ CrawlerName: 'stopper' }))).Crawls![0]!.State).toBe('STOPPED');
    await glue.send(new DeleteCrawlerCommand({ Name: 'stopper' }));
  });

  it('accepts and runs schedules; schedules and definitions survive a restart', async () => {
    await glue.send(new CreateCrawlerCommand({ Name: 'scheduled', Role: ROLE, DatabaseName: 'schdb', Targets: { S3Targets: [{ Path: 's3://lake/metrics/' }] }, Schedule: 'cron(0/5 * * * ? *)' }));
    expect((await glue.send(new GetCrawlerCommand({ Name: 'scheduled' }))).Crawler!.Schedule).toEqual({ ScheduleExpression: 'cron(0/5 * * * ? *)', State: 'SCHEDULED' });
    await glue.send(new StopCrawlerScheduleCommand({ CrawlerName: 'scheduled' }));
    expect((await glue.send(new GetCrawlerCommand({ Name: 'scheduled' }))).Crawler!.Schedule!.State).toBe('NOT_SCHEDULED');
    expect(await errorName(glue.send(new StopCrawlerScheduleCommand({ CrawlerName: 'scheduled' })))).toBe('SchedulerNotRunningException');
    await glue.send(new StartCrawlerScheduleCommand({ CrawlerName: 'scheduled' }));
    await server.stop();
    server = await startLakebox({ dataDir: server.dataDir });
    clients(server.endpoint);
    const c = (await glue.send(new GetCrawlerCommand({ Name: 'scheduled' }))).Crawler!;
    expect(c.Schedule).toEqual({ ScheduleExpression: 'cron(0/5 * * * ? *)', State: 'SCHEDULED' });
    const all = (await glue.send(new GetCrawlersCommand({}))).Crawlers!.map((x) => x.Name);
    expect(all).toEqual(['incremental', 'lake-crawler', 'scheduled']);
    expect((await table('lakedb', 'events')).Name).toBe('events');
  });
});
