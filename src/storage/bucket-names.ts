/** S3 general-purpose bucket naming rules and key length rules. */
import { StorageErrors } from './errors.js';

const BUCKET_RE = /^(?=.{3,63}$)(?!(\d+\.)+\d+$)(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  if (!BUCKET_RE.test(name) || name.includes('..')) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

export function assertValidBucketName(name: string): void {
  if (!isValidBucketName(name)) throw StorageErrors.invalidBucketName(name);
}

export const MAX_KEY_BYTES = 1024;

export function assertValidKey(key: string): void {
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) throw StorageErrors.keyTooLong(size);
  if (size === 0) throw StorageErrors.invalidArgument('Object key must not be empty', 'key', '');
}
