/** S3 bucket operations and listings: ListBuckets, Create/Delete/HeadBucket, GetBucketLocation, ListObjects v1/v2, DeleteObjects. */
import { StorageErrors } from '../../storage/errors.js';
import type { ObjectMeta } from '../../storage/model.js';
import { readBodyText } from './body.js';
import { quote } from './header-input.js';
import type { S3Context } from './s3-context.js';
import type { S3Request, S3Response } from './s3-request.js';
import { children, isoDate, parseXml, text, toXml, type XmlNode } from './xml.js';

const XML = { 'Content-Type': 'application/xml' } as const;

export async function listBuckets(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const prefix = req.query.get('prefix');
  const maxRaw = req.query.get('max-buckets');
  const max = maxRaw === undefined ? 10000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10000) {
    throw StorageErrors.invalidArgument('Invalid value for max-buckets', 'max-buckets', maxRaw);
  }
  const token = req.query.get('continuation-token');
  let buckets = (await ctx.objects.listBuckets()).filter((b) => prefix === undefined || b.name.startsWith(prefix));
  if (token !== undefined) buckets = buckets.filter((b) => b.name > token);
  const page = buckets.slice(0, max);
  const more = buckets.length > max;
  return {
    status: 200,
    headers: XML,
    body: toXml('ListAllMyBucketsResult', {
      Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: isoDate(b.creationDate), BucketRegion: b.region })) },
      Owner: { ID: ctx.ownerId, DisplayName: 'lakebox' },
      ContinuationToken: more ? page[page.length - 1]?.name : undefined,
      Prefix: prefix,
    }),
  };
}

export async function createBucket(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const body = await readBodyText(req);
  let region: string | undefined;
  if (body.trim() !== '') {
    const doc = parseXml(body, 'CreateBucketConfiguration');
    const lc = text(doc, 'LocationConstraint');
    if (lc !== undefined && lc !== '') region = lc === 'EU' ? 'eu-west-1' : lc;
  }
  const ownership = req.headers['x-amz-object-ownership'];
  if (ownership !== undefined && !['BucketOwnerPreferred', 'ObjectWriter', 'BucketOwnerEnforced'].includes(String(ownership))) {
    throw StorageErrors.invalidArgument('Invalid x-amz-object-ownership header', 'x-amz-object-ownership', String(ownership));
  }
  if (ownership !== undefined && ownership !== 'BucketOwnerEnforced') {
    // Those settings enable ACLs, which Lakebox does not keep (every bucket is BucketOwnerEnforced, S3's default).
    throw StorageErrors.notImplemented(`Object Ownership ${String(ownership)} (ACLs enabled) is not implemented by Lakebox; buckets use BucketOwnerEnforced.`, 'x-amz-object-ownership');
  }
  if (req.headers['x-amz-bucket-object-lock-enabled'] === 'true') {
    throw StorageErrors.notImplemented('Object Lock is not implemented by Lakebox yet.', 'x-amz-bucket-object-lock-enabled');
  }
  const bucket = await ctx.objects.createBucket(req.bucket, region);
  return { status: 200, headers: { Location: `/${bucket.name}` } };
}

export async function deleteBucket(ctx: S3Context, req: S3Request): Promise<S3Response> {
  await ctx.objects.deleteBucket(req.bucket);
  return { status: 204 };
}

