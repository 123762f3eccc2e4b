/** Reads S3 request headers into service inputs: system and user metadata, integrity, conditions; writes object headers back. */
import type { IncomingHttpHeaders } from 'node:http';
import { parseChecksumAlgorithm } from '../../storage/checksums.js';
import { StorageError, StorageErrors } from '../../storage/errors.js';
import type { IntegrityInput } from '../../storage/integrity.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type ObjectHeaders, type ObjectMeta } from '../../storage/model.js';
import type { ReadConditions, WriteConditions } from '../../storage/preconditions.js';
import type { S3Request } from './s3-request.js';
import { httpDate } from './xml.js';

export function h(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Content-Encoding without the transport-only `aws-chunked` token. */
function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}

const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER',
  'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE',
]);
/** Archive classes need restore semantics (RestoreObject, InvalidObjectState) that Lakebox does not have. */
const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** Validates x-amz-storage-class; STANDARD is stored as absent. */
function storageClass(value: string | undefined): string | undefined {
  if (value === undefined || value === 'STANDARD') return undefined;
  if (!STORAGE_CLASSES.has(value)) {
    throw new StorageError('InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: value });
  }
  if (ARCHIVE_CLASSES.has(value)) {
    throw StorageErrors.notImplemented(`The ${value} storage class needs archive restores, which Lakebox does not implement yet.`, 'x-amz-storage-class');
  }
  return value;
}

/** The only server-side encryption Lakebox answers for: SSE-S3, which S3 applies to every object by default. */
export const SSE_S3 = 'AES256';

const OBJECT_LOCK_HEADERS = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold'] as const;

/**
 * Checks the settings of an object write that Lakebox cannot store as asked, so none is silently ignored:
 * - `x-amz-server-side-encryption`: `AES256` (SSE-S3, S3's default) is what every object gets; SSE-KMS and SSE-C
 *   need keys Lakebox does not manage, so they are refused (501).
 * - `x-amz-object-lock-*`: no bucket has Object Lock, so InvalidRequest as S3 answers for such a bucket.
 * - `x-amz-website-redirect-location`: not kept, so refused (501).
 * - `x-amz-acl` / `x-amz-grant-*`: buckets behave as S3's default Object Ownership (bucket owner enforced, ACLs
 *   disabled) does: `private` and `bucket-owner-full-control` are accepted, other ACLs fail with
 *   AccessControlListNotSupported.
 */
export function checkWriteSettings(headers: IncomingHttpHeaders): void {
  const sse = h(headers, 'x-amz-server-side-encryption');
  if (sse !== undefined && sse !== SSE_S3) {
    if (sse === 'aws:kms' || sse === 'aws:kms:dsse') {
      throw StorageErrors.notImplemented(
        `Server-side encryption with AWS KMS keys (${sse}) is not implemented by Lakebox; objects are stored with SSE-S3 (AES256).`,
        'x-amz-server-side-encryption',
      );
    }
    throw StorageErrors.invalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', sse);
  }
  if (h(headers, 'x-amz-server-side-encryption-customer-algorithm') !== undefined) {
    throw StorageErrors.notImplemented(
      'Server-side encryption with customer-provided keys (SSE-C) is not implemented by Lakebox.',
      'x-amz-server-side-encryption-customer-algorithm',
    );
  }
  if (OBJECT_LOCK_HEADERS.some((n) => h(headers, n) !== undefined)) {
    // As S3 answers for a bucket created without Object Lock (Lakebox creates no other kind).
    throw StorageErrors.invalidRequest('Bucket is missing Object Lock Configuration');
  }
  if (h(headers, 'x-amz-website-redirect-location') !== undefined) {
    throw StorageErrors.notImplemented('Website redirects are not implemented by Lakebox.', 'x-amz-website-redirect-location');
  }
  const acl = h(headers, 'x-amz-acl');
  const grants = Object.keys(headers).some((name) => name.startsWith('x-amz-grant-'));
  if (grants || (acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control')) {
    throw new StorageError('AccessControlListNotSupported', 'The bucket does not allow ACLs');
  }
}

export function objectHeaders(headers: IncomingHttpHeaders): ObjectHeaders {
  checkWriteSettings(headers);
  return {
    contentType: h(headers, 'content-type') ?? 'binary/octet-stream',
    contentEncoding: storedContentEncoding(h(headers, 'content-encoding')),
    contentDisposition: h(headers, 'content-disposition'),
    contentLanguage: h(headers, 'content-language'),
    cacheControl: h(headers, 'cache-control'),
    expires: h(headers, 'expires'),
    storageClass: storageClass(h(headers, 'x-amz-storage-class')),
  };
}

export function userMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      meta[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return meta;
}

/** The one x-amz-checksum-<alg> value header sent, if any. */
function checksumHeader(headers: IncomingHttpHeaders): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const found: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = h(headers, `x-amz-checksum-${alg.toLowerCase()}`);
    if (v !== undefined) found.push({ algorithm: alg, value: v });
  }
  if (found.length > 1) {
    throw StorageErrors.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  return found[0];
}

export function integrityInput(req: S3Request): IntegrityInput {
  const headers = req.headers;
  const header = checksumHeader(headers);
  const trailer = h(headers, 'x-amz-trailer');
  const sdkAlgRaw = h(headers, 'x-amz-sdk-checksum-algorithm');
  let algorithm: ChecksumAlgorithm | undefined;
  let value: (() => string | undefined) | undefined;
  if (header) {
    algorithm = header.algorithm;
    value = () => header.value;
  } else if (trailer !== undefined && trailer.toLowerCase().startsWith('x-amz-checksum-')) {
    const alg = parseChecksumAlgorithm(trailer.toLowerCase().slice('x-amz-checksum-'.length));
    if (alg === undefined) throw StorageErrors.invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    algorithm = alg;
    const name = trailer.toLowerCase();
    value = () => req.trailers().get(name);
  } else if (sdkAlgRaw !== undefined) {
    algorithm = parseChecksumAlgorithm(sdkAlgRaw);
    if (algorithm === undefined) {
      throw StorageErrors.invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
    value = () => undefined;
  }
  return {
    contentMd5: h(headers, 'content-md5'),
    checksumAlgorithm: algorithm,
    checksumValue: value,
    expectedSize: req.contentLength,
  };
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function readConditions(headers: IncomingHttpHeaders, prefix = ''): ReadConditions {
  return {
    ifMatch: h(headers, `${prefix}if-match`),
    ifNoneMatch: h(headers, `${prefix}if-none-match`),
    ifModifiedSince: parseDate(h(headers, `${prefix}if-modified-since`)),
    ifUnmodifiedSince: parseDate(h(headers, `${prefix}if-unmodified-since`)),
  };
}

export function writeConditions(headers: IncomingHttpHeaders): WriteConditions {
  return { ifMatch: h(headers, 'if-match'), ifNoneMatch: h(headers, 'if-none-match') };
}

export function checksumAlgorithmHeader(headers: IncomingHttpHeaders, name: string): ChecksumAlgorithm | undefined {
  const raw = h(headers, name);
  if (raw === undefined) return undefined;
  const alg = parseChecksumAlgorithm(raw);
  if (alg === undefined) throw StorageErrors.invalidRequest(`Value for ${name} header is invalid.`);
  return alg;
}

export const quote = (etag: string): string => `"${etag}"`;

/** Response headers describing a stored object (GET/HEAD). */
export function objectResponseHeaders(meta: ObjectMeta): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {
    ETag: quote(meta.etag),
    'Last-Modified': httpDate(meta.lastModified),
    'Content-Type': meta.headers.contentType,
    'Content-Encoding': meta.headers.contentEncoding,
    'Content-Disposition': meta.headers.contentDisposition,
    'Content-Language': meta.headers.contentLanguage,
    'Cache-Control': meta.headers.cacheControl,
    Expires: meta.headers.expires,
    'Accept-Ranges': 'bytes',
    'x-amz-storage-class': meta.headers.storageClass,
    'x-amz-server-side-encryption': SSE_S3,
    'x-amz-tagging-count': meta.tags.length > 0 ? meta.tags.length : undefined,
  };
  for (const [k, v] of Object.entries(meta.userMetadata)) out[`x-amz-meta-${k}`] = v;
  return out;
}

const OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

export function applyResponseOverrides(query: ReadonlyMap<string, string>, headers: Record<string, string | number | undefined>): void {
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const v = query.get(param);
    if (v === undefined) continue;
    if (!/^[\u0000-\u00ff]*$/.test(v)) {
      throw StorageErrors.invalidArgument('Header value cannot be represented using ISO-8859-1.', header, v);
    }
    headers[header] = v;
  }
}
