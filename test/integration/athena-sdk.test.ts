/** Athena through @aws-sdk/client-athena against the real server: Glue tables over Parquet and gzip JSON-lines partitions, results, paging, result CSV, errors, cancel, scan cutoff, idempotency, restart. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  CreatePreparedStatementCommand,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { runQuery, waitForQuery, parquetTableInput } from '../helpers/athena-client.js';
import { errorName } from '../helpers/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const OUTPUT = 's3://results/athena/';
let server: LakeboxProcess;
let athena: AthenaClient;
let glue: GlueClient;
let s3: S3Client;

function clients(endpoint: string): void {
  const cfg = { endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  glue = new GlueClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
}

/** Deterministic rows: id, name, score (double), qty (int), tags (array<string>). */
const EVENTS = Array.from({ length: 2500 }, (_, i) => ({ id: i + 1, name: `user-${i % 37}`, score: (i % 101) / 4, qty: (i * 7) % 13, tags: i % 3 === 0 ? ['a', 'b'] : ['c'] }));
/** JSON lines per day partition. */
const LOG_DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];
const LOGS = LOG_DAYS.flatMap((dt, d) => Array.from({ length: 40 + d * 10 }, (_, i) => ({ dt, level: i % 4 === 0 ? 'ERROR' : 'INFO', latency: i * 3 + d, msg: `m${i}` })));
const logSizes = new Map<string, number>();

