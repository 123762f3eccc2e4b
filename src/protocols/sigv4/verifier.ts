/** Verifies AWS Signature V4 on incoming requests (Authorization header and presigned query), using @smithy/signature-v4 for canonicalization. */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { getCanonicalHeaders, getCanonicalQuery, getSigningKey } from '@smithy/signature-v4';
import { AuthErrors } from './auth-errors.js';

export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  readonly method: string;
  /** Path exactly as received (still percent-encoded), without the query. */
  readonly rawPath: string;
  /** Decoded query parameters in request order. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: IncomingHttpHeaders;
}

export interface CredentialStore {
  secretFor(accessKeyId: string): string | undefined;
}

export interface AuthContext {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly signingKey: Uint8Array;
  /** Signature of the request; the seed of the aws-chunked chunk signature chain. */
  readonly signature: string;
  /** The payload hash the signature covered (hex, UNSIGNED-PAYLOAD or STREAMING-*). */
  readonly payloadHash: string;
  readonly presigned: boolean;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Parses `YYYYMMDDTHHMMSSZ`. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** S3-style strict URI encoding of each byte outside A-Za-z0-9-._~ (slashes kept). */
export function strictEncodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Normalized, double-encoded path as non-S3 services canonicalize it. */
function nonS3CanonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return normalized
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function sha256Hex(s: string): string {
  return hash('sha256', s, 'hex');
}

function hmacHex(key: Uint8Array, s: string): string {
  return createHmac('sha256', key).update(s).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

interface Parsed {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
}

function parseCredential(credential: string): { accessKeyId: string; shortDate: string; region: string; service: string } | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, shortDate, region, service] = parts as [string, string, string, string];
  if (!/^\d{8}$/.test(shortDate) || accessKeyId === '' || region === '' || service === '') return undefined;
  return { accessKeyId, shortDate, region, service };
}

export class SigV4Verifier {
  /** Derived signing keys by credential and scope: one HMAC chain per day, not per request. */
  readonly #keys = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly credentials: CredentialStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  #signingKey(accessKeyId: string, secretAccessKey: string, shortDate: string, region: string, service: string): Promise<Uint8Array> {
    const cacheKey = `${accessKeyId}\0${secretAccessKey}\0${shortDate}\0${region}\0${service}`;
    let key = this.#keys.get(cacheKey);
    if (key === undefined) {
      if (this.#keys.size >= 256) this.#keys.clear();
      key = getSigningKey(Hash.bind(null, 'sha256'), { accessKeyId, secretAccessKey }, shortDate, region, service);
      this.#keys.set(cacheKey, key);
    }
    return key;
  }

  /** True when the request carries SigV4 credentials in its headers or query. */
  static isSigned(req: SignedRequest): boolean {
    return header(req.headers, 'authorization') !== undefined || req.query.some(([k]) => k === 'X-Amz-Signature' || k === 'X-Amz-Credential');
  }

  /** The credential scope's service name, without verifying anything (used for routing). */
  static scopeService(req: SignedRequest): string | undefined {
    const auth = header(req.headers, 'authorization');
    const credential = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : req.query.find(([k]) => k === 'X-Amz-Credential')?.[1];
    return credential?.split('/')[3];
  }

  /**
   * Verifies the signature. `bodySha256` (hex) is needed for services whose clients sign the body hash
   * without sending x-amz-content-sha256 (every JSON-protocol service called from botocore).
   */
  async verify(req: SignedRequest, bodySha256?: string): Promise<AuthContext> {
    const parsed = header(req.headers, 'authorization') !== undefined ? this.#parseHeader(req) : this.#parseQuery(req);
    if (parsed.payloadHash === '') parsed.payloadHash = bodySha256 ?? sha256Hex('');
    const secret = this.credentials.secretFor(parsed.accessKeyId);
    if (secret === undefined) throw AuthErrors.invalidAccessKeyId(parsed.accessKeyId);

    const signingKey = await this.#signingKey(parsed.accessKeyId, secret, parsed.shortDate, parsed.region, parsed.service);
    const scope = `${parsed.shortDate}/${parsed.region}/${parsed.service}/aws4_request`;
    const signedSet = new Set(parsed.signedHeaders);
    const headerBag: Record<string, string> = {};
    for (const name of parsed.signedHeaders) {
      const value = header(req.headers, name);
      headerBag[name] = value ?? '';
    }
    const canonicalHeaders = getCanonicalHeaders({ headers: headerBag } as never, undefined, signedSet);
    const headerBlock = parsed.signedHeaders.map((n) => `${n}:${canonicalHeaders[n] ?? ''}\n`).join('');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of req.query) {
      if (k === 'X-Amz-Signature') continue;
      const existing = query[k];
      query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
    }
    const canonicalQuery = getCanonicalQuery({ query } as never);

