/** Runs one SQL statement through the Athena API: start, poll with backoff, cancel on abort, page through the results. */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type GetQueryExecutionInput,
  type GetQueryExecutionOutput,
  type GetQueryResultsInput,
  type GetQueryResultsOutput,
  type QueryExecution,
  type StartQueryExecutionInput,
  type StartQueryExecutionOutput,
  type StopQueryExecutionInput,
  type StopQueryExecutionOutput,
} from '@aws-sdk/client-athena';
import type { Cell, ResultColumn } from './result-formatter.js';

/** The four Athena operations the shell needs; the SDK client in production, a scripted fake in tests. */
export interface AthenaApi {
  startQueryExecution(input: StartQueryExecutionInput): Promise<StartQueryExecutionOutput>;
  getQueryExecution(input: GetQueryExecutionInput): Promise<GetQueryExecutionOutput>;
  getQueryResults(input: GetQueryResultsInput): Promise<GetQueryResultsOutput>;
  stopQueryExecution(input: StopQueryExecutionInput): Promise<StopQueryExecutionOutput>;
}

/** Adapts an `AthenaClient` (SDK v3) to `AthenaApi`. */
export function athenaApi(client: AthenaClient): AthenaApi {
  return {
    startQueryExecution: (input) => client.send(new StartQueryExecutionCommand(input)),
    getQueryExecution: (input) => client.send(new GetQueryExecutionCommand(input)),
    getQueryResults: (input) => client.send(new GetQueryResultsCommand(input)),
    stopQueryExecution: (input) => client.send(new StopQueryExecutionCommand(input)),
  };
}

/** A statement that did not succeed; `message` is what the shell prints (Athena's own words). */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly execution?: QueryExecution,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

/** The statement was cancelled (Ctrl-C → StopQueryExecution, or by the server). */
export class QueryCancelled extends SqlError {
  override readonly name = 'QueryCancelled';
}

/** Turns an SDK/network error into the text to print: `InvalidRequestException: <Athena's message>`. */
export function describeError(err: unknown, endpoint?: string): string {
  if (err instanceof SqlError) return err.message;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: unknown; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') {
    return `cannot reach Lakebox${endpoint === undefined ? '' : ` at ${endpoint}`} (${code}); is \`lakebox server\` running?`;
  }
  if (e.$metadata !== undefined && e.name !== undefined) return `${e.name}: ${e.message ?? ''}`;
  return e.message !== undefined && e.message !== '' ? e.message : String(err);
}

export interface QueryRequest {
  readonly sql: string;
  readonly database?: string | undefined;
  readonly catalog?: string | undefined;
  readonly workGroup?: string | undefined;
  readonly outputLocation?: string | undefined;
}

export interface Progress {
  readonly id: string;
  readonly state: string;
  readonly scannedBytes?: number | undefined;
}

export interface RunHooks {
  /** Aborting sends StopQueryExecution and waits for the query to end. */
  readonly signal?: AbortSignal | undefined;
  /** Called after every poll of a query that is not finished yet. */
  readonly onProgress?: ((p: Progress) => void) | undefined;
}

export interface ResultPage {
  readonly columns: readonly ResultColumn[];
  readonly rows: Cell[][];
  readonly updateCount?: number | undefined;
}

export interface RunnerOptions {
  readonly pollInitialMs?: number;
  readonly pollMaxMs?: number;
  readonly pollFactor?: number;
  /** GetQueryResults MaxResults (1–1000). */
  readonly pageSize?: number;
  /** How long to keep polling after StopQueryExecution before giving up on the query ending. */
  readonly cancelWaitMs?: number;
  readonly endpoint?: string;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Athena's failure text, prefixed `FAILED: ` as Athena prints Hive errors (not doubled). */
export function failureMessage(execution: QueryExecution): string {
  const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? 'query failed';
  return reason.startsWith('FAILED') ? reason : `FAILED: ${reason}`;
}

export class AthenaRunner {
  readonly #api: AthenaApi;
  readonly #o: Required<Omit<RunnerOptions, 'endpoint'>> & { endpoint: string | undefined };

  constructor(api: AthenaApi, options: RunnerOptions = {}) {
    this.#api = api;
    this.#o = {
      pollInitialMs: options.pollInitialMs ?? 20,
      pollMaxMs: options.pollMaxMs ?? 500,
      pollFactor: options.pollFactor ?? 1.5,
      pageSize: options.pageSize ?? 1000,
      cancelWaitMs: options.cancelWaitMs ?? 10_000,
      endpoint: options.endpoint,
      sleep: options.sleep ?? sleep,
      now: options.now ?? Date.now,
    };
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new SqlError(describeError(err, this.#o.endpoint));
    }
  }

