/** Request integrity for uploads: Content-MD5, flexible checksums (header or trailer), decoded-length checks. */
import { DIGEST_LENGTH, type UploadDigests } from './checksums.js';
import { StorageErrors } from './errors.js';
import type { ChecksumAlgorithm } from './model.js';

export interface IntegrityInput {
  /** Base64 Content-MD5 header. */
  readonly contentMd5?: string | undefined;
  /** Algorithm the client computed (from the x-amz-checksum-* header name, the trailer or x-amz-sdk-checksum-algorithm). */
  readonly checksumAlgorithm?: ChecksumAlgorithm | undefined;
  /** Client's checksum value; a function because trailers are known only after the body. */
  readonly checksumValue?: (() => string | undefined) | undefined;
  /** Exact number of body bytes announced (Content-Length or x-amz-decoded-content-length). */
  readonly expectedSize?: number | undefined;
  /**
   * Likely size when the exact one is not known (a body streamed as it is produced). Never checked against the body:
   * it only decides whether the body is hashed off the event loop (see OFFLOAD_HASHING_BYTES).
   */
  readonly sizeHint?: number | undefined;
}

export function validateContentMd5(value: string | undefined): void {
  if (value === undefined) return;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value) throw StorageErrors.invalidDigest(value);
}

export function validateChecksumValue(algorithm: ChecksumAlgorithm, value: string | undefined): void {
  if (value === undefined) return;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== DIGEST_LENGTH[algorithm] || raw.toString('base64') !== value) {
    throw StorageErrors.invalidRequest(`Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`);
  }
}

export interface VerifiedDigests {
  readonly md5: Buffer;
  readonly checksums: ReadonlyMap<ChecksumAlgorithm, string>;
}

/** Checks size, MD5 and the client checksum once the body has been read; throws the AWS error on mismatch. */
export async function verifyUpload(
  digesting: UploadDigests,
  size: number,
  integrity: IntegrityInput,
  extra: readonly ChecksumAlgorithm[] = [],
): Promise<VerifiedDigests> {
  if (integrity.expectedSize !== undefined && size !== integrity.expectedSize) throw StorageErrors.incompleteBody();
  const md5 = await digesting.md5();
  if (integrity.contentMd5 !== undefined && md5.toString('base64') !== integrity.contentMd5) {
    throw StorageErrors.badDigestMd5(integrity.contentMd5, md5.toString('base64'));
  }
  const checksums = new Map<ChecksumAlgorithm, string>();
  const alg = integrity.checksumAlgorithm;
  if (alg !== undefined) {
    const computed = (await digesting.checksum(alg))?.toString('base64') ?? '';
    const provided = integrity.checksumValue?.();
    if (provided === undefined) {
      throw StorageErrors.invalidRequest(
        `x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.`,
      );
    }
    validateChecksumValue(alg, provided);
    if (provided !== computed) throw StorageErrors.badDigestChecksum(alg);
    checksums.set(alg, computed);
  }
  for (const a of extra) {
    if (!checksums.has(a)) checksums.set(a, (await digesting.checksum(a))?.toString('base64') ?? '');
  }
  return { md5, checksums };
}
