/** Firehose S3 prefix templates: parses and validates `!{namespace:value}` expressions and evaluates them per object. */
import { randomBytes } from 'node:crypto';
import { DateFormatError, formatJavaDate, parseJavaPattern } from './java-date-format.js';

export type PrefixPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'timestamp'; readonly pattern: ReturnType<typeof parseJavaPattern> }
  | { readonly kind: 'random' }
  | { readonly kind: 'errorType' }
  | { readonly kind: 'queryKey'; readonly key: string }
  | { readonly kind: 'lambdaKey'; readonly key: string };

export interface PrefixTemplate {
  readonly source: string;
  readonly parts: readonly PrefixPart[];
  readonly hasExpressions: boolean;
}

export class PrefixError extends Error {}

/** Parses a prefix; `!{` must always open a valid expression. */
export function parsePrefix(source: string): PrefixTemplate {
  const parts: PrefixPart[] = [];
  let i = 0;
  let text = '';
  let hasExpressions = false;
  while (i < source.length) {
    const start = source.indexOf('!{', i);
    if (start < 0) {
      text += source.slice(i);
      break;
    }
    text += source.slice(i, start);
    const end = source.indexOf('}', start);
    if (end < 0) throw new PrefixError(`Expression "${source.slice(start)}" is not closed with "}".`);
    const body = source.slice(start + 2, end);
    const colon = body.indexOf(':');
    if (colon <= 0) throw new PrefixError(`Expression "!{${body}}" must have the form !{namespace:value}.`);
    const ns = body.slice(0, colon);
    const value = body.slice(colon + 1);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    hasExpressions = true;
    if (ns === 'timestamp') {
      if (value === '') throw new PrefixError('The timestamp expression needs a date pattern, e.g. !{timestamp:yyyy/MM/dd}.');
      try {
        parts.push({ kind: 'timestamp', pattern: parseJavaPattern(value) });
      } catch (err) {
        throw new PrefixError(`Invalid timestamp expression "!{${body}}": ${(err as DateFormatError).message}`);
      }
    } else if (ns === 'firehose') {
      if (value === 'random-string') parts.push({ kind: 'random' });
      else if (value === 'error-output-type') parts.push({ kind: 'errorType' });
      else throw new PrefixError(`Unsupported firehose expression "!{${body}}"; use random-string or error-output-type.`);
    } else if (ns === 'partitionKeyFromQuery' || ns === 'partitionKeyFromLambda') {
      if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new PrefixError(`Invalid partition key name in "!{${body}}".`);
      parts.push({ kind: ns === 'partitionKeyFromQuery' ? 'queryKey' : 'lambdaKey', key: value });
    } else {
      throw new PrefixError(`Unsupported expression namespace "${ns}" in "!{${body}}".`);
    }
    i = end + 1;
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return { source, parts, hasExpressions };
}

export const DEFAULT_TIME_PREFIX = parsePrefix('!{timestamp:yyyy/MM/dd/HH/}');

/** The prefix Firehose actually uses: a prefix without expressions gets the hourly time path appended. */
export function effectivePrefix(prefix: string | undefined): PrefixTemplate {
  const parsed = parsePrefix(prefix ?? '');
  if (parsed.hasExpressions) return parsed;
  return { source: parsed.source, parts: [...parsed.parts, ...DEFAULT_TIME_PREFIX.parts], hasExpressions: true };
}

export function usesPart(t: PrefixTemplate, kind: PrefixPart['kind']): boolean {
  return t.parts.some((p) => p.kind === kind);
}

export function partitionKeysOf(t: PrefixTemplate, kind: 'queryKey' | 'lambdaKey'): string[] {
  return t.parts.flatMap((p) => (p.kind === kind ? [p.key] : []));
}

export interface PrefixContext {
  /** Approximate arrival time of the oldest record in the object. */
  readonly timestamp: Date;
  readonly timeZone: string;
  readonly errorType?: string | undefined;
  readonly queryKeys?: Readonly<Record<string, string>> | undefined;
  readonly lambdaKeys?: Readonly<Record<string, string>> | undefined;
  /** Source of `!{firehose:random-string}` values (deterministic in tests and for idempotent redelivery). */
  readonly random?: (() => string) | undefined;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(): string {
  const bytes = randomBytes(11);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

/** Longest evaluated Prefix / ErrorOutputPrefix Firehose allows. */
export const MAX_EVALUATED_PREFIX = 512;

/** Stand-in for each partition key when measuring a prefix: Firehose refuses null or empty values, so at least one character. */
const SHORTEST_KEY = 'k';

/** Length of `t` evaluated at `at`, with the given partition key values (missing ones count as one character). */
export function evaluatedLength(
  t: PrefixTemplate,
  at: Date,
  timeZone: string,
  keys: { readonly query?: Readonly<Record<string, string>>; readonly lambda?: Readonly<Record<string, string>> } = {},
): number {
  const fill = (names: readonly string[], given: Readonly<Record<string, string>> | undefined): Record<string, string> =>
    Object.fromEntries(names.map((n) => [n, given?.[n] ?? SHORTEST_KEY]));
  return evaluatePrefix(t, {
    timestamp: at,
    timeZone,
    errorType: 'processing-failed',
    queryKeys: fill(partitionKeysOf(t, 'queryKey'), keys.query),
    lambdaKeys: fill(partitionKeysOf(t, 'lambdaKey'), keys.lambda),
    random: () => SHORTEST_KEY.repeat(11),
  }).length;
}

export function evaluatePrefix(t: PrefixTemplate, ctx: PrefixContext): string {
  let out = '';
  for (const p of t.parts) {
    switch (p.kind) {
      case 'text':
        out += p.text;
        break;
      case 'timestamp':
        out += formatJavaDate(p.pattern, ctx.timestamp, ctx.timeZone);
        break;
      case 'random':
        out += (ctx.random ?? randomString)();
        break;
      case 'errorType':
        out += ctx.errorType ?? '';
        break;
      case 'queryKey':
        out += ctx.queryKeys?.[p.key] ?? '';
        break;
      case 'lambdaKey':
        out += ctx.lambdaKeys?.[p.key] ?? '';
        break;
    }
  }
  return out;
}
