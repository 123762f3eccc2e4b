/**
 * Runs CTAS, INSERT INTO and UNLOAD: loads the tables the SELECT reads, stages the output files locally with DuckDB,
 * uploads them through the S3 object layer, registers catalog entries last, then writes `<id>-manifest.csv` and
 * `<id>.metadata`. On failure or cancellation every uploaded object is deleted again.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogService } from '../../catalog/catalog-service.js';
import { ServiceError } from '../../shared/service-error.js';
import type { ObjectService } from '../../storage/object-service.js';
import { failureFromEngine, QueryFailure, QueryFailures } from '../athena/athena-errors.js';
import type { ColumnInfo, QueryExecutionRecord } from '../athena/model.js';
import { Cancelled, withUris, type RunControl, type RunOutcome } from '../athena/query-runner.js';
import { metadataFile, type ResultWriter } from '../athena/result-writer.js';
import type { SqlParserPort } from '../dialect/parser-port.js';
import { typedSql } from '../dialect/typed-rewrites.js';
import { EngineInterrupted, type EngineSession, type QueryEngine } from '../engine/query-engine.js';
import type { QueryTables } from '../tables/query-tables.js';
import { runCtas } from './ctas.js';
import { stageFiles, type StagedFile, type StageRequest } from './file-stager.js';
import { hiveType } from './hive-types.js';
import { runInsert } from './insert-into.js';
import { runUnload } from './unload.js';
import { writeResultKeys, type WritePlan } from './write-plan.js';

export interface WriteExecutorDeps {
  readonly engine: QueryEngine;
  readonly tables: QueryTables;
  readonly parser: SqlParserPort;
  readonly catalog: CatalogService;
  readonly objects: ObjectService;
  readonly writer: ResultWriter;
  readonly tmpDir: string;
}

/** One output column of the statement's query: its name (lower-cased, Athena's) and Hive type. */
export interface OutputColumn {
  readonly name: string;
  readonly hive: string;
}

/** What the CTAS / INSERT / UNLOAD steps get to work with. */
export interface WriteContext {
  readonly record: QueryExecutionRecord;
  readonly plan: WritePlan;
  readonly catalog: CatalogService;
  readonly objects: ObjectService;
  readonly session: EngineSession;
  /** The query's output columns, in order. */
  readonly columns: readonly OutputColumn[];
  /** Default database of the execution. */
  readonly database: string;
  /** Runs the COPY into this execution's staging directory. */
  stage(req: Omit<StageRequest, 'dir' | 'filePrefix'>): Promise<{ rows: number; files: StagedFile[] }>;
  /** Uploads a staged file to `s3://bucket/key`; remembered for cleanup on failure. */
  upload(bucket: string, key: string, file: StagedFile): Promise<void>;
  /** Throws the given failure when anything exists under `s3://bucket/prefix`. */
  assertEmpty(bucket: string, prefix: string, failure: () => QueryFailure): Promise<void>;
  checkCancelled(): void;
}

/** The `rows` column GetQueryResults reports for writes (docs §A.5 rule 3). */
export const ROWS_COLUMN: ColumnInfo = {
  CatalogName: 'hive',
  SchemaName: '',
  TableName: '',
  Name: 'rows',
  Label: 'rows',
  Type: 'bigint',
  Precision: 19,
  Scale: 0,
  Nullable: 'UNKNOWN',
  CaseSensitive: false,
};

const UPDATE_TYPES: Readonly<Record<string, string>> = { ctas: 'CREATE TABLE', insert: 'INSERT', unload: 'UNLOAD' };

/** A step's result: rows written and the s3:// URIs of the data files (for the manifest). */
export interface WriteResult {
  readonly rows: number;
  readonly files: readonly string[];
  /** INSERT writes no manifest when nothing was inserted. */
  readonly manifest: boolean;
}

export class WriteExecutor {
  constructor(private readonly deps: WriteExecutorDeps) {}

