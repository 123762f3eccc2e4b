/** Athena's active query quota through @aws-sdk/client-athena: running + queued executions beyond LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES are refused with TooManyRequestsException. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { waitForQuery } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const LIMIT_MESSAGE =
  'You have exceeded the limit for the number of queries you can run concurrently. Please reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.';
/** Runs until stopped (10^12 rows), on one engine session. */
const SLOW = 'SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z) WHERE x + y + z < 0';
let server: LakeboxProcess;
let athena: AthenaClient;

async function start(sql: string, extra: Partial<StartQueryExecutionCommandInput> = {}): Promise<string> {
  const out = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, ResultConfiguration: { OutputLocation: 's3://results/quota/' }, ...extra }));
  return out.QueryExecutionId!;
}

async function state(id: string): Promise<string> {
  return (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!.Status!.State!;
}

async function rejection(p: Promise<unknown>): Promise<TooManyRequestsException> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TooManyRequestsException) return err;
    throw err;
  }
  throw new Error('StartQueryExecution was accepted');
}

beforeAll(async () => {
  server = await startLakebox({ env: { LAKEBOX_ATHENA_MAX_CONCURRENT_QUERIES: '1', LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES: '3' } });
  // TooManyRequestsException is a throttling error the SDK retries: one attempt shows it as is.
  athena = new AthenaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  await new S3Client({ endpoint: server.endpoint, region: 'us-east-1', credentials, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'results' }));
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('active query quota', () => {
  it('refuses StartQueryExecution once running + queued queries reach the limit, and admits again as they finish', async () => {
    const slow = await start(SLOW);
    for (let i = 0; i < 200 && (await state(slow)) !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await state(slow)).toBe('RUNNING');
    const token = 'quota-test-token-0000000000000000000001';
    const queued = await start('SELECT 1', { ClientRequestToken: token });
    const cancelled = await start('SELECT 2');
    expect([await state(queued), await state(cancelled)]).toEqual(['QUEUED', 'QUEUED']);

    const refused = await rejection(start('SELECT 3'));
    expect(refused.name).toBe('TooManyRequestsException');
    expect(refused.message).toBe(LIMIT_MESSAGE);
    expect(refused.Reason).toBe('CONCURRENT_QUERY_LIMIT_EXCEEDED');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    // Refused before anything is planned: even a malformed query gets the quota error, and no execution is recorded.
    expect((await rejection(start('SELEKT nonsense'))).Reason).toBe('CONCURRENT_QUERY_LIMIT_EXCEEDED');
    expect((await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toHaveLength(3);
    // An idempotent retry of an accepted query is not a new query.
    expect(await start('SELECT 1', { ClientRequestToken: token })).toBe(queued);

    // Cancelling a queued query frees its slot.
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: cancelled }));
    expect(await state(cancelled)).toBe('CANCELLED');
    const admitted = await start('SELECT 4');
    expect((await rejection(start('SELECT 5'))).Reason).toBe('CONCURRENT_QUERY_LIMIT_EXCEEDED');

    // Stopping the running query lets the queue drain; then queries are accepted again.
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: slow }));
    expect((await waitForQuery(athena, slow, 10_000)).Status!.State).toBe('CANCELLED');
    expect((await waitForQuery(athena, queued)).Status!.State).toBe('SUCCEEDED');
    expect((await waitForQuery(athena, admitted)).Status!.State).toBe('SUCCEEDED');
    const after = await Promise.all([start('SELECT 6'), start('SELECT 7'), start('SELECT 8')]);
    for (const id of after) expect((await waitForQuery(athena, id)).Status!.State).toBe('SUCCEEDED');
  });
});
