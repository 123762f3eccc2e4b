/** Computes a view body's output columns the way the query path would run it: translated Trino→DuckDB, tables registered, `DESCRIBE` through an engine session (nothing read). */
import type { QueryEngine } from '../engine/query-engine.js';
import type { SqlParserPort } from '../dialect/parser-port.js';
import { typedSql } from '../dialect/typed-rewrites.js';
import type { QueryTables } from '../tables/query-tables.js';

export interface ViewColumn {
  readonly name: string;
  /** DuckDB type string, e.g. `STRUCT(a VARCHAR)[]`. */
  readonly duckType: string;
}

/** What view DDL needs from the query side. */
export interface ViewSchemaProbe {
  columns(sql: string, database: string, catalog: string): Promise<ViewColumn[]>;
}

export interface ViewProbeDeps {
  readonly engine: QueryEngine;
  readonly tables: QueryTables;
  readonly parser: SqlParserPort;
  readonly translate: (sql: string, defaultSchema: string) => Promise<{ sql: string; columnNames: readonly string[] | undefined }>;
}

export class EngineViewProbe implements ViewSchemaProbe {
  constructor(private readonly deps: ViewProbeDeps) {}

  async columns(sql: string, database: string, catalog: string): Promise<ViewColumn[]> {
    const t = await this.deps.translate(sql, database);
    const parsed = await this.deps.parser.parse(t.sql);
    if (!parsed.ok) throw new Error(parsed.message);
    const session = await this.deps.engine.session();
    let release = (): void => undefined;
    try {
      const loaded = await this.deps.tables.load(parsed.statements, { catalogName: catalog, defaultSchema: database, session, withPath: /"\$path"/.test(sql), withFileInfo: /"\$file_(size|modified_time)"/i.test(sql) });
      release = () => loaded.release();
      // The view's columns as its queries will see them: with the rewrites that need the tables' and engine's types.
      const typed = await typedSql(parsed.statements, t.sql, loaded.columnTypes, session, this.deps.parser);
      const result = await session.query(`DESCRIBE ${typed}`);
      const out: ViewColumn[] = [];
      for await (const batch of result.batches()) for (const row of batch) out.push({ name: row[0] ?? '', duckType: row[1] ?? 'VARCHAR' });
      const names = t.columnNames && t.columnNames.length === out.length ? t.columnNames : undefined;
      return out.map((c, i) => ({ name: (names?.[i] ?? c.name).toLowerCase(), duckType: c.duckType }));
    } finally {
      release();
      await session.release();
    }
  }
}
