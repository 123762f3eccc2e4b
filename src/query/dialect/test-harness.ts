/** Test support: translate an Athena query, run it on an in-memory DuckDB and return Athena-comparable values. */
import { DuckDBInstance, DuckDBListType, DuckDBMapType, DuckDBStructType, type DuckDBConnection, type DuckDBType, type Json } from '@duckdb/node-api';
import { createDuckDbParser, type DuckDbParser } from './duckdb-parser.js';
import { DUCKDB_SESSION_SETTINGS, translateAthenaQuery, type TranslatedQuery } from './translate.js';
import { applyEngineTypes, type TypeOracle } from './typed-rewrites.js';
import { parameterTypes } from '../engine/duckdb-engine.js';

const WHOLE_NUMBER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

/** getRowsJson values, with 64-bit integers as numbers and maps as plain objects. */
function normalize(type: DuckDBType, value: Json): unknown {
  if (value === null) return null;
  if (type instanceof DuckDBListType && Array.isArray(value)) return value.map((v) => normalize(type.valueType, v));
  if (type instanceof DuckDBMapType && Array.isArray(value)) {
    return Object.fromEntries(value.map((entry) => {
      const e = entry as { key: Json; value: Json };
      return [String(normalize(type.keyType, e.key)), normalize(type.valueType, e.value)];
    }));
  }
  if (type instanceof DuckDBStructType && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(type.entryNames.map((name, i) => [name, normalize(type.entryTypes[i]!, value[name] ?? null)]));
  }
  if (WHOLE_NUMBER_TYPES.has(type.toString()) && typeof value === 'string') return Number(value);
  return value;
}

export interface QueryResult {
  readonly translated: TranslatedQuery;
  /** Athena's names (translated.columnNames), else DuckDB's. */
  readonly names: string[];
  readonly types: string[];
  readonly rows: unknown[][];
}

export class DialectHarness {
  private constructor(
    readonly parser: DuckDbParser,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async create(): Promise<DialectHarness> {
    const parser = await createDuckDbParser();
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    for (const setting of DUCKDB_SESSION_SETTINGS) await connection.run(setting);
    return new DialectHarness(parser, instance, connection);
  }

  translate(sql: string, defaultSchema?: string): Promise<TranslatedQuery> {
    return translateAthenaQuery(sql, { parser: this.parser, ...(defaultSchema ? { defaultSchema } : {}) });
  }

  /** The engine's parameter types, as the server's sessions report them. */
  readonly oracle: TypeOracle = { parameterTypes: (sql) => parameterTypes(this.connection, sql) };

  /** Translates and runs a query as the server does: the translation, then the rewrites that need the engine's types. */
  async run(sql: string): Promise<QueryResult> {
    const translated = await this.translate(sql);
    const typed = await applyEngineTypes(translated.statements, this.oracle, this.parser);
    const reader = await this.connection.runAndReadAll(typed ?? translated.sql);
    const types = reader.columnTypes();
    const rows = reader.getRowsJson().map((row) => row.map((v, i) => normalize(types[i]!, v)));
    return { translated, names: [...(translated.columnNames ?? reader.columnNames())], types: types.map(String), rows };
  }

  /** The single row of a query's result. */
  async row(sql: string): Promise<unknown[]> {
    const { rows } = await this.run(sql);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
    return rows[0]!;
  }

  /** The single value of a one-row, one-column query. */
  async value(sql: string): Promise<unknown> {
    const row = await this.row(sql);
    return row[0];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    this.parser.close();
  }
}