async function put(bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function writeParquet(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-parquet-'));
  const path = join(dir, 'events.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`CREATE TABLE t (id BIGINT, name VARCHAR, score DOUBLE, qty INTEGER, tags VARCHAR[])`);
  const appender = await c.createAppender('t');
  appender.closeSync();
  const values = EVENTS.map((e) => `(${e.id}, '${e.name}', ${e.score}, ${e.qty}, [${e.tags.map((t) => `'${t}'`).join(', ')}])`).join(', ');
  await c.run(`INSERT INTO t VALUES ${values}`);
  await c.run(`COPY t TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  const bytes = readFileSync(path);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

async function start(sql: string, extra: Partial<ConstructorParameters<typeof StartQueryExecutionCommand>[0]> = {}): Promise<string> {
  const out = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'lake' }, ResultConfiguration: { OutputLocation: OUTPUT }, ...extra }),
  );
  return out.QueryExecutionId!;
}

const wait = (id: string, timeoutMs = 30_000): Promise<QueryExecution> => waitForQuery(athena, id, timeoutMs);

const run = (sql: string, extra: Parameters<typeof start>[1] = {}): Promise<{ qe: QueryExecution; rows: (string | undefined)[][] }> =>
  runQuery(athena, { QueryString: sql, QueryExecutionContext: { Database: 'lake' }, ResultConfiguration: { OutputLocation: OUTPUT }, ...extra });

/** Parses Athena result CSV as a client would (quoted values, empty unquoted = NULL). */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: (string | null)[] = [];
    for (;;) {
      if (text[i] === '"') {
        let v = '';
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          v += text.slice(i, q);
          if (text[q + 1] === '"') {
            v += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        row.push(v);
      } else row.push(null);
      if (text[i] === ',') i++;
      else {
        i++;
        break;
      }
    }
    rows.push(row);
  }
  return rows;
}

beforeAll(async () => {
  server = await startLakebox({ env: { LAKEBOX_ATHENA_MAX_CONCURRENT_QUERIES: '2', LAKEBOX_ATHENA_POLL_WAIT_MS: '1500' } });
  clients(server.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
  await put('lake', 'events/part-0.parquet', await writeParquet());
  await put('lake', 'events/_SUCCESS', 'x');
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'lake',
      TableInput: parquetTableInput('events', 's3://lake/events/', [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }, { Name: 'score', Type: 'double' }, { Name: 'qty', Type: 'int' }, { Name: 'tags', Type: 'array<string>' }, { Name: 'missing', Type: 'string' }]),
    }),
  );
  // Firehose-style gzip JSON lines under dt= partitions.
  for (const dt of LOG_DAYS) {
    const lines = LOGS.filter((l) => l.dt === dt).map(({ dt: _d, ...r }) => JSON.stringify(r)).join('\n') + '\n';
    const body = gzipSync(lines);
    logSizes.set(dt, body.length);
    await put('lake', `logs/dt=${dt}/logs-1-${dt}.gz`, body);
  }
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'lake',
      TableInput: {
        Name: 'logs',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: {
          Location: 's3://lake/logs/',
          Columns: [
            { Name: 'level', Type: 'string' },
            { Name: 'latency', Type: 'int' },
            { Name: 'msg', Type: 'string' },
          ],
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    }),
  );
  await glue.send(
    new BatchCreatePartitionCommand({
      DatabaseName: 'lake',
      TableName: 'logs',
      PartitionInputList: LOG_DAYS.map((dt) => ({ Values: [dt], StorageDescriptor: { Location: `s3://lake/logs/dt=${dt}/` } })),
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe('Athena over Parquet', () => {
  it('aggregates match the generated rows', async () => {
    const { qe, rows } = await run('SELECT count(*) AS n, sum(qty) AS q, max(score) AS m, count(DISTINCT name) AS names FROM events');
    expect(qe.Status!.State).toBe('SUCCEEDED');
    expect(qe.StatementType).toBe('DML');
    expect(qe.SubstatementType).toBe('SELECT');
    expect(qe.ResultConfiguration!.OutputLocation).toBe(`${OUTPUT}${qe.QueryExecutionId}.csv`);
    expect(qe.Statistics!.DataScannedInBytes).toBeGreaterThan(0);
    const sumQty = EVENTS.reduce((n, e) => n + e.qty, 0);
    const maxScore = Math.max(...EVENTS.map((e) => e.score));
    expect(rows).toEqual([
      ['n', 'q', 'm', 'names'],
      [String(EVENTS.length), String(sumQty), Number.isInteger(maxScore) ? maxScore.toFixed(1) : String(maxScore), String(new Set(EVENTS.map((e) => e.name)).size)],
    ]);
  });

  it('reports Athena column types and renders arrays, NULL columns and $path', async () => {
    const id = await start('SELECT id, name, score, qty, tags, missing, "$path" AS p FROM events WHERE id = 4');
    await wait(id);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    const info = page.ResultSet!.ResultSetMetadata!.ColumnInfo!;
    expect(info.map((c) => [c.Name, c.Type])).toEqual([
      ['id', 'bigint'],
      ['name', 'varchar'],
      ['score', 'double'],
      ['qty', 'integer'],
      ['tags', 'array'],
      ['missing', 'varchar'],
      ['p', 'varchar'],
    ]);
    expect(info[1]).toMatchObject({ CaseSensitive: true, Precision: 2147483647, Nullable: 'UNKNOWN', CatalogName: 'hive' });
    const e = EVENTS[3]!;
    expect(page.ResultSet!.Rows![1]!.Data).toEqual([
      { VarCharValue: String(e.id) },
      { VarCharValue: e.name },
      { VarCharValue: Number.isInteger(e.score) ? `${e.score}.0` : String(e.score) },
      { VarCharValue: String(e.qty) },
      { VarCharValue: `[${e.tags.join(', ')}]` },
      {},
      { VarCharValue: 's3://lake/events/part-0.parquet' },
    ]);
  });

  it('pages results 1000 rows at a time and the CSV file holds the same rows', async () => {
    const id = await start('SELECT id, name FROM events ORDER BY id');
    const qe = await wait(id);
    const first = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(first.ResultSet!.Rows!.length).toBe(1000);
    expect(first.NextToken).toBeDefined();
    expect(await errorName(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 })))).toBe('InvalidRequestException');
    const all: (string | undefined)[][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 700 }));
      all.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue)));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil((EVENTS.length + 1) / 700));
    expect(all.length).toBe(EVENTS.length + 1);
    expect(all[0]).toEqual(['id', 'name']);
    expect(all.slice(1)).toEqual(EVENTS.map((e) => [String(e.id), e.name]));
    const key = qe.ResultConfiguration!.OutputLocation!.replace('s3://results/', '');
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'results', Key: key }))).Body!.transformToString();
    expect(parseCsv(text)).toEqual(all);
    const meta = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: `${key}.metadata` }));
    expect((await meta.Body!.transformToByteArray()).length).toBeGreaterThan(0);
  });

  it('writes a result larger than the in-memory buffer (spilled to a temp file) completely and in order', async () => {
    // 30,000 rows of ~60 bytes: ~1.8 MB of CSV, past the 1 MiB the runner keeps in memory.
    const id = await start(`SELECT n, '${'x'.repeat(50)}' || CAST(n AS varchar) AS pad FROM UNNEST(sequence(1, 30000)) AS t(n) ORDER BY n`);
    const qe = await wait(id);
    expect(`${qe.Status!.State} ${qe.Status!.StateChangeReason ?? ''}`).toBe('SUCCEEDED ');
    const key = qe.ResultConfiguration!.OutputLocation!.replace('s3://results/', '');
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'results', Key: key }))).Body!.transformToString();
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const rows = parseCsv(text);
    expect(rows.length).toBe(30_001);
    expect(rows[0]).toEqual(['n', 'pad']);
    for (let n = 1; n <= 30_000; n++) expect(rows[n]).toEqual([String(n), `${'x'.repeat(50)}${n}`]);
  });

  it('sees columns that new or overwritten Parquet files add, query after query (the column probe is cached per file set)', async () => {
    const parquetOf = async (select: string): Promise<Buffer> => {
      const dir = mkdtempSync(join(tmpdir(), 'lb-evolve-'));
      const path = join(dir, 'f.parquet');
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      await c.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
      c.closeSync();
      instance.closeSync();
      const bytes = readFileSync(path);
      rmSync(dir, { recursive: true, force: true });
      return bytes;
    };
    await put('lake', 'evolving/a.parquet', await parquetOf('SELECT i::BIGINT AS id FROM range(3) t(i)'));
    // Its own database, so that other tests' SHOW TABLES do not see it.
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'evolve' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'evolve',
        TableInput: parquetTableInput('evolving', 's3://lake/evolving/', [{ Name: 'id', Type: 'bigint' }, { Name: 'extra', Type: 'string' }]),
      }),
    );
    const counts = async (): Promise<(string | undefined)[]> => {
      const { qe, rows } = await runQuery(athena, { QueryString: 'SELECT count(*), count(extra), max(extra) FROM evolving', QueryExecutionContext: { Database: 'evolve' }, ResultConfiguration: { OutputLocation: 's3://results/evolving/' } });
      expect(qe.Status!.State).toBe('SUCCEEDED');
      return rows[1]!;
    };
    expect(await counts()).toEqual(['3', '0', undefined]);
    expect(await counts()).toEqual(['3', '0', undefined]);
    await put('lake', 'evolving/b.parquet', await parquetOf("SELECT (10 + i)::BIGINT AS id, 'b' AS extra FROM range(2) t(i)"));
    expect(await counts()).toEqual(['5', '2', 'b']);
    // Same key, new version: the file set's paths may not change, its versions do.
    await put('lake', 'evolving/a.parquet', await parquetOf("SELECT i::BIGINT AS id, 'z' AS extra FROM range(3) t(i)"));
    expect(await counts()).toEqual(['5', '5', 'z']);
  });

  it('writes NULLs unquoted and quotes embedded quotes in the CSV', async () => {
    const { qe } = await run(`SELECT 'a"b' AS q, CAST(NULL AS varchar) AS n, '' AS e, CAST('1.0E-7' AS double) AS d`);
    const key = qe.ResultConfiguration!.OutputLocation!.replace('s3://results/', '');
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'results', Key: key }))).Body!.transformToString();
    expect(text).toBe('"q","n","e","d"\n"a""b",,"","1.0E-7"\n');
  });
});

