/** Invoke payload rules: empty body → {}, UTF-8 JSON or InvalidRequestContentException, ClientContext decoding, the 4 KB log tail. */
import { LambdaErrors } from './errors.js';
import { LIMITS } from './model.js';

/** The event JSON text delivered to the function. */
export function parsePayload(raw: Buffer): string {
  if (raw.length === 0) return '{}';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    JSON.parse(text);
  } catch (err) {
    throw LambdaErrors.invalidContent(`Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
  return text;
}

export function parseClientContext(b64: string): string {
  try {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return text;
  } catch {
    throw LambdaErrors.invalidContent('Client context must be a valid Base64-encoded JSON object.');
  }
}

/** Base64 of the last 4 KB of an invocation log. */
export function tail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LIMITS.tailBytes)).toString('base64');
}
