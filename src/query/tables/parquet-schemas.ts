/**
 * Top-level columns of a table's Parquet files, read from their footers (hyparquet) and cached per file version: which
 * columns the files hold, and whether every file has the same ones, so the reader can skip `union_by_name`.
 */
import { open } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { classifyParquetFooter } from '../../catalog/crawlers/classifiers/parquet-classifier.js';

export interface ParquetFile {
  /** Local path of the bytes. */
  readonly path: string;
  /** The object's ETag and size: with the path, they name one version of the bytes (objects never change in place). */
  readonly etag: string;
  readonly size: number;
}

export interface ParquetColumns {
  /** Lower-cased names of the columns any file holds. */
  readonly present: ReadonlySet<string>;
  /** Every file has the same columns, in the same order, of the same types. */
  readonly uniform: boolean;
}

interface FileColumns {
  readonly names: readonly string[];
  /** Names and types in order, as one string. */
  readonly signature: string;
}

/** Footers read at once. */
const CONCURRENCY = 16;

async function readColumns(file: ParquetFile): Promise<FileColumns | undefined> {
  const handle = await open(file.path, 'r');
  try {
    const result = await classifyParquetFooter(file.size, async (start, end) => {
      const buffer = Buffer.alloc(end - start);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return buffer.subarray(0, bytesRead);
    });
    const columns = result?.schema.columns;
    if (!columns) return undefined;
    return { names: columns.map((c) => c.name.toLowerCase()), signature: JSON.stringify(columns) };
  } finally {
    await handle.close();
  }
}

export class ParquetSchemas {
  readonly #files: LRUCache<string, FileColumns>;

  constructor(maxFiles = 100_000) {
    this.#files = new LRUCache({ max: maxFiles });
  }

  /** The files' columns; undefined when a footer cannot be read (the caller then asks the engine, which reports the file). */
  async of(files: readonly ParquetFile[]): Promise<ParquetColumns | undefined> {
    const found: (FileColumns | undefined)[] = files.map(() => undefined);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < files.length) {
        const i = next++;
        const f = files[i]!;
        const key = `${f.path}\0${f.etag}\0${f.size}`;
        let columns = this.#files.get(key);
        if (columns === undefined) {
          columns = await readColumns(f).catch(() => undefined);
          if (columns === undefined) {
            failed = true;
            return;
          }
          this.#files.set(key, columns);
        }
        found[i] = columns;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    if (failed || files.length === 0) return undefined;
    const present = new Set<string>();
    for (const c of found) for (const n of c!.names) present.add(n);
    const first = found[0]!.signature;
    return { present, uniform: found.every((c) => c!.signature === first) };
  }
}
