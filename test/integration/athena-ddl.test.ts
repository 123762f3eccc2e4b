/** Athena Hive DDL through @aws-sdk/client-athena: CREATE EXTERNAL TABLE, MSCK, ALTER PARTITION, SHOW/DESCRIBE `.txt` results, SerDe read semantics, partition projection and views. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient, GetQueryResultsCommand, StartQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { waitForQuery } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
let server: LakeboxProcess;
let athena: AthenaClient;
let glue: GlueClient;
let s3: S3Client;

const DAYS = ['2024-03-01', '2024-03-02', '2024-03-03'];
/** Firehose-style records with mixed-case keys, one gzip object per day. */
const EVENTS = DAYS.flatMap((dt, d) => Array.from({ length: 20 + d * 5 }, (_, i) => ({ dt, Id: d * 100 + i, LEVEL: i % 3 === 0 ? 'ERROR' : 'INFO', Msg: `m${i}` })));
const sizes = new Map<string, number>();

async function put(key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
  sizes.set(key, typeof body === 'string' ? Buffer.byteLength(body) : body.length);
}

async function run(sql: string): Promise<QueryExecution> {
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'ddl' }, ResultConfiguration: { OutputLocation: 's3://results/ddl/' } }),
  );
  return waitForQuery(athena, QueryExecutionId!);
}

async function ok(sql: string): Promise<QueryExecution> {
  const qe = await run(sql);
  expect(qe.Status!.State, `${sql}: ${qe.Status!.StateChangeReason}`).toBe('SUCCEEDED');
  return qe;
}

/** The `.txt` result object of a DDL/SHOW statement. */
async function txt(sql: string): Promise<string> {
  const qe = await ok(sql);
  const out = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: `ddl/${qe.QueryExecutionId}.txt` }));
  return out.Body!.transformToString();
}

async function rows(sql: string): Promise<(string | undefined)[][]> {
  const qe = await ok(sql);
  const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
  return (page.ResultSet!.Rows ?? []).slice(1).map((r) => (r.Data ?? []).map((d) => d.VarCharValue));
}

