import { describe, expect, it } from 'vitest';
import { effectivePrefix, evaluatePrefix, parsePrefix, PrefixError } from './prefix-template.js';

const at = new Date('2026-03-07T23:45:06.789Z');

describe('Firehose prefix templates', () => {
  it('appends the hourly time path (without a slash) to a prefix that has no expressions', () => {
    expect(evaluatePrefix(effectivePrefix(undefined), { timestamp: at, timeZone: 'UTC' })).toBe('2026/03/07/23/');
    expect(evaluatePrefix(effectivePrefix('legacy'), { timestamp: at, timeZone: 'UTC' })).toBe('legacy2026/03/07/23/');
  });

  it('renders Java DateTimeFormatter patterns, quoted literals and time zones', () => {
    const t = parsePrefix("events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/!{timestamp:'y'yy'_'DDD}/");
    expect(evaluatePrefix(t, { timestamp: at, timeZone: 'UTC' })).toBe('events/dt=2026-03-07/hour=23/y26_066/');
    expect(evaluatePrefix(t, { timestamp: at, timeZone: 'Asia/Tokyo' })).toBe('events/dt=2026-03-08/hour=08/y26_067/');
  });

  it('fills firehose and partition-key namespaces', () => {
    const t = parsePrefix('!{firehose:error-output-type}/c=!{partitionKeyFromQuery:customer}/l=!{partitionKeyFromLambda:k}/!{firehose:random-string}/');
    let n = 0;
    const s = evaluatePrefix(t, { timestamp: at, timeZone: 'UTC', errorType: 'processing-failed', queryKeys: { customer: '42' }, lambdaKeys: { k: 'v' }, random: () => `r${n++}` });
    expect(s).toBe('processing-failed/c=42/l=v/r0/');
  });

  it('rejects malformed expressions', () => {
    expect(() => parsePrefix('a/!{timestamp:yyyy')).toThrow(PrefixError);
    expect(() => parsePrefix('a/!{nope:x}/')).toThrow(/namespace/);
    expect(() => parsePrefix('a/!{firehose:other}/')).toThrow(/random-string/);
    expect(() => parsePrefix('a/!{timestamp:qqq}/')).toThrow(/unsupported date pattern letter/);
    expect(() => parsePrefix('!{timestamp}')).toThrow(PrefixError);
  });
});
