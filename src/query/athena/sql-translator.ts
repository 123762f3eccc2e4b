/** The QueryTranslator the service uses: the dialect's `translateAthenaQuery` over a shared DuckDB parser, plus the constant-expression test for ExecutionParameters. */
import { LRUCache } from 'lru-cache';
import { createDuckDbParser, type DuckDbParser } from '../dialect/duckdb-parser.js';
import { translateAthenaQuery, type TranslatedQuery } from '../dialect/translate.js';
import type { AstNode } from '../dialect/parser-port.js';
import type { StringComparison } from '../dialect/string-comparisons.js';
import type { SqlTools } from '../tables/query-tables.js';
import type { QueryTranslator } from './athena-service.js';

function hasColumnRef(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasColumnRef);
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Record<string, unknown>;
  if (n['class'] === 'COLUMN_REF' || n['class'] === 'STAR' || n['type'] === 'BASE_TABLE') return true;
  return Object.values(n).some(hasColumnRef);
}

/** Query texts longer than this are translated every time rather than cached. */
const MAX_CACHED_SQL = 16 * 1024;
/** Memory the translation cache may hold, estimated from the texts: a syntax tree takes some 50 bytes per character of SQL. */
const CACHE_BYTES = 64 * 1024 * 1024;
const AST_BYTES_PER_CHAR = 50;

export interface Translation {
  readonly sql: string;
  readonly columnNames: readonly string[] | undefined;
  /** The syntax tree of `sql`; the caller's own copy (it may rewrite it). */
  readonly statements: readonly AstNode[];
  readonly stringComparisons: readonly StringComparison[];
}

export class DialectTranslator implements QueryTranslator {
  /**
   * Translations by default schema and query text. Translation is a pure function of the two (it reads no catalog),
   * and dashboards and pollers send the same text again and again; a hit skips two parser round trips.
   */
  readonly #cache = new LRUCache<string, TranslatedQuery>({ max: 512, maxSize: CACHE_BYTES, sizeCalculation: (t, key) => AST_BYTES_PER_CHAR * (key.length + t.sql.length) });

  private constructor(readonly parser: DuckDbParser) {}

  static async create(): Promise<DialectTranslator> {
    return new DialectTranslator(await createDuckDbParser());
  }

  async translate(sql: string, defaultSchema: string | undefined): Promise<Translation> {
    const key = `${defaultSchema ?? ''}\0${sql}`;
    let t = this.#cache.get(key);
    if (!t) {
      t = await translateAthenaQuery(sql, { ...(defaultSchema !== undefined ? { defaultSchema } : {}), parser: this.parser });
      if (sql.length <= MAX_CACHED_SQL) this.#cache.set(key, t);
    }
    return { sql: t.sql, columnNames: t.columnNames, statements: structuredClone(t.statements), stringComparisons: t.stringComparisons };
  }

  async isConstantExpression(value: string): Promise<boolean> {
    const parsed = await this.parser.parse(`SELECT ${value}`);
    return parsed.ok && parsed.statements.length === 1 && !hasColumnRef(parsed.statements);
  }

  async parse(sql: string): Promise<readonly AstNode[]> {
    const parsed = await this.parser.parse(sql);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.statements;
  }

  render(statements: readonly AstNode[]): Promise<string> {
    return this.parser.render(statements);
  }

  /** The view of this translator the table loader needs (engine SQL text out). */
  sqlTools(): SqlTools {
    return {
      parse: (sql) => this.parse(sql),
      render: (statements) => this.render(statements),
      translate: (sql, defaultSchema) => this.translate(sql, defaultSchema),
    };
  }

  close(): void {
    this.parser.close();
  }
}