  /** Starts the statement and waits until it ends; returns the SUCCEEDED execution, throws SqlError otherwise. */
  async run(req: QueryRequest, hooks: RunHooks = {}): Promise<QueryExecution> {
    const started = await this.#call(() =>
      this.#api.startQueryExecution({
        QueryString: req.sql,
        ...(req.database !== undefined || req.catalog !== undefined ? { QueryExecutionContext: { Database: req.database, Catalog: req.catalog } } : {}),
        ...(req.workGroup !== undefined ? { WorkGroup: req.workGroup } : {}),
        ...(req.outputLocation !== undefined ? { ResultConfiguration: { OutputLocation: req.outputLocation } } : {}),
      }),
    );
    const id = started.QueryExecutionId;
    if (id === undefined) throw new SqlError('StartQueryExecution returned no QueryExecutionId');
    return this.wait(id, hooks);
  }

  /** Polls GetQueryExecution with exponential backoff until the query is SUCCEEDED, FAILED or CANCELLED. */
  async wait(id: string, hooks: RunHooks = {}): Promise<QueryExecution> {
    const { signal, onProgress } = hooks;
    let delay = this.#o.pollInitialMs;
    let stopSentAt: number | undefined;
    for (;;) {
      if (signal?.aborted === true && stopSentAt === undefined) {
        await this.#call(() => this.#api.stopQueryExecution({ QueryExecutionId: id }));
        stopSentAt = this.#o.now();
        delay = this.#o.pollInitialMs;
      }
      const { QueryExecution: execution } = await this.#call(() => this.#api.getQueryExecution({ QueryExecutionId: id }));
      if (execution === undefined) throw new SqlError(`GetQueryExecution returned nothing for ${id}`);
      const state = execution.Status?.State ?? 'UNKNOWN';
      if (TERMINAL.has(state)) {
        if (state === 'SUCCEEDED') return execution;
        if (state === 'FAILED') throw new SqlError(failureMessage(execution), execution);
        throw new QueryCancelled(`CANCELLED: ${execution.Status?.StateChangeReason ?? 'Query cancelled'}`, execution);
      }
      if (stopSentAt !== undefined && this.#o.now() - stopSentAt > this.#o.cancelWaitMs) {
        throw new QueryCancelled(`CANCELLED: stop requested, but query ${id} is still ${state}`, execution);
      }
      onProgress?.({ id, state, scannedBytes: execution.Statistics?.DataScannedInBytes });
      await this.#o.sleep(delay, stopSentAt === undefined ? signal : undefined);
      delay = Math.min(this.#o.pollMaxMs, delay * this.#o.pollFactor);
    }
  }

  /**
   * Pages through GetQueryResults (NextToken) of a SUCCEEDED execution. The header row that Athena puts first on the first
   * page of row-returning DML (SELECT, VALUES, EXPLAIN…) is dropped. Hive-style DESCRIBE rows (one tab-joined value for
   * several columns) are split into their columns.
   */
  async *results(execution: QueryExecution, signal?: AbortSignal): AsyncGenerator<ResultPage> {
    const id = execution.QueryExecutionId!;
    let token: string | undefined;
    let first = true;
    do {
      if (signal?.aborted === true) throw new QueryCancelled('CANCELLED: result fetching interrupted', execution);
      const page = await this.#call(() =>
        this.#api.getQueryResults({ QueryExecutionId: id, MaxResults: this.#o.pageSize, ...(token === undefined ? {} : { NextToken: token }) }),
      );
      const columns: ResultColumn[] = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Label ?? c.Name ?? '', type: c.Type ?? 'varchar' }));
      let rows: Cell[][] = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
      if (first && rows.length > 0 && hasHeaderRow(execution, columns, rows[0]!)) rows = rows.slice(1);
      rows = rows.map((r) => normalizeRow(r, columns.length));
      yield { columns, rows, updateCount: page.UpdateCount };
      token = page.NextToken === '' ? undefined : page.NextToken;
      first = false;
    } while (token !== undefined);
  }
}

function hasHeaderRow(execution: QueryExecution, columns: readonly ResultColumn[], row: readonly Cell[]): boolean {
  if (execution.StatementType === 'DML') return true;
  // SHOW FUNCTIONS is a UTILITY statement that Athena runs on the engine, so it carries a header too.
  return execution.SubstatementType === 'SHOW_FUNCTIONS' && columns.length === row.length && columns.every((c, i) => c.name === row[i]);
}

function normalizeRow(row: Cell[], width: number): Cell[] {
  if (width > 1 && row.length === 1 && row[0]?.includes('\t') === true) {
    const parts = row[0].split('\t').map((p) => p.trimEnd());
    if (parts.length <= width) return [...parts, ...Array<Cell>(width - parts.length).fill('')];
  }
  if (row.length < width) return [...row, ...Array<Cell>(width - row.length).fill(null)];
  return row;
}
