/** Runs one routed statement to completion: engine SELECTs (views registered, rows streamed to `<id>.csv`), EXPLAIN, and DDL through the port, writing Athena's result files before reporting success. */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { AstNode, SqlParserPort } from '../dialect/parser-port.js';
import type { StringComparison } from '../dialect/string-comparisons.js';
import { typedSql } from '../dialect/typed-rewrites.js';
import { findAliasMisuse, sourcePosition } from '../dialect/alias-scope.js';
import { EngineInterrupted, type EngineSession, type QueryEngine } from '../engine/query-engine.js';
import type { QueryTables } from '../tables/query-tables.js';
import { failureFromEngine, QueryFailure, QueryFailures } from './athena-errors.js';
import { csvLine, txtBody } from './csv-format.js';
import { DdlError, type DdlExecutor } from './ddl-port.js';
import type { ColumnInfo, QueryExecutionRecord } from './model.js';
import { metadataFile, parseOutputLocation, type ResultWriter } from './result-writer.js';
import { stringColumn } from './value-rendering.js';
import type { WriteExecutor } from '../writes/write-executor.js';
import type { WritePlan } from '../writes/write-plan.js';

/**
 * An engine message with the local files it names replaced by their `s3://` URIs (Athena's errors name objects; the
 * server's file layout is nobody's business). Paths of other local files are cut to their name.
 */
export function withUris(message: string, uris: ReadonlyMap<string, string>): string {
  let out = message;
  for (const [path, uri] of uris) if (out.includes(path)) out = out.split(path).join(uri);
  return out.replace(/(?:\/[^\s/'"]+)+\/(?:blobs|query-cache|spill|tmp)\/(?:[^\s/'"]+\/)*([^\s/'":,]+)/g, '<local file $1>');
}

/** Result CSV text held in memory before it is spilled to a temp file. */
const SPILL_BYTES = 1024 * 1024;

/** A query translated for the engine. */
interface EngineStatement {
  readonly sql: string;
  /** The syntax tree of `sql`, when the translation kept it (else `sql` is parsed again). */
  readonly statements?: readonly AstNode[] | undefined;
  /** String comparisons the translation guarded (to word a refused one as Trino does). */
  readonly stringComparisons?: readonly StringComparison[] | undefined;
  readonly withPath: boolean;
  readonly withFileInfo?: boolean | undefined;
}

/** What to run, decided at submission. */
export type ExecutionPlan =
  | ({ readonly kind: 'engine'; readonly columnNames: readonly string[] | undefined } & EngineStatement)
  | ({ readonly kind: 'explain' } & EngineStatement)
  | { readonly kind: 'ddl'; readonly sql: string }
  | { readonly kind: 'rows'; readonly columns: readonly string[] | undefined; readonly rows: (string | null)[][] }
  | { readonly kind: 'write'; readonly write: WritePlan }
  | { readonly kind: 'fail'; readonly failure: QueryFailure };

/** Handle the service uses to cancel a running execution. */
export class RunControl {
  cancelled = false;
  session: EngineSession | undefined;

  cancel(): void {
    this.cancelled = true;
    this.session?.interrupt();
  }
}

export interface RunOutcome {
  readonly resultKind: 'csv' | 'txt' | 'none';
  readonly columns?: ColumnInfo[] | undefined;
  readonly textRows?: (string | null)[][] | undefined;
  readonly rowCount: number;
  /** Rows written by CTAS/INSERT/UNLOAD (GetQueryResults' UpdateCount). */
  readonly updateCount?: number | undefined;
  readonly scannedBytes: number;
  readonly planningMillis: number;
  readonly engineStartedAt?: number | undefined;
}

export class Cancelled extends Error {}

export interface QueryRunnerDeps {
  readonly engine: QueryEngine;
  readonly tables: QueryTables;
  readonly parser: SqlParserPort;
  readonly ddl: DdlExecutor;
  readonly writer: ResultWriter;
  readonly tmpDir: string;
  /** Runs CTAS, INSERT INTO and UNLOAD (src/query/writes/). */
  readonly writes?: WriteExecutor | undefined;
}

/** An interval rendered as Trino renders `interval year to month` values. */
const YEAR_MONTH = /^-?\d+-\d+$/;

export class QueryRunner {
  constructor(private readonly deps: QueryRunnerDeps) {}

