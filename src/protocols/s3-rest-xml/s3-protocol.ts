/** S3 REST-XML protocol entry: turns an authenticated HTTP request into an S3 operation, runs it, writes the response or the error document. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { StorageErrors } from '../../storage/errors.js';
import { AwsChunkedDecoder } from '../sigv4/aws-chunked-decoder.js';
import { PayloadHashVerifier } from '../sigv4/payload-hash-verifier.js';
import type { AuthContext } from '../sigv4/verifier.js';
import * as buckets from './bucket-handlers.js';
import { h } from './header-input.js';
import * as multipart from './multipart-handlers.js';
import * as objects from './object-handlers.js';
import type { S3Context } from './s3-context.js';
import { onRequestFailure, smallBody, SMALL_BODY_BYTES } from './small-body.js';
import { WholeBody } from '../../storage/whole-body.js';
import { toS3Error } from './s3-errors.js';
import { resolveAddressing, resolveOperation, type S3Operation, type S3Request, type S3Response } from './s3-request.js';

type Handler = (ctx: S3Context, req: S3Request) => Promise<S3Response>;

const HANDLERS: Readonly<Record<S3Operation, Handler>> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  DeleteBucket: buckets.deleteBucket,
  HeadBucket: buckets.headBucket,
  GetBucketLocation: buckets.getBucketLocation,
  GetBucketVersioning: buckets.getBucketVersioning,
  ListObjectsV2: buckets.listObjectsV2,
  ListObjects: buckets.listObjectsV1,
  DeleteObjects: buckets.deleteObjects,
  ListMultipartUploads: multipart.listMultipartUploads,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: multipart.uploadPartCopy,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListParts: multipart.listParts,
  PutObject: objects.putObject,
  GetObject: objects.getObject,
  HeadObject: objects.headObject,
  DeleteObject: objects.deleteObject,
  CopyObject: objects.copyObject,
  GetObjectTagging: objects.getObjectTagging,
  PutObjectTagging: objects.putObjectTagging,
  DeleteObjectTagging: objects.deleteObjectTagging,
};

export interface S3ProtocolOptions {
  readonly baseDomains: readonly string[];
  readonly region: string;
}

export interface ParsedUrl {
  readonly rawPath: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

/** Builds the decoded request body: aws-chunked decoding, signed-payload verification, abort detection. */
export function requestBody(req: IncomingMessage, auth: AuthContext): { body: Readable; trailers: () => ReadonlyMap<string, string>; length: number | undefined } {
  const payload = auth.payloadHash;
  const encoding = h(req.headers, 'content-encoding') ?? '';
  const chunked = payload.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/i.test(encoding);
  if (!chunked) {
    const cl = h(req.headers, 'content-length');
    const length = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
    const signed = /^[0-9a-f]{64}$/.test(payload);
    if (length !== undefined && length <= SMALL_BODY_BYTES && (signed || payload === 'UNSIGNED-PAYLOAD')) {
      return { body: smallBody(req, signed ? payload : undefined), trailers: () => new Map(), length };
    }
  }
  const source = new PassThrough({ highWaterMark: 256 * 1024 });
  // Handlers attach to the body only when (and if) they read it; until then an error here (client
  // abort, payload-hash mismatch, bad chunk signature) must not be an unhandled 'error' event that
  // kills the process. Readers still get it: consuming an errored stream rejects with its error.
  const ignore = (): void => undefined;
  source.on('error', ignore);
  onRequestFailure(req, (err) => source.destroy(err));
  req.pipe(source);
  if (chunked) {
    const decoded = h(req.headers, 'x-amz-decoded-content-length');
    const decoder = new AwsChunkedDecoder(auth, payload);
    decoder.on('error', ignore);
    source.on('error', (err) => decoder.destroy(err));
    source.pipe(decoder);
    if (decoded !== undefined && !/^\d+$/.test(decoded)) throw StorageErrors.missingContentLength();
    return { body: decoder, trailers: () => decoder.trailers, length: decoded === undefined ? undefined : Number(decoded) };
  }
  const cl = h(req.headers, 'content-length');
  const length = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
  if (/^[0-9a-f]{64}$/.test(payload)) {
    const verifier = new PayloadHashVerifier(payload, length);
    verifier.on('error', ignore);
    source.on('error', (err) => verifier.destroy(err));
    source.pipe(verifier);
    return { body: verifier, trailers: () => new Map(), length };
  }
  return { body: source, trailers: () => new Map(), length };
}

/** Headers naming the account a request expects to own its bucket (and, for copies, the source bucket). */
const OWNER_HEADERS = ['x-amz-expected-bucket-owner', 'x-amz-source-expected-bucket-owner'] as const;

/**
 * After the response is written, drains a request body that nobody read (the request failed before
 * its body mattered, e.g. NoSuchBucket). The client was already sent `100 Continue`, so it writes the
 * whole body before reading the answer; left unread, the body would fill the socket buffers and both
 * sides would wait for each other until a timeout.
 */
function discardUnreadBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  req.unpipe();
  req.resume();
}

