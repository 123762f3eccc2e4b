/** Executed tests of zoned timestamps (zoned-timestamps.ts, zoned-functions.ts), against the answers of Trino's documentation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

const text = async (expr: string): Promise<unknown> => h.value(`SELECT CAST(${expr} AS varchar)`);

describe('zoned values keep their zone', () => {
  it('from_iso8601_timestamp keeps the offset written', async () => {
    const x = "from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')";
    expect(await text(x)).toBe('2020-05-11 11:15:05.055 +01:00');
    expect(await h.row(`SELECT hour(${x}), timezone_hour(${x}), timezone_minute(${x}), to_iso8601(${x}), to_unixtime(${x})`)).toEqual([11, 1, 0, '2020-05-11T11:15:05.055+01:00', 1589192105.055]);
    expect(await text("from_iso8601_timestamp('2020-05-11T10:15:05Z')")).toBe('2020-05-11 10:15:05.000 UTC');
    expect(await text("from_iso8601_timestamp('2020-05-11')")).toBe('2020-05-11 00:00:00.000 UTC');
    expect(await text("from_iso8601_timestamp('1960-01-01T10:00:00.123-05:30')")).toBe('1960-01-01 10:00:00.123 -05:30');
  });

  it('with_timezone reads a timestamp in the zone; AT TIME ZONE and at_timezone move an instant to it', async () => {
    const w = "with_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'America/Los_Angeles')";
    expect(await text(w)).toBe('2022-11-01 09:08:07.321 America/Los_Angeles');
    expect(await h.row(`SELECT hour(${w}), to_unixtime(${w})`)).toEqual([9, 1667318887.321]);
    expect(await text("TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles'")).toBe('2012-10-30 18:00:00.000 America/Los_Angeles');
    expect(await text("at_timezone(TIMESTAMP '2022-11-01 09:08:07.321 UTC', 'America/Los_Angeles')")).toBe('2022-11-01 02:08:07.321 America/Los_Angeles');
    // The zone name may be written in any case; a numeric offset works too.
    expect(await text("TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE 'asia/tokyo'")).toBe('2012-10-31 10:00:00.000 Asia/Tokyo');
    expect(await text("TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE '+05:30'")).toBe('2012-10-31 06:30:00.000 +05:30');
  });

  it('zoned literals, from_unixtime and parse_datetime', async () => {
    expect(await text("TIMESTAMP '2020-01-01 00:00:00 +05:30'")).toBe('2020-01-01 00:00:00.000 +05:30');
    expect(await h.row("SELECT timezone_hour(TIMESTAMP '2020-01-01 00:00 -05:30'), timezone_minute(TIMESTAMP '2020-01-01 00:00 -05:30')")).toEqual([-5, -30]);
    expect(await text("from_unixtime(1700000000, 'America/New_York')")).toBe('2023-11-14 17:13:20.000 America/New_York');
    expect(await text('from_unixtime(1700000000)')).toBe('2023-11-14 22:13:20.000 UTC');
    expect(await text('from_unixtime(0, 5, 30)')).toBe('1970-01-01 05:30:00.000 +05:30');
    expect(await text('from_unixtime(0, -5, -30)')).toBe('1969-12-31 18:30:00.000 -05:30');
    expect(await text('from_unixtime(0, -5, 30)')).toBe('1969-12-31 19:30:00.000 -04:30');
    expect(await text("parse_datetime('2022-10-20 05:10', 'yyyy-MM-dd HH:mm')")).toBe('2022-10-20 05:10:00.000 UTC');
    expect(await h.value("SELECT typeof(parse_datetime('2022-10-20', 'yyyy-MM-dd'))")).toBe('timestamp(3) with time zone');
    expect(String(await text('current_timestamp'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
  });

  it('fields, casts, date_trunc and formats read the wall clock in the zone', async () => {
    const la = "(TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles')";
    expect(await h.row(`SELECT day(${la}), CAST(${la} AS date), date(${la}), extract(HOUR FROM ${la}), date_format(${la}, '%H:%i'), format_datetime(${la}, 'HH:mm')`)).toEqual([
      30,
      '2012-10-30',
      '2012-10-30',
      18,
      '18:00',
      '18:00',
    ]);
    expect(await text(`date_trunc('day', ${la})`)).toBe('2012-10-30 00:00:00.000 America/Los_Angeles');
    expect(await h.value(`SELECT CAST(CAST(${la} AS timestamp) AS varchar)`)).toBe('2012-10-30 18:00:00.000');
  });

  it('compares and orders by instant', async () => {
    const a = "from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')";
    expect(await h.value(`SELECT ${a} < from_iso8601_timestamp('2020-05-11T10:15:05.056Z')`)).toBe(true);
    expect(await h.value(`SELECT ${a} > from_iso8601_timestamp('2020-05-11T10:15:05.054Z')`)).toBe(true);
    expect(await h.value(`SELECT to_unixtime(${a}) = to_unixtime(from_iso8601_timestamp('2020-05-11T10:15:05.055Z'))`)).toBe(true);
  });

  it('refuses an unknown zone', async () => {
    await expect(h.value("SELECT TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE 'Mars/Olympus'")).rejects.toThrow(/Time zone not supported: Mars\/Olympus/);
  });
});

describe('differences of zoned values are differences of instants', () => {
  it('date_diff and subtraction across zones; an interval keeps the zone', async () => {
    const a = "from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')";
    const b = "from_iso8601_timestamp('2020-05-11T10:15:08.055Z')";
    expect(await h.row(`SELECT date_diff('millisecond', ${a}, ${b}), date_diff('second', ${a}, ${b}), to_milliseconds(${b} - ${a})`)).toEqual([3000, 3, 3000]);
    expect(await h.value(`SELECT CAST(${a} + INTERVAL '2' HOUR AS varchar)`)).toBe('2020-05-11 13:15:05.055 +01:00');
    expect(await h.value(`SELECT CAST(${a} - INTERVAL '1' DAY AS varchar)`)).toBe('2020-05-10 11:15:05.055 +01:00');
  });
});

describe('queries that make zoned values keep plain dates and timestamps as they were', () => {
  it('date_diff of dates, fields of dates and casts of timestamps beside current_timestamp', async () => {
    const r = await h.row(
      "SELECT date_diff('day', DATE '2020-01-01', DATE '2020-01-05') > 0, year(DATE '2020-01-05'), CAST(CAST(TIMESTAMP '2020-01-05 10:00:00' AS date) AS varchar), current_timestamp IS NOT NULL",
    );
    expect(r).toEqual([true, 2020, '2020-01-05', true]);
  });
});
