/** The QueryEngine port: pooled sessions that register per-query views, run one SELECT with streamed, Athena-rendered rows, and can be interrupted. */
import type { ColumnInfo } from '../athena/model.js';

/** Rows rendered as Athena text (undefined/null = SQL NULL). */
export type TextRow = (string | null)[];

export interface EngineResult {
  readonly columns: readonly ColumnInfo[];
  /** Batches of rendered rows, in order; iterate once. */
  batches(): AsyncIterable<TextRow[]>;
}

/** One engine connection, exclusively held by one query until `release()`. */
export interface EngineSession {
  /** Creates (empty) a schema for the query's views and makes `defaultSchema` the default for unqualified names. */
  prepare(schemas: readonly string[], defaultSchema: string | undefined): Promise<void>;
  /** Registers `schema.name` as a view over `sql` for this query only (an invalid view fails the next call that runs). */
  createView(schema: string, name: string, sql: string): Promise<void>;
  /** Runs one statement (after the views registered so far are in place); its rows stream in batches. */
  query(sql: string): Promise<EngineResult>;
  /** Column names of a relation (without reading its rows). */
  columnNames(sql: string): Promise<string[]>;
  /** The types the engine infers for a statement's named parameters (`$name`), by name; the statement is bound, not run. */
  parameterTypes(sql: string): Promise<ReadonlyMap<string, string>>;
  /** Cancels whatever runs on this session; the running call rejects with EngineInterrupted. */
  interrupt(): void;
  /** Drops the query's views and returns the session to the pool. */
  release(): Promise<void>;
}

export interface QueryEngine {
  /** Waits for a free session. */
  session(): Promise<EngineSession>;
  close(): Promise<void>;
}

export class EngineError extends Error {
  override readonly name: string = 'EngineError';
}

export class EngineInterrupted extends EngineError {
  override readonly name = 'EngineInterrupted';
}