export class S3Protocol {
  constructor(
    private readonly ctx: S3Context,
    private readonly options: S3ProtocolOptions,
  ) {}

  /** Resolves the operation name early (for logs and metrics); throws S3 errors for unsupported requests. */
  operationOf(req: IncomingMessage, url: ParsedUrl): { operation: S3Operation; bucket: string; key: string } {
    const addr = resolveAddressing(h(req.headers, 'host'), url.rawPath, this.options.baseDomains);
    const query = new Map(url.query.map(([k, v]) => [k, v] as const));
    return { operation: resolveOperation(req.method ?? 'GET', addr, query, req.headers), ...addr };
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: ParsedUrl,
    auth: AuthContext,
    requestId: string,
    target: { operation: S3Operation; bucket: string; key: string },
  ): Promise<number> {
    try {
      const query = new Map<string, string>();
      for (const [k, v] of url.query) if (!query.has(k)) query.set(k, v);
      // Presigned URLs carry x-amz-* request headers in the query string.
      const headers = auth.presigned ? { ...req.headers } : req.headers;
      if (auth.presigned) {
        for (const [k, v] of url.query) {
          const lower = k.toLowerCase();
          if (lower.startsWith('x-amz-') && !lower.startsWith('x-amz-signature') && headers[lower] === undefined) headers[lower] = v;
        }
      }
      // The body pipeline (decoding, hash verification) is built only for handlers that read it.
      let prepared: ReturnType<typeof requestBody> | undefined;
      const body = (): ReturnType<typeof requestBody> => (prepared ??= requestBody(req, auth));
      const s3req: S3Request = {
        operation: target.operation,
        method: req.method ?? 'GET',
        bucket: target.bucket,
        key: target.key,
        query,
        headers,
        get body() {
          return body().body;
        },
        trailers: () => body().trailers(),
        get contentLength() {
          return body().length;
        },
        auth,
        requestId,
        region: this.options.region,
      };
      if (target.key !== '' && Buffer.byteLength(target.key) > 1024) throw StorageErrors.keyTooLong(Buffer.byteLength(target.key));
      // Every bucket belongs to this server's account: a request that expects another owner is denied, as S3 does.
      for (const name of OWNER_HEADERS) {
        const owner = h(headers, name);
        if (owner !== undefined && owner !== this.ctx.accountId) throw StorageErrors.accessDenied();
      }
      // Buckets are never versioned here: the only version an object has is "null".
      const versionId = query.get('versionId');
      if (versionId !== undefined && versionId !== 'null') throw StorageErrors.invalidArgument('Invalid version id specified', 'versionId', versionId);
      const response = await HANDLERS[target.operation](this.ctx, s3req);
      await writeResponse(req, res, response, requestId);
      return response.status;
    } catch (err) {
      return this.writeError(req, res, err, requestId, target);
    } finally {
      discardUnreadBody(req);
    }
  }

  writeError(
    req: IncomingMessage,
    res: ServerResponse,
    err: unknown,
    requestId: string,
    target?: { bucket: string; key: string },
  ): number {
    const resource = target ? `/${target.bucket}${target.key ? `/${target.key}` : ''}` : undefined;
    const wire = toS3Error(err, requestId, resource);
    if (res.headersSent) {
      res.destroy();
      return wire.status;
    }
    const noBody = req.method === 'HEAD' || wire.status === 304;
    const headers: Record<string, string | number> = {
      'x-amz-request-id': requestId,
      'x-amz-id-2': requestId,
      Server: 'Lakebox',
    };
    if (noBody) {
      res.writeHead(wire.status, headers);
      res.end();
    } else {
      headers['Content-Type'] = 'application/xml';
      headers['Content-Length'] = Buffer.byteLength(wire.body);
      res.writeHead(wire.status, headers);
      res.end(wire.body);
    }
    return wire.status;
  }
}

async function writeResponse(req: IncomingMessage, res: ServerResponse, response: S3Response, requestId: string): Promise<void> {
  const headers: Record<string, string | number> = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId, Server: 'Lakebox' };
  for (const [k, v] of Object.entries(response.headers ?? {})) if (v !== undefined) headers[k] = v;
  const body = response.body;
  if (req.method === 'HEAD' || body === undefined) {
    if (body !== undefined && typeof body === 'object' && 'destroy' in body) body.destroy();
    if (headers['Content-Length'] === undefined && req.method !== 'HEAD') headers['Content-Length'] = 0;
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    headers['Content-Length'] = Buffer.byteLength(body);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  if (body instanceof WholeBody) {
    // Bytes already in memory (a small stored object): one write, no pipe.
    const data = await body.whole;
    res.writeHead(response.status, headers);
    res.end(data);
    return;
  }
  res.writeHead(response.status, headers);
  // A plain pipe: stream.pipeline() allocates an AbortController (and a DOMException) per response.
  await new Promise<void>((resolve) => {
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolve();
    };
    body.once('error', () => {
      res.destroy();
      done();
    });
    res.once('close', () => {
      if (!body.readableEnded) body.destroy();
      done();
    });
    res.once('finish', done);
    body.pipe(res);
  });
}

