/** Executed tests of date/time and JSON function translations against Trino's documented answers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

describe('date and time functions', () => {
  it.each([
    ["date_format(timestamp '2024-01-02 03:04:05', '%Y-%m-%d %H:%i:%s')", '2024-01-02 03:04:05'],
    ["date_format(timestamp '2024-03-05 14:07:09.123', '%c/%e/%y %h:%i %p %M %W %f')", '3/5/24 02:07 PM March Tuesday 123000'],
    ["date_format(date '2024-01-02', '%d.%m.%Y')", '02.01.2024'],
    ["date_parse('2024/01/02 13:14', '%Y/%m/%d %H:%i')", '2024-01-02 13:14:00'],
    ["format_datetime(timestamp '2024-01-02 03:04:05.678', 'yyyy-MM-dd HH:mm:ss.SSS')", '2024-01-02 03:04:05.678'],
    ["format_datetime(timestamp '2024-01-02 15:04:05', 'EEE, MMM d yyyy h:mm a')", 'Tue, Jan 2 2024 3:04 PM'],
    ["date_format(parse_datetime('02/01/2024', 'dd/MM/yyyy'), '%Y-%m-%d')", '2024-01-02'],
    ["date_format(from_unixtime(86400), '%Y-%m-%d %H:%i:%s')", '1970-01-02 00:00:00'],
    ['to_unixtime(from_unixtime(1.5))', 1.5],
    // with_timezone reads the timestamp as local time in the zone: 10:00 in New York is 15:00 UTC.
    ["to_unixtime(with_timezone(timestamp '2024-01-01 10:00:00', 'America/New_York'))", 1704121200],
    ["to_milliseconds(INTERVAL '1' DAY + INTERVAL '2' SECOND)", 86402000],
    ["to_unixtime(timestamp '2020-01-01 00:00:00.5')", 1577836800.5],
    ["to_unixtime(from_iso8601_timestamp('2024-01-02T03:04:05+02:00'))", 1704157445],
    ["to_unixtime(from_iso8601_timestamp('2024-01-02T03:04:05Z'))", 1704164645],
    ["from_iso8601_date('2024-01-02')", '2024-01-02'],
    ["date_add('day', 1, date '2024-01-31')", '2024-02-01'],
    ["date_add('month', 1, date '2024-01-31')", '2024-02-29'],
    ["date_add('hour', 2, timestamp '2024-01-01 23:00:00')", '2024-01-02 01:00:00'],
    ["date_add('minute', -30, timestamp '2024-01-01 00:00:00')", '2023-12-31 23:30:00'],
    ["date_diff('day', timestamp '2024-01-01 23:00:00', timestamp '2024-01-02 01:00:00')", 0],
    ["date_diff('day', date '2024-01-01', date '2024-03-01')", 60],
    ["date_diff('hour', timestamp '2024-01-01 00:00:00', timestamp '2024-01-01 05:30:00')", 5],
    ["date_trunc('month', date '2024-01-15')", '2024-01-01'],
    ["date_trunc('hour', timestamp '2024-01-15 10:20:30')", '2024-01-15 10:00:00'],
    ["day_of_week(date '2024-01-07')", 7],
    ["dow(date '2024-01-08')", 1],
    ["day_of_year(date '2024-02-01')", 32],
    ["millisecond(timestamp '2020-01-01 00:00:12.345')", 345],
    ["year(date '2024-02-10')", 2024],
    ["last_day_of_month(date '2024-02-10')", '2024-02-29'],
    ["date('2024-02-10')", '2024-02-10'],
    ["to_iso8601(date '2024-02-10')", '2024-02-10'],
    ["to_iso8601(timestamp '2024-02-10 01:02:03.456')", '2024-02-10T01:02:03.456'],
    ["to_iso8601(from_iso8601_timestamp('2024-01-02T03:04:05.5+02:00'))", '2024-01-02T03:04:05.500+02:00'],
    ["to_iso8601(CAST(NULL AS date))", null],
  ])('%s = %s', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });

  it('keeps DATE results DATE and the session zone UTC', async () => {
    const r = await h.run("SELECT date_add('day', -1, current_date), date_trunc('year', date '2024-05-05'), current_timezone(), now() IS NOT NULL");
    expect(r.types.slice(0, 2)).toEqual(['DATE', 'DATE']);
    expect(r.rows[0]!.slice(1)).toEqual(['2024-01-01', 'UTC', true]);
  });

  it('converts a plain timestamp AT TIME ZONE from the session zone (UTC), not as local time there', async () => {
    // 10:00 UTC is 05:00 in New York and 19:00 in Tokyo; the value keeps its zone.
    const r = await h.row(
      "SELECT hour(TIMESTAMP '2024-01-15 10:00:00' AT TIME ZONE 'America/New_York'), CAST(at_timezone(TIMESTAMP '2024-01-15 10:00:00', 'Asia/Tokyo') AS varchar), " +
        "hour(TIMESTAMP '2024-01-15 10:00:00 UTC' AT TIME ZONE 'America/Los_Angeles')",
    );
    expect(r).toEqual([5, '2024-01-15 19:00:00.000 Asia/Tokyo', 2]);
  });

  it('translates sequences of dates', async () => {
    expect(await h.value("SELECT sequence(date '2024-01-01', date '2024-01-03')")).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
  });
});

describe('JSON functions', () => {
  it('casts JSON to ROW and ARRAY(ROW) as Trino does: keys the row lacks are ignored, absent fields are NULL', async () => {
    const r = await h.row(
      `SELECT CAST(json_parse('{"a":1,"b":2}') AS ROW(a int)), CAST(json_parse('{"b":2}') AS ROW(a int, b int)), ` +
        `CAST(json_extract('{"items":[{"sku":"A","qty":2,"x":[1]}]}', '$.items') AS array(row(sku varchar, qty int)))`,
    );
    expect(r).toEqual([{ a: 1 }, { a: null, b: 2 }, [{ sku: 'A', qty: 2 }]]);
  });

  it.each([
    [`json_extract_scalar('{"a":{"b":1}}', '$.a')`, null],
    [`json_extract_scalar('{"a":{"b":1}}', '$.a.b')`, '1'],
    [`json_extract_scalar('{"a b":"x"}', '$["a b"]')`, 'x'],
    [`json_extract_scalar('{"a":[1,2]}', '$.a[1]')`, '2'],
    [`json_extract_scalar('{"a":"x"}', '$.missing')`, null],
    [`json_format(json_extract('{"a":{"b":1}}', '$.a'))`, '{"b":1}'],
    [`json_extract('{"a":1}', '$.b')`, null],
    [`json_format(json_parse('{"a": [1, 2]}'))`, '{"a":[1,2]}'],
    [`json_array_length('[1,2,3]')`, 3],
    [`json_array_length('{"a":1}')`, null],
    [`json_array_contains('[1, 2, "a"]', 2)`, true],
    [`json_array_contains('[1, "a"]', 'a')`, true],
    [`json_array_contains('[1]', 3)`, false],
    [`json_size('{"x": {"a": 1, "b": 2}}', '$.x')`, 2],
    [`json_size('{"x": [1, 2, 3]}', '$.x')`, 3],
    [`json_size('{"x": 1}', '$.x')`, 0],
    [`CAST(json_extract('{"a":"x"}', '$.a') AS varchar)`, 'x'],
    [`CAST(json_parse('{"a":[1,2]}') AS map(varchar, array(integer)))`, { a: [1, 2] }],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });
});
