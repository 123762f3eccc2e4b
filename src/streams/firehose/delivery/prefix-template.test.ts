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

  it('renders week-based years and weeks (Locale.US, as the JVM), quarters, eras and zone offsets and names', () => {
    const render = (pattern: string, iso: string, timeZone = 'UTC'): string => evaluatePrefix(parsePrefix(`!{timestamp:${pattern}}/`), { timestamp: new Date(iso), timeZone });
    // Sunday 29 Dec 2024 starts the week holding 1 Jan 2025: week 1 of 2025. Saturday 31 Dec 2022 is week 53 of 2022.
    expect(render('YYYY-ww', '2024-12-29T12:00:00Z')).toBe('2025-01/');
    expect(render('YYYY-ww', '2024-01-07T12:00:00Z')).toBe('2024-02/');
    expect(render('YYYY-ww', '2022-12-31T12:00:00Z')).toBe('2022-53/');
    expect(render("yyyy'Q'Q QQQ G", '2026-05-10T00:00:00Z')).toBe('2026Q2 Q2 AD/');
    expect(render('Z XXX x O z', '2026-01-10T12:00:00Z')).toBe('+0000 Z +00 GMT UTC/');
    expect(render('Z XXX O z VV', '2026-01-10T12:00:00Z', 'America/New_York')).toBe('-0500 -05:00 GMT-5 EST America/New_York/');
    expect(render('XXX', '2026-01-10T12:00:00Z', 'Asia/Kolkata')).toBe('+05:30/');
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
    expect(() => parsePrefix('a/!{timestamp:bbb}/')).toThrow(/unsupported date pattern letter/);
    // java.time's letter counts: past them DateTimeFormatter.ofPattern throws, so Firehose refuses the prefix.
    expect(() => parsePrefix('a/!{timestamp:qqqqqq}/')).toThrow(/Too many pattern letters: q/);
    expect(() => parsePrefix('a/!{timestamp:yyyy-MM-ddd}/')).toThrow(/Too many pattern letters: d/);
    expect(() => parsePrefix('a/!{timestamp:HHH}/')).toThrow(/Too many pattern letters: H/);
    expect(parsePrefix('a/!{timestamp:yyyyy QQQQ EEEE DDD SSSSSSSSS a}/')).toBeDefined();
    expect(() => parsePrefix('!{timestamp}')).toThrow(PrefixError);
  });
});