export async function headBucket(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const b = await ctx.objects.headBucket(req.bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' } };
}

export async function getBucketLocation(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const b = await ctx.objects.headBucket(req.bucket);
  const region = b.region === 'us-east-1' ? '' : b.region;
  return {
    status: 200,
    headers: XML,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  };
}

export async function getBucketVersioning(ctx: S3Context, req: S3Request): Promise<S3Response> {
  await ctx.objects.headBucket(req.bucket);
  return { status: 200, headers: XML, body: toXml('VersioningConfiguration', {}) };
}

/** S3's `encoding-type=url` form: every byte except unreserved characters and `/` percent-encoded. */
export function urlEncodeKey(s: string): string {
  return encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodingType(req: S3Request): ((s: string) => string) | undefined {
  const v = req.query.get('encoding-type');
  if (v === undefined) return undefined;
  if (v !== 'url') throw StorageErrors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', v);
  return urlEncodeKey;
}

function maxKeys(req: S3Request): number {
  const raw = req.query.get('max-keys');
  if (raw === undefined) return 1000;
  if (!/^\d+$/.test(raw)) {
    throw StorageErrors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', raw);
  }
  return Math.min(Number(raw), 1000);
}

function contentsEntry(ctx: S3Context, o: ObjectMeta, enc: (s: string) => string, owner: boolean): XmlNode {
  return {
    Key: enc(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: quote(o.etag),
    ChecksumAlgorithm: o.checksum?.algorithm,
    ChecksumType: o.checksum?.type,
    Size: o.size,
    Owner: owner ? { ID: ctx.ownerId, DisplayName: 'lakebox' } : undefined,
    StorageClass: o.headers.storageClass ?? 'STANDARD',
  };
}

export async function listObjectsV2(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const enc = encodingType(req);
  const e = enc ?? ((s: string) => s);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter');
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after');
  let marker = startAfter;
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !decoded.startsWith('1:')) {
      throw StorageErrors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    }
    marker = decoded.slice(2);
  }
  const max = maxKeys(req);
  const fetchOwner = req.query.get('fetch-owner') === 'true';
  const result = await ctx.objects.listObjects({ bucket: req.bucket, prefix, delimiter: delimiter || undefined, marker, maxKeys: max });
  return {
    status: 200,
    headers: XML,
    body: toXml('ListBucketResult', {
      Name: req.bucket,
      Prefix: e(prefix),
      Delimiter: delimiter === undefined ? undefined : e(delimiter),
      MaxKeys: max,
      EncodingType: enc ? 'url' : undefined,
      KeyCount: result.contents.length + result.commonPrefixes.length,
      IsTruncated: result.isTruncated,
      ContinuationToken: token,
      NextContinuationToken:
        result.isTruncated && result.lastReturned !== undefined
          ? Buffer.from(`1:${result.lastReturned}`, 'utf8').toString('base64url')
          : undefined,
      StartAfter: token === undefined && startAfter !== undefined ? e(startAfter) : undefined,
      Contents: result.contents.map((o) => contentsEntry(ctx, o, e, fetchOwner)),
      CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: e(p) })),
    }),
  };
}

export async function listObjectsV1(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const enc = encodingType(req);
  const e = enc ?? ((s: string) => s);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter');
  const marker = req.query.get('marker') ?? '';
  const max = maxKeys(req);
  const result = await ctx.objects.listObjects({ bucket: req.bucket, prefix, delimiter: delimiter || undefined, marker, maxKeys: max });
  return {
    status: 200,
    headers: XML,
    body: toXml('ListBucketResult', {
      Name: req.bucket,
      Prefix: e(prefix),
      Marker: e(marker),
      NextMarker: delimiter && result.isTruncated && result.lastReturned !== undefined ? e(result.lastReturned) : undefined,
      MaxKeys: max,
      Delimiter: delimiter === undefined ? undefined : e(delimiter),
      IsTruncated: result.isTruncated,
      EncodingType: enc ? 'url' : undefined,
      Contents: result.contents.map((o) => contentsEntry(ctx, o, e, true)),
      CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: e(p) })),
    }),
  };
}

export async function deleteObjects(ctx: S3Context, req: S3Request): Promise<S3Response> {
  const doc = parseXml(await readBodyText(req, { requireIntegrity: true }), 'Delete');
  const objects = children(doc, 'Object');
  if (objects.length === 0 || objects.length > 1000) throw StorageErrors.malformedXml();
  const keys = objects.map((o) => {
    const key = text(o, 'Key');
    if (key === undefined) throw StorageErrors.malformedXml();
    return key;
  });
  const quiet = text(doc, 'Quiet')?.trim().toLowerCase() === 'true';
  const { deleted, errors } = await ctx.objects.deleteObjects(req.bucket, keys);
  return {
    status: 200,
    headers: XML,
    body: toXml('DeleteResult', {
      Deleted: quiet ? [] : deleted.map((k) => ({ Key: k })),
      Error: errors.map((er) => ({ Key: er.key, Code: er.code, Message: er.message })),
    }),
  };
}
