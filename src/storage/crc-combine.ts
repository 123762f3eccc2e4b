/** CRC combination (zlib's crc32_combine generalized to reflected 32- and 64-bit CRCs): crc(A‖B) from crc(A), crc(B) and |B|. */
import type { ChecksumAlgorithm } from './model.js';

interface CrcParams {
  readonly width: bigint;
  readonly poly: bigint; // reflected polynomial
}

const PARAMS: Partial<Record<ChecksumAlgorithm, CrcParams>> = {
  CRC32: { width: 32n, poly: 0xedb88320n },
  CRC32C: { width: 32n, poly: 0x82f63b78n },
  CRC64NVME: { width: 64n, poly: 0x9a6c9329ac4bc9b5n },
};

function multModP(p: CrcParams, a: bigint, b: bigint): bigint {
  let m = 1n << (p.width - 1n);
  let prod = 0n;
  for (;;) {
    if ((a & m) !== 0n) {
      prod ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ p.poly : b >> 1n;
  }
  return prod;
}

const tables = new Map<ChecksumAlgorithm, bigint[]>();

function x2nTable(alg: ChecksumAlgorithm, p: CrcParams): bigint[] {
  let t = tables.get(alg);
  if (!t) {
    t = [1n << (p.width - 2n)];
    for (let k = 1; k < 64; k++) t.push(multModP(p, t[k - 1]!, t[k - 1]!));
    tables.set(alg, t);
  }
  return t;
}

/** x^(2^k * n) mod p, i.e. the operator that appends n zero bytes (k = 3). */
function x2nModP(alg: ChecksumAlgorithm, p: CrcParams, n: bigint, k: number): bigint {
  const t = x2nTable(alg, p);
  let r = 1n << (p.width - 1n);
  while (n > 0n) {
    if ((n & 1n) !== 0n) r = multModP(p, t[k & 63]!, r);
    n >>= 1n;
    k++;
  }
  return r;
}

export function supportsCombine(alg: ChecksumAlgorithm): boolean {
  return PARAMS[alg] !== undefined;
}

/** Combines big-endian CRC digests. */
export function combineCrc(alg: ChecksumAlgorithm, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  const p = PARAMS[alg];
  if (!p) throw new Error(`${alg} cannot be combined`);
  const a = BigInt(`0x${crcA.toString('hex')}`);
  const b = BigInt(`0x${crcB.toString('hex')}`);
  const combined = multModP(p, x2nModP(alg, p, BigInt(lengthB), 3), a) ^ b;
  const bytes = Number(p.width / 8n);
  return Buffer.from(combined.toString(16).padStart(bytes * 2, '0'), 'hex');
}
