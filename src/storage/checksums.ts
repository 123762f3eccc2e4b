/** Streaming digests for S3 integrity checks: MD5 for ETags and the flexible checksums CRC32, CRC32C, CRC64NVME, SHA1, SHA256. */
import { createHash, hash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { HashWorker, OFFLOAD_HASHING_BYTES, type HashAlgorithm, type HashJob } from '../shared/hash-worker.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './model.js';

export interface Hasher {
  update(data: Buffer): void;
  digest(): Promise<Buffer>;
}

class Crc32Hasher implements Hasher {
  #value = 0;
  update(data: Buffer): void {
    this.#value = crc32(data, this.#value);
  }
  async digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.#value >>> 0);
    return out;
  }
}

class Crc32cHasher implements Hasher {
  readonly #crc = new Crc32c();
  update(data: Buffer): void {
    this.#crc.update(data);
  }
  async digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.#crc.digest() >>> 0);
    return out;
  }
}

class Crc64Hasher implements Hasher {
  readonly #crc = new Crc64Nvme();
  update(data: Buffer): void {
    this.#crc.update(data);
  }
  async digest(): Promise<Buffer> {
    return Buffer.from(await this.#crc.digest());
  }
}

class NodeHasher implements Hasher {
  readonly #hash: Hash;
  constructor(algorithm: string) {
    this.#hash = createHash(algorithm);
  }
  update(data: Buffer): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Buffer> {
    return this.#hash.digest();
  }
}

export function createHasher(algorithm: ChecksumAlgorithm | 'MD5'): Hasher {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Hasher();
    case 'CRC32C':
      return new Crc32cHasher();
    case 'CRC64NVME':
      return new Crc64Hasher();
    case 'SHA1':
      return new NodeHasher('sha1');
    case 'SHA256':
      return new NodeHasher('sha256');
    case 'MD5':
      return new NodeHasher('md5');
  }
}

/** Digest length in bytes, used to validate client-sent values. */
export const DIGEST_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const upper = value.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

export async function digestOf(algorithm: ChecksumAlgorithm | 'MD5', data: Buffer): Promise<Buffer> {
  const h = createHasher(algorithm);
  h.update(data);
  return h.digest();
}

const WORKER_NAMES: Readonly<Record<ChecksumAlgorithm, HashAlgorithm>> = {
  CRC32: 'crc32',
  CRC32C: 'crc32c',
  CRC64NVME: 'crc64nvme',
  SHA1: 'sha1',
  SHA256: 'sha256',
};

/** The digests of an uploaded body, asked for once it has been read: MD5 (the ETag) and the checksums it was asked for. */
export interface UploadDigests {
  md5(): Promise<Buffer>;
  /** Undefined for an algorithm not asked for. */
  checksum(algorithm: ChecksumAlgorithm): Promise<Buffer | undefined>;
}

/** Digests of a body held whole in memory (a small upload), computed when asked for, without a stream. */
export class BufferDigests implements UploadDigests {
  constructor(
    private readonly data: Buffer,
    private readonly algorithms: readonly ChecksumAlgorithm[],
  ) {}

  async md5(): Promise<Buffer> {
    return hash('md5', this.data, 'buffer');
  }

  async checksum(algorithm: ChecksumAlgorithm): Promise<Buffer | undefined> {
    return this.algorithms.includes(algorithm) ? digestOf(algorithm, this.data) : undefined;
  }
}

/**
 * Pass-through stream that computes MD5 and optional checksums of the bytes flowing through it: on this thread,
 * or in the hash worker thread when the body is known to be large (`sizeHint` ≥ OFFLOAD_HASHING_BYTES).
 */
export class DigestingStream extends Transform implements UploadDigests {
  readonly #md5: Hash | undefined;
  readonly #checksums = new Map<ChecksumAlgorithm, Hasher>();
  readonly #job: HashJob | undefined;
  #offloaded: Promise<Map<HashAlgorithm, Buffer>> | undefined;
  bytes = 0;

  constructor(
    private readonly algorithms: Iterable<ChecksumAlgorithm>,
    sizeHint?: number,
  ) {
    super({ highWaterMark: 256 * 1024 });
    if (sizeHint !== undefined && sizeHint >= OFFLOAD_HASHING_BYTES) {
      this.#job = HashWorker.shared.open(['md5', ...[...algorithms].map((a) => WORKER_NAMES[a])]);
    } else {
      this.#md5 = createHash('md5');
      for (const a of algorithms) this.#checksums.set(a, createHasher(a));
    }
    // The consumer (a store staging the bytes) may attach only after an await; an error raised
    // before that (bad payload hash, aborted upload) must not crash the process as an unhandled
    // 'error' event. The consumer still sees it: reading an errored stream rejects with the error.
    this.on('error', () => undefined);
  }

  /** A DigestingStream fed from `source`, propagating errors `source` raised before or after this call. */
  static pipedFrom(source: Readable, algorithms: Iterable<ChecksumAlgorithm>, sizeHint?: number): DigestingStream {
    const digesting = new DigestingStream(algorithms, sizeHint);
    if (source.errored) {
      digesting.destroy(source.errored);
      return digesting;
    }
    source.on('error', (err) => digesting.destroy(err));
    source.pipe(digesting);
    return digesting;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.#job) {
      this.#job.update(chunk).then(
        () => cb(null, chunk),
        (err: unknown) => cb(err as Error),
      );
      return;
    }
    this.#md5!.update(chunk);
    for (const h of this.#checksums.values()) h.update(chunk);
    cb(null, chunk);
  }

  /** An offloaded job is closed as soon as the body ends, whether or not anyone asks for its digests. */
  override _flush(cb: TransformCallback): void {
    if (this.#job) this.#fromWorker().catch(() => undefined);
    cb();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.writableFinished) this.#job?.abort();
    cb(err);
  }

  /** Every digest of an offloaded body, asked for once the body has gone through. */
  #fromWorker(): Promise<Map<HashAlgorithm, Buffer>> {
    this.#offloaded ??= this.#job!.digest();
    return this.#offloaded;
  }

  async md5(): Promise<Buffer> {
    if (this.#job) return (await this.#fromWorker()).get('md5')!;
    return this.#md5!.digest();
  }

  async checksum(algorithm: ChecksumAlgorithm): Promise<Buffer | undefined> {
    if (this.#job) return [...this.algorithms].includes(algorithm) ? (await this.#fromWorker()).get(WORKER_NAMES[algorithm]) : undefined;
    return this.#checksums.get(algorithm)?.digest();
  }
}
