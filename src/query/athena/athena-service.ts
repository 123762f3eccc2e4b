/** The Athena API (no HTTP): query submission (idempotent, routed, translated up front), a bounded run queue, states and statistics, results paging, cancellation and history. */
import { randomUUID } from 'node:crypto';
import type { ObjectService } from '../../storage/object-service.js';
import { SqlTranslationError } from '../dialect/errors.js';
import { endPosition, lineColumn, mapToken } from './source-positions.js';
import type { AstNode } from '../dialect/parser-port.js';
import type { StringComparison } from '../dialect/string-comparisons.js';
import { AthenaErrors, QueryFailure, QueryFailures } from './athena-errors.js';
import type { AthenaStore } from './athena-store.js';
import { ATHENA_LIMITS, DEFAULT_CATALOG, ENGINE_VERSION, type QueryExecutionRecord, type ResultConfiguration } from './model.js';
import { decodeToken, encodeToken, maxResults, requiredString } from './paging.js';
import type { PreparedStatements } from './prepared-statements.js';
import { readQueryResults } from './query-results.js';
import { Cancelled, RunControl, type ExecutionPlan, type QueryRunner } from './query-runner.js';
import { parseOutputLocation } from './result-writer.js';
import { SettleWaiters } from './settle-waiters.js';
import { classify, parseDeallocate, parseExecute, parsePrepare, placeholderPositions, substitute } from './statement-router.js';
import { checkResultEncryption, type WorkGroups } from './workgroups.js';
import { planWrite, writeResultKeys } from '../writes/write-plan.js';
import { WriteSyntaxError } from '../writes/write-statement.js';

type Json = Record<string, unknown>;

/** Trino → engine SQL, as the dialect translator does it. */
export interface QueryTranslator {
  translate(
    sql: string,
    defaultSchema: string | undefined,
  ): Promise<{ sql: string; columnNames: readonly string[] | undefined; statements?: readonly AstNode[]; stringComparisons?: readonly StringComparison[] }>;
  /** Whether `value` (an ExecutionParameters entry) is a constant expression (else it is bound as a string). */
  isConstantExpression(value: string): Promise<boolean>;
}

export interface AthenaServiceDeps {
  readonly store: AthenaStore;
  readonly workGroups: WorkGroups;
  readonly prepared: PreparedStatements;
  readonly runner: QueryRunner;
  readonly translator: QueryTranslator;
  readonly objects: ObjectService;
  readonly maxConcurrent: number;
  /** Executions running or queued at most; StartQueryExecution beyond it is refused (TooManyRequestsException). */
  readonly maxActive: number;
  /**
   * GetQueryExecution on a QUEUED or RUNNING execution waits up to this many milliseconds for it to finish before it
   * answers (0: at once). The answer is the state when it is sent; a client polling in a loop makes fewer calls,
   * which on a small machine take CPU from the query, and sees the final state as soon as it is reached.
   */
  readonly pollWaitMs?: number | undefined;
  readonly log?: ((msg: string, err?: unknown) => void) | undefined;
  /** Creates the catalog's `default` database if it is missing: Athena has one, and AWS's guides use it unannounced. */
  readonly ensureDefaultDatabase?: (() => Promise<void>) | undefined;
}

