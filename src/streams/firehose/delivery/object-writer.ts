/** Names and writes delivered objects: Firehose's key layout with deterministic ids, and the encoder → compressor → sink path. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileRange } from '../intake-log.js';
import { compressorFor, type CompressionOptions } from './compressors.js';
import { formatJavaDate } from './java-date-format.js';
import { evaluatePrefix, type PrefixContext, type PrefixTemplate } from './prefix-template.js';

/** Where delivered objects go (the S3 service). */
export interface ObjectSink {
  putObject(bucket: string, key: string, body: Readable, contentEncoding: string | undefined): Promise<void>;
}

/**
 * Deterministic UUID-shaped id for an object, from its queue and its first unit: a redelivery after a
 * crash takes the same first unit (and a superset of what was taken before), so it overwrites the
 * earlier object instead of duplicating records.
 */
export function objectId(seed: string, first: number): string {
  const h = createHash('sha256').update(`${seed}\0${first}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `!{firehose:random-string}` values that are the same on redelivery. */
export function seededRandom(seed: string): () => string {
  let n = 0;
  return () => createHash('sha256').update(`${seed}:${n++}`).digest('base64url').replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 11);
}

export interface KeySpec {
  readonly prefix: PrefixTemplate;
  readonly context: Omit<PrefixContext, 'timestamp' | 'timeZone' | 'random'>;
  readonly stream: string;
  readonly version: number;
  /** Arrival time of the oldest record in the object. */
  readonly oldest: number;
  readonly timeZone: string;
  readonly seed: string;
  readonly first: number;
  readonly extension: string;
}

/** `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>` */
export function objectKey(s: KeySpec): string {
  const oldest = new Date(s.oldest);
  const prefix = evaluatePrefix(s.prefix, { ...s.context, timestamp: oldest, timeZone: s.timeZone, random: seededRandom(`${s.seed}:${s.first}`) });
  return `${prefix}${s.stream}-${s.version}-${formatJavaDate('yyyy-MM-dd-HH-mm-ss', oldest, s.timeZone)}-${objectId(s.seed, s.first)}${s.extension}`;
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of source) out.push(b);
  return out;
}

/** The records of one object on their way to the compressor. */
export interface RecordStream {
  /** The records encoded (concatenated, delimiters in place), read on this thread. */
  readonly pieces: AsyncIterable<Buffer>;
  /**
   * The same records as intake-log file ranges (framed), which the gzip worker reads and encodes itself, so their
   * bytes never reach this thread; `delimiter` puts `\n` between records (AppendDelimiterToRecord).
   */
  readonly ranges?: { readonly read: () => AsyncIterable<FileRange>; readonly delimiter: boolean } | undefined;
}

/** Compresses the records and writes them as one object (GZIP in the worker thread when there is one). */
export async function writeCompressed(
  sink: ObjectSink,
  bucket: string,
  key: string,
  records: RecordStream,
  compressionFormat: string,
  options: CompressionOptions,
): Promise<void> {
  const compressor = compressorFor(compressionFormat, options);
  let body: Readable | undefined;
  try {
    if (compressionFormat === 'GZIP' && options.gzipWorker) {
      const { ranges } = records;
      body = ranges
        ? options.gzipWorker.gzip(ranges.read(), { level: options.gzipLevel, framed: true, delimiter: ranges.delimiter })
        : options.gzipWorker.gzip(records.pieces, { level: options.gzipLevel, framed: false, delimiter: false });
    } else {
      const encoded = records.pieces;
      body = compressor.stream ? compressor.stream(encoded) : Readable.from([await compressor.compress(Buffer.concat(await collect(encoded)))]);
    }
    await sink.putObject(bucket, key, body, compressor.contentEncoding);
  } catch (err) {
    body?.destroy();
    throw err;
  }
}

export function extensionFor(compressionFormat: string, options: CompressionOptions): string {
  return compressorFor(compressionFormat, options).extension;
}

const NEWLINE = Buffer.from('\n');

/**
 * Encoder stage: the records of `units` (read one unit at a time, with `\n` between records when
 * AppendDelimiterToRecord is on), yielding to other work between units.
 */
export async function* encodeUnits(units: readonly { readonly id: number }[], read: (id: number) => Buffer[], delimiter: boolean): AsyncGenerator<Buffer> {
  let first = true;
  for (const u of units) {
    const parts: Buffer[] = [];
    for (const r of read(u.id)) {
      if (delimiter && !first) parts.push(NEWLINE);
      parts.push(r);
      first = false;
    }
    yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Where the framed records of `units` are (one range per unit), yielding to other work between units. */
export async function* unitRanges(units: readonly { readonly id: number }[], locate: (id: number) => FileRange | undefined): AsyncGenerator<FileRange> {
  for (const u of units) {
    const range = locate(u.id);
    if (!range) throw new Error(`batch ${u.id} is no longer in the intake log`);
    yield range;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

