/** SQLite index of buckets, objects, uploads and parts for the filesystem store; keys are BLOBs so order is UTF-8 byte order. */
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { BucketInfo, ObjectAttributes, ObjectMeta, PartInfo, UploadInfo } from '../model.js';
import { INLINE_PREFIX, isInline, type BlobRef } from './blob-files.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, created INTEGER NOT NULL, region TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL, key BLOB NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified INTEGER NOT NULL, attrs TEXT NOT NULL, blobs TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL, initiated INTEGER NOT NULL, info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, initiated);
CREATE TABLE IF NOT EXISTS inline_blobs (
  id INTEGER PRIMARY KEY, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL,
  modified INTEGER NOT NULL, checksum TEXT, md5 BLOB NOT NULL, blob TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
`;

interface ObjectRow {
  bucket: string;
  key: Buffer;
  size: number;
  etag: string;
  modified: number;
  attrs: string;
  blobs: string;
}

interface PartRow {
  part_number: number;
  etag: string;
  size: number;
  modified: number;
  checksum: string | null;
  md5: Buffer;
  blob: string;
}

export interface StoredObject {
  readonly meta: ObjectMeta;
  readonly blobs: BlobRef[];
}

type StoredAttrs = Omit<ObjectAttributes, 'etag'>;

function rowToObject(row: ObjectRow): StoredObject {
  const attrs = JSON.parse(row.attrs) as StoredAttrs;
  return {
    meta: {
      ...attrs,
      bucket: row.bucket,
      key: row.key.toString('utf8'),
      size: row.size,
      etag: row.etag,
      lastModified: new Date(row.modified),
    },
    blobs: JSON.parse(row.blobs) as BlobRef[],
  };
}

function rowToPart(row: PartRow): PartInfo & { blob: string } {
  return {
    partNumber: row.part_number,
    etag: row.etag,
    size: row.size,
    lastModified: new Date(row.modified),
    checksum: row.checksum === null ? undefined : (JSON.parse(row.checksum) as PartInfo['checksum']),
    md5: row.md5,
    blob: row.blob,
  };
}

const OBJECT_CACHE_SIZE = 32_768;
/** Bytes of inline (small) object bodies kept in memory for reads; bodies above INLINE_CACHE_ENTRY_MAX are not kept. */
const INLINE_CACHE_BYTES = 64 * 1024 * 1024;
const INLINE_CACHE_ENTRY_MAX = 16 * 1024;

function objectId(bucket: string, key: string): string {
  return `${bucket.length}:${bucket}${key}`;
}

export class SqliteObjectIndex {
  readonly #s;
  readonly #listStmts = new Map<string, Database.Statement<unknown[], ObjectRow>>();
  /** Buckets seen outside any transaction; every bucket write drops its entry, so a miss just reads the table. */
  readonly #buckets = new Map<string, BucketInfo>();
  /**
   * Objects recently read outside any transaction (a GET looks its object up twice: HEAD-style check, then the
   * read). Every write of a key goes through this class and drops its entry first, so entries are always the
   * committed row. Bounded; the least recently used entry goes first.
   */
  readonly #objects = new LRUCache<string, StoredObject>({ max: OBJECT_CACHE_SIZE });
  /**
   * Bodies of small inline blobs recently read outside any transaction, by rowid. A rowid's bytes never change while
   * the row exists, and every insert and delete of a rowid drops its entry (SQLite can reuse the largest rowid after
   * a delete), so an entry is always the committed bytes. Bounded by bytes; the least recently used entry goes first.
   */
  readonly #inline = new LRUCache<number, Buffer>({ maxSize: INLINE_CACHE_BYTES, sizeCalculation: (b) => Math.max(1, b.length) });

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.#s = {
      insertBucket: db.prepare('INSERT INTO buckets (name, created, region) VALUES (?, ?, ?)'),
      getBucket: db.prepare<[string], { name: string; created: number; region: string }>(
        'SELECT name, created, region FROM buckets WHERE name = ?',
      ),
      listBuckets: db.prepare<[], { name: string; created: number; region: string }>(
        'SELECT name, created, region FROM buckets ORDER BY name',
      ),
      deleteBucket: db.prepare('DELETE FROM buckets WHERE name = ?'),
      anyObject: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM objects WHERE bucket = ? LIMIT 1'),
      getObject: db.prepare<[string, Buffer], ObjectRow>('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
      upsertObject: db.prepare(
        'INSERT OR REPLACE INTO objects (bucket, key, size, etag, modified, attrs, blobs) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      setAttrs: db.prepare('UPDATE objects SET attrs = ? WHERE bucket = ? AND key = ?'),
      insertUpload: db.prepare('INSERT INTO uploads (upload_id, bucket, key, initiated, info) VALUES (?, ?, ?, ?, ?)'),
      getUpload: db.prepare<[string, string], { info: string; initiated: number; key: Buffer }>(
        'SELECT info, initiated, key FROM uploads WHERE upload_id = ? AND bucket = ?',
      ),
      listUploads: db.prepare<[string], { upload_id: string; info: string; initiated: number; key: Buffer }>(
        'SELECT upload_id, info, initiated, key FROM uploads WHERE bucket = ? ORDER BY key, initiated',
      ),
      deleteUpload: db.prepare('DELETE FROM uploads WHERE upload_id = ?'),
      getPart: db.prepare<[string, number], PartRow>('SELECT * FROM parts WHERE upload_id = ? AND part_number = ?'),
      upsertPart: db.prepare(
        'INSERT OR REPLACE INTO parts (upload_id, part_number, etag, size, modified, checksum, md5, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      listParts: db.prepare<[string], PartRow>('SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number'),
      deleteParts: db.prepare('DELETE FROM parts WHERE upload_id = ?'),
      allObjectBlobs: db.prepare<[], { blobs: string }>('SELECT blobs FROM objects'),
      allPartBlobs: db.prepare<[], { blob: string }>('SELECT blob FROM parts'),
      insertInline: db.prepare<[Buffer]>('INSERT INTO inline_blobs (data) VALUES (?)'),
      getInline: db.prepare<[number], { data: Buffer }>('SELECT data FROM inline_blobs WHERE id = ?'),
      deleteInline: db.prepare<[number]>('DELETE FROM inline_blobs WHERE id = ?'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertBucket(b: BucketInfo): void {
    this.#buckets.delete(b.name);
    this.#s.insertBucket.run(b.name, b.creationDate.getTime(), b.region);
  }

  getBucket(name: string): BucketInfo | undefined {
    const cached = this.#buckets.get(name);
    if (cached) return cached;
    const r = this.#s.getBucket.get(name);
    const info = r && { name: r.name, creationDate: new Date(r.created), region: r.region };
    // Only committed state is cached: a transaction could still roll back what it reads.
    if (info && !this.db.inTransaction) this.#buckets.set(name, info);
    return info;
  }

  listBuckets(): BucketInfo[] {
    return this.#s.listBuckets.all().map((r) => ({ name: r.name, creationDate: new Date(r.created), region: r.region }));
  }

  deleteBucket(name: string): void {
    this.#buckets.delete(name);
    this.#s.deleteBucket.run(name);
  }

  bucketHasObjects(name: string): boolean {
    return this.#s.anyObject.get(name) !== undefined;
  }

  getObject(bucket: string, key: string): StoredObject | undefined {
    const outside = !this.db.inTransaction;
    const id = objectId(bucket, key);
    if (outside) {
      const cached = this.#objects.get(id);
      if (cached) return cached;
    }
    const row = this.#s.getObject.get(bucket, Buffer.from(key, 'utf8'));
    const stored = row && rowToObject(row);
    if (stored && outside) {
      this.#objects.set(id, stored);
    }
    return stored;
  }

  putObject(meta: ObjectMeta, blobs: readonly BlobRef[]): void {
    const { bucket, key, size, etag, lastModified, ...attrs } = meta;
    this.#objects.delete(objectId(bucket, key));
    this.#s.upsertObject.run(
      bucket,
      Buffer.from(key, 'utf8'),
      size,
      etag,
      lastModified.getTime(),
      JSON.stringify(attrs),
      JSON.stringify(blobs),
    );
  }

  /** Stores the bytes of a small object; returns its BlobRef. Call inside the transaction that commits the object. */
  insertInline(data: Buffer): BlobRef {
    const { lastInsertRowid } = this.#s.insertInline.run(data);
    this.#inline.delete(Number(lastInsertRowid));
    return { path: `${INLINE_PREFIX}${lastInsertRowid}`, size: data.length };
  }

  /**
   * The bytes of an inline blob (read in the same tick as the object lookup, so they belong to that version). The
   * returned buffer may be shared with later reads: callers must not modify it.
   */
  getInline(path: string): Buffer | undefined {
    const id = Number(path.slice(INLINE_PREFIX.length));
    const cached = this.#inline.get(id);
    if (cached) return cached;
    const data = this.#s.getInline.get(id)?.data;
    if (data && data.length <= INLINE_CACHE_ENTRY_MAX && !this.db.inTransaction) this.#inline.set(id, data);
    return data;
  }

  /** Deletes the inline blobs among `blobs`; call inside the transaction that drops or replaces their object. */
  dropInline(blobs: readonly BlobRef[]): void {
    for (const b of blobs) {
      if (!isInline(b.path)) continue;
      const id = Number(b.path.slice(INLINE_PREFIX.length));
      this.#inline.delete(id);
      this.#s.deleteInline.run(id);
    }
  }

  updateAttrs(meta: ObjectMeta): void {
    const { bucket, key, size: _s, etag: _e, lastModified: _l, ...attrs } = meta;
    this.#objects.delete(objectId(bucket, key));
    this.#s.setAttrs.run(JSON.stringify(attrs), bucket, Buffer.from(key, 'utf8'));
  }

  deleteObject(bucket: string, key: string): void {
    this.#objects.delete(objectId(bucket, key));
    this.#s.deleteObject.run(bucket, Buffer.from(key, 'utf8'));
  }

  listObjects(bucket: string, lower: Buffer, lowerInclusive: boolean, upper: Buffer | undefined, limit: number): StoredObject[] {
    const op = lowerInclusive ? '>=' : '>';
    const sql = upper
      ? `SELECT * FROM objects WHERE bucket = ? AND key ${op} ? AND key < ? ORDER BY key LIMIT ?`
      : `SELECT * FROM objects WHERE bucket = ? AND key ${op} ? ORDER BY key LIMIT ?`;
    let stmt = this.#listStmts.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], ObjectRow>(sql);
      this.#listStmts.set(sql, stmt);
    }
    const rows = upper ? stmt.all(bucket, lower, upper, limit) : stmt.all(bucket, lower, limit);
    return rows.map(rowToObject);
  }

  insertUpload(u: UploadInfo): void {
    const { uploadId, bucket, key, initiated, ...info } = u;
    this.#s.insertUpload.run(uploadId, bucket, Buffer.from(key, 'utf8'), initiated.getTime(), JSON.stringify(info));
  }

  getUpload(bucket: string, uploadId: string): UploadInfo | undefined {
    const r = this.#s.getUpload.get(uploadId, bucket);
    if (!r) return undefined;
    return {
      ...(JSON.parse(r.info) as Omit<UploadInfo, 'uploadId' | 'bucket' | 'key' | 'initiated'>),
      uploadId,
      bucket,
      key: r.key.toString('utf8'),
      initiated: new Date(r.initiated),
    };
  }

  listUploads(bucket: string): UploadInfo[] {
    return this.#s.listUploads.all(bucket).map((r) => ({
      ...(JSON.parse(r.info) as Omit<UploadInfo, 'uploadId' | 'bucket' | 'key' | 'initiated'>),
      uploadId: r.upload_id,
      bucket,
      key: r.key.toString('utf8'),
      initiated: new Date(r.initiated),
    }));
  }

  deleteUpload(uploadId: string): string[] {
    const blobs = this.#s.listParts.all(uploadId).map((p) => p.blob);
    this.#s.deleteParts.run(uploadId);
    this.#s.deleteUpload.run(uploadId);
    return blobs;
  }

  getPart(uploadId: string, partNumber: number): (PartInfo & { blob: string }) | undefined {
    const r = this.#s.getPart.get(uploadId, partNumber);
    return r && rowToPart(r);
  }

  putPart(uploadId: string, p: PartInfo, blob: string): void {
    this.#s.upsertPart.run(
      uploadId,
      p.partNumber,
      p.etag,
      p.size,
      p.lastModified.getTime(),
      p.checksum === undefined ? null : JSON.stringify(p.checksum),
      p.md5,
      blob,
    );
  }

  listParts(uploadId: string): (PartInfo & { blob: string })[] {
    return this.#s.listParts.all(uploadId).map(rowToPart);
  }

  referencedBlobs(): Set<string> {
    const set = new Set<string>();
    for (const r of this.#s.allObjectBlobs.iterate()) {
      for (const b of JSON.parse(r.blobs) as BlobRef[]) set.add(b.path);
    }
    for (const r of this.#s.allPartBlobs.iterate()) set.add(r.blob);
    return set;
  }
}
