/** Classifies one stored object: Parquet from its footer, else a (gunzipped) text sample of ≤1 MiB tried as JSON, then CSV. */
import { gunzipSync, createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
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

/** Decompresses at most `limit` bytes of a gzip stream; `complete` when the whole stream fit. */
async function gunzipPrefix(source: Readable | Buffer, limit: number): Promise<{ data: Buffer; complete: boolean }> {
  if (Buffer.isBuffer(source)) {
    try {
      const data = gunzipSync(source, { maxOutputLength: limit + 1 });
      if (data.length <= limit) return { data, complete: true };
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
    }
  }
  const gunzip = createGunzip();
  const out: Buffer[] = [];
  let size = 0;
  let complete = true;
  await new Promise<void>((resolve, reject) => {
    gunzip.on('data', (c: Buffer) => {
      out.push(c);
      size += c.length;
      if (size >= limit) {
        complete = false;
        gunzip.removeAllListeners('data');
        gunzip.destroy();
        resolve();
      }
    });
    gunzip.on('end', resolve);
    gunzip.on('error', (err) => (complete ? reject(err) : resolve()));
    if (Buffer.isBuffer(source)) gunzip.end(source);
    else source.pipe(gunzip);
  });
  if (!Buffer.isBuffer(source)) source.destroy();
  const data = Buffer.concat(out);
  return { data: data.subarray(0, limit), complete: complete && data.length <= limit };
}

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
      const { data: text, complete } = await gunzipPrefix(data, SAMPLE_BYTES);
      return classifyText(text, complete, 'gzip', complete ? size : size, size);
    }
    return classifyText(data, true, 'none', size, size);
  }
  const head = await range(0, 4);
  const tail = await range(size - 4, size);
  if (isParquet(head, tail)) return classifyParquetFooter(size, range);
  if (isGzip(head)) {
    const read = await store.getObject(bucket, key);
    if (!read) return undefined;
    let consumed = 0;
    read.body.on('data', (c: Buffer) => (consumed += c.length));
    const { data, complete } = await gunzipPrefix(read.body, SAMPLE_BYTES);
    return classifyText(data, complete, 'gzip', complete ? size : Math.max(consumed, 1), size);
  }
  const data = await range(0, SAMPLE_BYTES);
  return classifyText(data, false, 'none', data.length, size);
}
