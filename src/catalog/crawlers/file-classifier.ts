/**
 * Classifies one stored object: Parquet from its footer, else a text sample of ≤1 MiB tried as JSON, then CSV. Text may
 * be gzip, snappy (either framing) or a single-entry ZIP archive (its first entry is read).
 */
import { createGunzip, createInflateRaw, gunzipSync } from 'node:zlib';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { SnappyDecoder, snappyFraming } from '../../storage/codecs/snappy-streams.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { ClassifyResult, Compression, TextSample } from './classifiers/classification.js';
import { classifyCsv } from './classifiers/csv-classifier.js';
import { classifyJson } from './classifiers/json-classifier.js';
import { classifyParquetBuffer, classifyParquetFooter, isParquet } from './classifiers/parquet-classifier.js';

/** Glue samples the first 1 MB of text files. */
export const SAMPLE_BYTES = 1024 * 1024;

async function readAll(body: Readable, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

interface DecodedPrefix {
  readonly data: Buffer;
  /** Whether the whole stream fit. */
  readonly complete: boolean;
  /** Stored bytes fed to the decoder to get `data` (to scale record counts to the whole file). */
  readonly consumed: number;
}

/** Decompresses at most `limit` bytes of a gzip stream. */
async function gunzipPrefix(source: Readable | Buffer, limit: number): Promise<DecodedPrefix> {
  if (Buffer.isBuffer(source)) {
    try {
      const data = gunzipSync(source, { maxOutputLength: limit + 1 });
      if (data.length <= limit) return { data, complete: true, consumed: source.length };
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
    }
  }
  return decodePrefix(source, createGunzip(), limit);
}

/** Stored bytes handed to a decoder at a time: small, so `consumed` is close to what the sample needed. */
const FEED_BYTES = 16 * 1024;

/** Runs `source` through `decoder` until `limit` decoded bytes. */
async function decodePrefix(source: Readable | Buffer, decoder: Transform, limit: number): Promise<DecodedPrefix> {
  const out: Buffer[] = [];
  let size = 0;
  let consumed = 0;
  let failure: Error | undefined;
  decoder.on('data', (c: Buffer) => {
    out.push(c);
    size += c.length;
  });
  decoder.on('error', (err) => (failure ??= err));
  const ended = new Promise<void>((resolve) => decoder.once('end', resolve).once('close', resolve));
  const pieces = Buffer.isBuffer(source) ? [source] : source;
  try {
    feed: for await (const chunk of pieces) {
      const buf = chunk as Buffer;
      for (let at = 0; at < buf.length; at += FEED_BYTES) {
        if (size >= limit || failure) break feed;
        const piece = buf.subarray(at, at + FEED_BYTES);
        consumed += piece.length;
        await new Promise<void>((resolve) => decoder.write(piece, () => resolve()));
      }
    }
  } finally {
    if (!Buffer.isBuffer(source)) source.destroy();
  }
  const complete = size < limit && !failure;
  if (complete) {
    decoder.end();
    await ended;
  } else decoder.destroy();
  // A stream that fails after the sample was taken still classifies from the sample.
  if (failure && size === 0) throw failure;
  const data = Buffer.concat(out);
  return { data: data.subarray(0, limit), complete: complete && !failure && data.length <= limit, consumed };
}

/** A ZIP archive's first entry (local file header at offset 0, stored or deflated). */
const isZip = (head: Uint8Array): boolean => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

/**
 * Decodes the first entry of a ZIP archive: skips its local header (30 bytes, name, extra field), then inflates (method 8)
 * or passes through (method 0) what follows; the decoder stops at the end of the deflate stream.
 */
class ZipEntryReader extends Transform {
  #header: Buffer | undefined = Buffer.alloc(0);
  #inflate: Transform | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#header === undefined) return this.#feed(chunk, done);
    this.#header = Buffer.concat([this.#header, chunk]);
    if (this.#header.length < 30) return done();
    const method = this.#header.readUInt16LE(8);
    const start = 30 + this.#header.readUInt16LE(26) + this.#header.readUInt16LE(28);
    if (this.#header.length < start) return done();
    if (method !== 0 && method !== 8) return done(new Error(`ZIP compression method ${method} is not supported`));
    const rest = this.#header.subarray(start);
    this.#header = undefined;
    if (method === 8) {
      this.#inflate = createInflateRaw();
      this.#inflate.on('data', (c: Buffer) => this.push(c));
      this.#inflate.on('error', (err) => this.destroy(err));
    }
    this.#feed(rest, done);
  }

  #feed(chunk: Buffer, done: TransformCallback): void {
    if (!this.#inflate) {
      this.push(chunk);
      done();
    } else if (this.#inflate.writableEnded) done();
    else this.#inflate.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    if (!this.#inflate) return done();
    this.#inflate.once('end', () => done());
    this.#inflate.end();
  }
}

/** Snappy text: snappy-java streams by their magic, Hadoop's block framing when the key says `.snappy` (as Hadoop decides). */
const isSnappy = (head: Uint8Array, key: string): boolean => {
  const framing = snappyFraming(head);
  return framing === 'snappy-java' || (framing === 'hadoop' && /\.snappy$/i.test(key));
};

function classifyText(data: Buffer, complete: boolean, compression: Compression, storedBytesRead: number, storedSize: number): ClassifyResult | undefined {
  const sample: TextSample = { text: data.toString('utf8'), complete, compression, storedBytesRead, storedSize };
  return classifyJson(sample) ?? classifyCsv(sample);
}

/** Keys a crawler never reads: folder markers, Hadoop/Spark bookkeeping and hidden files. */
export function isIgnoredKey(key: string): boolean {
  if (key.endsWith('/') || key.endsWith('_$folder$')) return true;
  const base = key.slice(key.lastIndexOf('/') + 1);
  return base.startsWith('_') || base.startsWith('.');
}

/** Classifies `bucket/key` (of `size` bytes); undefined when no classifier recognises it (Glue's UNKNOWN). */
export async function classifyObject(store: ObjectStore, bucket: string, key: string, size: number): Promise<ClassifyResult | undefined> {
  if (size === 0) return undefined;
  const range = async (start: number, end: number): Promise<Buffer> => {
    const read = await store.getObject(bucket, key, { start, end: end - 1 });
    if (!read) throw new Error(`object ${key} vanished while crawling`);
    return readAll(read.body);
  };
  if (size <= SAMPLE_BYTES) {
    const read = await store.getObject(bucket, key);
    if (!read) return undefined;
    const data = await readAll(read.body);
    if (isParquet(data, data)) return classifyParquetBuffer(data);
    if (isGzip(data)) {
      const { data: text, complete, consumed } = await gunzipPrefix(data, SAMPLE_BYTES);
      return classifyText(text, complete, 'gzip', complete ? size : consumed, size);
    }
    const packed = isZip(data) ? 'zip' : isSnappy(data, key) ? 'snappy' : undefined;
    if (packed) {
      const { data: text, complete, consumed } = await decodePrefix(data, packed === 'zip' ? new ZipEntryReader() : new SnappyDecoder(), SAMPLE_BYTES);
      return classifyText(text, complete, packed, complete ? size : consumed, size);
    }
    return classifyText(data, true, 'none', size, size);
  }
  const head = await range(0, 8);
  const tail = await range(size - 4, size);
  if (isParquet(head, tail)) return classifyParquetFooter(size, range);
  const compression = isGzip(head) ? 'gzip' : isSnappy(head, key) ? 'snappy' : isZip(head) ? 'zip' : 'none';
  if (compression !== 'none') {
    const read = await store.getObject(bucket, key);
    if (!read) return undefined;
    const { data, complete, consumed } =
      compression === 'gzip'
        ? await gunzipPrefix(read.body, SAMPLE_BYTES)
        : await decodePrefix(read.body, compression === 'zip' ? new ZipEntryReader() : new SnappyDecoder(), SAMPLE_BYTES);
    return classifyText(data, complete, compression, complete ? size : Math.max(consumed, 1), size);
  }
  const data = await range(0, SAMPLE_BYTES);
  return classifyText(data, false, 'none', data.length, size);
}
