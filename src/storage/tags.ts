/** Object tag set rules (count, lengths, reserved prefix, duplicates) and the x-amz-tagging header format. */
import { StorageErrors } from './errors.js';
import type { Tag } from './model.js';

export function validateTags(tags: readonly Tag[]): void {
  if (tags.length > 10) throw StorageErrors.invalidTag('Object tags cannot be greater than 10');
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.key)) throw StorageErrors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.key);
    if (t.key.length === 0 || [...t.key].length > 128) throw StorageErrors.invalidTag('The TagKey you have provided is invalid');
    if ([...t.value].length > 256) throw StorageErrors.invalidTag('The TagValue you have provided is invalid');
    if (t.key.toLowerCase().startsWith('aws:')) throw StorageErrors.invalidTag('System tags cannot be added/updated by requester');
  }
}

/** Parses the URL-encoded `x-amz-tagging` header. */
export function parseTaggingHeader(header: string | undefined): Tag[] {
  if (header === undefined || header === '') return [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const pair of header.split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw taggingHeaderError();
    }
    if (seen.has(key)) throw taggingHeaderError();
    seen.add(key);
    tags.push({ key, value });
  }
  return tags;
}

function taggingHeaderError(): Error {
  return StorageErrors.invalidArgument(
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
    'x-amz-tagging',
  );
}
