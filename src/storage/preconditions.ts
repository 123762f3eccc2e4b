/** Conditional request evaluation (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) in the order S3 applies them. */
import { StorageErrors } from './errors.js';
import type { ObjectMeta } from './model.js';

export interface ReadConditions {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: Date | undefined;
  readonly ifUnmodifiedSince?: Date | undefined;
}

function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((v) => v === '*' || v === etag);
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * Throws PreconditionFailed (412) or NotModified (304) as S3 does for GET/HEAD. `prefix` names the
 * condition for copy sources (`x-amz-copy-source-`).
 */
export function checkReadConditions(meta: ObjectMeta, c: ReadConditions, prefix = ''): void {
  const label = (name: string): string => `${prefix}${name}`;
  if (c.ifMatch !== undefined && !etagMatches(c.ifMatch, meta.etag)) {
    throw StorageErrors.preconditionFailed(label('If-Match'));
  }
  if (c.ifMatch === undefined && c.ifUnmodifiedSince !== undefined && seconds(meta.lastModified) > seconds(c.ifUnmodifiedSince)) {
    throw StorageErrors.preconditionFailed(label('If-Unmodified-Since'));
  }
  if (c.ifNoneMatch !== undefined && etagMatches(c.ifNoneMatch, meta.etag)) {
    if (prefix !== '') throw StorageErrors.preconditionFailed(label('If-None-Match'));
    throw StorageErrors.notModified();
  }
  if (
    c.ifNoneMatch === undefined &&
    c.ifModifiedSince !== undefined &&
    c.ifModifiedSince.getTime() <= Date.now() &&
    seconds(meta.lastModified) <= seconds(c.ifModifiedSince)
  ) {
    if (prefix !== '') throw StorageErrors.preconditionFailed(label('If-Modified-Since'));
    throw StorageErrors.notModified();
  }
}

export interface WriteConditions {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
}

export function validateWriteConditions(c: WriteConditions): void {
  if (c.ifNoneMatch !== undefined && c.ifNoneMatch !== '*') {
    throw StorageErrors.notImplemented('A header you provided implies functionality that is not implemented', 'If-None-Match');
  }
  if (c.ifMatch === '*') throw StorageErrors.notImplemented(undefined, 'If-Match');
}

/** Evaluated at commit time against the object being replaced. */
export function writeCondition(c: WriteConditions, key: string): ((current: ObjectMeta | undefined) => void) | undefined {
  if (c.ifMatch === undefined && c.ifNoneMatch === undefined) return undefined;
  return (current) => {
    if (c.ifNoneMatch === '*' && current !== undefined) throw StorageErrors.preconditionFailed('If-None-Match');
    if (c.ifMatch !== undefined) {
      if (current === undefined) throw StorageErrors.noSuchKey(key);
      if (!etagMatches(c.ifMatch, current.etag)) throw StorageErrors.preconditionFailed('If-Match');
    }
  };
}
