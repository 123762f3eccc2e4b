/** Where the remote S3 adapter keeps each thing inside the one remote bucket, and how list bounds map to S3's StartAfter. */
import type { ChecksumAlgorithm, PartInfo } from '../model.js';

const pad5 = (n: number): string => String(n).padStart(5, '0');
const b64u = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const unb64u = (s: string): string => Buffer.from(s, 'base64url').toString('utf8');

/** Upload ids and sidecar ids we generate are URL-safe base64 or UUIDs; anything else is never ours. */
export const isSafeId = (id: string): boolean => /^[A-Za-z0-9_-]{1,100}$/.test(id);

/**
 * Remote key layout under `prefix`:
 * - `buckets/<name>`: bucket record (JSON: creationDate, region)
 * - `objects/<bucket>/<key>`: object bytes, content headers, user metadata, `x-amz-meta-lakebox[-ref]`
 * - `attrs/<id>.json`: sidecar attributes for objects whose attributes do not fit in 2 KB of metadata
 * - `uploads/<bucket>/<uploadId>.json`: upload record; `uploads/<bucket>/<uploadId>/<part record>`: one empty
 *   object per uploaded part whose name carries the part's digests
 */
export class RemoteKeys {
  constructor(readonly prefix: string) {}

  get bucketsPrefix(): string {
    return `${this.prefix}buckets/`;
  }

  bucket(name: string): string {
    return `${this.bucketsPrefix}${name}`;
  }

  objectsPrefix(bucket: string): string {
    return `${this.prefix}objects/${bucket}/`;
  }

  object(bucket: string, key: string): string {
    return `${this.objectsPrefix(bucket)}${key}`;
  }

  sidecar(id: string): string {
    return `${this.prefix}attrs/${id}.json`;
  }

  uploadsPrefix(bucket: string): string {
    return `${this.prefix}uploads/${bucket}/`;
  }

  upload(bucket: string, uploadId: string): string {
    return `${this.uploadsPrefix(bucket)}${uploadId}.json`;
  }

  partsPrefix(bucket: string, uploadId: string): string {
    return `${this.uploadsPrefix(bucket)}${uploadId}/`;
  }

  part(bucket: string, uploadId: string, record: PartRecord): string {
    const alg = record.checksum?.algorithm ?? '-';
    const value = record.checksum === undefined ? '-' : b64u(record.checksum.value);
    return `${this.partsPrefix(bucket, uploadId)}${pad5(record.partNumber)}.${b64u(record.remoteEtag)}.${b64u(record.etag)}.${record.md5.toString('hex')}.${alg}.${value}`;
  }
}

/** What we know about a part besides what the remote's ListParts reports (size, date). */
export interface PartRecord {
  readonly partNumber: number;
  readonly remoteEtag: string;
  readonly etag: string;
  readonly md5: Buffer;
  readonly checksum?: PartInfo['checksum'];
}

export function parsePartRecord(name: string): PartRecord | undefined {
  const m = /^(\d{5})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([0-9a-f]*)\.([A-Z0-9-]+)\.([A-Za-z0-9_-]+)$/.exec(name);
  if (!m) return undefined;
  const [, n = '', remote = '', etag = '', md5 = '', alg = '-', value = '-'] = m;
  return {
    partNumber: Number(n),
    remoteEtag: unb64u(remote),
    etag: unb64u(etag),
    md5: Buffer.from(md5, 'hex'),
    checksum: alg === '-' ? undefined : { algorithm: alg as ChecksumAlgorithm, value: unb64u(value) },
  };
}

/** Keys listed with `EncodingType=url`: S3 form-encodes (space as `+`), moto percent-encodes; both encode `+` itself. */
export function decodeListedKey(key: string, encoded: boolean): string {
  return encoded ? decodeURIComponent(key.replace(/\+/g, ' ')) : key;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Length of the longest prefix of `buf` that is well-formed UTF-8. */
function validUtf8Length(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > buf.length) return i;
    try {
      strictUtf8.decode(buf.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
}

/** A string strictly below `s` in UTF-8 byte order, as close to it as cheaply possible (for an inclusive start). */
function justBelow(s: string): string {
  const chars = [...s];
  const last = chars.pop();
  if (last === undefined) return '';
  let cp = last.codePointAt(0)! - 1;
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xd7ff;
  if (cp === 0xfffe || cp === 0xffff) cp = 0xfffd;
  // Below a space the key would hold XML-hostile control characters; the plain shorter prefix is still below `s`.
  if (cp < 0x20) return chars.join('');
  return chars.join('') + String.fromCodePoint(cp) + '\u{10FFFF}'.repeat(4);
}

export interface ListBound {
  /** Exclusive StartAfter, relative to the object prefix; undefined to start at the prefix. */
  readonly startAfter: string | undefined;
  /** Whether a listed key (relative) is at or after the requested start. */
  readonly accepts: (key: string) => boolean;
}

/**
 * Maps a start position given as raw bytes (possibly not UTF-8: callers pass prefix upper bounds) to a StartAfter
 * that is never past it, plus an exact byte-order filter for the keys between the two.
 */
export function listBound(prefix: string, from: Buffer | undefined, inclusive: boolean): ListBound {
  if (from === undefined || Buffer.compare(from, Buffer.from(prefix, 'utf8')) < 0) {
    return { startAfter: undefined, accepts: () => true };
  }
  const validLen = validUtf8Length(from);
  const valid = from.subarray(0, validLen).toString('utf8');
  let startAfter: string;
  if (validLen < from.length) startAfter = valid;
  else startAfter = inclusive ? justBelow(valid) : valid;
  return {
    startAfter: startAfter === '' ? undefined : startAfter,
    accepts: (key) => {
      const c = Buffer.compare(Buffer.from(key, 'utf8'), from);
      return inclusive ? c >= 0 : c > 0;
    },
  };
}
