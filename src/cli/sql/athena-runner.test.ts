/** Unit tests of the Athena runner against a scripted fake of the API: polling/backoff, failures, cancel, paging. */
import { describe, expect, it } from 'vitest';
import type { GetQueryResultsOutput, QueryExecution, QueryExecutionState, StartQueryExecutionInput } from '@aws-sdk/client-athena';
import { AthenaRunner, describeError, QueryCancelled, SqlError, type AthenaApi, type ResultPage } from './athena-runner.js';

type Step = { state: QueryExecutionState; reason?: string; scanned?: number } | Error;

/** A fake AthenaApi that plays back GetQueryExecution states and result pages, recording every call. */
class FakeAthena implements AthenaApi {
  readonly calls: string[] = [];
  started: StartQueryExecutionInput | undefined;
  stopAfterPolls = Infinity;
  constructor(
    private readonly steps: Step[],
    private readonly pages: GetQueryResultsOutput[] = [],
    private readonly execution: Partial<QueryExecution> = { StatementType: 'DML' },
    private readonly startError?: Error,
  ) {}

  async startQueryExecution(input: StartQueryExecutionInput) {
    this.calls.push('start');
    if (this.startError) throw this.startError;
    this.started = input;
    return { QueryExecutionId: 'q-1' };
  }

  async getQueryExecution() {
    this.calls.push('get');
    const step = this.steps.length > 1 ? this.steps.shift()! : this.steps[0]!;
    if (step instanceof Error) throw step;
    return {
      QueryExecution: {
        ...this.execution,
        QueryExecutionId: 'q-1',
        Status: { State: step.state, StateChangeReason: step.reason },
        Statistics: { DataScannedInBytes: step.scanned, TotalExecutionTimeInMillis: 84 },
      },
    };
  }

  async getQueryResults(input: { NextToken?: string | undefined; MaxResults?: number | undefined }) {
    this.calls.push(`results:${input.NextToken ?? ''}:${input.MaxResults ?? ''}`);
    return this.pages.shift() ?? {};
  }

  async stopQueryExecution() {
    this.calls.push('stop');
    this.steps.splice(0, this.steps.length, { state: 'CANCELLED', reason: 'Query cancelled by user' });
    return {};
  }
}

function runner(api: AthenaApi, sleeps: number[] = [], onSleep?: () => void, now?: () => number): AthenaRunner {
  return new AthenaRunner(api, {
    pageSize: 2,
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep?.();
    },
    ...(now ? { now } : {}),
  });
}

const row = (...values: (string | null)[]) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
const meta = { ColumnInfo: [{ Name: 'x', Type: 'integer' }, { Name: 'y', Type: 'varchar' }] };

