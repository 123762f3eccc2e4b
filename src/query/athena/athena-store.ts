/** SQLite persistence for Athena (under `<dataDir>/athena/`): query executions, work groups, named queries and prepared statements, one JSON document each. */
import type { Statement } from 'better-sqlite3';
import type { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import type { QueryExecutionRecord } from './model.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS executions (id TEXT PRIMARY KEY, workgroup TEXT NOT NULL, token TEXT, submitted INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS executions_by_wg ON executions (workgroup, submitted DESC, id);
CREATE UNIQUE INDEX IF NOT EXISTS executions_by_token ON executions (token) WHERE token IS NOT NULL;
CREATE TABLE IF NOT EXISTS workgroups (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS named_queries (id TEXT PRIMARY KEY, workgroup TEXT NOT NULL, token TEXT, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prepared_statements (workgroup TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (workgroup, name));
`;

export class AthenaStore {
  readonly #s: Record<string, Statement>;

  constructor(private readonly sqlite: DurableSqlite) {
    const db = sqlite.db;
    db.exec(SCHEMA);
    const p = (sql: string): Statement => db.prepare(sql);
    this.#s = {
      putExec: p('INSERT OR REPLACE INTO executions (id, workgroup, token, submitted, doc) VALUES (?, ?, ?, ?, ?)'),
      getExec: p('SELECT doc FROM executions WHERE id = ?'),
      execByToken: p('SELECT doc FROM executions WHERE token = ?'),
      listExec: p('SELECT id, submitted FROM executions WHERE workgroup = ? AND (submitted < ? OR (submitted = ? AND id > ?)) ORDER BY submitted DESC, id LIMIT ?'),
      unfinished: p(`SELECT doc FROM executions WHERE json_extract(doc, '$.state') IN ('QUEUED', 'RUNNING')`),
      expire: p('DELETE FROM executions WHERE submitted < ?'),
      putWg: p('INSERT OR REPLACE INTO workgroups (name, doc) VALUES (?, ?)'),
      getWg: p('SELECT doc FROM workgroups WHERE name = ?'),
      listWg: p('SELECT name, doc FROM workgroups WHERE name > ? ORDER BY name LIMIT ?'),
      delWg: p('DELETE FROM workgroups WHERE name = ?'),
      putNq: p('INSERT OR REPLACE INTO named_queries (id, workgroup, token, doc) VALUES (?, ?, ?, ?)'),
      getNq: p('SELECT doc FROM named_queries WHERE id = ?'),
      nqByToken: p('SELECT doc FROM named_queries WHERE token = ?'),
      listNq: p('SELECT id FROM named_queries WHERE workgroup = ? AND id > ? ORDER BY id LIMIT ?'),
      delNq: p('DELETE FROM named_queries WHERE id = ?'),
      putPs: p('INSERT OR REPLACE INTO prepared_statements (workgroup, name, doc) VALUES (?, ?, ?)'),
      getPs: p('SELECT doc FROM prepared_statements WHERE workgroup = ? AND name = ?'),
      listPs: p('SELECT name, doc FROM prepared_statements WHERE workgroup = ? AND name > ? ORDER BY name LIMIT ?'),
      delPs: p('DELETE FROM prepared_statements WHERE workgroup = ? AND name = ?'),
      delWgChildren: p('DELETE FROM named_queries WHERE workgroup = ?'),
      delWgPs: p('DELETE FROM prepared_statements WHERE workgroup = ?'),
    };
  }

  sync(): Promise<void> {
    return this.sqlite.sync();
  }

  putExecution(r: QueryExecutionRecord): void {
    this.#s.putExec!.run(r.id, r.workGroup, r.clientRequestToken ?? null, r.submittedAt, JSON.stringify(r));
  }

  getExecution(id: string): QueryExecutionRecord | undefined {
    const row = this.#s.getExec!.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as QueryExecutionRecord) : undefined;
  }

  executionByToken(token: string): QueryExecutionRecord | undefined {
    const row = this.#s.execByToken!.get(token) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as QueryExecutionRecord) : undefined;
  }

  /** Most recent first; `after` is the last (submitted, id) returned. */
  listExecutions(workGroup: string, after: { submitted: number; id: string } | undefined, limit: number): { id: string; submitted: number }[] {
    const s = after?.submitted ?? Number.MAX_SAFE_INTEGER;
    return this.#s.listExec!.all(workGroup, s, s, after?.id ?? '\uffff', limit) as { id: string; submitted: number }[];
  }

  unfinishedExecutions(): QueryExecutionRecord[] {
    return (this.#s.unfinished!.all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as QueryExecutionRecord);
  }

  expireExecutions(before: number): void {
    this.#s.expire!.run(before);
  }

  putDoc(kind: 'workgroup', key: string, doc: unknown): void;
  putDoc(kind: 'named', key: string, doc: unknown, workGroup: string, token: string | undefined): void;
  putDoc(kind: 'workgroup' | 'named', key: string, doc: unknown, workGroup?: string, token?: string): void {
    if (kind === 'workgroup') this.#s.putWg!.run(key, JSON.stringify(doc));
    else this.#s.putNq!.run(key, workGroup, token ?? null, JSON.stringify(doc));
  }

  getWorkGroup<T>(name: string): T | undefined {
    const row = this.#s.getWg!.get(name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  listWorkGroups<T>(after: string, limit: number): T[] {
    return (this.#s.listWg!.all(after, limit) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  deleteWorkGroup(name: string): void {
    this.sqlite.db.transaction(() => {
      this.#s.delWg!.run(name);
      this.#s.delWgChildren!.run(name);
      this.#s.delWgPs!.run(name);
    })();
  }

  getNamedQuery<T>(id: string): T | undefined {
    const row = this.#s.getNq!.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  namedQueryByToken<T>(token: string): T | undefined {
    const row = this.#s.nqByToken!.get(token) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  listNamedQueries(workGroup: string, after: string, limit: number): string[] {
    return (this.#s.listNq!.all(workGroup, after, limit) as { id: string }[]).map((r) => r.id);
  }

  deleteNamedQuery(id: string): boolean {
    return this.#s.delNq!.run(id).changes > 0;
  }

  putPrepared(workGroup: string, name: string, doc: unknown): void {
    this.#s.putPs!.run(workGroup, name, JSON.stringify(doc));
  }

  getPrepared<T>(workGroup: string, name: string): T | undefined {
    const row = this.#s.getPs!.get(workGroup, name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  listPrepared<T>(workGroup: string, after: string, limit: number): T[] {
    return (this.#s.listPs!.all(workGroup, after, limit) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  deletePrepared(workGroup: string, name: string): boolean {
    return this.#s.delPs!.run(workGroup, name).changes > 0;
  }
}