const quoteString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export class AthenaService {
  readonly #queue: { id: string; plan: ExecutionPlan; cutoff: number | undefined }[] = [];
  readonly #running = new Map<string, RunControl>();
  readonly #settled = new Set<Promise<void>>();
  /** GetQueryExecution calls waiting for an execution to leave QUEUED/RUNNING. */
  readonly #waiters = new SettleWaiters();
  /** Submissions accepted past the quota check that are not queued yet (planning, persisting). */
  #admitting = 0;
  #stopped = false;

  constructor(private readonly deps: AthenaServiceDeps) {}

  /** At startup: executions left QUEUED or RUNNING by a previous process are failed. */
  async recover(): Promise<void> {
    const now = Date.now();
    for (const r of this.deps.store.unfinishedExecutions()) {
      const failure = QueryFailures.internal('Query exhausted resources: the server restarted while the query was running');
      Object.assign(r, { state: 'FAILED', stateChangeReason: failure.message, athenaError: failure.athenaError, completedAt: now });
      this.deps.store.putExecution(r);
    }
    this.deps.store.expireExecutions(now - ATHENA_LIMITS.historyDays * 86_400_000);
    await this.deps.store.sync();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiters.settleAll();
    for (const c of this.#running.values()) c.cancel();
    // DuckDB checks for interrupts between operator steps; a query stuck inside one must not hold the
    // shutdown: after a grace period it is left behind (it is FAILED on the next start).
    const grace = new Promise<void>((r) => setTimeout(r, 5000).unref());
    await Promise.race([Promise.allSettled([...this.#settled]), grace]);
  }

  async startQueryExecution(i: Json): Promise<Json> {
    const query = requiredString(i.QueryString, 'queryString', 1, ATHENA_LIMITS.queryStringBytes);
    if (Buffer.byteLength(query) > ATHENA_LIMITS.queryStringBytes) throw AthenaErrors.invalidInput('Query string exceeds the maximum length of 262144 bytes');
    const token = i.ClientRequestToken;
    if (token !== undefined && (typeof token !== 'string' || token.length < 32 || token.length > 128)) {
      throw AthenaErrors.invalidInput("1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32");
    }
    const ctx = (i.QueryExecutionContext ?? {}) as { Database?: string; Catalog?: string };
    const requested = i.ResultConfiguration as ResultConfiguration | undefined;
    if (token !== undefined) {
      const prior = this.deps.store.executionByToken(token);
      if (prior) {
        if (prior.query !== query || prior.database !== ctx.Database || (requested?.OutputLocation !== undefined && prior.outputPrefix !== parseLocation(requested.OutputLocation))) {
          throw AthenaErrors.idempotentMismatch();
        }
        return { QueryExecutionId: prior.id };
      }
    }
    if (this.#queue.length + this.#running.size + this.#admitting >= this.deps.maxActive) throw AthenaErrors.tooManyQueries();
    this.#admitting++;
    try {
      return await this.#submit(i, query, token, ctx, requested);
    } finally {
      this.#admitting--;
    }
  }

  async #submit(i: Json, query: string, token: string | undefined, ctx: { Database?: string; Catalog?: string }, requested: ResultConfiguration | undefined): Promise<Json> {
    await this.deps.ensureDefaultDatabase?.();
    const wg = this.deps.workGroups.require(i.WorkGroup);
    if (wg.State === 'DISABLED') throw AthenaErrors.invalidInput(`Unable to submit query: workgroup ${wg.Name} is disabled.`);
    const resultConfiguration = this.deps.workGroups.outputLocation(wg, requested);
    checkResultEncryption(resultConfiguration);
    const outputPrefix = parseLocation(resultConfiguration.OutputLocation!);
    const catalog = ctx.Catalog ?? DEFAULT_CATALOG;
    if (catalog.toLowerCase() !== DEFAULT_CATALOG.toLowerCase()) throw AthenaErrors.invalidInput(`Catalog ${catalog} is not found.`);
    const params = Array.isArray(i.ExecutionParameters) ? (i.ExecutionParameters as unknown[]).map(String) : undefined;
    const { classified, plan } = await this.#plan(query, ctx.Database, wg.Name, params);
    const id = randomUUID();
    const record: QueryExecutionRecord = {
      id,
      query,
      workGroup: wg.Name,
      database: ctx.Database,
      catalog: ctx.Catalog,
      context: Object.fromEntries(Object.entries(ctx).filter(([, v]) => typeof v === 'string')),
      executionParameters: params,
      clientRequestToken: token,
      statementType: classified.statementType,
      substatementType: classified.substatementType,
      outputPrefix,
      resultConfiguration,
      state: 'QUEUED',
      submittedAt: Date.now(),
    };
    this.deps.store.putExecution(record);
    await this.deps.store.sync();
    this.#queue.push({ id, plan, cutoff: wg.Configuration.BytesScannedCutoffPerQuery });
    this.#pump();
    return { QueryExecutionId: id };
  }

  /** Routes the statement and prepares what will run; parse errors are raised here (synchronously, MALFORMED_QUERY). */
  async #plan(query: string, database: string | undefined, workGroup: string, params: string[] | undefined): Promise<{ classified: ReturnType<typeof classify>; plan: ExecutionPlan }> {
    let sql = query;
    let classified = classify(sql);
    let values = params;
    if (classified.route === 'execute') {
      const ex = parseExecute(sql);
      if (!ex) throw AthenaErrors.malformedQuery(`line 1:1: mismatched input '${sql.trim().split(/\s+/)[0] ?? ''}'`);
      const ps = this.deps.prepared.lookup(workGroup, ex.name);
      if (!ps) return { classified, plan: { kind: 'fail', failure: new QueryFailure('NOT_FOUND', `Prepared statement not found: ${ex.name}`) } };
      sql = ps.QueryStatement;
      values = ex.using;
      classified = classify(sql);
    }
    switch (classified.route) {
      case 'prepare': {
        const p = parsePrepare(sql);
        if (!p) throw AthenaErrors.malformedQuery('line 1:1: mismatched input. Expecting: PREPARE name FROM statement');
        await this.deps.prepared.put(workGroup, p.name, p.statement);
        return { classified, plan: { kind: 'rows', columns: undefined, rows: [] } };
      }
      case 'deallocate': {
        const name = parseDeallocate(sql);
        if (!name) throw AthenaErrors.malformedQuery('line 1:1: mismatched input. Expecting: DEALLOCATE PREPARE name');
        await this.deps.prepared.remove(workGroup, name);
        return { classified, plan: { kind: 'rows', columns: undefined, rows: [] } };
      }
      case 'ddl':
        return { classified, plan: { kind: 'ddl', sql } };
      case 'unsupported':
        return { classified, plan: { kind: 'fail', failure: QueryFailures.notSupported(`${classified.substatementType} statements are not supported by Lakebox yet`) } };
      default:
        break;
    }
    const slots = placeholderPositions(sql).length;
    if (slots > 0 || (values !== undefined && classified.route === 'execute')) {
      if ((values?.length ?? 0) !== slots) return { classified, plan: { kind: 'fail', failure: QueryFailures.parameterCount(slots, values?.length ?? 0) } };
      const bound: string[] = [];
      for (const v of values ?? []) bound.push((await this.deps.translator.isConstantExpression(v)) ? `(${v})` : quoteString(v));
      sql = substitute(sql, bound);
    }
    if (classified.route === 'write') {
      try {
        return { classified, plan: { kind: 'write', write: await planWrite(sql, database, this.deps.translator) } };
      } catch (err) {
        if (err instanceof WriteSyntaxError) throw AthenaErrors.malformedQuery(err.message);
        if (err instanceof SqlTranslationError && err.kind === 'syntax') throw AthenaErrors.malformedQuery(syntaxMessage(err, query));
        if (err instanceof SqlTranslationError) return { classified, plan: { kind: 'fail', failure: QueryFailures.notSupported(err.message) } };
        throw err;
      }
    }
    const explain = classified.route === 'explain';
    const body = explain ? sql.replace(/^\s*EXPLAIN\s+(ANALYZE\s+)?(\([^)]*\)\s*)?/i, '') : sql;
    try {
      const t = await this.deps.translator.translate(body, database ?? 'default');
      const withPath = /"\$path"/i.test(body);
      const withFileInfo = /"\$file_(size|modified_time)"/i.test(body);
      const common = { sql: t.sql, statements: t.statements, stringComparisons: t.stringComparisons, withPath, withFileInfo };
      return { classified, plan: explain ? { kind: 'explain', ...common } : { kind: 'engine', ...common, columnNames: t.columnNames } };
    } catch (err) {
      if (err instanceof SqlTranslationError && err.kind === 'syntax') throw AthenaErrors.malformedQuery(syntaxMessage(err, query));
      if (err instanceof SqlTranslationError) return { classified, plan: { kind: 'fail', failure: QueryFailures.notSupported(err.message) } };
      throw err;
    }
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.deps.maxConcurrent && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      const control = new RunControl();
      this.#running.set(next.id, control);
      const p = this.#execute(next.id, next.plan, next.cutoff, control).finally(() => {
        this.#running.delete(next.id);
        this.#settled.delete(p);
        this.#pump();
      });
      this.#settled.add(p);
    }
  }

  async #execute(id: string, plan: ExecutionPlan, cutoff: number | undefined, control: RunControl): Promise<void> {
    const record = this.deps.store.getExecution(id);
    if (!record || record.state !== 'QUEUED') return;
    record.state = 'RUNNING';
    record.startedAt = Date.now();
    this.deps.store.putExecution(record);
    try {
      const out = await this.deps.runner.run(record, plan, control, cutoff);
      if (control.cancelled) throw new Cancelled();
      Object.assign(record, {
        state: 'SUCCEEDED',
        resultKind: out.resultKind,
        columns: out.columns,
        textRows: out.textRows,
        rowCount: out.rowCount,
        updateCount: out.updateCount,
        dataScannedBytes: out.scannedBytes,
        planningMillis: out.planningMillis,
      });
    } catch (err) {
      if (err instanceof Cancelled || control.cancelled) {
        Object.assign(record, { state: 'CANCELLED', stateChangeReason: 'Query cancelled by user' });
      } else {
        const failure = err instanceof QueryFailure ? err : QueryFailures.internal(err instanceof Error ? err.message : String(err));
        if (!(err instanceof QueryFailure)) this.deps.log?.('athena query failed unexpectedly', err);
        Object.assign(record, { state: 'FAILED', stateChangeReason: failure.message, athenaError: failure.athenaError });
      }
    }
    record.completedAt = Date.now();
    this.deps.store.putExecution(record);
    this.#waiters.settle(record.id);
    await this.deps.store.sync();
  }

  #require(id: unknown): QueryExecutionRecord {
    const qid = requiredString(id, 'queryExecutionId', 1, 128);
    const r = this.deps.store.getExecution(qid);
    if (!r) throw AthenaErrors.queryNotFound(qid);
    return r;
  }

  async getQueryExecution(i: Json): Promise<Json> {
    const r = this.#require(i.QueryExecutionId);
    const wait = this.deps.pollWaitMs ?? 0;
    if (wait > 0 && !this.#stopped && (r.state === 'QUEUED' || r.state === 'RUNNING')) await this.#waiters.wait(r.id, wait);
    return { QueryExecution: toWire(this.#require(i.QueryExecutionId)) };
  }

  batchGetQueryExecution(i: Json): Json {
    const ids = Array.isArray(i.QueryExecutionIds) ? (i.QueryExecutionIds as unknown[]) : [];
    if (ids.length < 1 || ids.length > ATHENA_LIMITS.batchGet) throw AthenaErrors.invalidInput(`QueryExecutionIds must hold 1 to ${ATHENA_LIMITS.batchGet} ids`);
    const found: Json[] = [];
    const missing: Json[] = [];
    for (const id of ids) {
      const r = typeof id === 'string' ? this.deps.store.getExecution(id) : undefined;
      if (r) found.push(toWire(r));
      else missing.push({ QueryExecutionId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: `QueryExecution ${String(id)} was not found` });
    }
    return { QueryExecutions: found, UnprocessedQueryExecutionIds: missing };
  }

  listQueryExecutions(i: Json): Json {
    const wg = this.deps.workGroups.require(i.WorkGroup);
    const limit = maxResults(i.MaxResults, 0, ATHENA_LIMITS.listPage);
    const after = decodeToken<{ submitted: number; id: string }>('qe', i.NextToken);
    const rows = this.deps.store.listExecutions(wg.Name, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { QueryExecutionIds: page.map((r) => r.id), ...(rows.length > limit && last ? { NextToken: encodeToken('qe', last) } : {}) };
  }

  async stopQueryExecution(i: Json): Promise<Json> {
    const r = this.#require(i.QueryExecutionId);
    const queued = this.#queue.findIndex((q) => q.id === r.id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      Object.assign(r, { state: 'CANCELLED', stateChangeReason: 'Query cancelled by user', completedAt: Date.now() });
      this.deps.store.putExecution(r);
      this.#waiters.settle(r.id);
      await this.deps.store.sync();
    } else this.#running.get(r.id)?.cancel();
    return {};
  }

  /**
   * GetQueryRuntimeStatistics: the timeline, and for a finished SELECT the rows it returned and the bytes it scanned.
   * Per-stage statistics (OutputStage) and input row counts are not tracked, so they are left out.
   */
  getQueryRuntimeStatistics(i: Json): Json {
    const r = this.#require(i.QueryExecutionId);
    const rows = r.state === 'SUCCEEDED' && r.resultKind === 'csv' ? { Rows: { InputBytes: r.dataScannedBytes ?? 0, OutputRows: r.rowCount ?? 0 } } : {};
    return { QueryRuntimeStatistics: { Timeline: timeline(r), ...rows } };
  }

  async getQueryResults(i: Json): Promise<Json> {
    return readQueryResults(this.deps.objects, this.#require(i.QueryExecutionId), i);
  }
}

/** Turns DuckDB's parser message into Athena's `line L:C: mismatched input '…'` form, positioned in the user's SQL. */
function syntaxMessage(err: SqlTranslationError, query: string): string {
  const clean = err.message.replace(/^Parser Error:\s*/i, '').replace(/\n[\s\S]*$/, '');
  if (/^line \d+:\d+: /.test(clean)) return clean;
  if (/at end of input/i.test(clean)) return `line ${endPosition(query)}: mismatched input '<EOF>'. ${clean}`;
  const near = /at or near "([^"]*)"/.exec(clean);
  const token = err.at ? mapToken(query, err.at.sql, err.at.offset) : undefined;
  if (token) return `line ${lineColumn(query, token.offset)}: mismatched input '${token.text}'. ${clean}`;
  return near ? `line 1:1: mismatched input '${near[1]}'. ${clean}` : `line 1:1: ${clean}`;
}

function parseLocation(location: string): string {
  const loc = parseOutputLocation(location);
  if (!loc) throw AthenaErrors.invalidInput('outputLocation is not a valid S3 path.');
  return `s3://${loc.bucket}/${loc.prefix}`;
}

/** Where an execution's time went (so far, while it runs), as Statistics and QueryRuntimeStatistics report it. */
function timeline(r: QueryExecutionRecord): Record<string, number> {
  const now = Date.now();
  return {
    QueryQueueTimeInMillis: (r.startedAt ?? r.completedAt ?? now) - r.submittedAt,
    ServicePreProcessingTimeInMillis: 0,
    QueryPlanningTimeInMillis: r.planningMillis ?? 0,
    EngineExecutionTimeInMillis: r.startedAt !== undefined ? (r.completedAt ?? now) - r.startedAt : 0,
    ServiceProcessingTimeInMillis: 0,
    TotalExecutionTimeInMillis: (r.completedAt ?? now) - r.submittedAt,
  };
}

/** A QueryExecution as the API returns it. */
function toWire(r: QueryExecutionRecord): Json {
  const done = r.completedAt !== undefined;
  const write = writeResultKeys(r.substatementType, r.outputPrefix, r.id);
  const manifest = write && r.state === 'SUCCEEDED' && (r.substatementType !== 'INSERT' || (r.updateCount ?? 0) > 0) ? { DataManifestLocation: write.manifest } : {};
  const ext = r.resultKind === 'txt' || (r.statementType !== 'DML' && r.resultKind !== 'csv') ? '.txt' : '.csv';
  const t = timeline(r);
  return {
    QueryExecutionId: r.id,
    Query: r.query,
    StatementType: r.statementType,
    SubstatementType: r.substatementType,
    ResultConfiguration: { ...r.resultConfiguration, OutputLocation: write ? write.outputLocation : `${r.outputPrefix}${r.id}${ext}` },
    QueryExecutionContext: r.context,
    Status: {
      State: r.state,
      ...(r.stateChangeReason !== undefined ? { StateChangeReason: r.stateChangeReason } : {}),
      SubmissionDateTime: r.submittedAt / 1000,
      ...(done ? { CompletionDateTime: r.completedAt! / 1000 } : {}),
      ...(r.athenaError ? { AthenaError: r.athenaError } : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: t.EngineExecutionTimeInMillis,
      DataScannedInBytes: r.dataScannedBytes ?? 0,
      ...manifest,
      TotalExecutionTimeInMillis: t.TotalExecutionTimeInMillis,
      QueryQueueTimeInMillis: t.QueryQueueTimeInMillis,
      ServicePreProcessingTimeInMillis: t.ServicePreProcessingTimeInMillis,
      QueryPlanningTimeInMillis: t.QueryPlanningTimeInMillis,
      ServiceProcessingTimeInMillis: t.ServiceProcessingTimeInMillis,
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
    WorkGroup: r.workGroup,
    EngineVersion: ENGINE_VERSION,
    ...(r.executionParameters ? { ExecutionParameters: r.executionParameters } : {}),
  };
}

