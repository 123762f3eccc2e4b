/** Compressor stage: the object encodings Firehose writes (gzip, zip, snappy-java, hadoop-snappy), with extensions and Content-Encoding. */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { createGzip, gzip } from 'node:zlib';
import { compress as snappyBlock } from 'snappy';
import yazl from 'yazl';
import type { GzipWorker } from './gzip-worker.js';

const gzipAsync = promisify(gzip);

export interface Compressor {
  readonly format: string;
  /** Default file extension (FileExtension overrides it). */
  readonly extension: string;
  readonly contentEncoding: string | undefined;
  compress(data: Buffer): Promise<Buffer>;
  /** Streaming form, when the format allows it: the object is never held whole in memory. */
  stream?(source: AsyncIterable<Buffer>): Readable;
}

function gzipStream(source: AsyncIterable<Buffer>, level: number): Readable {
  const input = Readable.from(source);
  const gz = createGzip({ level });
  input.once('error', (err) => gz.destroy(err));
  return input.pipe(gz);
}

function blocks(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** xerial snappy-java stream: 16-byte header (magic, version 1, compatible version 1), then length-prefixed 32 KiB blocks. */
const SNAPPY_JAVA_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);

async function snappyJava(data: Buffer): Promise<Buffer> {
  const compressed = await Promise.all(blocks(data, 32 * 1024).map((b) => snappyBlock(b)));
  return Buffer.concat([SNAPPY_JAVA_MAGIC, ...compressed.flatMap((c) => [u32(c.length), c])]);
}

/** Hadoop BlockCompressorStream: per 256 KiB block, the uncompressed length, then one length-prefixed compressed chunk. */
async function hadoopSnappy(data: Buffer): Promise<Buffer> {
  const parts = blocks(data, 256 * 1024);
  const compressed = await Promise.all(parts.map((b) => snappyBlock(b)));
  return Buffer.concat(compressed.flatMap((c, i) => [u32(parts[i]!.length), u32(c.length), c]));
}

/** A zip archive holding one deflated entry named by a UUID, as Firehose writes it. */
function zipArchive(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(data, randomUUID(), { compress: true });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export interface CompressionOptions {
  /** zlib level for GZIP (1–9). */
  readonly gzipLevel: number;
  /** Where GZIP runs when set: a worker thread, off the event loop that takes puts. */
  readonly gzipWorker?: GzipWorker | undefined;
}

const compressors = (o: CompressionOptions): readonly Compressor[] => [
  { format: 'UNCOMPRESSED', extension: '', contentEncoding: undefined, compress: async (data) => data, stream: (source) => Readable.from(source) },
  {
    format: 'GZIP',
    extension: '.gz',
    contentEncoding: 'gzip',
    compress: (data) => gzipAsync(data, { level: o.gzipLevel }),
    stream: (source) => gzipStream(source, o.gzipLevel),
  },
  { format: 'ZIP', extension: '.zip', contentEncoding: 'zip', compress: zipArchive },
  { format: 'Snappy', extension: '.snappy', contentEncoding: 'snappy-java', compress: snappyJava },
  { format: 'HADOOP_SNAPPY', extension: '.snappy', contentEncoding: 'hadoop-snappy', compress: hadoopSnappy },
];

export function compressorFor(format: string, options: CompressionOptions): Compressor {
  const c = compressors(options).find((x) => x.format === format);
  if (!c) throw new Error(`no compressor for ${format}`);
  return c;
}
