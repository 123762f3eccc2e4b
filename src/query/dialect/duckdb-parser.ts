/** SqlParserPort backed by an in-memory DuckDB used only for `json_serialize_sql` / `json_deserialize_sql`. */
import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AstNode, ParseResult, SqlParserPort } from './parser-port.js';
import { parseLossless, stringifyLossless } from './lossless-json.js';

export interface DuckDbParser extends SqlParserPort {
  close(): void;
}

interface SerializedSql {
  error: boolean;
  error_message?: string;
  statements?: AstNode[];
}

export async function createDuckDbParser(): Promise<DuckDbParser> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const marker = `@@lbnum${randomBytes(6).toString('hex')}:`;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const next = queue.then(() => work(connection));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async parse(sql: string): Promise<ParseResult> {
      const text = await serially(async (c) => {
        const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
        return String(reader.getRows()[0]?.[0] ?? '');
      });
      const parsed = parseLossless(text, marker) as SerializedSql;
      if (parsed.error || !parsed.statements) return { ok: false, message: parsed.error_message ?? 'Parser error' };
      return { ok: true, statements: parsed.statements };
    },
    async render(statements: readonly AstNode[]): Promise<string> {
      const json = stringifyLossless({ error: false, statements }, marker);
      return serially(async (c) => {
        const reader = await c.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [json]);
        return String(reader.getRows()[0]?.[0] ?? '');
      });
    },
    close(): void {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
