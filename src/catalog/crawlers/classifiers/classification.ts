/** What a classifier reports about one file: its format, compression, columns, format details and estimated record count. */
import type { Field } from '../schema-merge.js';

export type Classification = 'json' | 'csv' | 'parquet';
export type Compression = 'none' | 'gzip' | 'snappy' | 'zip';

/** The compression most of the weighted entries have (ties go to the earlier one in `none, gzip, snappy, zip`). */
export function dominantCompression(entries: Iterable<readonly [Compression, number]>): Compression {
  const counts = new Map<Compression, number>([['none', 0], ['gzip', 0], ['snappy', 0], ['zip', 0]]);
  for (const [c, n] of entries) counts.set(c, (counts.get(c) ?? 0) + n);
  let best: Compression = 'none';
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

/** CSV details the table's SerDe depends on; files only group together when these agree. */
export interface CsvFormat {
  readonly delimiter: string;
  readonly header: boolean;
  readonly quoted: boolean;
}

/** The schema-relevant outcome of classifying one file (identical files share one stored copy). */
export interface FileSchema {
  readonly classification: Classification;
  readonly compression: Compression;
  readonly columns: readonly Field[];
  readonly csv?: CsvFormat | undefined;
}

export interface ClassifyResult {
  readonly schema: FileSchema;
  /** Records in the file: exact when the whole file was read, else extrapolated from the sample. */
  readonly records: number;
}

/** A text sample of a file: decompressed bytes from its start, and whether they are the whole file. */
export interface TextSample {
  readonly text: string;
  readonly complete: boolean;
  readonly compression: Compression;
  /** Stored bytes the sample covers (compressed size for gzip), to extrapolate record counts. */
  readonly storedBytesRead: number;
  readonly storedSize: number;
}

/** Scales a record count seen in a partial sample to the whole file. */
export function estimateRecords(seen: number, sample: TextSample): number {
  if (sample.complete || sample.storedBytesRead <= 0) return seen;
  return Math.round((seen * sample.storedSize) / sample.storedBytesRead);
}
