/** SQLite persistence of function records (one JSON document per function, cached in memory and written through) and of accepted async events. */
import type { DurableSqlite } from '../storage/fs/durable-sqlite.js';
import type { EventJob } from './event-queue.js';
import type { FunctionRecord } from './model.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_events (request_id TEXT PRIMARY KEY, doc TEXT NOT NULL);`;

export class SqliteFunctionStore {
  readonly #cache = new Map<string, FunctionRecord>();
  #loaded = false;

  constructor(private readonly sqlite: DurableSqlite) {}

  #load(): void {
    if (this.#loaded) return;
    this.sqlite.db.exec(SCHEMA);
    for (const row of this.sqlite.db.prepare('SELECT doc FROM functions').all() as { doc: string }[]) {
      const record = JSON.parse(row.doc) as FunctionRecord;
      this.#cache.set(record.name, record);
    }
    this.#loaded = true;
  }

  get(name: string): FunctionRecord | undefined {
    this.#load();
    return this.#cache.get(name);
  }

  /** Every function, sorted by name (the ListFunctions order). */
  list(): FunctionRecord[] {
    this.#load();
    return [...this.#cache.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Inserts or replaces; resolves once the commit is on disk. */
  async put(record: FunctionRecord): Promise<void> {
    this.#load();
    this.sqlite.db.prepare('INSERT OR REPLACE INTO functions (name, doc) VALUES (?, ?)').run(record.name, JSON.stringify(record));
    this.#cache.set(record.name, record);
    await this.sqlite.sync();
  }

  async delete(name: string): Promise<void> {
    this.#load();
    this.sqlite.db.prepare('DELETE FROM functions WHERE name = ?').run(name);
    this.#cache.delete(name);
    await this.sqlite.sync();
  }

  /** Journals an accepted Event invocation; resolves once it is on disk (before the 202). */
  async addEvent(job: EventJob): Promise<void> {
    this.#load();
    this.sqlite.db.prepare('INSERT OR REPLACE INTO pending_events (request_id, doc) VALUES (?, ?)').run(job.requestId, JSON.stringify(job));
    await this.sqlite.sync();
  }

  /** Forgets a finished event (durable with the next sync; a crash before it re-runs the event: at least once, as AWS). */
  removeEvent(requestId: string): void {
    this.#load();
    this.sqlite.db.prepare('DELETE FROM pending_events WHERE request_id = ?').run(requestId);
  }

  pendingEvents(): EventJob[] {
    this.#load();
    return (this.sqlite.db.prepare('SELECT doc FROM pending_events ORDER BY rowid').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as EventJob);
  }
}