  async run(record: QueryExecutionRecord, plan: WritePlan, control: RunControl, cutoffBytes: number | undefined): Promise<RunOutcome> {
    const started = Date.now();
    const session = await this.deps.engine.session();
    control.session = session;
    const dir = join(this.deps.tmpDir, `write-${record.id}`);
    const uploaded: { bucket: string; key: string }[] = [];
    let release = (): void => undefined;
    let uris: ReadonlyMap<string, string> = new Map();
    try {
      if (control.cancelled) throw new Cancelled();
      const parsed = await this.deps.parser.parse(plan.sql);
      if (!parsed.ok) throw new QueryFailure('SYNTAX_ERROR', `line 1:1: ${parsed.message}`);
      const database = record.database ?? 'default';
      const loaded = await this.deps.tables.load(parsed.statements, {
        catalogName: record.catalog ?? 'AwsDataCatalog',
        defaultSchema: database,
        session,
        withPath: /"\$path"/i.test(plan.statement.query),
        withFileInfo: /"\$file_(size|modified_time)"/i.test(plan.statement.query),
        checkScan: (bytes) => {
          if (cutoffBytes !== undefined && bytes > cutoffBytes) throw QueryFailures.scanLimit();
        },
      });
      release = () => loaded.release();
      uris = loaded.uris;
      const planningMillis = Date.now() - started;
      const engineStartedAt = Date.now();
      await mkdir(dir, { recursive: true });
      // The query with the rewrites that need the engine's types (decimal division and avg(), IEEE division by zero).
      const typed: WritePlan = { ...plan, sql: await typedSql(parsed.statements, plan.sql, loaded.columnTypes, session, this.deps.parser) };
      const ctx = this.#context(record, typed, session, await describe(session, typed), database, dir, uploaded, control);
      const kind = plan.statement.kind;
      const result = kind === 'ctas' ? await runCtas(ctx) : kind === 'insert' ? await runInsert(ctx) : await runUnload(ctx);
      await this.#writeResultFiles(record, kind, result);
      return {
        resultKind: 'none',
        columns: [ROWS_COLUMN],
        textRows: [],
        rowCount: result.rows,
        updateCount: result.rows,
        scannedBytes: loaded.scannedBytes,
        planningMillis,
        engineStartedAt,
      };
    } catch (err) {
      await this.#cleanup(uploaded);
      if (control.cancelled || err instanceof Cancelled || err instanceof EngineInterrupted) throw new Cancelled();
      if (err instanceof QueryFailure) throw err;
      if (err instanceof ServiceError) throw new QueryFailure(err.code === 'NoSuchBucket' ? 'HIVE_FILESYSTEM_ERROR' : 'GENERIC_USER_ERROR', err.message);
      throw failureFromEngine(withUris(err instanceof Error ? err.message : String(err), uris), plan.stringComparisons, record.query);
    } finally {
      control.session = undefined;
      release();
      await session.release();
      await rm(dir, { recursive: true, force: true });
    }
  }

  #context(
    record: QueryExecutionRecord,
    plan: WritePlan,
    session: EngineSession,
    columns: OutputColumn[],
    database: string,
    dir: string,
    uploaded: { bucket: string; key: string }[],
    control: RunControl,
  ): WriteContext {
    const { catalog, objects, writer } = this.deps;
    let staged = 0;
    return {
      record,
      plan,
      catalog,
      objects,
      session,
      columns,
      database,
      stage: async (req) => {
        const sub = join(dir, `stage-${staged++}`);
        await mkdir(sub, { recursive: true });
        return stageFiles(session, { ...req, dir: sub, filePrefix: record.id.replaceAll('-', '').slice(0, 20) });
      },
      upload: async (bucket, key, file) => {
        if (control.cancelled) throw new Cancelled();
        uploaded.push({ bucket, key });
        await writer.put(bucket, key, createReadStream(file.path), file.size);
      },
      assertEmpty: async (bucket, prefix, failure) => {
        let page;
        try {
          page = await objects.listObjects({ bucket, prefix, maxKeys: 1 });
        } catch (err) {
          if (err instanceof ServiceError && err.code === 'NoSuchBucket') throw new QueryFailure('HIVE_FILESYSTEM_ERROR', `The specified bucket does not exist: ${bucket}`);
          throw err;
        }
        if (page.contents.length > 0) throw failure();
      },
      checkCancelled: () => {
        if (control.cancelled) throw new Cancelled();
      },
    };
  }

  async #writeResultFiles(record: QueryExecutionRecord, kind: string, result: WriteResult): Promise<void> {
    const keys = writeResultKeys(record.substatementType, record.outputPrefix, record.id)!;
    const put = (uri: string, body: Buffer | string): Promise<void> => {
      const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri)!;
      return this.deps.writer.put(m[1]!, m[2]!, body);
    };
    if (result.manifest) await put(keys.manifest, result.files.map((f) => `${f}\n`).join(''));
    await put(keys.metadata, metadataFile(record.id, [ROWS_COLUMN], { type: UPDATE_TYPES[kind] ?? kind, count: result.rows }));
  }

  async #cleanup(uploaded: readonly { bucket: string; key: string }[]): Promise<void> {
    for (const o of uploaded) {
      try {
        await this.deps.objects.deleteObject(o.bucket, o.key);
      } catch {
        // best effort: the object may never have been created
      }
    }
  }
}

/** The query's output columns: DuckDB types from DESCRIBE, Athena's names (lower-cased) when the translator knows them. */
async function describe(session: EngineSession, plan: WritePlan): Promise<OutputColumn[]> {
  const result = await session.query(`DESCRIBE SELECT * FROM (${plan.sql}) AS __q`);
  const rows: (string | null)[][] = [];
  for await (const batch of result.batches()) rows.push(...batch);
  const names = plan.columnNames && plan.columnNames.length === rows.length ? plan.columnNames : undefined;
  return rows.map((r, i) => ({ name: (names?.[i] ?? r[0] ?? `_col${i}`).toLowerCase(), hive: hiveType(r[1] ?? 'VARCHAR') }));
}
