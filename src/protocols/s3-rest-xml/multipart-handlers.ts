/** S3 multipart operations: Create/UploadPart/UploadPartCopy/Complete/Abort, ListParts, ListMultipartUploads. */
import { StorageErrors } from '../../storage/errors.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../storage/model.js';
import type { CompletedPartInput } from '../../storage/multipart-service.js';
import { parseTaggingHeader } from '../../storage/tags.js';
import { urlEncodeKey } from './bucket-handlers.js';
import { readBodyText } from './body.js';
import {
  checksumAlgorithmHeader,
  h,
  integrityInput,
  objectHeaders,
  quote,
  readConditions,
  SSE_S3,
  userMetadata,
  writeConditions,
} from './header-input.js';
import { parseCopySource } from './object-handlers.js';
import type { S3Context } from './s3-context.js';
import type { S3Request, S3Response } from './s3-request.js';
import { children, isoDate, parseXml, text, toXml } from './xml.js';

const XML = { 'Content-Type': 'application/xml' } as const;

function uploadId(req: S3Request): string {
  return req.query.get('uploadId') ?? '';
}

function partNumber(req: S3Request): number {
  const raw = req.query.get('partNumber') ?? '';
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    throw StorageErrors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  }
  return n;
}

export async function createMultipartUpload(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const upload = await ctx.multipart.createUpload({
    bucket: req.bucket,
    key: req.key,
    headers: objectHeaders(req.headers),
    userMetadata: userMetadata(req.headers),
    tags: parseTaggingHeader(h(req.headers, 'x-amz-tagging')),
    checksumAlgorithm: checksumAlgorithmHeader(req.headers, 'x-amz-checksum-algorithm'),
    checksumType: h(req.headers, 'x-amz-checksum-type'),
  });
  return {
    status: 200,
    headers: {
      ...XML,
      'x-amz-server-side-encryption': SSE_S3,
      'x-amz-checksum-algorithm': upload.checksumAlgorithm,
      'x-amz-checksum-type': upload.checksumType,
    },
    body: toXml('InitiateMultipartUploadResult', { Bucket: req.bucket, Key: req.key, UploadId: upload.uploadId }),
  };
}

export async function uploadPart(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const part = await ctx.multipart.uploadPart(req.bucket, req.key, uploadId(req), partNumber(req), req.body, integrityInput(req));
  const headers: Record<string, string> = { ETag: quote(part.etag), 'x-amz-server-side-encryption': SSE_S3 };
  if (part.checksum) headers[`x-amz-checksum-${part.checksum.algorithm.toLowerCase()}`] = part.checksum.value;
  return { status: 200, headers };
}

export async function uploadPartCopy(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const source = parseCopySource(h(req.headers, 'x-amz-copy-source') ?? '');
  const { part } = await ctx.multipart.uploadPartCopy({
    bucket: req.bucket,
    key: req.key,
    uploadId: uploadId(req),
    partNumber: partNumber(req),
    sourceBucket: source.bucket,
    sourceKey: source.key,
    sourceRange: h(req.headers, 'x-amz-copy-source-range'),
    sourceConditions: readConditions(req.headers, 'x-amz-copy-source-'),
  });
  const checksum = part.checksum ? { [`Checksum${part.checksum.algorithm}`]: part.checksum.value } : {};
  return {
    status: 200,
    headers: { ...XML, 'x-amz-server-side-encryption': SSE_S3 },
    body: toXml('CopyPartResult', { LastModified: isoDate(part.lastModified), ETag: quote(part.etag), ...checksum }),
  };
}

export async function completeMultipartUpload(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const doc = parseXml(await readBodyText(req), 'CompleteMultipartUpload');
  const parts: CompletedPartInput[] = children(doc, 'Part').map((p) => {
    const num = text(p, 'PartNumber');
    const etag = text(p, 'ETag');
    if (num === undefined || etag === undefined || !/^\d+$/.test(num.trim())) throw StorageErrors.malformedXml();
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of CHECKSUM_ALGORITHMS) {
      const v = text(p, `Checksum${alg}`);
      if (v !== undefined) checksums[alg] = v.trim();
    }
    return { partNumber: Number(num.trim()), etag, checksums };
  });
  let fullObjectChecksum: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = h(req.headers, `x-amz-checksum-${alg.toLowerCase()}`);
    if (v !== undefined) fullObjectChecksum = { algorithm: alg, value: v };
  }
  const sizeHeader = h(req.headers, 'x-amz-mp-object-size');
  const meta = await ctx.multipart.complete({
    bucket: req.bucket,
    key: req.key,
    uploadId: uploadId(req),
    parts,
    checksumType: h(req.headers, 'x-amz-checksum-type'),
    fullObjectChecksum,
    objectSize: sizeHeader === undefined ? undefined : Number(sizeHeader),
    conditions: writeConditions(req.headers),
  });
  const checksum = meta.checksum
    ? { [`Checksum${meta.checksum.algorithm}`]: meta.checksum.value, ChecksumType: meta.checksum.type }
    : {};
  const host = h(req.headers, 'host') ?? 'localhost';
  return {
    status: 200,
    headers: { ...XML, 'x-amz-server-side-encryption': SSE_S3 },
    body: toXml('CompleteMultipartUploadResult', {
      Location: `http://${host}/${req.bucket}/${urlEncodeKey(req.key)}`,
      Bucket: req.bucket,
      Key: req.key,
      ETag: quote(meta.etag),
      ...checksum,
    }),
  };
}

