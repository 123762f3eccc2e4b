/** QueryEngine adapter on DuckDB: a small pool of in-memory instances; each query's views live in an attached `awsdatacatalog` catalog, kept between queries while they ask for the same views. */
import { DuckDBInstance, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { columnInfo, renderValue } from '../athena/value-rendering.js';
import { nameAnonymousStructs } from './unnamed-structs.js';
import { EngineError, EngineInterrupted, type EngineResult, type EngineSession, type QueryEngine, type TextRow } from './query-engine.js';
import { DUCKDB_SESSION_SETTINGS } from '../dialect/translate.js';

export interface DuckDbEngineOptions {
  /** Sessions (DuckDB instances) at most; further `session()` calls wait. */
  readonly poolSize: number;
  /** DuckDB threads per instance. */
  readonly threads?: number | undefined;
  /** Per-instance memory limit, e.g. `1GB`. */
  readonly memoryLimit?: string | undefined;
  /** Spill directory for DuckDB. */
  readonly tempDirectory?: string | undefined;
}

/** The catalog name queries see, so `t`, `db.t` and `awsdatacatalog.db.t` all resolve. */
export const QUERY_CATALOG = 'awsdatacatalog';

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function engineError(err: unknown, interrupted: boolean): EngineError {
  const message = err instanceof Error ? err.message : String(err);
  if (interrupted || /INTERRUPT/i.test(message)) return new EngineInterrupted('Query was interrupted');
  return new EngineError(message);
}

/** The types DuckDB infers for the named parameters of `sql`, by name (the statement is prepared, not run); a parameter it cannot type is left out. */
export async function parameterTypes(connection: DuckDBConnection, sql: string): Promise<ReadonlyMap<string, string>> {
  const prepared = await connection.prepare(sql);
  try {
    const types = new Map<string, string>();
    for (let i = 1; i <= prepared.parameterCount; i++) {
      try {
        types.set(prepared.parameterName(i), prepared.parameterType(i).toString());
      } catch {
        // DuckDB could not settle this parameter's type (it then has none); the others still stand.
      }
    }
    return types;
  } finally {
    prepared.destroySync();
  }
}

/** How often an interrupt is repeated while a call is in flight (DuckDB drops one that lands before a statement starts). */
const REINTERRUPT_MS = 20;

class DuckDbSession implements EngineSession {
  #interrupted = false;
  /**
   * The query catalog as this connection has it. It stays attached between queries with the views it holds, so a
   * query over the same tables as the one before sends no setup at all; a session whose setup failed (state unknown)
   * is reset by detaching the catalog.
   */
  #attached = false;
  #broken = false;
  #use: string | undefined;
  readonly #schemas = new Set<string>();
  /** View SQL by `schema.name` (quoted), as created. */
  readonly #views = new Map<string, string>();
  /** The views the current query asked for; the others are dropped before it runs. */
  readonly #wanted = new Set<string>();
  /** DuckDB calls in flight on this connection. */
  #busy = 0;
  #reinterrupt: NodeJS.Timeout | undefined;
  /**
   * Setup statements (the query catalog, its schemas, the views) are held and sent in one call with whatever runs
   * next: each DuckDB call is a thread-pool round trip, which costs more than creating a view.
   */
  readonly #pending: string[] = [];

  constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly giveBack: (s: DuckDbSession) => void,
  ) {}

  /** An interrupt that arrives between statements would be lost (DuckDB only interrupts a running one): honour it here. */
  #checkInterrupted(): void {
    if (this.#interrupted) throw new EngineInterrupted('Query was interrupted');
  }

  /** Runs one DuckDB call, counted as in flight (see interrupt()). */
  async #call<T>(call: () => Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await call();
    } finally {
      this.#busy--;
    }
  }

  async #run(sql: string): Promise<void> {
    this.#checkInterrupted();
    try {
      await this.#call(() => this.connection.run(sql));
    } catch (err) {
      throw engineError(err, this.#interrupted);
    }
  }

  prepare(schemas: readonly string[], defaultSchema: string | undefined): Promise<void> {
    this.#checkInterrupted();
    this.#wanted.clear();
    if (!this.#attached) {
      this.#pending.push(`ATTACH ':memory:' AS ${QUERY_CATALOG}`);
      // Set first: if a later statement fails after the ATTACH, release() must still detach the catalog.
      this.#attached = true;
    }
    for (const s of new Set([...schemas, ...(defaultSchema === undefined ? [] : [defaultSchema])])) {
      if (this.#schemas.has(s)) continue;
      this.#pending.push(`CREATE SCHEMA IF NOT EXISTS ${QUERY_CATALOG}.${quoteIdent(s)}`);
      this.#schemas.add(s);
    }
    const use = `${QUERY_CATALOG}.${quoteIdent(defaultSchema ?? 'main')}`;
    if (this.#use !== use) this.#pending.push(`USE ${use}`);
    this.#use = use;
    return Promise.resolve();
  }

  createView(schema: string, name: string, sql: string): Promise<void> {
    this.#checkInterrupted();
    const key = `${QUERY_CATALOG}.${quoteIdent(schema)}.${quoteIdent(name)}`;
    this.#wanted.add(key);
    if (this.#views.get(key) === sql) return Promise.resolve();
    this.#pending.push(`CREATE OR REPLACE VIEW ${key} AS ${sql}`);
    this.#views.set(key, sql);
    return Promise.resolve();
  }

  /** Sends the held setup statements, if any, in one call. */
  async #flush(): Promise<void> {
    // Views left from earlier queries that this one did not ask for go first: a name the query does not resolve
    // through the catalog must not find a stale view.
    const stale = [...this.#views.keys()].filter((k) => !this.#wanted.has(k));
    for (const k of stale) this.#views.delete(k);
    const statements = [...stale.map((k) => `DROP VIEW IF EXISTS ${k}`), ...this.#pending];
    this.#pending.length = 0;
    if (statements.length === 0) return;
    try {
      await this.#run(statements.join(';\n'));
    } catch (err) {
      this.#broken = true;
      throw err;
    }
  }

  async query(sql: string): Promise<EngineResult> {
    await this.#flush();
    this.#checkInterrupted();
    let result;
    try {
      // One statement: prepared and streamed directly (`connection.stream` would first split the text into statements).
      result = await this.#call(async () => {
        const stream = async (text: string, rename: boolean): Promise<DuckDBResult> => {
          const prepared = await this.connection.prepare(text);
          try {
            const renamed = rename ? nameAnonymousStructs(text, prepared) : undefined;
            return renamed === undefined ? await prepared.stream() : await stream(renamed, false);
          } finally {
            prepared.destroySync();
          }
        };
        return stream(sql, true);
      });
    } catch (err) {
      throw engineError(err, this.#interrupted);
    }
    const types = result.columnTypes();
    const columns = result.columnNames().map((n, i) => columnInfo(n, types[i]!));
    const interrupted = (): boolean => this.#interrupted;
    const call = <T>(fn: () => Promise<T>): Promise<T> => this.#call(fn);
    return {
      columns,
      async *batches(): AsyncIterable<TextRow[]> {
        for (;;) {
          let chunk;
          if (interrupted()) throw new EngineInterrupted('Query was interrupted');
          try {
            chunk = await call(() => result.fetchChunk());
          } catch (err) {
            throw engineError(err, interrupted());
          }
          if (chunk === null || chunk.rowCount === 0) return;
          const rows = chunk.getRows();
          yield rows.map((r) => r.map((v, i) => renderValue(v, types[i]!) ?? null));
        }
      },
    };
  }

  async columnNames(sql: string): Promise<string[]> {
    await this.#flush();
    this.#checkInterrupted();
    try {
      const result = await this.#call(() => this.connection.run(`SELECT * FROM (${sql}) LIMIT 0`));
      return result.columnNames();
    } catch (err) {
      throw engineError(err, this.#interrupted);
    }
  }

  async parameterTypes(sql: string): Promise<ReadonlyMap<string, string>> {
    await this.#flush();
    this.#checkInterrupted();
    try {
      return await this.#call(() => parameterTypes(this.connection, sql));
    } catch (err) {
      throw engineError(err, this.#interrupted);
    }
  }

  interrupt(): void {
    this.#interrupted = true;
    this.connection.interrupt();
    // An interrupt that lands while a call is being submitted, before DuckDB has started the statement, is dropped
    // (and a statement that never yields a chunk, such as a large aggregate, would then run on): repeat it while calls
    // are in flight, until the session is released.
    this.#reinterrupt ??= setInterval(() => {
      if (this.#busy > 0) this.connection.interrupt();
    }, REINTERRUPT_MS).unref();
  }

  /** Detaches the query catalog with everything in it. */
  async #reset(): Promise<void> {
    this.#views.clear();
    this.#schemas.clear();
    this.#use = undefined;
    this.#broken = false;
    if (!this.#attached) return;
    this.#attached = false;
    await this.connection.run(`USE memory.main; DETACH DATABASE IF EXISTS ${QUERY_CATALOG}`);
  }

  async release(): Promise<void> {
    clearInterval(this.#reinterrupt);
    this.#reinterrupt = undefined;
    try {
      // Setup that was held but never sent means the recorded catalog state is ahead of the connection's.
      const unsent = this.#pending.length > 0;
      this.#pending.length = 0;
      if (unsent || this.#broken || this.#interrupted) await this.#reset();
      this.#interrupted = false;
      this.giveBack(this);
    } catch {
      // A session that cannot be reset is discarded; the pool makes a new one on demand.
      this.connection.closeSync();
      this.instance.closeSync();
      this.giveBack(undefined as unknown as DuckDbSession);
    }
  }
}

export class DuckDbEngine implements QueryEngine {
  readonly #idle: DuckDbSession[] = [];
  readonly #waiters: ((s: DuckDbSession | undefined) => void)[] = [];
  #count = 0;
  #closed = false;

  constructor(private readonly options: DuckDbEngineOptions) {}

  async #create(): Promise<DuckDbSession> {
    const config: Record<string, string> = { threads: String(this.options.threads ?? 1) };
    if (this.options.memoryLimit) config.memory_limit = this.options.memoryLimit;
    if (this.options.tempDirectory) config.temp_directory = this.options.tempDirectory;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // Trino semantics: integer division, UTC session zone, checked subscripts.
    // Parquet footers are cached per instance (DuckDB revalidates by modification time; Lakebox blobs never change in place).
    for (const setting of DUCKDB_SESSION_SETTINGS) await connection.run(setting);
    await connection.run('SET parquet_metadata_cache = true');
    return new DuckDbSession(instance, connection, (s) => this.#giveBack(s));
  }

  #giveBack(s: DuckDbSession | undefined): void {
    if (s === undefined || this.#closed) {
      this.#count--;
      if (s) {
        s.connection.closeSync();
        s.instance.closeSync();
      }
      const w = this.#waiters.shift();
      if (w) w(undefined);
      return;
    }
    const w = this.#waiters.shift();
    if (w) w(s);
    else this.#idle.push(s);
  }

  async session(): Promise<EngineSession> {
    for (;;) {
      if (this.#closed) throw new EngineError('The query engine is shut down');
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#count < this.options.poolSize) {
        this.#count++;
        try {
          return await this.#create();
        } catch (err) {
          this.#count--;
          throw engineError(err, false);
        }
      }
      const s = await new Promise<DuckDbSession | undefined>((resolve) => this.#waiters.push(resolve));
      if (s) return s;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#idle.splice(0)) {
      s.connection.closeSync();
      s.instance.closeSync();
    }
    for (const w of this.#waiters.splice(0)) w(undefined);
  }
}
