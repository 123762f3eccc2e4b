/** Athena over a remote S3-compatible store (moto): DuckDB reads local copies Lakebox fetches into its query cache, only for the partitions a query needs. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runQuery } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';
import { startMoto, type MotoServer } from '../helpers/moto-server.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
let moto: MotoServer;
let remote: S3Client;
let server: LakeboxProcess;
let athena: AthenaClient;
let glue: GlueClient;
let s3: S3Client;

const DAYS = ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04'];
/** Events per day; one day's file is large enough to be a multipart-free single remote object well over 64 KiB. */
const EVENTS = DAYS.flatMap((dt, d) => Array.from({ length: d === 1 ? 3000 : 200 + d * 50 }, (_, i) => ({ user: `u${(i * 7) % 23}`, amount: (i % 50) + d, dt })));
const sizes = new Map<string, number>();

beforeAll(async () => {
  moto = await startMoto();
  remote = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await remote.send(new CreateBucketCommand({ Bucket: 'lakebox-remote' }));
  server = await startLakebox({
    env: {
      LAKEBOX_STORAGE: 's3',
      LAKEBOX_S3_ENDPOINT: moto.endpoint,
      LAKEBOX_S3_BUCKET: 'lakebox-remote',
      LAKEBOX_S3_PREFIX: 'lb/',
      LAKEBOX_S3_ACCESS_KEY_ID: 'test',
      LAKEBOX_S3_SECRET_ACCESS_KEY: 'test',
    },
  });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  glue = new GlueClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  for (const dt of DAYS) {
    const body = gzipSync(EVENTS.filter((e) => e.dt === dt).map((e) => JSON.stringify({ user: e.user, amount: e.amount })).join('\n') + '\n');
    const key = `events/dt=${dt}/part-0.json.gz`;
    sizes.set(dt, body.length);
    await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
  }
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'remote_lake' } }));
  const sd = (location: string) => ({
    Columns: [
      { Name: 'user', Type: 'string' },
      { Name: 'amount', Type: 'int' },
    ],
    Location: location,
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
  });
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'remote_lake',
      TableInput: { Name: 'events', TableType: 'EXTERNAL_TABLE', StorageDescriptor: sd('s3://lake/events/'), PartitionKeys: [{ Name: 'dt', Type: 'string' }] },
    }),
  );
  await glue.send(
    new BatchCreatePartitionCommand({
      DatabaseName: 'remote_lake',
      TableName: 'events',
      PartitionInputList: DAYS.map((dt) => ({ Values: [dt], StorageDescriptor: sd(`s3://lake/events/dt=${dt}/`) })),
    }),
  );
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  await moto?.stop();
});

describe('Athena on a remote object store', () => {
  it('keeps the data in the remote store and answers queries from fetched copies of the pruned partitions', async () => {
    // The objects really live in moto under the configured prefix.
    const listed = await remote.send(new ListObjectsV2Command({ Bucket: 'lakebox-remote', Prefix: 'lb/' }));
    expect((listed.KeyCount ?? 0) > 0).toBe(true);
    const wanted = [DAYS[1]!, DAYS[3]!];
    const { qe, rows } = await runQuery(athena, {
      QueryString: `SELECT dt, count(*) AS n, sum(amount) AS total, count(DISTINCT "user") AS users FROM events WHERE dt IN ('${wanted[0]}', '${wanted[1]}') GROUP BY dt ORDER BY dt`,
      QueryExecutionContext: { Database: 'remote_lake' },
      ResultConfiguration: { OutputLocation: 's3://results/remote/' },
    });
    expect(qe.Status?.State, qe.Status?.StateChangeReason).toBe('SUCCEEDED');
    const expected = wanted.map((dt) => {
      const day = EVENTS.filter((e) => e.dt === dt);
      return [dt, String(day.length), String(day.reduce((n, e) => n + e.amount, 0)), String(new Set(day.map((e) => e.user)).size)];
    });
    expect(rows).toEqual([['dt', 'n', 'total', 'users'], ...expected]);
    // Only the two selected partitions' objects were read.
    expect(qe.Statistics?.DataScannedInBytes).toBe(sizes.get(wanted[0]!)! + sizes.get(wanted[1]!)!);
    const cache = join(server.dataDir, 'query-cache');
    expect(existsSync(cache)).toBe(true);
    const copies = readdirSync(cache).filter((n) => n.endsWith('.json.gz'));
    expect(copies).toHaveLength(2);
  });
});
