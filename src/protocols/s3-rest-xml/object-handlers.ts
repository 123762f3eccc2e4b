/** S3 object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject and object tagging, HTTP ↔ ObjectService. */
import { StorageErrors } from '../../storage/errors.js';
import type { GetObjectResult } from '../../storage/object-service.js';
import { parseTaggingHeader } from '../../storage/tags.js';
import type { S3Context } from './s3-context.js';
import {
  applyResponseOverrides,
  checksumAlgorithmHeader,
  h,
  integrityInput,
  objectHeaders,
  objectResponseHeaders,
  quote,
  readConditions,
  SSE_S3,
  userMetadata,
  writeConditions,
} from './header-input.js';
import type { S3Request, S3Response } from './s3-request.js';
import { children, isoDate, parseXml, text, toXml } from './xml.js';
import { readBodyText } from './body.js';

export async function putObject(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const integrity = integrityInput(req);
  const meta = await ctx.objects.putObject({
    bucket: req.bucket,
    key: req.key,
    body: req.body,
    headers: objectHeaders(req.headers),
    userMetadata: userMetadata(req.headers),
    tags: parseTaggingHeader(h(req.headers, 'x-amz-tagging')),
    integrity,
    conditions: writeConditions(req.headers),
  });
  const headers: Record<string, string> = { ETag: quote(meta.etag), 'x-amz-server-side-encryption': SSE_S3 };
  if (meta.checksum) {
    headers[`x-amz-checksum-${meta.checksum.algorithm.toLowerCase()}`] = meta.checksum.value;
    headers['x-amz-checksum-type'] = meta.checksum.type;
  }
  return { status: 200, headers };
}

function parsePartNumber(req: S3Request): number | undefined {
  const raw = req.query.get('partNumber');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) {
    throw StorageErrors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  }
  return Number(raw);
}

function readResponse(req: S3Request, result: GetObjectResult, withBody: boolean): S3Response {
  const headers = objectResponseHeaders(result.meta);
  if (withBody || result.range) applyResponseOverrides(req.query, headers);
  if (h(req.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && result.checksum) {
    headers[`x-amz-checksum-${result.checksum.algorithm.toLowerCase()}`] = result.checksum.value;
    headers['x-amz-checksum-type'] = result.checksum.type;
  }
  if (result.partsCount !== undefined) headers['x-amz-mp-parts-count'] = result.partsCount;
  const size = result.meta.size;
  if (result.range) {
    headers['Content-Range'] = `bytes ${result.range.start}-${result.range.end}/${size}`;
    headers['Content-Length'] = result.range.end - result.range.start + 1;
    return { status: 206, headers, body: result.body };
  }
  headers['Content-Length'] = size;
  return { status: 200, headers, body: result.body };
}

export async function getObject(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const result = await ctx.objects.getObject({
    bucket: req.bucket,
    key: req.key,
    range: h(req.headers, 'range'),
    partNumber: parsePartNumber(req),
    conditions: readConditions(req.headers),
  });
  return readResponse(req, result, true);
}

export async function headObject(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const result = await ctx.objects.headObject({
    bucket: req.bucket,
    key: req.key,
    range: h(req.headers, 'range'),
    partNumber: parsePartNumber(req),
    conditions: readConditions(req.headers),
  });
  return readResponse(req, result, false);
}

export async function deleteObject(ctx: S3Context, req: S3Request): Promise<S3Response> {
  await ctx.objects.deleteObject(req.bucket, req.key);
  return { status: 204 };
}

/** Parses `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`). */
export function parseCopySource(value: string): { bucket: string; key: string } {
  let v = value;
  const q = v.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(v.slice(q + 1));
    const version = params.get('versionId');
    if (version !== null && version !== 'null') {
      throw StorageErrors.invalidArgument('Invalid version id specified', 'x-amz-copy-source', value);
    }
    v = v.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    throw StorageErrors.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value);
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw StorageErrors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', value);
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

function directive(req: S3Request, name: string): 'COPY' | 'REPLACE' {
  const v = h(req.headers, name);
  if (v === undefined || v === 'COPY') return 'COPY';
  if (v === 'REPLACE') return 'REPLACE';
  throw StorageErrors.invalidArgument(`Unknown ${name}.`, name, v);
}

export async function copyObject(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const source = parseCopySource(h(req.headers, 'x-amz-copy-source') ?? '');
  const { meta } = await ctx.objects.copyObject({
    sourceBucket: source.bucket,
    sourceKey: source.key,
    bucket: req.bucket,
    key: req.key,
    metadataDirective: directive(req, 'x-amz-metadata-directive'),
    taggingDirective: directive(req, 'x-amz-tagging-directive'),
    headers: objectHeaders(req.headers),
    userMetadata: userMetadata(req.headers),
    tags: parseTaggingHeader(h(req.headers, 'x-amz-tagging')),
    sourceConditions: readConditions(req.headers, 'x-amz-copy-source-'),
    conditions: writeConditions(req.headers),
    checksumAlgorithm: checksumAlgorithmHeader(req.headers, 'x-amz-checksum-algorithm'),
  });
  const checksum = meta.checksum
    ? { [`Checksum${meta.checksum.algorithm}`]: meta.checksum.value, ChecksumType: meta.checksum.type }
    : {};
  return {
    status: 200,
    headers: { 'Content-Type': 'application/xml', 'x-amz-server-side-encryption': SSE_S3 },
    body: toXml('CopyObjectResult', { LastModified: isoDate(meta.lastModified), ETag: quote(meta.etag), ...checksum }),
  };
}

export async function getObjectTagging(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const tags = await ctx.objects.getTags(req.bucket, req.key);
  return {
    status: 200,
    headers: { 'Content-Type': 'application/xml' },
    body: toXml('Tagging', { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } }),
  };
}

export async function putObjectTagging(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const doc = parseXml(await readBodyText(req), 'Tagging');
  const tagSet = children(doc, 'TagSet')[0] ?? {};
  const tags = children(tagSet, 'Tag').map((t) => {
    const key = text(t, 'Key');
    const value = text(t, 'Value');
    if (key === undefined || value === undefined) throw StorageErrors.malformedXml();
    return { key, value };
  });
  await ctx.objects.putTags(req.bucket, req.key, tags);
  return { status: 200 };
}

export async function deleteObjectTagging(ctx: S3Context, req: S3Request): Promise<S3Response> {
  await ctx.objects.deleteTags(req.bucket, req.key);
  return { status: 204 };
}
