/** Writes normalized rows to a Parquet file through an in-memory DuckDB (NDJSON temp file → typed read_json → COPY … FORMAT parquet). */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseConversionSchema } from './conversion-config.js';
import { compileRowSerializer, duckDbProjection, quoteLiteral, type Serializer } from './duckdb-types.js';
import type { ConversionColumn, ParquetOptions } from './model.js';

interface Plan {
  readonly serialize: Serializer;
  readonly select: string;
  readonly jsonColumns: string;
}

/** NDJSON is written in chunks of about this many UTF-16 units. */
const CHUNK_CHARS = 4 * 1024 * 1024;
/** Larger than any row can become (Firehose records are at most 1,000 KiB). */
const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
const MIN_ROW_GROUP_ROWS = 2048;

const CODECS: Readonly<Record<ParquetOptions['compression'], string>> = { UNCOMPRESSED: 'uncompressed', GZIP: 'gzip', SNAPPY: 'snappy' };

/**
 * ParquetSerDe mapping: Compression → COMPRESSION (exact); WriterVersion → PARQUET_VERSION V1|V2;
 * EnableDictionaryCompression=false → DICTIONARY_SIZE_LIMIT 0 (no dictionary pages), true → DuckDB's
 * default dictionary policy; BlockSizeBytes → ROW_GROUP_SIZE in rows, estimated from the rows' NDJSON
 * size (DuckDB's byte-based limit needs insertion order off); PageSizeBytes and MaxPaddingBytes have
 * no DuckDB equivalent and are ignored.
 */
export function copyOptions(options: ParquetOptions, rowCount: number, jsonBytes: number): string {
  const avgRowBytes = rowCount > 0 ? Math.max(1, jsonBytes / rowCount) : 1;
  const rowGroupRows = Math.max(MIN_ROW_GROUP_ROWS, Math.ceil(options.blockSizeBytes / avgRowBytes));
  const parts = ['FORMAT parquet', `COMPRESSION ${CODECS[options.compression]}`, `PARQUET_VERSION ${options.writerVersion}`, `ROW_GROUP_SIZE ${rowGroupRows}`];
  if (!options.enableDictionaryCompression) parts.push('DICTIONARY_SIZE_LIMIT 0');
  return parts.join(', ');
}

export class ParquetWriter {
  readonly #plans = new Map<string, Plan>();
  #closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly tempDir: string,
  ) {}

  /** An in-memory DuckDB owned by this writer; NDJSON staging files go to `tempDir`. */
  static async create(tempDir: string): Promise<ParquetWriter> {
    await mkdir(tempDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(Math.min(2, availableParallelism())),
      preserve_insertion_order: 'true',
      temp_directory: join(tempDir, 'duckdb-spill'),
    });
    return new ParquetWriter(instance, tempDir);
  }

  #plan(columns: readonly ConversionColumn[]): Plan {
    const key = JSON.stringify(columns.map((c) => [c.name, c.type]));
    let plan = this.#plans.get(key);
    if (!plan) {
      const fields = parseConversionSchema(columns);
      plan = { serialize: compileRowSerializer(fields), ...duckDbProjection(fields) };
      if (this.#plans.size > 100) this.#plans.clear();
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /** Streams rows as NDJSON to `path`; returns the bytes written. */
  async #writeNdjson(path: string, rows: readonly unknown[], serialize: Serializer): Promise<number> {
    const fh = await open(path, 'w');
    let bytes = 0;
    try {
      let chunk = '';
      for (const row of rows) {
        chunk += serialize(row) + '\n';
        if (chunk.length >= CHUNK_CHARS) {
          bytes += (await fh.write(chunk, null, 'utf8')).bytesWritten;
          chunk = '';
        }
      }
      if (chunk !== '') bytes += (await fh.write(chunk, null, 'utf8')).bytesWritten;
    } finally {
      await fh.close();
    }
    return bytes;
  }

  /**
   * Writes rows (as produced by RecordConverter) to a Parquet file at outPath; returns its byte size.
   * outPath appears only when complete (written beside it, then renamed); on error nothing is left.
   */
  async write(columns: readonly ConversionColumn[], rows: readonly unknown[], options: ParquetOptions, outPath: string): Promise<number> {
    if (this.#closed) throw new Error('ParquetWriter is closed');
    const plan = this.#plan(columns);
    const id = randomUUID();
    const jsonPath = join(this.tempDir, `rows-${id}.ndjson`);
    const partPath = `${outPath}.${id}.partial`;
    try {
      const jsonBytes = await this.#writeNdjson(jsonPath, rows, plan.serialize);
      const source =
        `read_json(${quoteLiteral(jsonPath)}, columns=${plan.jsonColumns}, format='newline_delimited', ` +
        `maximum_object_size=${MAX_OBJECT_BYTES}, dateformat='%Y-%m-%d', timestampformat='%Y-%m-%d %H:%M:%S.%f')`;
      const sql = `COPY (SELECT ${plan.select} FROM ${source}) TO ${quoteLiteral(partPath)} (${copyOptions(options, rows.length, jsonBytes)})`;
      const connection = await this.instance.connect();
      try {
        await connection.run(sql);
      } finally {
        connection.closeSync();
      }
      const { size } = await stat(partPath);
      await rename(partPath, outPath);
      return size;
    } catch (e) {
      await rm(partPath, { force: true });
      throw e;
    } finally {
      await rm(jsonPath, { force: true });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.instance.closeSync();
  }
}
