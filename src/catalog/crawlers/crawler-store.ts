/** Crawler persistence in the catalog's SQLite: definitions, crawl history, and the per-crawler file index (key, size, ETag → deduplicated schema) that lets re-crawls skip unchanged files. */
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { DurableSqlite } from '../../storage/fs/durable-sqlite.js';
import type { FileSchema } from './classifiers/classification.js';
import type { CrawlRecord, StoredCrawler } from './model.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS crawlers (name TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crawler_runs (crawler TEXT NOT NULL, start INTEGER NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (crawler, start, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crawler_schemas (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS crawler_files (
  crawler TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, schema_id INTEGER, records INTEGER NOT NULL,
  PRIMARY KEY (crawler, key)
) WITHOUT ROWID;
`;

/** What the index remembers of one object: its identity and what classifying it gave (schemaId null: UNKNOWN). */
export interface FileEntry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly schemaId: number | null;
  readonly records: number;
}

/** JSON with Dates kept as `{ $date: ms }` (the replacer sees the raw value through `this`, before Date.toJSON). */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    return raw instanceof Date ? { $date: raw.getTime() } : v;
  });
}

function decode<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $date?: unknown }).$date === 'number' ? new Date((v as { $date: number }).$date) : v,
  ) as T;
}

export class CrawlerStore {
  readonly #s: Record<string, Statement>;
  readonly #schemas = new Map<number, FileSchema>();
  readonly #schemaIds = new Map<string, number>();

  constructor(private readonly sqlite: DurableSqlite) {
    const db = sqlite.db;
    db.exec(SCHEMA);
    const p = (sql: string): Statement => db.prepare(sql);
    this.#s = {
      get: p('SELECT doc FROM crawlers WHERE name = ?'),
      list: p('SELECT name, doc FROM crawlers WHERE name > ? ORDER BY name LIMIT ?'),
      count: p('SELECT count(*) AS n FROM crawlers'),
      put: p('INSERT OR REPLACE INTO crawlers (name, doc) VALUES (?, ?)'),
      del: p('DELETE FROM crawlers WHERE name = ?'),
      putRun: p('INSERT OR REPLACE INTO crawler_runs (crawler, start, id, doc) VALUES (?, ?, ?, ?)'),
      runs: p('SELECT doc FROM crawler_runs WHERE crawler = ? ORDER BY start DESC, id DESC LIMIT ?'),
      trimRuns: p('DELETE FROM crawler_runs WHERE crawler = ? AND start < (SELECT start FROM crawler_runs WHERE crawler = ? ORDER BY start DESC LIMIT 1 OFFSET ?)'),
      delRuns: p('DELETE FROM crawler_runs WHERE crawler = ?'),
      schemaByHash: p('SELECT id FROM crawler_schemas WHERE hash = ?'),
      schemaById: p('SELECT doc FROM crawler_schemas WHERE id = ?'),
      insertSchema: p('INSERT INTO crawler_schemas (hash, doc) VALUES (?, ?)'),
      files: p('SELECT key, size, etag, schema_id AS schemaId, records FROM crawler_files WHERE crawler = ?'),
      putFile: p('INSERT OR REPLACE INTO crawler_files (crawler, key, size, etag, schema_id, records) VALUES (?, ?, ?, ?, ?, ?)'),
      delFile: p('DELETE FROM crawler_files WHERE crawler = ? AND key = ?'),
      delFiles: p('DELETE FROM crawler_files WHERE crawler = ?'),
    };
  }

  sync(): Promise<void> {
    return this.sqlite.sync();
  }

  get(name: string): StoredCrawler | undefined {
    const row = this.#s.get!.get(name) as { doc: string } | undefined;
    return row && decode<StoredCrawler>(row.doc);
  }

  /** Crawlers by name after `after`; `last` is set when more may follow. */
  list(after: string | undefined, limit: number): { items: StoredCrawler[]; last?: string | undefined } {
    const rows = this.#s.list!.all(after ?? '', limit + 1) as { name: string; doc: string }[];
    const items = rows.slice(0, limit).map((r) => decode<StoredCrawler>(r.doc));
    return { items, last: rows.length > limit ? rows[limit - 1]!.name : undefined };
  }

  count(): number {
    return (this.#s.count!.get() as { n: number }).n;
  }

  put(c: StoredCrawler): void {
    this.#s.put!.run(c.crawler.Name, encode(c));
  }

  /** Deletes the crawler with its history and file index. */
  delete(name: string): boolean {
    return this.sqlite.db.transaction(() => {
      this.#s.delRuns!.run(name);
      this.#s.delFiles!.run(name);
      return this.#s.del!.run(name).changes > 0;
    })();
  }

  putRun(run: CrawlRecord): void {
    this.#s.putRun!.run(run.CrawlerName, run.StartTime?.getTime() ?? 0, run.CrawlId, encode(run));
    this.#s.trimRuns!.run(run.CrawlerName, run.CrawlerName, 1000);
  }

  /** Most recent first. */
  runs(crawler: string, limit: number): CrawlRecord[] {
    return (this.#s.runs!.all(crawler, limit) as { doc: string }[]).map((r) => decode<CrawlRecord>(r.doc));
  }

  /** The id of a schema, stored once however many files share it. */
  schemaId(schema: FileSchema): number {
    const doc = JSON.stringify(schema);
    const hash = createHash('sha1').update(doc).digest('base64');
    let id = this.#schemaIds.get(hash);
    if (id !== undefined) return id;
    const row = this.#s.schemaByHash!.get(hash) as { id: number } | undefined;
    id = row ? row.id : Number(this.#s.insertSchema!.run(hash, doc).lastInsertRowid);
    this.#schemaIds.set(hash, id);
    return id;
  }

  /** The schema of an id, one shared object per id (so merges of identical files are free). */
  schema(id: number): FileSchema | undefined {
    let s = this.#schemas.get(id);
    if (s) return s;
    const row = this.#s.schemaById!.get(id) as { doc: string } | undefined;
    if (!row) return undefined;
    s = JSON.parse(row.doc) as FileSchema;
    this.#schemas.set(id, s);
    return s;
  }

  fileIndex(crawler: string): Map<string, FileEntry> {
    const out = new Map<string, FileEntry>();
    for (const row of this.#s.files!.iterate(crawler) as Iterable<FileEntry>) out.set(row.key, row);
    return out;
  }

  /** Applies index changes in one transaction. */
  updateFileIndex(crawler: string, upserts: readonly FileEntry[], deletes: readonly string[]): void {
    this.sqlite.db.transaction(() => {
      for (const f of upserts) this.#s.putFile!.run(crawler, f.key, f.size, f.etag, f.schemaId, f.records);
      for (const k of deletes) this.#s.delFile!.run(crawler, k);
    })();
  }

  clearFileIndex(crawler: string): void {
    this.#s.delFiles!.run(crawler);
  }
}