beforeAll(async () => {
  server = await startLakebox();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  glue = new GlueClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  for (const dt of DAYS) {
    const lines = EVENTS.filter((e) => e.dt === dt).map(({ dt: _, ...e }) => JSON.stringify(e)).join('\n') + '\n';
    await put(`events/dt=${dt}/stream-1-${dt}.gz`, gzipSync(lines));
  }
  await put('events/_SUCCESS', 'x');
  await put('elsewhere/feb/part.json', '{"id": 999, "level": "WARN", "msg": "moved"}\n');
  await ok('CREATE DATABASE ddl');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('CREATE EXTERNAL TABLE, MSCK and partitions', () => {
  it('stores the table as Athena does and repairs partitions', async () => {
    await ok(`CREATE EXTERNAL TABLE IF NOT EXISTS Events (
      id int COMMENT 'event id', level string, msg string)
      PARTITIONED BY (dt string)
      ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
      LOCATION 's3://lake/events/'
      TBLPROPERTIES ('has_encrypted_data'='false')`);
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'ddl', Name: 'events' }))).Table!;
    expect(t.TableType).toBe('EXTERNAL_TABLE');
    expect(t.Parameters).toMatchObject({ EXTERNAL: 'TRUE', has_encrypted_data: 'false' });
    expect(t.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(t.StorageDescriptor!.SerdeInfo!.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(t.StorageDescriptor!.InputFormat).toBe('org.apache.hadoop.mapred.TextInputFormat');
    expect(t.StorageDescriptor!.OutputFormat).toBe('org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat');
    expect(t.StorageDescriptor!.Columns![0]).toEqual({ Name: 'id', Type: 'int', Comment: 'event id' });

    const repaired = await txt('MSCK REPAIR TABLE events');
    const names = DAYS.map((d) => `events:dt=${d}`);
    expect(repaired).toBe([`Partitions not in metastore:\t${names.join('\t')}`, ...names.map((n) => `Repair: Added partition to metastore ${n}`)].join('\n'));
    expect(await txt('MSCK REPAIR TABLE events')).toBe('');
    expect(await txt('SHOW PARTITIONS events')).toBe(DAYS.map((d) => `dt=${d}`).join('\n'));
  });

  it('prunes partitions: DataScannedInBytes counts only the matching objects', async () => {
    const qe = await ok(`SELECT count(*), sum(id) FROM events WHERE dt = '2024-03-02'`);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
    const day = EVENTS.filter((e) => e.dt === '2024-03-02');
    expect(page.ResultSet!.Rows![1]!.Data!.map((d) => d.VarCharValue)).toEqual([String(day.length), String(day.reduce((n, e) => n + e.Id, 0))]);
    expect(qe.Statistics!.DataScannedInBytes).toBe(sizes.get('events/dt=2024-03-02/stream-1-2024-03-02.gz'));
    // Case-insensitive keys: `LEVEL` and `Msg` fill `level` and `msg`.
    const errors = EVENTS.filter((e) => e.LEVEL === 'ERROR').length;
    expect(await rows(`SELECT count(*) FROM events WHERE level = 'ERROR' AND msg LIKE 'm%'`)).toEqual([[String(errors)]]);
  });

  it('ALTER TABLE ADD/DROP PARTITION with a custom location', async () => {
    await ok(`ALTER TABLE events ADD PARTITION (dt='2024-02-01') LOCATION 's3://lake/elsewhere/feb/' PARTITION (dt='2024-02-02')`);
    expect(await rows(`SELECT id, level, msg, dt FROM events WHERE dt = '2024-02-01'`)).toEqual([['999', 'WARN', 'moved', '2024-02-01']]);
    const dup = await run(`ALTER TABLE events ADD PARTITION (dt='2024-02-01')`);
    expect(dup.Status!.State).toBe('FAILED');
    expect(dup.Status!.StateChangeReason).toMatch(/^FAILED: .*AlreadyExistsException/);
    await ok(`ALTER TABLE events ADD IF NOT EXISTS PARTITION (dt='2024-02-01')`);
    await ok(`ALTER TABLE events DROP PARTITION (dt='2024-02-02')`);
    expect(await txt('SHOW PARTITIONS events')).toBe(['2024-02-01', ...DAYS].map((d) => `dt=${d}`).join('\n'));
    const missing = await run(`ALTER TABLE events DROP PARTITION (dt='1999-01-01')`);
    expect(missing.Status!.StateChangeReason).toMatch(/^FAILED: SemanticException \[Error 10006\]: Partition not found/);
    expect(await rows(`SELECT dt FROM "ddl"."events$partitions" ORDER BY dt`)).toEqual(['2024-02-01', ...DAYS].map((d) => [d]));
  });

  it('SHOW and DESCRIBE write Hive-formatted .txt results', async () => {
    await ok(`CREATE EXTERNAL TABLE plain (a string, b bigint) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/plain/'`);
    const created = await txt('SHOW CREATE TABLE plain');
    const lines = created.split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'CREATE EXTERNAL TABLE `ddl.plain`(',
      '  `a` string, ',
      '  `b` bigint)',
      'ROW FORMAT DELIMITED ',
      "  FIELDS TERMINATED BY ',' ",
      'STORED AS INPUTFORMAT ',
      "  'org.apache.hadoop.mapred.TextInputFormat' ",
      'OUTPUTFORMAT ',
      "  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      'LOCATION',
      "  's3://lake/plain/'",
    ]);
    expect(lines.slice(11, 12)).toEqual(['TBLPROPERTIES (']);
    expect(lines[12]).toMatch(/^ {2}'transient_lastDdlTime'='\d+'\)$/);
    const pad = (s: string): string => s + ' '.repeat(20 - s.length);
    expect(await txt('DESCRIBE events')).toBe(
      [
        `${pad('id')}\t${pad('int')}\t${pad('event id')}`,
        `${pad('level')}\t${pad('string')}\t${pad('from deserializer')}`,
        `${pad('msg')}\t${pad('string')}\t${pad('from deserializer')}`,
        `${pad('dt')}\t${pad('string')}\t${pad('from deserializer')}`,
        '\t \t ',
        '# Partition Information\t \t ',
        `# ${pad('col_name')}\t${pad('data_type')}\t${pad('comment')}`,
        '\t \t ',
        `${pad('dt')}\t${pad('string')}\t${pad('from deserializer')}`,
      ].join('\n'),
    );
    expect(await txt('SHOW TABLES')).toBe('events\nplain');
    expect(await txt("SHOW TABLES 'pl*'")).toBe('plain');
    expect(await txt('SHOW COLUMNS IN plain')).toBe(`${pad('a')}\n${pad('b')}`);
    expect(await txt("SHOW TBLPROPERTIES events('has_encrypted_data')")).toBe('false');
  });

  it('reports Hive errors', async () => {
    const parse = await run('CREATE EXTERNAL TABLE broken (a strin) LOCATION "s3://lake/x/"');
    expect(parse.Status!.StateChangeReason).toBe("FAILED: ParseException line 1:32 cannot recognize input near 'strin' ')' 'LOCATION' in create table statement");
    const missing = await run('DESCRIBE nope');
    expect(missing.Status!.StateChangeReason).toBe('FAILED: SemanticException [Error 10001]: Table not found nope');
    const exists = await run(`CREATE EXTERNAL TABLE plain (a string) LOCATION 's3://lake/plain/'`);
    expect(exists.Status!.StateChangeReason).toMatch(/AlreadyExistsException/);
    const managed = await run(`CREATE TABLE managed (a string)`);
    expect(managed.Status!.State).toBe('FAILED');
  });

  it('DROP TABLE keeps the data', async () => {
    await ok('DROP TABLE plain');
    await ok('DROP TABLE IF EXISTS plain');
    await put('plain/data.csv', 'x,1\n');
    await ok(`CREATE EXTERNAL TABLE plain (a string, b bigint) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/plain/'`);
    await ok('DROP TABLE plain');
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'plain/data.csv' }))).ContentLength).toBe(4);
  });
});

