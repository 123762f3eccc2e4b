/**
 * Legacy SigV2 query-string authentication for S3 presigned URLs (AWSAccessKeyId, Signature, Expires).
 * boto3's generate_presigned_url and `aws s3 presign` still produce these in us-east-1 unless s3v4 is
 * configured, and S3 accepts them; headers-based SigV2 is not accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthErrors } from './auth-errors.js';
import type { AuthContext, CredentialStore, SignedRequest } from './verifier.js';

/** Sub-resources and overrides that are part of the SigV2 canonical resource. */
const SUBRESOURCES = new Set([
  'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy',
  'requestPayment', 'restore', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning',
  'versions', 'website', 'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'response-content-language', 'response-content-type', 'response-expires', 'select', 'select-type',
]);

export function isSigV2Presigned(req: SignedRequest): boolean {
  const names = new Set(req.query.map(([k]) => k));
  return names.has('AWSAccessKeyId') && names.has('Signature') && names.has('Expires');
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/**
 * Verifies a SigV2 presigned request. `resourcePath` is `/bucket/key` as the client encoded it
 * (for virtual-hosted requests the bucket is prepended to the raw path).
 */
export function verifySigV2Presigned(req: SignedRequest, resourcePath: string, credentials: CredentialStore, now: Date): AuthContext {
  const q = new Map(req.query.map(([k, v]) => [k, v] as const));
  const accessKeyId = q.get('AWSAccessKeyId') ?? '';
  const signature = q.get('Signature') ?? '';
  const expires = q.get('Expires') ?? '';
  const secret = credentials.secretFor(accessKeyId);
  if (secret === undefined) throw AuthErrors.invalidAccessKeyId(accessKeyId);
  if (!/^\d+$/.test(expires)) throw AuthErrors.missing();
  if (now.getTime() / 1000 > Number(expires)) {
    const at = new Date(Number(expires) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    throw AuthErrors.expired(expires, at, now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  const amz = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${header(req.headers, h).trim()}\n`)
    .join('');
  const sub = req.query
    .filter(([k]) => SUBRESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = `${resourcePath}${sub.length > 0 ? `?${sub.join('&')}` : ''}`;
  const stringToSign = [req.method, header(req.headers, 'content-md5'), header(req.headers, 'content-type'), expires, `${amz}${resource}`].join('\n');
  const expected = createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw AuthErrors.signatureDoesNotMatch(accessKeyId, stringToSign, signature, '');
  }
  return {
    accessKeyId,
    region: 'us-east-1',
    service: 's3',
    amzDate: '',
    scope: '',
    signingKey: new Uint8Array(),
    signature,
    payloadHash: 'UNSIGNED-PAYLOAD',
    presigned: true,
  };
}
