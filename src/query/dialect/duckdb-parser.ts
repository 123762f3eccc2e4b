/** SqlParserPort backed by an in-memory DuckDB used only for `json_serialize_sql` / `json_deserialize_sql`. */
import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { AstNode, ParseResult, SqlParserPort } from './parser-port.js';
import { parseLossless, stringifyLossless } from './lossless-json.js';

export interface DuckDbParser extends SqlParserPort {
  close(): void;
}

interface SerializedSql {
  error: boolean;
  error_message?: string;
  position?: string;
  statements?: AstNode[];
}

export async function createDuckDbParser(): Promise<DuckDbParser> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  // Prepared once: a call then binds and runs (no statement extraction and planning per call).
  const serialize = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR)');
  const deserialize = await connection.prepare('SELECT json_deserialize_sql($1::JSON)');
  const marker = `@@lbnum${randomBytes(6).toString('hex')}:`;
  let queue: Promise<unknown> = Promise.resolve();
  // One connection, one statement at a time: a prepared statement is bound and run without interleaving.
  const serially = (statement: DuckDBPreparedStatement, text: string): Promise<string> => {
    const next = queue.then(async () => {
      statement.bindVarchar(1, text);
      const reader = await statement.runAndReadAll();
      return String(reader.getRows()[0]?.[0] ?? '');
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async parse(sql: string): Promise<ParseResult> {
      const text = await serially(serialize, sql);
      const parsed = parseLossless(text, marker) as SerializedSql;
      if (parsed.error || !parsed.statements) {
        const position = parsed.position === undefined ? undefined : Number(parsed.position);
        return { ok: false, message: parsed.error_message ?? 'Parser error', position: Number.isInteger(position) ? position : undefined };
      }
      return { ok: true, statements: parsed.statements };
    },
    async render(statements: readonly AstNode[]): Promise<string> {
      const json = stringifyLossless({ error: false, statements }, marker);
      return serially(deserialize, json);
    },
    close(): void {
      serialize.destroySync();
      deserialize.destroySync();
      connection.closeSync();
      instance.closeSync();
    },
  };
}