describe('SerDe read semantics', () => {
  it('OpenX: mapping.*, malformed rows with and without ignore.malformed.json', async () => {
    await put('openx/a.json', ['{"UserID": 1, "Name": "a"}', '{oops', '{"userid": 2, "NAME": "b", "extra": true}', '[1,2]'].join('\n'));
    await ok(`CREATE EXTERNAL TABLE users (user_id bigint, name string)
      ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
      WITH SERDEPROPERTIES ('ignore.malformed.json'='true', 'mapping.user_id'='userid')
      LOCATION 's3://lake/openx/'`);
    expect(await rows('SELECT user_id, name FROM users')).toEqual([['1', 'a'], [undefined, undefined], ['2', 'b'], [undefined, undefined]]);
    await ok(`CREATE EXTERNAL TABLE users_strict (userid bigint) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/openx/'`);
    const failed = await run('SELECT * FROM users_strict');
    expect(failed.Status!.State).toBe('FAILED');
    expect(failed.Status!.StateChangeReason).toMatch(/^HIVE_CURSOR_ERROR: /);
  });

  it('LazySimpleSerDe: \\N, header skipping, quotes as data, bad numbers, short and long rows', async () => {
    await put('tsv/a.tsv', ['id\tname\tscore', '1\t"quoted"\t1.5', '2\t\\N\tabc', '3\tshort', '4\tlong\t2.5\textra'].join('\n') + '\n');
    await ok(`CREATE EXTERNAL TABLE tsv (id int, name string, score double)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LOCATION 's3://lake/tsv/' TBLPROPERTIES ('skip.header.line.count'='1')`);
    expect(await rows('SELECT id, name, score FROM tsv ORDER BY id')).toEqual([
      ['1', '"quoted"', '1.5'],
      ['2', undefined, undefined],
      ['3', 'short', undefined],
      ['4', 'long', '2.5'],
    ]);
  });

  it('LazySimpleSerDe ESCAPED BY: escaped delimiters are data, escapes removed, rendered by SHOW CREATE TABLE', async () => {
    await put('escaped/a.csv', ['1,a\\,b,x|y\\|z', '2,back\\\\slash,\\N', '3,\\N,p', '4,line\\nbreak,q', '5\\6,trailing\\'].join('\n') + '\n');
    await ok(`CREATE EXTERNAL TABLE escaped (id int, name string, tags array<string>)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY '\\\\' COLLECTION ITEMS TERMINATED BY '|' LOCATION 's3://lake/escaped/'`);
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'ddl', Name: 'escaped' }))).Table!;
    expect(t.StorageDescriptor!.SerdeInfo!.Parameters).toMatchObject({ 'field.delim': ',', 'escape.delim': '\\', 'collection.delim': '|' });
    const qe = await ok('SELECT id, name, cardinality(tags), element_at(tags, -1) FROM escaped ORDER BY id NULLS LAST');
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
    expect(page.ResultSet!.Rows!.slice(1).map((r) => r.Data!.map((d) => d.VarCharValue))).toEqual([
      ['1', 'a,b', '2', 'y|z'],
      ['2', 'back\\slash', undefined, undefined],
      ['3', undefined, '1', 'p'],
      ['4', 'line\nbreak', '1', 'q'],
      [undefined, 'trailing\\', undefined, undefined],
    ]);
    const created = (await txt('SHOW CREATE TABLE escaped')).split('\n');
    expect(created.slice(4, 8)).toEqual(['ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY ',' ", "  ESCAPED BY '\\\\' ", "  COLLECTION ITEMS TERMINATED BY '|' "]);
  });

  it('OpenCSVSerde and RegexSerDe', async () => {
    await put('csv/a.csv', '"a,b","1"\n"c ""q""",2\n');
    await ok(`CREATE EXTERNAL TABLE csv (s string, n int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
      WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='"', 'escapeChar'='\\\\') LOCATION 's3://lake/csv/'`);
    expect(await rows('SELECT s, n FROM csv ORDER BY n')).toEqual([['a,b', '1'], ['c "q"', '2']]);
    await put('logs/a.log', 'GET /a 200\nnoise\nPOST /b 404\n');
    await ok(`CREATE EXTERNAL TABLE weblog (method string, path string, status int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
      WITH SERDEPROPERTIES ('input.regex'='^(\\\\S+) (\\\\S+) (\\\\d+)$') LOCATION 's3://lake/logs/'`);
    expect(await rows('SELECT method, path, status FROM weblog')).toEqual([['GET', '/a', '200'], [undefined, undefined, undefined], ['POST', '/b', '404']]);
  });
});