describe('Athena over partitioned gzip JSON', () => {
  it('prunes partitions: scans only the files of the selected day', async () => {
    const day = LOG_DAYS[1]!;
    const { qe, rows } = await run(`SELECT level, count(*) AS n, sum(latency) AS s FROM logs WHERE dt = '${day}' GROUP BY level ORDER BY level`);
    expect(qe.Status!.State).toBe('SUCCEEDED');
    expect(qe.Statistics!.DataScannedInBytes).toBe(logSizes.get(day));
    const expected = ['ERROR', 'INFO'].map((level) => {
      const sel = LOGS.filter((l) => l.dt === day && l.level === level);
      return [level, String(sel.length), String(sel.reduce((n, l) => n + l.latency, 0))];
    });
    expect(rows).toEqual([['level', 'n', 's'], ...expected]);
  });

  it('reads every partition without a predicate and exposes the partition column', async () => {
    const { qe, rows } = await run('SELECT dt, count(*) AS n FROM logs GROUP BY dt ORDER BY dt');
    expect(qe.Statistics!.DataScannedInBytes).toBe([...logSizes.values()].reduce((a, b) => a + b, 0));
    expect(rows.slice(1)).toEqual(LOG_DAYS.map((dt) => [dt, String(LOGS.filter((l) => l.dt === dt).length)]));
  });

  it('GetTableMetadata flattens the storage descriptor', async () => {
    const out = await athena.send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'lake', TableName: 'logs' }));
    expect(out.TableMetadata!.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(out.TableMetadata!.Parameters).toMatchObject({ location: 's3://lake/logs/', 'serde.serialization.lib': 'org.openx.data.jsonserde.JsonSerDe' });
  });
});

