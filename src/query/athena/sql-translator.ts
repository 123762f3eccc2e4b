/** The QueryTranslator the service uses: the dialect's `translateAthenaQuery` over a shared DuckDB parser, plus the constant-expression test for ExecutionParameters. */
import { createDuckDbParser, type DuckDbParser } from '../dialect/duckdb-parser.js';
import { translateAthenaQuery } from '../dialect/translate.js';
import type { AstNode } from '../dialect/parser-port.js';
import type { SqlTools } from '../tables/query-tables.js';
import type { QueryTranslator } from './athena-service.js';

function hasColumnRef(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasColumnRef);
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Record<string, unknown>;
  if (n['class'] === 'COLUMN_REF' || n['class'] === 'STAR' || n['type'] === 'BASE_TABLE') return true;
  return Object.values(n).some(hasColumnRef);
}

export class DialectTranslator implements QueryTranslator {
  private constructor(readonly parser: DuckDbParser) {}

  static async create(): Promise<DialectTranslator> {
    return new DialectTranslator(await createDuckDbParser());
  }

  async translate(sql: string, defaultSchema: string | undefined): Promise<{ sql: string; columnNames: readonly string[] | undefined }> {
    const t = await translateAthenaQuery(sql, { ...(defaultSchema !== undefined ? { defaultSchema } : {}), parser: this.parser });
    return { sql: t.sql, columnNames: t.columnNames };
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
      translate: async (sql, defaultSchema) => (await this.translate(sql, defaultSchema)).sql,
    };
  }

  close(): void {
    this.parser.close();
  }
}
