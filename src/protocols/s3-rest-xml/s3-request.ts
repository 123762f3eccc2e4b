/** S3 request addressing (path-style and virtual-hosted-style) and the dispatch table from method + target + sub-resource to operation. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ServiceError } from '../../shared/service-error.js';
import { StorageErrors } from '../../storage/errors.js';
import type { AuthContext } from '../sigv4/verifier.js';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'ListMultipartUploads'
  | 'ListObjectsV2'
  | 'ListObjects'
  | 'DeleteObjects'
  | 'UploadPartCopy'
  | 'UploadPart'
  | 'PutObjectTagging'
  | 'CopyObject'
  | 'PutObject'
  | 'ListParts'
  | 'GetObjectTagging'
  | 'GetObject'
  | 'HeadObject'
  | 'AbortMultipartUpload'
  | 'DeleteObjectTagging'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'CompleteMultipartUpload';

export interface S3Request {
  readonly operation: S3Operation;
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly query: ReadonlyMap<string, string>;
  readonly headers: IncomingHttpHeaders;
  /** Body after aws-chunked decoding and payload-hash verification. */
  readonly body: Readable;
  /** Trailing headers of an aws-chunked body (complete once the body has ended). */
  readonly trailers: () => ReadonlyMap<string, string>;
  /** Exact body length announced by the client, if any. */
  readonly contentLength: number | undefined;
  readonly auth: AuthContext;
  readonly requestId: string;
  readonly region: string;
}

export interface S3Response {
  readonly status: number;
  readonly headers?: Record<string, string | number | undefined>;
  readonly body?: string | Buffer | Readable | undefined;
}

export interface Addressing {
  readonly bucket: string;
  readonly key: string;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw StorageErrors.invalidArgument('Invalid URI encoding in request path');
  }
}

/** Splits the target into bucket and key without normalizing the path (`a//b`, `../` are real keys). */
export function resolveAddressing(host: string | undefined, rawPath: string, baseDomains: readonly string[]): Addressing {
  const path = decodePath(rawPath);
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  // Longest base domain first: with both `localhost` and `s3.localhost` configured, the host
  // `bkt.s3.localhost` is bucket `bkt` on `s3.localhost`, not bucket `bkt.s3` on `localhost`.
  for (const base of [...baseDomains].sort((a, b) => b.length - a.length)) {
    if (hostname.endsWith(`.${base}`)) {
      const bucket = hostname.slice(0, -(base.length + 1));
      if (bucket !== '' && bucket !== 's3') return { bucket, key: path.startsWith('/') ? path.slice(1) : path };
    }
  }
  const rest = path.startsWith('/') ? path.slice(1) : path;
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, key: '' };
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'policy',
  'cors',
  'lifecycle',
  'encryption',
  'object-lock',
  'attributes',
  'website',
  'logging',
  'replication',
  'notification',
  'ownershipControls',
  'publicAccessBlock',
  'accelerate',
  'requestPayment',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
  'legal-hold',
  'retention',
  'restore',
  'select',
  'torrent',
  'versions',
  'policyStatus',
];

/** The dispatch table of the S3 digest §1.4, checked top-down. */
export function resolveOperation(method: string, addr: Addressing, query: ReadonlyMap<string, string>, headers: IncomingHttpHeaders): S3Operation {
  const has = (name: string): boolean => query.has(name);
  if (addr.bucket === '') {
    if (method === 'GET') return 'ListBuckets';
    throw methodNotAllowed(method, 'SERVICE');
  }
  const isObject = addr.key !== '';
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((s) => has(s));
  if (unsupported !== undefined && !(unsupported === 'versions' && isObject)) {
    if (!(method === 'GET' && unsupported === 'versioning')) {
      throw StorageErrors.notImplemented(`The ${unsupported} sub-resource is not implemented by Lakebox yet.`);
    }
  }
  if (!isObject) {
    if (has('tagging')) throw StorageErrors.notImplemented('Bucket tagging is not implemented by Lakebox yet.');
    switch (method) {
      case 'PUT':
        if (has('versioning')) throw StorageErrors.notImplemented('Bucket versioning is not implemented by Lakebox yet.');
        return 'CreateBucket';
      case 'DELETE':
        return 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'GET':
        if (has('location')) return 'GetBucketLocation';
        if (has('versioning')) return 'GetBucketVersioning';
        if (has('uploads')) return 'ListMultipartUploads';
        if (query.get('list-type') === '2') return 'ListObjectsV2';
        return 'ListObjects';
      case 'POST':
        if (has('delete')) return 'DeleteObjects';
        throw StorageErrors.notImplemented('Browser-based POST uploads are not implemented by Lakebox yet.');
      default:
        throw methodNotAllowed(method, 'BUCKET');
    }
  }
  const copySource = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'PUT':
      if (has('partNumber') && has('uploadId')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      if (has('tagging')) return 'PutObjectTagging';
      return copySource ? 'CopyObject' : 'PutObject';
    case 'GET':
      if (has('uploadId')) return 'ListParts';
      if (has('tagging')) return 'GetObjectTagging';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      throw methodNotAllowed(method, 'OBJECT');
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}

function methodNotAllowed(method: string, resourceType: string): ServiceError {
  return new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: method,
    ResourceType: resourceType,
  });
}
