/** How an object's attributes travel with its remote copy: real S3 headers and metadata where S3 can hold them, the rest in `x-amz-meta-lakebox` or a sidecar. */
import type { ObjectAttributes, ObjectChecksum, ObjectHeaders, ObjectMeta, PartLayout, Tag } from '../model.js';

/** Remote user-metadata entry holding our attributes as base64url JSON. */
export const META_INLINE = 'lakebox';
/** Remote user-metadata entry naming the sidecar object that holds our attributes. */
export const META_REF = 'lakebox-ref';
/** S3 limit on user metadata: UTF-8 bytes of every `x-amz-meta-*` name (without the prefix) and value. */
export const MAX_REMOTE_METADATA_BYTES = 2048;

/** Lakebox-internal attributes; `h` and `um` only when S3 cannot hold them as real headers and metadata. */
export interface StoredAttributes {
  readonly v: 1;
  readonly etag: string;
  /** Our lastModified in ms: stable across tag updates, which rewrite the remote object. */
  readonly lm: number;
  readonly h?: ObjectHeaders | undefined;
  readonly um?: Readonly<Record<string, string>> | undefined;
  readonly tags?: readonly Tag[] | undefined;
  readonly cs?: ObjectChecksum | undefined;
  readonly parts?: readonly PartLayout[] | undefined;
}

/** Fields of PutObject, CreateMultipartUpload and CopyObject inputs that carry attributes. */
export interface NativeFields {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Metadata: Record<string, string>;
}

/** Fields of HeadObject and GetObject outputs that carry attributes. */
export interface RemoteObjectFields {
  readonly Metadata?: Record<string, string> | undefined;
  readonly ContentType?: string | undefined;
  readonly ContentEncoding?: string | undefined;
  readonly ContentDisposition?: string | undefined;
  readonly ContentLanguage?: string | undefined;
  readonly CacheControl?: string | undefined;
  readonly ETag?: string | undefined;
  readonly LastModified?: Date | undefined;
}

export interface EncodedAttributes {
  readonly native: NativeFields;
  /** Present when the attributes live in a sidecar object; `native.Metadata` then names it. */
  readonly sidecar?: { readonly id: string; readonly body: StoredAttributes } | undefined;
}

// Printable ASCII without surrounding blanks: survives an HTTP header unchanged.
const SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const SAFE_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const HEADER_FIELDS = [
  ['contentType', 'ContentType'],
  ['contentEncoding', 'ContentEncoding'],
  ['contentDisposition', 'ContentDisposition'],
  ['contentLanguage', 'ContentLanguage'],
  ['cacheControl', 'CacheControl'],
] as const;

function nativeHeaders(h: ObjectHeaders): { fields: Omit<NativeFields, 'Metadata'>; complete: boolean } {
  const fields: Omit<NativeFields, 'Metadata'> = {};
  // Expires is kept as sent; the SDK would turn it into a Date, so it always goes into our attributes.
  let complete = h.expires === undefined && h.storageClass === undefined;
  for (const [ours, theirs] of HEADER_FIELDS) {
    const v = h[ours];
    if (v === undefined) continue;
    if (SAFE_VALUE.test(v)) fields[theirs] = v;
    else complete = false;
  }
  return { fields, complete };
}

function nativeUserMetadata(um: Readonly<Record<string, string>>): Record<string, string> | undefined {
  for (const [k, v] of Object.entries(um)) {
    if (!SAFE_NAME.test(k) || k.startsWith('lakebox') || !SAFE_VALUE.test(v)) return undefined;
  }
  return { ...um };
}

export function metadataBytes(md: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(md)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/**
 * Inline when everything fits in the remote's 2 KB of user metadata, else (or when `sidecarId` forces it)
 * in a sidecar holding every attribute, with the user metadata also copied natively when room allows.
 */
export function encodeAttributes(
  attrs: ObjectAttributes,
  lastModified: Date,
  sidecar: { readonly force: string | undefined; readonly newId: () => string },
): EncodedAttributes {
  const headers = nativeHeaders(attrs.headers);
  const um = nativeUserMetadata(attrs.userMetadata);
  const stored: StoredAttributes = {
    v: 1,
    etag: attrs.etag,
    lm: lastModified.getTime(),
    h: headers.complete ? undefined : attrs.headers,
    um: um === undefined ? attrs.userMetadata : undefined,
    tags: attrs.tags.length > 0 ? attrs.tags : undefined,
    cs: attrs.checksum,
    parts: attrs.parts,
  };
  if (sidecar.force === undefined) {
    const md = { ...um, [META_INLINE]: Buffer.from(JSON.stringify(stored), 'utf8').toString('base64url') };
    if (metadataBytes(md) <= MAX_REMOTE_METADATA_BYTES) return { native: { ...headers.fields, Metadata: md } };
  }
  const id = sidecar.force ?? sidecar.newId();
  let md: Record<string, string> = { ...um, [META_REF]: id };
  if (metadataBytes(md) > MAX_REMOTE_METADATA_BYTES) md = { [META_REF]: id };
  return {
    native: { ...headers.fields, Metadata: md },
    sidecar: { id, body: { ...stored, h: attrs.headers, um: attrs.userMetadata } },
  };
}

export function sidecarRef(fields: RemoteObjectFields): string | undefined {
  return fields.Metadata?.[META_REF];
}

function parseInline(value: string | undefined): StoredAttributes | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as StoredAttributes;
    return parsed.v === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Our view of a remote object. Objects Lakebox did not write get their attributes from the remote's own. */
export function decodeMeta(
  bucket: string,
  key: string,
  size: number,
  fields: RemoteObjectFields,
  sidecar: StoredAttributes | undefined,
): ObjectMeta {
  const md = fields.Metadata ?? {};
  const stored = sidecar ?? parseInline(md[META_INLINE]);
  const headers: { -readonly [K in keyof ObjectHeaders]: ObjectHeaders[K] } = {
    contentType: fields.ContentType ?? 'binary/octet-stream',
  };
  for (const [ours, theirs] of HEADER_FIELDS) {
    const v = fields[theirs];
    if (v !== undefined && ours !== 'contentType') headers[ours] = v;
  }
  const userMetadata = Object.fromEntries(Object.entries(md).filter(([k]) => !k.startsWith('lakebox')));
  if (stored === undefined) {
    return {
      bucket,
      key,
      size,
      etag: (fields.ETag ?? '').replace(/^"|"$/g, ''),
      lastModified: fields.LastModified ?? new Date(0),
      headers,
      userMetadata,
      tags: [],
    };
  }
  return {
    bucket,
    key,
    size,
    etag: stored.etag,
    lastModified: new Date(stored.lm),
    headers: stored.h ?? headers,
    userMetadata: stored.um ?? userMetadata,
    tags: stored.tags ?? [],
    checksum: stored.cs,
    parts: stored.parts,
  };
}

/** The attributes of `meta`, for rewriting them (tags) without touching the bytes. */
export function attributesOf(meta: ObjectMeta): ObjectAttributes {
  const { bucket: _b, key: _k, size: _s, lastModified: _l, ...attrs } = meta;
  return attrs;
}