    // S3 signs the path as sent; a client that escapes differently is retried with the strict form (only on mismatch).
    const raw = req.rawPath || '/';
    const candidates = function* (): Generator<string> {
      if (parsed.service !== 's3') {
        yield nonS3CanonicalPath(raw);
        return;
      }
      yield raw;
      const strict = strictEncodePath(safeDecode(raw));
      if (strict !== raw) yield strict;
    };
    let canonicalRequest = '';
    let stringToSign = '';
    for (const path of candidates()) {
      canonicalRequest = [
        req.method,
        path,
        canonicalQuery,
        headerBlock,
        parsed.signedHeaders.join(';'),
        parsed.payloadHash,
      ].join('\n');
      stringToSign = [ALGORITHM, parsed.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
      if (sameHex(hmacHex(signingKey, stringToSign), parsed.signature)) {
        return {
          accessKeyId: parsed.accessKeyId,
          region: parsed.region,
          service: parsed.service,
          amzDate: parsed.amzDate,
          scope,
          signingKey,
          signature: parsed.signature,
          payloadHash: parsed.payloadHash,
          presigned: parsed.presigned,
        };
      }
    }
    throw AuthErrors.signatureDoesNotMatch(parsed.accessKeyId, stringToSign, parsed.signature, canonicalRequest);
  }

  #parseHeader(req: SignedRequest): Parsed {
    const auth = header(req.headers, 'authorization') ?? '';
    if (!auth.startsWith(`${ALGORITHM} `)) throw AuthErrors.unsupportedType();
    const fields = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (credential === undefined || signedHeaders === undefined || signature === undefined) {
      throw AuthErrors.headerMalformed('incorrect format');
    }
    const cred = parseCredential(credential);
    if (!cred) throw AuthErrors.headerMalformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
    const amzDate = header(req.headers, 'x-amz-date');
    const date = amzDate !== undefined ? parseAmzDate(amzDate) : undefined;
    if (amzDate === undefined || date === undefined) throw AuthErrors.missing();
    if (amzDate.slice(0, 8) !== cred.shortDate) {
      throw AuthErrors.headerMalformed(`the date '${cred.shortDate}' in the credential scope does not match x-amz-date`);
    }
    const now = this.now();
    if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
      throw AuthErrors.timeTooSkewed(amzDate, toAmzDate(now));
    }
    let payloadHash = header(req.headers, 'x-amz-content-sha256');
    if (payloadHash === undefined) {
      if (cred.service === 's3') throw AuthErrors.missingContentSha256();
      payloadHash = '';
    } else if (!/^[0-9a-f]{64}$/.test(payloadHash) && payloadHash !== 'UNSIGNED-PAYLOAD' && !payloadHash.startsWith('STREAMING-')) {
      throw AuthErrors.invalidContentSha256();
    }
    return {
      ...cred,
      signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
      signature,
      amzDate,
      payloadHash,
      presigned: false,
    };
  }

  #parseQuery(req: SignedRequest): Parsed {
    const q = new Map(req.query.map(([k, v]) => [k, v] as const));
    const algorithm = q.get('X-Amz-Algorithm');
    const credential = q.get('X-Amz-Credential');
    const amzDate = q.get('X-Amz-Date');
    const expires = q.get('X-Amz-Expires');
    const signedHeaders = q.get('X-Amz-SignedHeaders');
    const signature = q.get('X-Amz-Signature');
    if (
      algorithm === undefined ||
      credential === undefined ||
      amzDate === undefined ||
      expires === undefined ||
      signedHeaders === undefined ||
      signature === undefined
    ) {
      throw AuthErrors.queryParamsMissing();
    }
    if (algorithm !== ALGORITHM) throw AuthErrors.queryParamsMissing();
    const cred = parseCredential(credential);
    if (!cred) throw AuthErrors.queryCredentialMalformed();
    if (!/^\d+$/.test(expires)) throw AuthErrors.expiresInvalid();
    const expiresSec = Number(expires);
    if (expiresSec > 604800) throw AuthErrors.expiresTooLarge();
    const date = parseAmzDate(amzDate);
    if (!date) throw AuthErrors.queryParamsMissing();
    const now = this.now();
    if (date.getTime() - now.getTime() > MAX_SKEW_MS) throw AuthErrors.notYetValid();
    const expiresAt = new Date(date.getTime() + expiresSec * 1000);
    if (now.getTime() > expiresAt.getTime()) {
      throw AuthErrors.expired(expires, expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
    const signed = signedHeaders.split(';').map((h) => h.trim().toLowerCase());
    const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
    if (unsigned.length > 0) throw AuthErrors.headersNotSigned(unsigned.join(', '));
    const payloadHash = q.get('X-Amz-Content-Sha256') ?? header(req.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
    return { ...cred, signedHeaders: signed, signature, amzDate, payloadHash, presigned: true };
  }
}

/** Signature of one aws-chunked chunk, chained from the previous signature. */
export function chunkSignature(ctx: AuthContext, previous: string, chunkSha256Hex: string): string {
  const stringToSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    ctx.amzDate,
    ctx.scope,
    previous,
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    chunkSha256Hex,
  ].join('\n');
  return hmacHex(ctx.signingKey, stringToSign);
}

/** Signature of the trailing headers block of a signed aws-chunked upload. */
export function trailerSignature(ctx: AuthContext, previous: string, trailerBlock: string): string {
  const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', ctx.amzDate, ctx.scope, previous, sha256Hex(trailerBlock)].join('\n');
  return hmacHex(ctx.signingKey, stringToSign);
}

export { sameHex };