async function collect(pages: AsyncIterable<ResultPage>): Promise<ResultPage[]> {
  const out: ResultPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('AthenaRunner.run', () => {
  it('starts with the context, polls with exponential backoff and returns the SUCCEEDED execution', async () => {
    const api = new FakeAthena([{ state: 'QUEUED' }, { state: 'RUNNING', scanned: 10 }, { state: 'RUNNING', scanned: 20 }, { state: 'RUNNING' }, { state: 'SUCCEEDED' }]);
    const sleeps: number[] = [];
    const progress: string[] = [];
    const exec = await runner(api, sleeps).run(
      { sql: 'SELECT 1', database: 'db', workGroup: 'wg', outputLocation: 's3://out/' },
      { onProgress: (p) => progress.push(`${p.state}:${p.scannedBytes ?? '-'}`) },
    );
    expect(exec.Status?.State).toBe('SUCCEEDED');
    expect(api.started).toEqual({ QueryString: 'SELECT 1', QueryExecutionContext: { Database: 'db', Catalog: undefined }, WorkGroup: 'wg', ResultConfiguration: { OutputLocation: 's3://out/' } });
    expect(sleeps).toEqual([20, 30, 45, 67.5]);
    expect(progress).toEqual(['QUEUED:-', 'RUNNING:10', 'RUNNING:20', 'RUNNING:-']);
  });

  it('caps the poll interval', async () => {
    const api = new FakeAthena([...Array<Step>(12).fill({ state: 'RUNNING' }), { state: 'SUCCEEDED' }]);
    const sleeps: number[] = [];
    await runner(api, sleeps).run({ sql: 'SELECT 1' });
    expect(Math.max(...sleeps)).toBe(500);
    expect(api.started?.QueryExecutionContext).toBeUndefined();
  });

  it('reports FAILED with Athena’s StateChangeReason, prefixed once with FAILED:', async () => {
    const fail = (reason: string) => runner(new FakeAthena([{ state: 'RUNNING' }, { state: 'FAILED', reason }])).run({ sql: 'x' });
    await expect(fail("COLUMN_NOT_FOUND: line 1:8: Column 'b' cannot be resolved")).rejects.toThrow(/^FAILED: COLUMN_NOT_FOUND: line 1:8/);
    const hive = await fail('FAILED: SemanticException [Error 10001]: Table not found t').catch((e: unknown) => e);
    expect(hive).toBeInstanceOf(SqlError);
    expect((hive as Error).message).toBe('FAILED: SemanticException [Error 10001]: Table not found t');
  });

  it('reports API errors with their name and message', async () => {
    const err = Object.assign(new Error('line 1:1: mismatched input'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    const api = new FakeAthena([], [], {}, err);
    await expect(runner(api).run({ sql: 'SELEKT' })).rejects.toThrow('InvalidRequestException: line 1:1: mismatched input');
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNREFUSED' }), 'http://127.0.0.1:1')).toMatch(/cannot reach Lakebox at http:\/\/127\.0\.0\.1:1/);
  });

  it('sends StopQueryExecution once when aborted and waits for CANCELLED', async () => {
    const api = new FakeAthena([{ state: 'RUNNING' }]);
    const ac = new AbortController();
    let polls = 0;
    const promise = runner(api, [], () => {
      if (++polls === 3) ac.abort();
    }).run({ sql: 'SELECT slow' }, { signal: ac.signal });
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryCancelled);
    expect((err as Error).message).toBe('CANCELLED: Query cancelled by user');
    expect(api.calls).toEqual(['start', 'get', 'get', 'get', 'stop', 'get']);
  });

  it('gives up waiting when the query does not end after a stop', async () => {
    const api = new FakeAthena([{ state: 'RUNNING' }]);
    api.stopQueryExecution = async () => {
      api.calls.push('stop');
      return {};
    };
    const ac = new AbortController();
    ac.abort();
    let t = 0;
    const err = await runner(api, [], undefined, () => (t += 3000))
      .run({ sql: 'SELECT stuck' }, { signal: ac.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryCancelled);
    expect((err as Error).message).toMatch(/stop requested, but query q-1 is still RUNNING/);
    expect(api.calls.filter((c) => c === 'stop')).toHaveLength(1);
  });
});

describe('AthenaRunner.results', () => {
  const exec = (e: Partial<QueryExecution>): QueryExecution => ({ QueryExecutionId: 'q-1', ...e });

  it('pages with NextToken and drops the header row of the first page of a SELECT', async () => {
    const api = new FakeAthena(
      [],
      [
        { UpdateCount: 0, ResultSet: { Rows: [row('x', 'y'), row('1', 'a')], ResultSetMetadata: meta }, NextToken: 't1' },
        { ResultSet: { Rows: [row('2', null), row('3', 'x')], ResultSetMetadata: meta }, NextToken: 't2' },
        { ResultSet: { Rows: [row('4', 'x')], ResultSetMetadata: meta } },
      ],
    );
    const pages = await collect(runner(api).results(exec({ StatementType: 'DML', SubstatementType: 'SELECT' })));
    expect(pages.map((p) => p.rows)).toEqual([[['1', 'a']], [['2', null], ['3', 'x']], [['4', 'x']]]);
    expect(pages[0]!.columns).toEqual([
      { name: 'x', type: 'integer' },
      { name: 'y', type: 'varchar' },
    ]);
    expect(api.calls).toEqual(['results::2', 'results:t1:2', 'results:t2:2']);
  });

  it('keeps every row of UTILITY results and splits tab-joined DESCRIBE rows', async () => {
    const describeMeta = { ColumnInfo: ['col_name', 'data_type', 'comment'].map((n) => ({ Name: n, Type: 'string' })) };
    const api = new FakeAthena([], [{ ResultSet: { Rows: [row('id                  \tbigint              \t                    '), row('name\tstring\tfrom deserializer')], ResultSetMetadata: describeMeta } }]);
    const [page] = await collect(runner(api).results(exec({ StatementType: 'UTILITY', SubstatementType: 'DESCRIBE_TABLE' })));
    expect(page!.rows).toEqual([
      ['id', 'bigint', ''],
      ['name', 'string', 'from deserializer'],
    ]);
  });

  it('returns no columns and no rows for DDL', async () => {
    const api = new FakeAthena([], [{ ResultSet: { Rows: [] } }]);
    const pages = await collect(runner(api).results(exec({ StatementType: 'DDL' })));
    expect(pages).toEqual([{ columns: [], rows: [], updateCount: undefined }]);
  });

  it('stops fetching pages once aborted', async () => {
    const api = new FakeAthena([], [{ ResultSet: { Rows: [row('x', 'y'), row('1', 'a')], ResultSetMetadata: meta }, NextToken: 't1' }]);
    const ac = new AbortController();
    const it = runner(api).results(exec({ StatementType: 'DML' }), ac.signal);
    await it.next();
    ac.abort();
    await expect(it.next()).rejects.toBeInstanceOf(QueryCancelled);
  });
});
