/** Compressor stage: the object encodings Firehose writes, with their file extensions and Content-Encoding. */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface Compressor {
  readonly format: string;
  /** Default file extension (FileExtension overrides it). */
  readonly extension: string;
  readonly contentEncoding: string | undefined;
  compress(data: Buffer): Promise<Buffer>;
}

const uncompressed: Compressor = {
  format: 'UNCOMPRESSED',
  extension: '',
  contentEncoding: undefined,
  compress: async (data) => data,
};

const gzipCompressor: Compressor = {
  format: 'GZIP',
  extension: '.gz',
  contentEncoding: 'gzip',
  compress: (data) => gzipAsync(data),
};

const COMPRESSORS = new Map<string, Compressor>([
  ['UNCOMPRESSED', uncompressed],
  ['GZIP', gzipCompressor],
]);

export function compressorFor(format: string): Compressor {
  const c = COMPRESSORS.get(format);
  if (!c) throw new Error(`no compressor for ${format}`);
  return c;
}
