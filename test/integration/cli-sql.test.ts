/** `lakebox sql` against the real server: -c with csv/json/table output, piped multi-statement stdin, failures, unreachable server, Ctrl-C cancel. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const OUTPUT = 's3://results/cli-sql/';
let server: LakeboxProcess;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/lakebox.js sql …` against the test server; `input` is piped to stdin; `onSpawn` may signal the child. */
function sql(args: string[], options: { input?: string; env?: Record<string, string>; onSpawn?: (kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/lakebox.js', 'sql', ...args], {
      env: {
        ...process.env,
        LAKEBOX_PORT: String(server.port),
        LAKEBOX_ACCESS_KEY_ID: ACCESS_KEY_ID,
        LAKEBOX_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        LAKEBOX_SQL_OUTPUT_LOCATION: OUTPUT,
        LAKEBOX_SQL_HISTORY: '',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
    options.onSpawn?.((s) => child.kill(s));
  });
}

beforeAll(async () => {
  server = await startLakebox();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const glue = new GlueClient(cfg);
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  const people = [
    { id: 1, name: 'Ada, "the first"', score: 9.5 },
    { id: 2, name: '漢字', score: null },
    { id: 3, name: 'bob', score: 100 },
  ];
  await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'people/data.json', Body: people.map((p) => JSON.stringify(p)).join('\n') + '\n' }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'demo' } }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'empty' } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'demo',
      TableInput: {
        Name: 'people',
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: {
          Location: 's3://lake/people/',
          Columns: [
            { Name: 'id', Type: 'int' },
            { Name: 'name', Type: 'string' },
            { Name: 'score', Type: 'double' },
          ],
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    }),
  );
  s3.destroy();
  glue.destroy();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe('lakebox sql', () => {
  it('-c with --format csv prints RFC 4180 rows from a Glue table and exits 0', async () => {
    const r = await sql(['--database', 'demo', '--format', 'csv', '-c', 'SELECT id, name, score FROM people ORDER BY id']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('id,name,score\n1,"Ada, ""the first""",9.5\n2,漢字,\n3,bob,100.0\n');
  });

  it('-c with --format json prints one typed object per row, for each statement', async () => {
    const r = await sql(['--format', 'json', '-c', "SELECT 1 AS x, 'a' AS y, NULL AS z; VALUES (2, 'b;c')"]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ x: 1, y: 'a', z: null }, { _col0: 2, _col1: 'b;c' }]);
  });

  it('prints an aligned table with a row count, using --endpoint and --output-location', async () => {
    const r = await sql(['--endpoint', server.endpoint, '--port', '1', '--output-location', OUTPUT, '--database', 'demo', '-c', 'SELECT id, name FROM people ORDER BY id'], { env: { LAKEBOX_SQL_OUTPUT_LOCATION: '' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([' id | name', '----+------------------', '  1 | Ada, "the first"', '  2 | 漢字', '  3 | bob', '(3 rows)', ''].join('\n'));
  });

  it('exits 1 at the first failing statement, with Athena’s message on stderr', async () => {
    const r = await sql(['--database', 'demo', '--format', 'csv', '-c', 'SELECT 1 AS ok; SELECT no_such_column FROM people; SELECT 2 AS never']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('ok\n1\n');
    expect(r.stderr).toMatch(/^FAILED: .*no_such_column/);
    const syntax = await sql(['-c', 'SELEKT 1']);
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/^InvalidRequestException: /);
  });

  it('runs piped multi-statement stdin in order, with meta-commands', async () => {
    const input = ['\\c demo', '\\d', 'SELECT count(*) AS n', '  FROM people; -- a comment; with semicolons', "SELECT 'x;y' AS s /* ; */;", 'USE empty;', 'SHOW TABLES'].join('\n');
    const r = await sql(['--format', 'tsv'], { input });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('tab_name\npeople\nn\n3\ns\nx;y\ntab_name\n');
    const failing = await sql(['--format', 'tsv'], { input: 'SELECT 1 AS a;\nSELECT broken(;\nSELECT 2 AS b;\n' });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toBe('a\n1\n');
    expect(failing.stderr).not.toBe('');
  });

  it('reports an unreachable server with exit status 1', async () => {
    const r = await sql(['--port', '1', '-c', 'SELECT 1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach Lakebox at http:\/\/127\.0\.0\.1:1/);
  });

  it('SIGINT while a query runs cancels it on the server (StopQueryExecution)', async () => {
    const slow = 'SELECT count(*) AS n FROM UNNEST(sequence(1, 100000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 30000)) AS b(y) WHERE (x * y) % 7 = 3';
    const athena = new AthenaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
    const latest = async () => {
      const { QueryExecutionIds } = await athena.send(new ListQueryExecutionsCommand({ MaxResults: 1 }));
      const id = QueryExecutionIds?.[0];
      return id === undefined ? undefined : (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
    };
    // Interrupt only once the query is RUNNING on the server (the CLI needs a moment to start).
    const interruptWhenRunning = async (kill: (s: NodeJS.Signals) => void): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const q = await latest();
        if (q?.Query === slow && q.Status?.State === 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      kill('SIGINT');
    };
    const r = await sql(['-c', slow], { onSpawn: (kill) => void interruptWhenRunning(kill) });
    expect(r.stderr).toContain('CANCELLED: Query cancelled by user');
    expect(r.status).toBe(130);
    const q = await latest();
    athena.destroy();
    expect(q?.Query).toBe(slow);
    expect(q?.Status?.State).toBe('CANCELLED');
  });
});
