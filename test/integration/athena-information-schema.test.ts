/** Athena's information_schema through @aws-sdk/client-athena: schemata, tables, columns (DML types, partition keys last), views, arbitrary SQL over them, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient, GetQueryResultsCommand, type StartQueryExecutionCommandInput } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runQuery } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
let server: LakeboxProcess;
let athena: AthenaClient;

async function run(sql: string, extra: Partial<StartQueryExecutionCommandInput> = {}): Promise<Awaited<ReturnType<typeof runQuery>>> {
  return runQuery(athena, { QueryString: sql, QueryExecutionContext: { Database: 'isdb' }, ResultConfiguration: { OutputLocation: 's3://results/is/' }, ...extra });
}

/** Data rows (header dropped) of a query that must succeed. */
async function rows(sql: string, extra: Partial<StartQueryExecutionCommandInput> = {}): Promise<(string | undefined)[][]> {
  const r = await run(sql, extra);
  expect(r.qe.Status!.State, `${sql}: ${r.qe.Status!.StateChangeReason}`).toBe('SUCCEEDED');
  return r.rows.slice(1);
}

beforeAll(async () => {
  server = await startLakebox();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'orders/dt=2024-01-01/a.json', Body: '{"id": 1, "amount": 2.5}\n' }));
  for (const sql of [
    'CREATE DATABASE isdb',
    'CREATE DATABASE other',
    `CREATE EXTERNAL TABLE orders (id bigint COMMENT 'the id', amount decimal(10,2), tags array<string>, attrs map<string,int>, item struct<sku:string,qty:int>, ts timestamp, ok boolean, f float)
       PARTITIONED BY (dt string, hour int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/orders/'`,
    `CREATE EXTERNAL TABLE notes (body string) LOCATION 's3://lake/notes/'`,
    `CREATE VIEW big AS SELECT id, amount FROM orders WHERE amount > 1`,
    `CREATE EXTERNAL TABLE other.elsewhere (x int) LOCATION 's3://lake/elsewhere/'`,
  ]) {
    const r = await run(sql);
    expect(r.qe.Status!.State, `${sql}: ${r.qe.Status!.StateChangeReason}`).toBe('SUCCEEDED');
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('information_schema', () => {
  it('columns lists data columns then partition keys with Athena DML types', async () => {
    const r = await run(`SELECT * FROM information_schema.columns WHERE table_schema = 'isdb' AND table_name = 'orders' ORDER BY ordinal_position`);
    expect(r.qe.Status!.State).toBe('SUCCEEDED');
    expect(r.rows[0]).toEqual(['table_catalog', 'table_schema', 'table_name', 'column_name', 'ordinal_position', 'column_default', 'is_nullable', 'data_type', 'comment', 'extra_info']);
    const row = (n: number, name: string, type: string, comment?: string, extra?: string): (string | undefined)[] =>
      ['awsdatacatalog', 'isdb', 'orders', name, String(n), undefined, 'YES', type, comment, extra];
    expect(r.rows.slice(1)).toEqual([
      row(1, 'id', 'bigint', 'the id'),
      row(2, 'amount', 'decimal(10,2)'),
      row(3, 'tags', 'array(varchar)'),
      row(4, 'attrs', 'map(varchar, integer)'),
      row(5, 'item', 'row(sku varchar, qty integer)'),
      row(6, 'ts', 'timestamp(3)'),
      row(7, 'ok', 'boolean'),
      row(8, 'f', 'real'),
      row(9, 'dt', 'varchar', undefined, 'partition key'),
      row(10, 'hour', 'integer', undefined, 'partition key'),
    ]);
  });

  it('reports column types as Athena does (ordinal_position is a bigint)', async () => {
    const r = await run(`SELECT column_name, ordinal_position FROM information_schema.columns WHERE table_schema = 'isdb' AND table_name = 'notes'`);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: r.qe.QueryExecutionId }));
    expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => c.Type)).toEqual(['varchar', 'bigint']);
    expect(r.rows.slice(1)).toEqual([['body', '1']]);
  });

  it('tables tells base tables from views; schemata lists every database and information_schema', async () => {
    expect(await rows(`SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema = 'isdb' ORDER BY table_name`)).toEqual([
      ['awsdatacatalog', 'isdb', 'big', 'VIEW'],
      ['awsdatacatalog', 'isdb', 'notes', 'BASE TABLE'],
      ['awsdatacatalog', 'isdb', 'orders', 'BASE TABLE'],
    ]);
    const schemas = (await rows('SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY schema_name')).map((r) => r.join('.'));
    expect(schemas).toEqual(expect.arrayContaining(['awsdatacatalog.isdb', 'awsdatacatalog.other', 'awsdatacatalog.information_schema']));
    expect(await rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'information_schema' ORDER BY 1`)).toEqual([['columns'], ['schemata'], ['tables'], ['views']]);
  });

  it('views holds the view SQL', async () => {
    expect(await rows(`SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = 'isdb'`)).toEqual([
      ['big', 'SELECT id, amount FROM orders WHERE amount > 1'],
    ]);
  });

  it('answers arbitrary SQL: joins, aggregates, LIKE, IN, catalog-qualified names, no schema predicate', async () => {
    expect(
      await rows(`SELECT t.table_schema, t.table_name, t.table_type, count(c.column_name) AS n, max(c.ordinal_position) AS last
        FROM awsdatacatalog.information_schema.tables t JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
        WHERE t.table_schema IN ('isdb', 'other') GROUP BY 1, 2, 3 ORDER BY 1, 2`),
    ).toEqual([
      ['isdb', 'big', 'VIEW', '2', '2'],
      ['isdb', 'notes', 'BASE TABLE', '1', '1'],
      ['isdb', 'orders', 'BASE TABLE', '10', '10'],
      ['other', 'elsewhere', 'BASE TABLE', '1', '1'],
    ]);
    expect(await rows(`SELECT table_schema || '.' || table_name || '.' || column_name FROM "INFORMATION_SCHEMA"."COLUMNS" WHERE data_type LIKE 'map%' OR extra_info IS NOT NULL ORDER BY 1`)).toEqual([
      ['isdb.orders.attrs'],
      ['isdb.orders.dt'],
      ['isdb.orders.hour'],
    ]);
    expect(await rows(`SELECT count(*) FROM tables WHERE table_schema = 'other'`, { QueryExecutionContext: { Database: 'information_schema' } })).toEqual([['1']]);
  });

  it('sees catalog changes at query time, and fails unknown information_schema tables', async () => {
    await run(`ALTER TABLE notes ADD COLUMNS (author string)`);
    expect(await rows(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'isdb' AND table_name = 'notes' ORDER BY ordinal_position`)).toEqual([['body'], ['author']]);
    const created = await run(`CREATE VIEW other.catalog_columns AS SELECT table_name, count(*) AS n FROM information_schema.columns WHERE table_schema = 'isdb' GROUP BY table_name`);
    expect(created.qe.Status!.State, created.qe.Status!.StateChangeReason).toBe('SUCCEEDED');
    expect(await rows('SELECT table_name, n FROM other.catalog_columns ORDER BY table_name')).toEqual([['big', '2'], ['notes', '2'], ['orders', '10']]);
    const missing = await run('SELECT * FROM information_schema.nope');
    expect(missing.qe.Status!.State).toBe('FAILED');
    expect(missing.qe.Status!.StateChangeReason).toBe(`TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.information_schema.nope' does not exist`);
  });
});
