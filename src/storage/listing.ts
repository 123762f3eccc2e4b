/** Object listing with prefix, delimiter, markers and page limits on top of the store's ordered scan. */
import { StorageErrors } from './errors.js';
import type { ObjectMeta } from './model.js';
import type { ObjectStore } from './object-store.js';
import { prefixUpperBound } from './key-order.js';

export interface ListRequest {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string | undefined;
  /** Exclusive start: a key or a common prefix returned earlier. */
  readonly marker?: string | undefined;
  readonly maxKeys: number;
}

export interface ListResult {
  readonly contents: ObjectMeta[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** Last key or common prefix returned (the next marker). */
  readonly lastReturned: string | undefined;
}

const SCAN_BATCH = 1000;

function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined || delimiter === '') return undefined;
  const idx = key.indexOf(delimiter, prefix.length);
  return idx < 0 ? undefined : key.slice(0, idx + delimiter.length);
}

export async function listObjects(store: ObjectStore, req: ListRequest): Promise<ListResult> {
  if (!Number.isInteger(req.maxKeys) || req.maxKeys < 0) {
    throw StorageErrors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(req.maxKeys));
  }
  const contents: ObjectMeta[] = [];
  const commonPrefixes: string[] = [];
  if (req.maxKeys === 0) {
    if (!(await store.getBucket(req.bucket))) throw StorageErrors.noSuchBucket(req.bucket);
    return { contents, commonPrefixes, isTruncated: false, lastReturned: undefined };
  }
  let from: Buffer | undefined;
  let inclusive = false;
  if (req.marker !== undefined && req.marker !== '') {
    // A common prefix that contains the marker was already returned: resume after all of its keys.
    const cp = req.marker.startsWith(req.prefix) ? commonPrefixOf(req.marker, req.prefix, req.delimiter) : undefined;
    const upper = cp !== undefined ? prefixUpperBound(Buffer.from(cp, 'utf8')) : undefined;
    if (upper !== undefined) {
      from = upper;
      inclusive = true;
    } else {
      from = Buffer.from(req.marker, 'utf8');
    }
  }
  let count = 0;
  let lastReturned: string | undefined;
  for (;;) {
    // Without a delimiter one row more than the page tells whether it is truncated.
    const limit = req.delimiter ? SCAN_BATCH : Math.min(SCAN_BATCH, req.maxKeys - count + 1);
    const page = await store.listObjects(req.bucket, { prefix: req.prefix, from, fromInclusive: inclusive, limit });
    let jumped = false;
    for (const obj of page) {
      const cp = commonPrefixOf(obj.key, req.prefix, req.delimiter);
      if (count === req.maxKeys) return { contents, commonPrefixes, isTruncated: true, lastReturned };
      if (cp !== undefined) {
        commonPrefixes.push(cp);
        count++;
        lastReturned = cp;
        const upper = prefixUpperBound(Buffer.from(cp, 'utf8'));
        if (upper === undefined) return { contents, commonPrefixes, isTruncated: false, lastReturned };
        from = upper;
        inclusive = true;
        jumped = true;
        break;
      }
      contents.push(obj);
      count++;
      lastReturned = obj.key;
      from = Buffer.from(obj.key, 'utf8');
      inclusive = false;
    }
    if (!jumped && page.length < limit) return { contents, commonPrefixes, isTruncated: false, lastReturned };
  }
}