  async run(record: QueryExecutionRecord, plan: ExecutionPlan, control: RunControl, cutoffBytes: number | undefined): Promise<RunOutcome> {
    switch (plan.kind) {
      case 'fail':
        throw plan.failure;
      case 'rows':
        return this.#writeText(record, plan.columns?.map(stringColumn), plan.rows, false);
      case 'ddl':
        return this.#ddl(record, plan.sql);
      case 'write':
        if (!this.deps.writes) throw new QueryFailure('NOT_SUPPORTED', `${record.substatementType} statements are not supported by this server`);
        return this.deps.writes.run(record, plan.write, control, cutoffBytes);
      default:
        return this.#engine(record, plan, control, cutoffBytes);
    }
  }

  async #engine(record: QueryExecutionRecord, plan: Extract<ExecutionPlan, { kind: 'engine' | 'explain' }>, control: RunControl, cutoffBytes: number | undefined): Promise<RunOutcome> {
    const started = Date.now();
    const session = await this.deps.engine.session();
    control.session = session;
    let release = (): void => undefined;
    let uris: ReadonlyMap<string, string> = new Map();
    try {
      if (control.cancelled) throw new Cancelled();
      const statements = await this.#statements(plan);
      const loaded = await this.deps.tables.load(statements, {
        catalogName: record.catalog ?? 'AwsDataCatalog',
        defaultSchema: record.database ?? 'default',
        session,
        withPath: plan.withPath,
        withFileInfo: plan.withFileInfo,
        checkScan: (bytes) => {
          if (cutoffBytes !== undefined && bytes > cutoffBytes) throw QueryFailures.scanLimit();
        },
      });
      release = () => loaded.release();
      uris = loaded.uris;
      const planningMillis = Date.now() - started;
      const engineStartedAt = Date.now();
      if (control.cancelled) throw new Cancelled();
      if (plan.kind === 'explain') {
        const result = await session.query(`EXPLAIN ${plan.sql}`);
        const lines: (string | null)[][] = [['Query Plan']];
        for await (const batch of result.batches()) for (const row of batch) for (const l of (row[row.length - 1] ?? '').split('\n')) lines.push([l]);
        const out = await this.#writeText(record, [stringColumn('Query Plan')], lines, true);
        return { ...out, scannedBytes: 0, planningMillis, engineStartedAt };
      }
      const misuse = await findAliasMisuse(statements, session, this.deps.parser);
      if (misuse) throw QueryFailures.columnNotFound(misuse.name, sourcePosition(record.query, misuse));
      // Rewrites that need the tables' and the engine's types: UNNEST of array-of-rows columns; decimal and
      // floating-point division, avg() of decimals, array || element.
      const sql = await typedSql(statements, plan.sql, loaded.columnTypes, session, this.deps.parser);
      const result = await session.query(sql);
      const names = plan.columnNames && plan.columnNames.length === result.columns.length ? plan.columnNames : undefined;
      const columns = result.columns.map((c, i) => (names ? { ...c, Name: names[i]!, Label: names[i]! } : c));
      const written = await this.#writeCsv(record, columns, result.batches(), control);
      return { resultKind: 'csv', columns: written.columns, rowCount: written.rowCount, scannedBytes: loaded.scannedBytes, planningMillis, engineStartedAt };
    } catch (err) {
      if (control.cancelled || err instanceof Cancelled || err instanceof EngineInterrupted) throw new Cancelled();
      if (err instanceof QueryFailure) throw err;
      throw failureFromEngine(withUris(err instanceof Error ? err.message : String(err), uris), plan.stringComparisons, record.query);
    } finally {
      control.session = undefined;
      release();
      // Resetting the session (DETACH of the query catalog) does not hold up the result; release() never rejects.
      void session.release();
    }
  }

  /** The plan's syntax tree: the one translation produced, or the SQL parsed again. */
  async #statements(plan: Extract<ExecutionPlan, { kind: 'engine' | 'explain' }>): Promise<readonly AstNode[]> {
    if (plan.statements) return plan.statements;
    const parsed = await this.deps.parser.parse(plan.sql);
    if (!parsed.ok) throw new QueryFailure('SYNTAX_ERROR', `line 1:1: ${parsed.message}`);
    return parsed.statements;
  }

  /** Writes the `.csv` and its `.metadata`; returns the row count and the columns as typed once the values were seen. */
  async #writeCsv(record: QueryExecutionRecord, columns: ColumnInfo[], batches: AsyncIterable<(string | null)[][]>, control: RunControl): Promise<{ rowCount: number; columns: ColumnInfo[] }> {
    const out = parseOutputLocation(record.outputPrefix)!;
    const csvKey = `${out.prefix}${record.id}.csv`;
    // Rows are kept in memory until they pass SPILL_BYTES, then go to a temp file (results can be any size).
    let pending: string[] = [csvLine(columns.map((c) => c.Name))];
    let pendingBytes = pending[0]!.length;
    let file: WriteStream | undefined;
    let tmp: string | undefined;
    let rowCount = 0;
    const spill = async (): Promise<void> => {
      if (!file) {
        await mkdir(this.deps.tmpDir, { recursive: true });
        tmp = join(this.deps.tmpDir, `${record.id}.csv`);
        file = createWriteStream(tmp);
      }
      const text = pending.join('');
      pending = [];
      pendingBytes = 0;
      if (!file.write(text)) await once(file, 'drain');
    };
    // DuckDB has one INTERVAL type; Trino's year-to-month intervals show as `Y-M` (see value-rendering.ts).
    const intervals = columns.flatMap((c, i) => (c.Type === 'interval day to second' ? [i] : []));
    const yearMonth = new Set<number>();
    let typed: ColumnInfo[];
    try {
      for await (const batch of batches) {
        if (control.cancelled) throw new Cancelled();
        let chunk = '';
        for (const row of batch) chunk += csvLine(row);
        for (const i of intervals) {
          if (yearMonth.has(i)) continue;
          const v = batch.find((row) => row[i] !== null && row[i] !== undefined)?.[i];
          if (v !== undefined && v !== null && YEAR_MONTH.test(v)) yearMonth.add(i);
        }
        rowCount += batch.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= SPILL_BYTES) await spill();
      }
      let body: Buffer | ReturnType<typeof createReadStream>;
      let size: number;
      if (file) {
        await spill();
        file.end();
        await once(file, 'close');
        size = (await stat(tmp!)).size;
        body = createReadStream(tmp!);
      } else {
        body = Buffer.from(pending.join(''), 'utf8');
        size = body.length;
      }
      typed = yearMonth.size === 0 ? columns : columns.map((c, i) => (yearMonth.has(i) ? { ...c, Type: 'interval year to month' } : c));
      // Both objects must exist before the query reports SUCCEEDED; they are independent, so they are written together.
      await Promise.all([
        this.deps.writer.put(out.bucket, csvKey, body, size),
        this.deps.writer.put(out.bucket, `${out.prefix}${record.id}.csv.metadata`, metadataFile(record.id, typed)),
      ]);
    } finally {
      if (file) {
        file.destroy();
        await rm(tmp!, { force: true });
      }
    }
    return { rowCount, columns: typed };
  }

  async #writeText(record: QueryExecutionRecord, columns: ColumnInfo[] | undefined, rows: (string | null)[][], header: boolean): Promise<RunOutcome> {
    const out = parseOutputLocation(record.outputPrefix)!;
    await this.deps.writer.put(out.bucket, `${out.prefix}${record.id}.txt`, txtBody(rows));
    if (columns && columns.length > 0) await this.deps.writer.put(out.bucket, `${out.prefix}${record.id}.txt.metadata`, metadataFile(record.id, columns));
    return { resultKind: 'txt', columns, textRows: rows, rowCount: rows.length - (header ? 1 : 0), scannedBytes: 0, planningMillis: 0 };
  }

  async #ddl(record: QueryExecutionRecord, sql: string): Promise<RunOutcome> {
    try {
      const r = await this.deps.ddl.executeDdl(sql, {
        database: record.database ?? 'default',
        catalog: record.catalog ?? 'AwsDataCatalog',
        queryId: record.id,
        outputLocation: record.outputPrefix,
      });
      const columns = r.columns?.map((c) => ({ ...stringColumn(c.name), Type: c.type }));
      return await this.#writeText(record, columns, r.rows.map((row) => [...row]), false);
    } catch (err) {
      if (err instanceof DdlError) {
        if (err.kind === 'engine') throw new QueryFailure(err.errorName, err.message);
        const message = err.message.startsWith('FAILED') ? err.message : `FAILED: ${err.message}`;
        const out = parseOutputLocation(record.outputPrefix)!;
        await this.deps.writer.put(out.bucket, `${out.prefix}${record.id}.txt`, message);
        throw new QueryFailure('HIVE_DDL', message, true);
      }
      if (err instanceof QueryFailure) throw err;
      throw failureFromEngine(err instanceof Error ? err.message : String(err));
    }
  }
}
