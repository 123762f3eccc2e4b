import { describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { croner } from './scheduler.js';

const next = (expr: string, from: string) => new Cron(croner(expr), { mode: '7-part', alternativeWeekdays: true, sloppyRanges: true, timezone: 'UTC', paused: true }).nextRun(new Date(from))?.toISOString();

describe('Glue cron schedules', () => {
  it('translates AWS cron to croner (UTC, ? and year, AWS weekday numbers)', () => {
    expect(next('cron(0/5 * * * ? *)', '2026-09-01T00:00:30Z')).toBe('2026-09-01T00:05:00.000Z');
    expect(next('cron(15 12 * * ? *)', '2026-09-01T13:00:00Z')).toBe('2026-09-02T12:15:00.000Z');
    // 2 = Monday in AWS numbering; 2026-09-05 is a Saturday.
    expect(next('cron(0 8 ? * 2 *)', '2026-09-05T00:00:00Z')).toBe('2026-09-07T08:00:00.000Z');
    expect(next('cron(0 10 ? * 6L 2027)', '2026-09-01T00:00:00Z')).toBe('2027-01-29T10:00:00.000Z');
  });

  it('rejects schedules that run more often than every 5 minutes', () => {
    for (const bad of ['cron(0/1 * * * ? *)', 'cron(* 3 * * ? *)', 'cron(0,4 * * * ? *)', 'cron(0/4 * * * ? *)', 'cron(58,1 * * * ? *)']) {
      expect(() => croner(bad), bad).toThrow(/more often than every 5 minutes/);
    }
    for (const ok of ['cron(0/5 * * * ? *)', 'cron(0,5,10 * * * ? *)', 'cron(55,0 * * * ? *)', 'cron(0 * * * ? *)', 'cron(0 10 ? * 6L 2027)']) {
      expect(() => croner(ok), ok).not.toThrow();
    }
  });

  it('rejects malformed expressions', () => {
    for (const bad of ['0 * * * ? *', 'cron(* * * * *)', 'cron(0 12 * * * *)', 'cron(0 12 ? * ? *)', 'cron(99 * * * ? *)', 'rate(5 minutes)']) {
      expect(() => croner(bad), bad).toThrow(/Invalid schedule expression/);
    }
  });
});