export async function abortMultipartUpload(ctx: S3Context, req: S3Request): Promise<S3Response> {
  await ctx.multipart.abort(req.bucket, req.key, uploadId(req));
  return { status: 204 };
}

function intParam(req: S3Request, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw StorageErrors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw);
  return Number(raw);
}

export async function listParts(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const { upload, parts } = await ctx.multipart.listParts(req.bucket, req.key, uploadId(req));
  const max = Math.min(intParam(req, 'max-parts', 1000), 1000);
  const marker = intParam(req, 'part-number-marker', 0);
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, max);
  const owner = { ID: ctx.ownerId, DisplayName: 'lakebox' };
  return {
    status: 200,
    headers: XML,
    body: toXml('ListPartsResult', {
      Bucket: req.bucket,
      Key: req.key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length > 0 ? page[page.length - 1]!.partNumber : 0,
      MaxParts: max,
      IsTruncated: after.length > max,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: isoDate(p.lastModified),
        ETag: quote(p.etag),
        Size: p.size,
        ...(upload.checksumAlgorithm && p.checksum ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
      })),
      Initiator: owner,
      Owner: owner,
      StorageClass: upload.headers.storageClass ?? 'STANDARD',
      ChecksumAlgorithm: upload.checksumAlgorithm,
      ChecksumType: upload.checksumType,
    }),
  };
}

export async function listMultipartUploads(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const enc = req.query.get('encoding-type') === 'url' ? urlEncodeKey : (s: string) => s;
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const keyMarker = req.query.get('key-marker') ?? '';
  const uploadIdMarker = keyMarker === '' ? '' : (req.query.get('upload-id-marker') ?? '');
  const max = Math.min(intParam(req, 'max-uploads', 1000), 1000);
  const all = (await ctx.multipart.listUploads(req.bucket)).filter((u) => u.key.startsWith(prefix));
  let start = 0;
  if (keyMarker !== '') {
    if (uploadIdMarker !== '') {
      const idx = all.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
      if (idx < 0) throw StorageErrors.invalidArgument('Invalid uploadId marker', 'upload-id-marker', uploadIdMarker);
      start = idx + 1;
    } else {
      start = all.findIndex((u) => Buffer.compare(Buffer.from(u.key), Buffer.from(keyMarker)) > 0);
      if (start < 0) start = all.length;
    }
  }
  const uploads: typeof all = [];
  const prefixes: string[] = [];
  let truncated = false;
  for (let i = start; i < all.length; i++) {
    const u = all[i]!;
    const idx = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    const cp = idx >= 0 && delimiter ? u.key.slice(0, idx + delimiter.length) : undefined;
    if (cp !== undefined && prefixes[prefixes.length - 1] === cp) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (cp !== undefined) prefixes.push(cp);
    else uploads.push(u);
  }
  const last = uploads[uploads.length - 1];
  const owner = { ID: ctx.ownerId, DisplayName: 'lakebox' };
  return {
    status: 200,
    headers: XML,
    body: toXml('ListMultipartUploadsResult', {
      Bucket: req.bucket,
      KeyMarker: enc(keyMarker),
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated && last ? enc(last.key) : undefined,
      NextUploadIdMarker: truncated && last ? last.uploadId : undefined,
      Prefix: prefix === '' ? undefined : enc(prefix),
      Delimiter: delimiter === undefined ? undefined : enc(delimiter),
      MaxUploads: max,
      EncodingType: req.query.get('encoding-type') === 'url' ? 'url' : undefined,
      IsTruncated: truncated,
      Upload: uploads.map((u) => ({
        Key: enc(u.key),
        UploadId: u.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: u.headers.storageClass ?? 'STANDARD',
        Initiated: isoDate(u.initiated),
        ChecksumAlgorithm: u.checksumAlgorithm,
        ChecksumType: u.checksumType,
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  };
}