describe('Athena views, parameters, prepared statements and DDL', () => {
  it('inlines Athena (Presto) views stored in Glue', async () => {
    const view = { originalSql: 'SELECT name, qty FROM events WHERE qty > 10', catalog: 'awsdatacatalog', schema: 'lake', columns: [{ name: 'name', type: 'varchar' }, { name: 'qty', type: 'integer' }] };
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'lake',
        TableInput: {
          Name: 'big_qty',
          TableType: 'VIRTUAL_VIEW',
          Parameters: { presto_view: 'true', comment: 'Presto View' },
          ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`,
          ViewExpandedText: '/* Presto View */',
          StorageDescriptor: { Columns: [{ Name: 'name', Type: 'string' }, { Name: 'qty', Type: 'int' }] },
        },
      }),
    );
    const { qe, rows } = await run('SELECT count(*) AS n, sum(qty) AS s FROM big_qty');
    expect(qe.Status!.State).toBe('SUCCEEDED');
    const sel = EVENTS.filter((e) => e.qty > 10);
    expect(rows[1]).toEqual([String(sel.length), String(sel.reduce((n, e) => n + e.qty, 0))]);
  });

  it('binds ExecutionParameters positionally (expressions as is, other text as strings)', async () => {
    const { rows } = await run('SELECT count(*) AS n FROM events WHERE qty = ? AND name = ?', { ExecutionParameters: ['1 + 2', 'user-5'] });
    expect(rows[1]).toEqual([String(EVENTS.filter((e) => e.qty === 3 && e.name === 'user-5').length)]);
    const { qe } = await run('SELECT ? AS a', { ExecutionParameters: ['1', '2'] });
    expect(qe.Status!.State).toBe('FAILED');
    expect(qe.Status!.StateChangeReason).toContain('Incorrect number of parameters: expected 1 but found 2');
  });

  it('runs prepared statements with EXECUTE … USING, and PREPARE from SQL', async () => {
    await athena.send(new CreatePreparedStatementCommand({ StatementName: 'by_qty', WorkGroup: 'primary', QueryStatement: 'SELECT count(*) FROM events WHERE qty >= ?' }));
    const { rows } = await run('EXECUTE by_qty USING 12');
    expect(rows[1]).toEqual([String(EVENTS.filter((e) => e.qty >= 12).length)]);
    expect((await run(`PREPARE by_name FROM SELECT count(*) FROM events WHERE name = ?`)).qe.Status!.State).toBe('SUCCEEDED');
    const named = await run(`EXECUTE by_name USING 'user-1'`);
    expect(named.rows[1]).toEqual([String(EVENTS.filter((e) => e.name === 'user-1').length)]);
  });

  it('runs DDL through the DDL port and writes .txt results', async () => {
    const created = await run('CREATE DATABASE scratch');
    expect(created.qe).toMatchObject({ StatementType: 'DDL', SubstatementType: 'CREATE_DATABASE' });
    expect(created.qe.ResultConfiguration!.OutputLocation).toBe(`${OUTPUT}${created.qe.QueryExecutionId}.txt`);
    const { qe, rows } = await run('SHOW TABLES');
    expect(qe.StatementType).toBe('UTILITY');
    expect(rows).toEqual([['big_qty'], ['events'], ['logs']]);
    const key = qe.ResultConfiguration!.OutputLocation!.replace('s3://results/', '');
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'results', Key: key }))).Body!.transformToString();
    expect(text).toBe(rows.map((r) => r[0]).join('\n'));
    const failed = await run('CREATE DATABASE scratch');
    expect(failed.qe.Status!.State).toBe('FAILED');
    expect(failed.qe.Status!.StateChangeReason).toMatch(/^FAILED: /);
  });
});

describe('Athena errors and lifecycle', () => {
  it('fails unknown tables with TABLE_NOT_FOUND', async () => {
    const { qe } = await run('SELECT * FROM nosuch');
    expect(qe.Status!.State).toBe('FAILED');
    expect(qe.Status!.StateChangeReason).toBe("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lake.nosuch' does not exist");
    expect(qe.Status!.AthenaError).toMatchObject({ ErrorCategory: 2, ErrorType: 1301, Retryable: false });
    expect(await errorName(athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId })))).toBe('InvalidRequestException');
  });

  it('rejects syntax errors synchronously with MALFORMED_QUERY', async () => {
    const err = await start('SELEKT 1').catch((e: unknown) => e as { name: string; AthenaErrorCode?: string; message: string });
    expect(err).toMatchObject({ name: 'InvalidRequestException', AthenaErrorCode: 'MALFORMED_QUERY' });
  });

  it('unknown query ids and work groups are InvalidRequestException', async () => {
    expect(await errorName(athena.send(new GetQueryExecutionCommand({ QueryExecutionId: 'nope' })))).toBe('InvalidRequestException');
    expect(await errorName(start('SELECT 1', { WorkGroup: 'nope' }))).toBe('InvalidRequestException');
  });

  it('ClientRequestToken makes StartQueryExecution idempotent', async () => {
    const token = 'token-0123456789-0123456789-0123456789';
    const a = await start('SELECT 1', { ClientRequestToken: token });
    const b = await start('SELECT 1', { ClientRequestToken: token });
    expect(b).toBe(a);
    expect(await errorName(start('SELECT 2', { ClientRequestToken: token }))).toBe('InvalidRequestException');
  });

  it('StopQueryExecution cancels a long-running query', async () => {
    const id = await start('SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c WHERE a.score + b.score + c.score < 0');
    for (let i = 0; i < 200; i++) {
      const s = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!.Status!.State;
      if (s === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    const qe = await wait(id, 10_000);
    expect(qe.Status!.State).toBe('CANCELLED');
    expect(qe.Status!.StateChangeReason).toBe('Query cancelled by user');
    expect(qe.Status!.AthenaError).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('GetQueryExecution on a running query waits for it to settle (LAKEBOX_ATHENA_POLL_WAIT_MS) and answers as soon as it does', async () => {
    const id = await start('SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c WHERE a.score + b.score + c.score < 0');
    const get = () => athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    let state = (await get()).QueryExecution!.Status!.State;
    for (let i = 0; state === 'QUEUED' && i < 20; i++) state = (await get()).QueryExecution!.Status!.State;
    expect(state).toBe('RUNNING');
    // Still running after the whole wait: the answer is RUNNING, given no sooner than the wait allows.
    const t0 = Date.now();
    expect((await get()).QueryExecution!.Status!.State).toBe('RUNNING');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    // A call waiting when the query is stopped answers with the final state, not RUNNING.
    const waiting = get();
    await new Promise((r) => setTimeout(r, 100));
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    expect((await waiting).QueryExecution!.Status!.State).toBe('CANCELLED');
    // A finished query is answered at once.
    const t1 = Date.now();
    expect((await get()).QueryExecution!.Status!.State).toBe('CANCELLED');
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it('BytesScannedCutoffPerQuery fails a query that would scan more', async () => {
    await put('lake', 'big/data.csv', Buffer.alloc(10_500_000, 'abcdefghi\n'));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'lake',
        TableInput: {
          Name: 'big',
          TableType: 'EXTERNAL_TABLE',
          StorageDescriptor: { Location: 's3://lake/big/', Columns: [{ Name: 'line', Type: 'string' }], SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: { 'field.delim': ',' } } },
        },
      }),
    );
    await athena.send(new CreateWorkGroupCommand({ Name: 'capped', Configuration: { BytesScannedCutoffPerQuery: 10_000_000, ResultConfiguration: { OutputLocation: 's3://results/capped/' } } }));
    const { qe } = await run('SELECT count(*) FROM big', { WorkGroup: 'capped', ResultConfiguration: undefined });
    expect(qe.Status!.State).toBe('FAILED');
    expect(qe.Status!.StateChangeReason).toContain('Bytes scanned limit was exceeded');
    const ok = await run('SELECT count(*) AS n FROM big');
    expect(ok.rows[1]).toEqual(['1050000']);
  });

  it('lists executions per work group and survives a restart', async () => {
    const { qe } = await run('SELECT 42 AS answer');
    const listed = await athena.send(new ListQueryExecutionsCommand({ MaxResults: 50 }));
    expect(listed.QueryExecutionIds).toContain(qe.QueryExecutionId);
    const batch = await athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [qe.QueryExecutionId!, 'missing-id'] }));
    expect(batch.QueryExecutions!.map((q) => q.QueryExecutionId)).toEqual([qe.QueryExecutionId]);
    expect(batch.UnprocessedQueryExecutionIds!.map((u) => u.QueryExecutionId)).toEqual(['missing-id']);
    const long = await start('SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c WHERE a.score + b.score + c.score < 0');
    for (let i = 0; i < 100; i++) {
      if ((await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: long }))).QueryExecution!.Status!.State === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await server.stop('SIGKILL');
    server = await startLakebox({ dataDir: server.dataDir });
    clients(server.endpoint);
    const interrupted = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: long }))).QueryExecution!;
    expect(interrupted.Status!.State).toBe('FAILED');
    expect(interrupted.Status!.AthenaError!.ErrorCategory).toBe(1);
    const again = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: qe.QueryExecutionId }))).QueryExecution!;
    expect(again.Status!.State).toBe('SUCCEEDED');
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId }));
    expect(page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue))).toEqual([['answer'], ['42']]);
  }, 60_000);
});
