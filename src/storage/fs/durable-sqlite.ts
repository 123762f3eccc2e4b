/** SQLite in WAL mode whose commits are made durable by one coalesced, off-thread fsync of the WAL (group commit). */
import Database from 'better-sqlite3';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from '../../shared/fsync-dir.js';

export class DurableSqlite {
  readonly db: Database.Database;
  #walHandle: FileHandle | undefined;
  #inFlight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly fsyncEnabled: boolean,
  ) {
    this.db = new Database(path);
    try {
      // One process owns the data directory: with an exclusive lock SQLite keeps the WAL index in memory (no
      // shared-memory file and no file-lock calls per transaction), and a second server started on the same
      // directory fails here instead of sharing it.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      // Commits do not fsync on the event loop; sync() below makes them durable before we acknowledge.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('cache_size = -65536');
      // Reads go through a memory map instead of a read() call per page, which is what point lookups cost when
      // the database (small objects are stored inline) is larger than the page cache. Mapped pages are the kernel's
      // page cache: they count in RSS but are reclaimable; 1 GiB bounds the mapping.
      this.db.pragma('mmap_size = 1073741824');
    } catch (err) {
      this.db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(`${path} is locked: another Lakebox process is using this data directory`, { cause: err });
      }
      throw err;
    }
  }

  async open(): Promise<void> {
    if (!this.fsyncEnabled) return;
    this.#walHandle = await open(`${this.path}-wal`, 'a');
    // The database's and the WAL's names must be durable too, or a crash could lose the files that sync() flushes.
    await fsyncDir(dirname(this.path));
  }

  /**
   * Resolves once every transaction committed before the call is on disk. Calls made while an fsync is
   * running share the next one, so many concurrent writers cost one fsync.
   */
  sync(): Promise<void> {
    const handle = this.#walHandle;
    if (handle === undefined) return Promise.resolve();
    if (this.#inFlight === undefined) {
      this.#inFlight = handle.sync().finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    if (this.#queued === undefined) {
      const after = this.#inFlight;
      this.#queued = after
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return this.sync();
        });
    }
    return this.#queued;
  }

  async close(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
    await this.#walHandle?.close();
    this.#walHandle = undefined;
    this.db.close();
  }
}
