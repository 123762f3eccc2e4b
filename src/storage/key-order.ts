/** Helpers for UTF-8 byte ordering of object keys. */

/** Smallest byte string greater than every string starting with `prefix`; undefined if none exists. */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] !== 0xff) {
      b[i] = (b[i] ?? 0) + 1;
      return b.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** Compares keys by their UTF-8 bytes, as S3 orders them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
