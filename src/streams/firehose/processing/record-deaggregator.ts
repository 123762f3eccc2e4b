/** The RecordDeAggregation processor: splits records holding several JSON objects (concatenated or JSON Lines) or delimited sub-records. */

export type DeaggregationMode = { readonly type: 'JSON' } | { readonly type: 'DELIMITED'; readonly delimiter: Buffer };

/** Firehose caps de-aggregation at this many sub-records per record; the rest stay in the last sub-record. */
export const MAX_SUB_RECORDS = 500;

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Splits concatenated top-level JSON objects (`{..}{..}`, `{..}\n{..}`). Returns undefined when the
 * record is not a sequence of objects (for example a top-level array, or an unbalanced object), so the
 * caller keeps it whole.
 */
export function splitJsonObjects(record: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (depth === 0) {
      if (WS.has(c)) continue;
      if (c !== 0x7b) return undefined; // only objects may appear at the top level
      start = i;
      depth = 1;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) out.push(record.subarray(start, i + 1));
    }
  }
  if (depth !== 0 || inString) return undefined;
  return out;
}

export function splitDelimited(record: Buffer, delimiter: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = record.indexOf(delimiter, from);
    if (at < 0) break;
    if (at > from) out.push(record.subarray(from, at));
    from = at + delimiter.length;
  }
  if (from < record.length) out.push(record.subarray(from));
  return out;
}

/** The sub-records of `record` (the record itself when it cannot be split). */
export function deaggregate(record: Buffer, mode: DeaggregationMode): Buffer[] {
  const parts = mode.type === 'JSON' ? splitJsonObjects(record) : splitDelimited(record, mode.delimiter);
  if (parts === undefined || parts.length === 0) return [record];
  if (parts.length <= MAX_SUB_RECORDS) return parts;
  // Beyond the cap the remainder is passed on as one sub-record, as received.
  const head = parts.slice(0, MAX_SUB_RECORDS - 1);
  const restStart = parts[MAX_SUB_RECORDS - 1]!.byteOffset - record.byteOffset;
  return [...head, record.subarray(restStart)];
}