describe('partition projection and views', () => {
  it('reads projected partitions without Glue partitions; injected columns need equality', async () => {
    const data: Record<string, number> = {};
    for (const tenant of ['t1', 't2']) {
      for (const region of ['eu', 'us']) {
        for (const day of ['2024/01/30', '2024/01/31', '2024/02/01']) {
          const n = tenant.length + region.charCodeAt(0) % 3 + Number(day.slice(-2)) % 4;
          const key = `proj/${tenant}/${region}/${day}/data.json`;
          data[key] = n;
          await put(key, Array.from({ length: n }, (_, i) => JSON.stringify({ v: i })).join('\n') + '\n');
        }
      }
    }
    await ok(`CREATE EXTERNAL TABLE proj (v int) PARTITIONED BY (tenant string, region string, dt string)
      ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/proj/'
      TBLPROPERTIES ('projection.enabled'='true', 'projection.tenant.type'='injected',
        'projection.region.type'='enum', 'projection.region.values'='eu,us',
        'projection.dt.type'='date', 'projection.dt.format'='yyyy/MM/dd', 'projection.dt.range'='2024/01/01,NOW',
        'storage.location.template'='s3://lake/proj/\${tenant}/\${region}/\${dt}/')`);
    const keys = Object.keys(data).filter((k) => k.startsWith('proj/t1/us/') && k >= 'proj/t1/us/2024/01/31');
    const expected = keys.reduce((n, k) => n + data[k]!, 0);
    const qe = await ok(`SELECT count(*) FROM proj WHERE tenant = 't1' AND region = 'us' AND dt >= '2024/01/31'`);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
    expect(page.ResultSet!.Rows![1]!.Data![0]!.VarCharValue).toBe(String(expected));
    expect(qe.Statistics!.DataScannedInBytes).toBe(keys.reduce((n, k) => n + sizes.get(k)!, 0));
    const all = Object.keys(data).filter((k) => k.startsWith('proj/t2/')).reduce((n, k) => n + data[k]!, 0);
    expect(await rows(`SELECT count(*) FROM proj WHERE tenant = 't2'`)).toEqual([[String(all)]]);
    const bad = await run('SELECT count(*) FROM proj');
    expect(bad.Status!.StateChangeReason).toMatch(/^CONSTRAINT_VIOLATION: For the injected projected partition column tenant/);
  });

  it('CREATE VIEW stores a Presto view and queries through it', async () => {
    await ok(`CREATE VIEW level_counts AS SELECT level, count(*) AS n FROM events WHERE dt >= '2024-03-01' GROUP BY level`);
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'ddl', Name: 'level_counts' }))).Table!;
    expect(t.TableType).toBe('VIRTUAL_VIEW');
    expect(t.Parameters).toMatchObject({ presto_view: 'true', comment: 'Presto View' });
    expect(t.ViewExpandedText).toBe('/* Presto View */');
    const json = JSON.parse(Buffer.from(/\/\* Presto View: (\S+) \*\//.exec(t.ViewOriginalText!)![1]!, 'base64').toString()) as Record<string, unknown>;
    expect(json).toMatchObject({ catalog: 'awsdatacatalog', schema: 'ddl', columns: [{ name: 'level', type: 'varchar' }, { name: 'n', type: 'bigint' }] });
    expect(t.StorageDescriptor!.Columns).toEqual([{ Name: 'level', Type: 'string' }, { Name: 'n', Type: 'bigint' }]);
    const counts = new Map<string, number>();
    for (const e of EVENTS) counts.set(e.LEVEL, (counts.get(e.LEVEL) ?? 0) + 1);
    expect(await rows('SELECT level, n FROM level_counts ORDER BY level')).toEqual([...counts.entries()].sort().map(([l, n]) => [l, String(n)]));
    const again = await run('CREATE VIEW level_counts AS SELECT 1 AS x');
    expect(again.Status!.StateChangeReason).toMatch(/^TABLE_ALREADY_EXISTS: /);
    await ok('CREATE OR REPLACE VIEW level_counts AS SELECT 1 AS x');
    expect(await txt('SHOW VIEWS')).toBe('level_counts');
    await ok('DROP VIEW level_counts');
    expect(await txt('SHOW VIEWS')).toBe('');
  });

  it('queries views that read other views (a chain and a diamond), with operators the DDL lexer does not know', async () => {
    await ok(`CREATE VIEW lv1 AS SELECT level, count(*) AS n FROM events WHERE dt >= '2024-03-01' GROUP BY level`);
    await ok(`CREATE VIEW lv2 AS SELECT level || '!' AS tag, n * 10 / 5 AS twice FROM lv1`);
    await ok(`CREATE VIEW lv3 AS SELECT a.tag, a.twice, b.n FROM lv2 a JOIN lv1 b ON a.tag = b.level || '!'`);
    const counts = new Map<string, number>();
    for (const e of EVENTS) counts.set(e.LEVEL, (counts.get(e.LEVEL) ?? 0) + 1);
    const want = [...counts.entries()].sort().map(([l, n]) => [`${l}!`, String(n * 2), String(n)]);
    expect(await rows('SELECT tag, twice, n FROM lv3 ORDER BY tag')).toEqual(want);
    expect(await rows('SELECT tag, twice FROM lv2 ORDER BY tag')).toEqual(want.map((r) => r.slice(0, 2)));
    for (const v of ['lv3', 'lv2', 'lv1']) await ok(`DROP VIEW ${v}`);
  });
});
