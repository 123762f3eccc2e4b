/** Executed tests of the functions in function-map-extra.ts, against answers from Trino's documentation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

describe('array set functions', () => {
  it('array_union, array_intersect, array_except: distinct, first-seen order, NULL an element', async () => {
    expect(await h.value('SELECT array_union(ARRAY[1, 2, 2], ARRAY[3, 2, 4])')).toEqual([1, 2, 3, 4]);
    expect(await h.value('SELECT array_intersect(ARRAY[3, 1, 2, 3], ARRAY[2, 3, 4])')).toEqual([3, 2]);
    expect(await h.value('SELECT array_except(ARRAY[1, 2, 3, 1], ARRAY[2])')).toEqual([1, 3]);
    expect(await h.value('SELECT array_union(ARRAY[1, NULL], ARRAY[NULL, 2])')).toEqual([1, null, 2]);
    expect(await h.value('SELECT array_intersect(ARRAY[1, NULL], ARRAY[NULL])')).toEqual([null]);
    expect(await h.value('SELECT array_except(ARRAY[1, NULL], ARRAY[NULL])')).toEqual([1]);
    expect(await h.value('SELECT array_union(ARRAY[1], NULL)')).toBeNull();
    expect(await h.value("SELECT array_union(ARRAY['a'], ARRAY['b', 'a'])")).toEqual(['a', 'b']);
  });

  it('trim_array, ngrams, contains_sequence', async () => {
    expect(await h.value('SELECT trim_array(ARRAY[1, 2, 3, 4], 1)')).toEqual([1, 2, 3]);
    expect(await h.value('SELECT trim_array(ARRAY[1, 2, 3, 4], 4)')).toEqual([]);
    await expect(h.value('SELECT trim_array(ARRAY[1, 2], 3)')).rejects.toThrow(/INVALID_FUNCTION_ARGUMENT/);
    expect(await h.value("SELECT ngrams(ARRAY['foo', 'bar', 'baz', 'foo'], 2)")).toEqual([['foo', 'bar'], ['bar', 'baz'], ['baz', 'foo']]);
    expect(await h.value("SELECT ngrams(ARRAY['foo', 'bar'], 5)")).toEqual([['foo', 'bar']]);
    expect(await h.value('SELECT contains_sequence(ARRAY[1, 2, 3, 4], ARRAY[2, 3])')).toBe(true);
    expect(await h.value('SELECT contains_sequence(ARRAY[1, 2, 3, 4], ARRAY[3, 2])')).toBe(false);
    expect(await h.value('SELECT contains_sequence(ARRAY[1, 2], ARRAY[])')).toBe(true);
  });
});

describe('strings, JSON and extract', () => {
  it('concat_ws over an array skips NULLs; CAST(NULL AS varchar) concatenates to a varchar NULL', async () => {
    expect(await h.value("SELECT concat_ws('-', ARRAY['a', NULL, 'c'])")).toBe('a-c');
    expect(await h.value("SELECT concat_ws('-', 'a', 'b')")).toBe('a-b');
    const r = await h.run("SELECT 'a' || CAST(NULL AS VARCHAR)");
    expect(r.rows[0]).toEqual([null]);
    expect(r.types[0]).toBe('VARCHAR');
  });

  it('json_value, json_query and json_exists take the lax and strict modes', async () => {
    const doc = `'{"comment": "nice", "children": [10, 13, 16], "a": {"b": 1}}'`;
    expect(await h.value(`SELECT json_value(${doc}, 'lax $.comment')`)).toBe('nice');
    expect(await h.value(`SELECT json_value(${doc}, 'strict $.a.b')`)).toBe('1');
    expect(await h.value(`SELECT json_value(${doc}, 'lax $.children')`)).toBeNull();
    expect(await h.value(`SELECT json_value(${doc}, 'lax $.children[1]')`)).toBe('13');
    expect(await h.value(`SELECT json_query(${doc}, 'lax $.children')`)).toBe('[10,13,16]');
    expect(await h.value(`SELECT json_query(${doc}, 'lax $.a')`)).toBe('{"b":1}');
    expect(await h.value(`SELECT json_exists(${doc}, 'lax $.a')`)).toBe(true);
    expect(await h.value(`SELECT json_exists(${doc}, 'lax $.zz')`)).toBe(false);
    await expect(h.value(`SELECT json_exists(${doc}, 'lax $.children[*]?(@ > 10)')`)).rejects.toThrow(/filters, methods or ranges/);
  });

  it('extract: DOW and DAY_OF_WEEK are ISO (Sunday 7), DOY, YEAR_OF_WEEK', async () => {
    expect(await h.value("SELECT extract(DOW FROM DATE '2022-10-23')")).toBe(7);
    expect(await h.value("SELECT extract(DAY_OF_WEEK FROM DATE '2022-10-24')")).toBe(1);
    expect(await h.value("SELECT extract(DOY FROM DATE '2022-02-01')")).toBe(32);
    expect(await h.value("SELECT extract(YEAR_OF_WEEK FROM DATE '2021-01-01')")).toBe(2020);
    expect(await h.value("SELECT extract(DAY FROM DATE '2022-10-23')")).toBe(23);
  });

  it("date_format's ISO week (%v) and its year (%x)", async () => {
    expect(await h.value("SELECT date_format(TIMESTAMP '2022-10-20 05:10:00', '%x-%v')")).toBe('2022-42');
    expect(await h.value("SELECT date_format(TIMESTAMP '2021-01-01 00:00:00', '%x-%v')")).toBe('2020-53');
  });
});

describe('numbers', () => {
  it('mod by zero fails for exact types and is NaN for doubles', async () => {
    expect(await h.value('SELECT mod(-7, 3)')).toBe(-1);
    await expect(h.value('SELECT mod(5, 0)')).rejects.toThrow(/Division by zero/);
    expect(await h.value('SELECT is_nan(mod(5e0, 0))')).toBe(true);
  });

  it('to_base and from_base as Java writes and reads them', async () => {
    expect(await h.value('SELECT to_base(255, 16)')).toBe('ff');
    expect(await h.value('SELECT to_base(-255, 16)')).toBe('-ff');
    expect(await h.value("SELECT from_base('ff', 16)")).toBe(255);
    expect(await h.value("SELECT from_base('-777', 8)")).toBe(-511);
    await expect(h.value("SELECT from_base('fg', 16)")).rejects.toThrow(/Not a valid base-16 number/);
  });

  it('width_bucket', async () => {
    expect(await h.value('SELECT width_bucket(5.3, 0.2, 10.6, 5)')).toBe(3);
    expect(await h.value('SELECT width_bucket(-1, 0, 10, 5)')).toBe(0);
    expect(await h.value('SELECT width_bucket(10, 0, 10, 5)')).toBe(6);
    expect(await h.value('SELECT width_bucket(9, 10, 0, 5)')).toBe(1);
  });

  it('bitwise aggregates and shifts', async () => {
    expect(await h.value('SELECT bitwise_and_agg(x) FROM (VALUES 12, 10) AS t(x)')).toBe(8);
    expect(await h.value('SELECT bitwise_or_agg(x) FROM (VALUES 12, 10) AS t(x)')).toBe(14);
    expect(await h.value('SELECT bitwise_left_shift(1, 2)')).toBe(4);
    expect(await h.value('SELECT bitwise_right_shift_arithmetic(-8, 1)')).toBe(-4);
    // Logical: Trino's documented 8 >> 2 = 2; a negative bigint gets zeros from the left (2^62 - 2 for -8 >> 2).
    expect(String(await h.value('SELECT bitwise_right_shift(8, 2)'))).toBe('2');
    expect(await h.value('SELECT CAST(bitwise_right_shift(CAST(-8 AS bigint), 2) AS varchar)')).toBe('4611686018427387902');
    expect(String(await h.value('SELECT bitwise_right_shift(CAST(-8 AS bigint), 0)'))).toBe('-8');
  });

  it('ln, log2, log10 and sqrt at zero and below follow Java', async () => {
    expect(await h.value('SELECT ln(0) = -infinity()')).toBe(true);
    expect(await h.value('SELECT is_nan(ln(-1)) AND is_nan(sqrt(-1)) AND is_nan(log10(-5))')).toBe(true);
    expect(await h.value('SELECT log2(8)')).toBe(3);
    expect(await h.value('SELECT sqrt(16)')).toBe(4);
    expect(await h.value('SELECT cbrt(27)')).toBe(3);
    expect(await h.value('SELECT cbrt(-8)')).toBe(-2);
    expect(await h.value('SELECT cbrt(2) BETWEEN 1.2599 AND 1.26')).toBe(true);
  });

  it('format_number with unit symbols, as Trino formats it', async () => {
    const cases: [string, string][] = [['123456', '123K'], ['1000000', '1M'], ['1234', '1.23K'], ['12345', '12.3K'], ['-1234', '-1.23K'], ['999', '999'], ['5.67', '5'], ['0', '0'], ['1999999', '2M'], ['1500000000000', '1.5T']];
    for (const [x, expected] of cases) expect(await h.value(`SELECT format_number(${x})`), x).toBe(expected);
  });

  it('base64url', async () => {
    expect(await h.value("SELECT to_base64url(to_utf8('??>'))")).toBe('Pz8-');
    expect(await h.value("SELECT from_utf8(from_base64url('Pz8-'))")).toBe('??>');
    expect(await h.value("SELECT from_utf8(from_base64url('YQ'))")).toBe('a');
  });
});

describe('rarer functions, with the answers of Trino documentation', () => {
  it('json_array_get and is_json_scalar', async () => {
    expect(await h.value("SELECT json_format(json_array_get('[\"a\", [3, 9], \"c\"]', 1))")).toBe('[3,9]');
    expect(await h.value("SELECT json_format(json_array_get('[\"a\", [3, 9], \"c\"]', -1))")).toBe('"c"');
    expect(await h.value("SELECT json_array_get('[1, 2]', 10)")).toBeNull();
    expect(await h.value("SELECT json_array_get('{\"a\": 1}', 0)")).toBeNull();
    expect(await h.value("SELECT is_json_scalar('1')")).toBe(true);
    expect(await h.value("SELECT is_json_scalar('[1, 2, 3]')")).toBe(false);
  });

  it('bit_count with a width', async () => {
    expect(await h.value('SELECT bit_count(9, 64)')).toBe(2);
    expect(await h.value('SELECT bit_count(9, 8)')).toBe(2);
    expect(await h.value('SELECT bit_count(-7, 64)')).toBe(62);
    expect(await h.value('SELECT bit_count(-7, 8)')).toBe(6);
    await expect(h.value('SELECT bit_count(300, 8)')).rejects.toThrow(/cannot be represented with 8 bits/);
  });

  it('array_histogram, multimap_from_entries, split_to_multimap, multimap_agg', async () => {
    expect(await h.value('SELECT array_histogram(ARRAY[42, 7, 42, NULL])')).toEqual({ 42: 2, 7: 1 });
    expect(await h.value("SELECT multimap_from_entries(ARRAY[ROW(1, 'x'), ROW(2, 'y'), ROW(1, 'z')])")).toEqual({ 1: ['x', 'z'], 2: ['y'] });
    expect(await h.value("SELECT split_to_multimap('a=1,a=2,b=3', ',', '=')")).toEqual({ a: ['1', '2'], b: ['3'] });
    expect(await h.value("SELECT multimap_agg(k, v) FROM (VALUES ('a', 1), ('a', 2), ('b', 3), (NULL, 4)) AS t(k, v)")).toEqual({ a: [1, 2], b: [3] });
  });

  it('map_zip_with over the union of keys', async () => {
    expect(await h.value("SELECT map_zip_with(MAP(ARRAY[1, 2, 3], ARRAY['a', 'b', 'c']), MAP(ARRAY[1, 2, 3], ARRAY['d', 'e', 'f']), (k, v1, v2) -> concat(v1, v2))")).toEqual({ 1: 'ad', 2: 'be', 3: 'cf' });
    const sum = "(k, v1, v2) -> coalesce(v1, 0) + coalesce(v2, 0)";
    expect(await h.value(`SELECT map_zip_with(MAP(ARRAY['k1', 'k2'], ARRAY[1, 2]), MAP(ARRAY['k2', 'k3'], ARRAY[4, 9]), ${sum})`)).toEqual({ k1: 1, k2: 6, k3: 9 });
  });

  it('parse_data_size and luhn_check', async () => {
    expect(await h.value("SELECT CAST(parse_data_size('1kB') AS bigint)")).toBe(1024);
    expect(await h.value("SELECT CAST(parse_data_size('2.3MB') AS bigint)")).toBe(2411724);
    expect(await h.value("SELECT CAST(parse_data_size('1B') AS bigint)")).toBe(1);
    await expect(h.value("SELECT parse_data_size('1XB')")).rejects.toThrow(/Invalid data size/);
    expect(await h.value("SELECT luhn_check('79927398713')")).toBe(true);
    expect(await h.value("SELECT luhn_check('79927398714')")).toBe(false);
  });
});

describe('subscripts fail where Trino fails', () => {
  it('past the end, at 0 and below 1 for arrays; a missing key for maps', async () => {
    expect(await h.value('SELECT ARRAY[1, 2][2]')).toBe(2);
    await expect(h.value('SELECT ARRAY[1, 2][5]')).rejects.toThrow(/INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: 5 > 2/);
    await expect(h.value('SELECT ARRAY[1, 2][0]')).rejects.toThrow(/SQL array indices start at 1/);
    await expect(h.value('SELECT ARRAY[1, 2][-1]')).rejects.toThrow(/Array subscript is negative: -1/);
    await expect(h.value("SELECT split('a/b', '/')[3]")).rejects.toThrow(/3 > 2/);
    expect(await h.value("SELECT MAP(ARRAY['a'], ARRAY[1])['a']")).toBe(1);
    await expect(h.value("SELECT MAP(ARRAY['a'], ARRAY[1])['z']")).rejects.toThrow(/Key not present in map: z/);
  });

  it('element_at and try() give NULL instead; NULL arrays and indexes give NULL', async () => {
    expect(await h.value('SELECT element_at(ARRAY[1, 2], 5)')).toBeNull();
    expect(await h.value('SELECT element_at(ARRAY[1, 2], -1)')).toBe(2);
    expect(await h.value("SELECT element_at(MAP(ARRAY['a'], ARRAY[1]), 'z')")).toBeNull();
    expect(await h.value('SELECT try(ARRAY[1, 2][5])')).toBeNull();
    expect(await h.value('SELECT CAST(NULL AS array(integer))[1]')).toBeNull();
    expect(await h.value('SELECT ARRAY[1, 2][CAST(NULL AS integer)]')).toBeNull();
  });

  it('subscripts over table columns', async () => {
    const r = await h.run('SELECT a[1], a[2] FROM (VALUES (ARRAY[1, 2]), (ARRAY[3, 4])) AS t(a) ORDER BY 1');
    expect(r.rows).toEqual([[1, 2], [3, 4]]);
    await expect(h.value('SELECT a[2] FROM (VALUES (ARRAY[1, 2]), (ARRAY[3])) AS t(a)')).rejects.toThrow(/2 > 1/);
  });
});

describe('casts from varchar as Trino parses them', () => {
  it('integers take optional sign, digits and surrounding blanks; anything else fails, or is NULL under TRY_CAST and try()', async () => {
    expect(await h.value("SELECT CAST(' 12 ' AS integer)")).toBe(12);
    expect(await h.value("SELECT CAST('+3' AS bigint) + CAST('-7' AS smallint)")).toBe(-4);
    for (const text of ['1.5', '1e2', '0x1F', '', '1_000']) {
      await expect(h.value(`SELECT CAST('${text}' AS integer)`)).rejects.toThrow(`INVALID_CAST_ARGUMENT: Cannot cast '${text}' to INT`);
      expect(await h.value(`SELECT TRY_CAST('${text}' AS bigint)`)).toBeNull();
      expect(await h.value(`SELECT try(CAST('${text}' AS bigint))`)).toBeNull();
    }
    await expect(h.value("SELECT CAST(x AS bigint) FROM (VALUES ('5'), ('5.0')) AS t(x)")).rejects.toThrow("Cannot cast '5.0' to BIGINT");
    // Other operand types keep their casts: doubles round half away from zero, booleans are 0/1.
    expect(await h.value('SELECT CAST(2.5E0 AS integer) + CAST(true AS integer)')).toBe(4);
  });

  it('booleans take t/f/1/0/true/false in any case; yes/no fail', async () => {
    expect(await h.value("SELECT ARRAY[CAST('T' AS boolean), CAST('false' AS boolean), CAST('1' AS boolean), CAST('0' AS boolean)]")).toEqual([true, false, true, false]);
    await expect(h.value("SELECT CAST('yes' AS boolean)")).rejects.toThrow("INVALID_CAST_ARGUMENT: Cannot cast 'yes' to BOOLEAN");
    expect(await h.value("SELECT TRY_CAST('no' AS boolean)")).toBeNull();
    expect(await h.value('SELECT CAST(1 AS boolean)')).toBe(true);
  });
});
