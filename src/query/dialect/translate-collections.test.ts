/** Executed tests of aggregates, arrays, maps, UNNEST forms, regular expressions and string functions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

describe('aggregates', () => {
  it('approx_*, arbitrary, count_if, array_agg', async () => {
    const r = await h.run(
      'SELECT count_if(x > 1), arbitrary(x) IS NOT NULL, approx_distinct(x), approx_percentile(x, 0.5), approx_percentile(x, array[0.5, 1.0]), array_agg(x ORDER BY x DESC), every(x > 0) FROM (VALUES 1, 2, 3, 4, 5) AS t(x)',
    );
    expect(r.rows[0]).toEqual([4, true, 5, 3, [3, 5], [5, 4, 3, 2, 1], true]);
    expect(r.types[0]).toBe('BIGINT');
  });

  it('arbitrary skips NULLs', async () => {
    expect(await h.value('SELECT arbitrary(x) FROM (VALUES NULL, 7) AS t(x)')).toBe(7);
  });

  it('map_agg (keeps one value per key) and histogram', async () => {
    expect(await h.value("SELECT map_agg(k, v) FROM (VALUES ('a', 1), ('b', 2), (NULL, 3)) AS t(k, v)")).toEqual({ a: 1, b: 2 });
    const dup = (await h.value("SELECT map_agg(k, v) FROM (VALUES ('a', 1), ('a', 2), ('b', 3)) AS t(k, v)")) as Record<string, number>;
    expect(Object.keys(dup).sort()).toEqual(['a', 'b']);
    expect(await h.value("SELECT histogram(x) FROM (VALUES 'a', 'b', 'a') AS t(x)")).toEqual({ a: 2, b: 1 });
    expect(await h.value("SELECT map_agg(k, v) FILTER (WHERE v > 1) FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v)")).toEqual({ b: 2 });
  });

  it('listagg … WITHIN GROUP', async () => {
    expect(await h.value("SELECT listagg(x, ',') WITHIN GROUP (ORDER BY x DESC) FROM (VALUES 'a', 'b', 'c') AS t(x)")).toBe('c,b,a');
  });
});

describe('arrays and maps', () => {
  it.each([
    ['cardinality(array[1,2,3])', 3],
    ["cardinality(map(array['a'], array[1]))", 1],
    ['element_at(array[1,2], 5)', null],
    ['element_at(array[1,2], -1)', 2],
    ["element_at(map(array['a'], array[1]), 'a')", 1],
    ["element_at(map(array['a'], array[1]), 'z')", null],
    ['array[1,2][2]', 2],
    ['contains(array[1,2], 2)', true],
    // Trino's three-valued answer: not found in an array holding a NULL is NULL.
    ['contains(array[1,NULL], 2)', null],
    ['contains(array[1,NULL], 1)', true],
    ['contains(array[1,2], 3)', false],
    ["array_join(array['a', NULL, 'b'], ',')", 'a,b'],
    ["array_join(array['a', NULL], ',', 'x')", 'a,x'],
    ['transform(array[1,2], x -> x * 2)', [2, 4]],
    ['filter(array[1,2,3], x -> x > 1)', [2, 3]],
    ['reduce(array[1,2,3], 0, (s, x) -> s + x, s -> s * 10)', 60],
    ['reduce(array[5,20,50], 0, (s, x) -> s + x, s -> s)', 75],
    ["map_keys(map(array['a','b'], array[1,2]))", ['a', 'b']],
    ["map_values(map(array['a','b'], array[1,2]))", [1, 2]],
    ["map(array['a'], array[1])", { a: 1 }],
    ['sequence(1, 5, 2)', [1, 3, 5]],
    ['sequence(3, 1)', [3, 2, 1]],
    ['slice(array[1,2,3,4], 2, 2)', [2, 3]],
    ['slice(array[1,2,3,4], -2, 2)', [3, 4]],
    ['array_distinct(array[3, 1, NULL, 3, 1])', [3, 1, null]],
    ['cardinality(zip(array[1,2], array[3]))', 2],
    ['array_max(array[1, NULL])', null],
    ['array_max(array[1, 3])', 3],
    ['array_min(array[2, 3])', 2],
    ['array_position(array[5,6], 6)', 2],
    ['array_position(array[5,6], 7)', 0],
    ['array_sort(array[3, NULL, 1])', [1, 3, null]],
    // With a comparator: descending, by length (stable for ties), NULL array.
    ['array_sort(ARRAY[3, 1, 2, 1], (a, b) -> IF(a < b, 1, IF(a = b, 0, -1)))', [3, 2, 1, 1]],
    ["array_sort(ARRAY['bb', 'a', 'ccc', 'dd'], (x, y) -> IF(length(x) < length(y), -1, IF(length(x) = length(y), 0, 1)))", ['a', 'bb', 'dd', 'ccc']],
    ['array_sort(CAST(NULL AS array(integer)), (a, b) -> 0)', null],
    ['array_remove(array[1, 2, 1], 1)', [2]],
    // Trino's three-valued any_match / all_match / none_match (a decisive element wins, else NULL beats the default).
    ['any_match(array[1, 2, 3], x -> x > 2)', true],
    ['any_match(array[1, NULL, 3], x -> x > 2)', true],
    ['any_match(array[1, NULL], x -> x > 2)', null],
    ['any_match(array[1, 2], x -> x > 2)', false],
    ['any_match(CAST(array[] AS array(integer)), x -> x > 2)', false],
    ['all_match(array[3, 4], x -> x > 2)', true],
    ['all_match(array[3, NULL, 1], x -> x > 2)', false],
    ['all_match(array[3, NULL], x -> x > 2)', null],
    ['all_match(CAST(array[] AS array(integer)), x -> x > 2)', true],
    ['none_match(array[1, 2], x -> x > 2)', true],
    ['none_match(array[1, NULL, 3], x -> x > 2)', false],
    ['none_match(array[1, NULL], x -> x > 2)', null],
    ["any_match(CAST(NULL AS array(varchar)), x -> x = 'a')", null],
    ["transform_values(map(array['a', 'b'], array[1, 2]), (k, v) -> v * 10 + length(k))", { a: 11, b: 21 }],
    ["transform_keys(map(array['a', 'b'], array[1, 2]), (k, v) -> upper(k) || CAST(v AS varchar))", { A1: 1, B2: 2 }],
    ["map_filter(map(array['a', 'b', 'c'], array[1, NULL, 3]), (k, v) -> v > 1)", { c: 3 }],
    ['transform_values(CAST(NULL AS map(varchar, integer)), (k, v) -> v)', null],
    ['zip_with(array[1, 2, 3], array[10, 20], (x, y) -> coalesce(x, 0) + coalesce(y, 0))', [11, 22, 3]],
    ["zip_with(array['a'], array['b'], (x, y) -> x || y)", ['ab']],
    ['zip_with(CAST(NULL AS array(integer)), array[1], (x, y) -> x)', null],
    ["split_to_map('a=1&b=2', '&', '=')", { a: '1', b: '2' }],
    ["split_to_map('a=1,b=,', ',', '=')", { a: '1', b: '' }],
    ["split_to_map('', ',', '=')", {}],
    ["split_to_map('k::v;;x::y', ';;', '::')", { k: 'v', x: 'y' }],
    ["repeat('a', 3)", ['a', 'a', 'a']],
    ['reverse(array[1, 2])', [2, 1]],
    ['arrays_overlap(array[1, 2], array[2, 3])', true],
    ['flatten(array[array[1], array[2, 3]])', [1, 2, 3]],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });

  it.each([["split_to_map('a=1,b', ',', '=')", "Bad input: 'b'"], ["split_to_map('a=1=2', ',', '=')", "Bad input: 'a=1=2'"], ["split_to_map('a=1,,b=2', ',', '=')", "Bad input: ''"]])(
    '%s fails as Trino does',
    async (expr, message) => {
      await expect(h.value(`SELECT ${expr}`)).rejects.toThrow(`INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. ${message}`);
    },
  );

  it('refuses a lambda with the wrong number of parameters', async () => {
    await expect(h.translate("SELECT transform_values(map(array['a'], array[1]), v -> v)")).rejects.toThrow(/transform_values: the function argument must be a 2-argument lambda/);
  });

  it('cardinality of columns whose type is only known at run time', async () => {
    expect(await h.row("SELECT cardinality(a), cardinality(m) FROM (VALUES (array[1,2], map(array['a','b','c'], array[1,2,3]))) AS t(a, m)")).toEqual([2, 3]);
  });

  it('row field access', async () => {
    expect(await h.value("SELECT r.b FROM (VALUES CAST(ROW(1, 'x') AS ROW(a integer, b varchar))) AS t(r)")).toBe('x');
  });
});

describe('UNNEST', () => {
  const data = "(VALUES (1, array[10, 20], map(array['k1', 'k2'], array['v1', 'v2'])), (2, array[], NULL)) AS t(id, a, m)";

  it('CROSS JOIN UNNEST(array) AS t(x)', async () => {
    expect((await h.run(`SELECT id, x FROM ${data} CROSS JOIN UNNEST(a) AS u(x) ORDER BY id, x`)).rows).toEqual([[1, 10], [1, 20]]);
  });

  it('WITH ORDINALITY', async () => {
    expect((await h.run(`SELECT x, n FROM ${data} CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(x, n) ORDER BY n`)).rows).toEqual([[10, 1], [20, 2]]);
  });

  it('a map into key and value columns', async () => {
    const r = await h.run(`SELECT id, k, v FROM ${data} CROSS JOIN UNNEST(m) AS u(k, v) ORDER BY k`);
    expect(r.rows).toEqual([[1, 'k1', 'v1'], [1, 'k2', 'v2']]);
    expect(r.translated.columnNames).toEqual(['id', 'k', 'v']);
  });

  it('several arrays, zipped and padded with NULLs, with ordinality', async () => {
    const r = await h.run("SELECT x, y, n FROM (VALUES (array[1, 2, 3], array['a'])) AS t(a, b) CROSS JOIN UNNEST(a, b) WITH ORDINALITY AS u(x, y, n) ORDER BY n");
    expect(r.rows).toEqual([[1, 'a', 1], [2, null, 2], [3, null, 3]]);
  });

  it('an array of rows into its fields', async () => {
    const r = await h.run("SELECT a, b FROM UNNEST(array[CAST(ROW(1, 'x') AS ROW(a integer, b varchar)), CAST(ROW(2, 'y') AS ROW(a integer, b varchar))]) AS u(a, b) ORDER BY a");
    expect(r.rows).toEqual([[1, 'x'], [2, 'y']]);
  });

  it('an array of unnamed rows, and a JSON array cast to an array of rows (the JSON events pattern)', async () => {
    expect((await h.run("SELECT n, v FROM UNNEST(ARRAY[ROW(1, 'a'), ROW(2, 'b')]) AS t(n, v) ORDER BY n")).rows).toEqual([[1, 'a'], [2, 'b']]);
    const json = `'{"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}'`;
    const r = await h.run(`SELECT t.sku, t.qty FROM (VALUES (${json})) AS p(payload) CROSS JOIN UNNEST(CAST(json_extract(payload, '$.items') AS ARRAY(ROW(sku VARCHAR, qty INTEGER)))) AS t(sku, qty) ORDER BY t.sku`);
    expect(r.rows).toEqual([['a', 1], ['b', 2]]);
  });

  it('WITH ORDINALITY over an array of rows and over a map', async () => {
    const rows = "ARRAY[CAST(ROW(1, 'x') AS ROW(a integer, b varchar)), CAST(ROW(2, 'y') AS ROW(a integer, b varchar))]";
    expect((await h.run(`SELECT a, b, n FROM UNNEST(${rows}) WITH ORDINALITY AS u(a, b, n) ORDER BY n`)).rows).toEqual([[1, 'x', 1], [2, 'y', 2]]);
    const m = await h.run("SELECT k, v, n FROM UNNEST(MAP(ARRAY['a', 'b'], ARRAY[10, 20])) WITH ORDINALITY AS u(k, v, n) ORDER BY n");
    expect(m.rows).toEqual([['a', 10, 1], ['b', 20, 2]]);
    expect(m.types[2]).toBe('BIGINT');
    const lateral = await h.run(`SELECT id, k, n FROM ${data} CROSS JOIN UNNEST(m) WITH ORDINALITY AS u(k, v, n) ORDER BY id, n`);
    expect(lateral.rows.map((r) => r[2])).toEqual([1, 2]);
  });

  it('LEFT JOIN UNNEST … ON true keeps rows with empty arrays', async () => {
    expect((await h.run(`SELECT id, x FROM ${data} LEFT JOIN UNNEST(a) AS u(x) ON true ORDER BY id, x`)).rows).toEqual([[1, 10], [1, 20], [2, null]]);
  });
});

describe('regular expressions', () => {
  it.each([
    ["regexp_like('abc', 'b')", true],
    ["regexp_like('abc', '^b')", false],
    ["regexp_extract('abc', 'x')", null],
    ["regexp_extract('a1b22', '\\d+')", '1'],
    ["regexp_extract('a1b22', '([a-z])(\\d+)', 2)", '1'],
    ["regexp_extract_all('a1b22', '\\d+')", ['1', '22']],
    ["regexp_count('a1b22c333', '\\d+')", 3],
    ["regexp_count('abc', 'z')", 0],
    ["regexp_position('bab', 'b$')", 3],
    ["regexp_position('xa1b22', '\\d+')", 3],
    ["regexp_position('héllo wörld', 'w')", 7],
    // Trino's documented answers for a start position and an occurrence.
    ["regexp_position('I have 23 apples, 5 pears and 13 oranges', '\\b\\d+\\b', 5)", 8],
    ["regexp_position('I have 23 apples, 5 pears and 13 oranges', '\\b\\d+\\b', 5, 2)", 19],
    ["regexp_position('I have 23 apples, 5 pears and 13 oranges', '\\b\\d+\\b', 5, 3)", 31],
    ["regexp_position('I have 23 apples, 5 pears and 13 oranges', '\\b\\d+\\b', 5, 4)", -1],
    ["regexp_position('abc', 'z')", -1],
    ["regexp_position(CAST(NULL AS varchar), 'z')", null],
    ['round(e(), 5)', 2.71828],
    ['array_average(array[1, 2, NULL, 6])', 3],
    ['array_average(CAST(array[NULL] AS array(double)))', null],
    ["regexp_replace('abc', '(b)', '[$1]')", 'a[b]c'],
    ["regexp_replace('abab', 'b')", 'aa'],
    ["regexp_replace('a.b.c', '\\.', '\\$')", 'a$b$c'],
    ["regexp_split('1a 2b 14m', '\\s*[a-z]+\\s*')", ['1', '2', '14', '']],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });
});

describe('format, typeof', () => {
  it.each([
    ["format('%s=%d', 'n', 42)", 'n=42'],
    ["format('%.2f|%5d|%-4s|%05d|%x|%X|%o|%%', 3.14159, 7, 'ab', 42, 255, 255, 8)", '3.14|    7|ab  |00042|ff|FF|10|%'],
    ["format('%,d', 1234567)", '1,234,567'],
    ["format('%S and %s', 'abc', NULL)", 'ABC and null'],
    ["format('%2$s-%1$s-%<s', 'a', 'b')", 'b-a-a'],
    ["format('%b %b %b', true, false, NULL)", 'true false false'],
    ["format('%s', 1.5)", '1.5'],
    ["format('%e', 12345.678)", '1.234568e+04'],
    ["format('line%nnext')", 'line\nnext'],
    ["typeof(1)", 'integer'],
    ["typeof(10000000000)", 'bigint'],
    ["typeof(1.5)", 'double'],
    ['typeof(sum(x)) FROM (VALUES 1, 2) AS t(x)', 'bigint'],
    ["typeof('abc')", 'varchar(3)'],
    ["typeof(CAST('x' AS varchar))", 'varchar'],
    ["typeof(CAST(1 AS real))", 'real'],
    ["typeof(DECIMAL '1.25')", 'decimal(3,2)'],
    ["typeof(true)", 'boolean'],
    ["typeof(DATE '2024-01-02')", 'date'],
    ["typeof(TIMESTAMP '2024-01-02 03:04:05')", 'timestamp(3)'],
    ["typeof(from_unixtime(0))", 'timestamp(3) with time zone'],
    ["typeof(ARRAY[1, 2])", 'array(integer)'],
    ["typeof(ARRAY[ARRAY['a']])", 'array(array(varchar))'],
    ["typeof(MAP(ARRAY['a'], ARRAY[1.5]))", 'map(varchar, double)'],
    ["typeof(CAST(ROW(1, 'a') AS ROW(x integer, y varchar)))", 'row(x integer, y varchar)'],
    ["typeof(to_utf8('a'))", 'varbinary'],
    ["length(to_utf8('héllo'))", 6],
    ["normalize('e\u0301') = normalize('\u00e9', NFC)", true],
    ['ARRAY[1] || 2', [1, 2]],
    ['0 || ARRAY[1]', [0, 1]],
    ["ARRAY['x'] || 'y'", ['x', 'y']],
    ['ARRAY[1, 2] || ARRAY[3]', [1, 2, 3]],
    ["length('héllo')", 5],
    ['length(CAST(NULL AS varbinary))', null],
    ["typeof(NULL)", 'unknown'],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });

  it('fails like Trino on a zero instance or limit', async () => {
    await expect(h.value("SELECT strpos('abc', 'b', 0)")).rejects.toThrow(/INVALID_FUNCTION_ARGUMENT: 'instance' must be a positive or negative number/);
    await expect(h.value("SELECT split('a,b', ',', 0)")).rejects.toThrow(/INVALID_FUNCTION_ARGUMENT: Limit must be positive/);
  });

  it('refuses what it cannot translate', async () => {
    await expect(h.value("SELECT format('%tY', current_date)")).rejects.toThrow(/conversion '%tY' is not supported/);
    await expect(h.value("SELECT normalize('a', NFD)")).rejects.toThrow(/only the NFC form/);
    await expect(h.value("SELECT format('%s %s', 'a')")).rejects.toThrow(/has no argument/);
    await expect(h.value('SELECT format(concat(\'%\', \'s\'), 1)')).rejects.toThrow(/must be a constant string/);
  });
});

describe('casts to varchar, VALUES lists', () => {
  it.each([
    // Java's Double.toString: plain for 1e-3 <= |x| < 1e7, else scientific with at least one decimal.
    ['CAST(1e20 AS varchar)', '1.0E20'],
    ['CAST(12345678e0 AS varchar)', '1.2345678E7'],
    ['CAST(9999999e0 AS varchar)', '9999999.0'],
    ['CAST(-12345678.25e0 AS varchar)', '-1.234567825E7'],
    ['CAST(0.001e0 AS varchar)', '0.001'],
    ['CAST(0.00025e0 AS varchar)', '2.5E-4'],
    ['CAST(1.5e-7 AS varchar)', '1.5E-7'],
    ['CAST(0.1 + 0.2 AS varchar)', '0.30000000000000004'],
    ['CAST(0e0 AS varchar)', '0.0'],
    ['CAST(infinity() AS varchar)', 'Infinity'],
    ['CAST(nan() AS varchar)', 'NaN'],
    ["CAST(x AS varchar) FROM (VALUES 1e20) t(x)", '1.0E20'],
    // timestamp(3): always milliseconds; a zoned value in UTC.
    ["CAST(TIMESTAMP '2024-01-02 03:04:05' AS varchar)", '2024-01-02 03:04:05.000'],
    ["CAST(TIMESTAMP '2024-01-02 03:04:05.5' AS varchar)", '2024-01-02 03:04:05.500'],
    ['CAST(from_unixtime(1.25) AS varchar)', '1970-01-01 00:00:01.250 UTC'],
    // Other types keep DuckDB's text, which is Trino's.
    ['CAST(17 AS varchar)', '17'],
    ["CAST(DECIMAL '1.50' AS varchar)", '1.50'],
    ["CAST(DATE '2024-01-02' AS varchar)", '2024-01-02'],
    ['CAST(CAST(NULL AS double) AS varchar)', null],
    // Expressions inside VALUES are translated too: a decimal literal is a double, functions are Trino's.
    ['x FROM (VALUES 0.1 + 0.2) t(x)', 0.30000000000000004],
    ["x FROM (VALUES (date_add('day', 1, DATE '2024-01-31'))) t(x)", '2024-02-01'],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });
});

describe('string functions', () => {
  it.each([
    ["strpos('abc', 'c')", 3],
    ["strpos('abc', 'x')", 0],
    // The n-th occurrence (overlapping), from the end when n < 0; 0 when there are fewer.
    ["strpos('abcabcabc', 'bc', 2)", 5],
    ["strpos('abcabcabc', 'bc', -1)", 8],
    ["strpos('abcabcabc', 'bc', -3)", 2],
    ["strpos('abcabcabc', 'bc', 4)", 0],
    ["strpos('aaaa', 'aa', 2)", 2],
    ["strpos('héllo wörld ö', 'ö', 2)", 13],
    ["strpos('abc', '', 3)", 1],
    ["strpos(CAST(NULL AS varchar), 'a', 1)", null],
    ["split('a,b,c,d', ',', 2)", ['a', 'b,c,d']],
    ["split('a,b,c,d', ',', 1)", ['a,b,c,d']],
    ["split('a,b', ',', 5)", ['a', 'b']],
    ["split('a::b::c', '::', 2)", ['a', 'b::c']],
    ["position('b' IN 'abc')", 2],
    ["substr('hello', 2)", 'ello'],
    ["substr('hello', -3)", 'llo'],
    ["substr('hello', 2, 3)", 'ell'],
    ["substr('hello', -3, 2)", 'll'],
    ["substr('hello', 0)", ''],
    ["substring('hello', 2)", 'ello'],
    ["split('a,b,,c', ',')", ['a', 'b', '', 'c']],
    ["split_part('a,b,c', ',', 2)", 'b'],
    ["split_part('a,b', ',', 5)", null],
    ["length('héllo')", 5],
    ["lower('AbC') || upper('x')", 'abcX'],
    ["lpad('7', 3, '0')", '007'],
    ["lpad('abc', 2, 'x')", 'ab'],
    ["rpad('ab', 5, 'xy')", 'abxyx'],
    ["trim('  a  ') || ltrim(' b') || rtrim('c ')", 'abc'],
    ["trim(BOTH 'x' FROM 'xxaxx')", 'a'],
    ["replace('abc', 'b')", 'ac'],
    ["replace('abc', 'b', 'x')", 'axc'],
    ["reverse('abc')", 'cba'],
    ["from_utf8(to_utf8('héllo'))", 'héllo'],
    ["to_hex(to_utf8('a'))", '61'],
    ["to_hex(md5(to_utf8('a')))", '0CC175B9C0F1B6A831C399E269772661'],
    ["codepoint('A')", 65],
    ['chr(65)', 'A'],
    ["levenshtein_distance('kitten', 'sitting')", 3],
    ["concat_ws(',', 'a', NULL, 'b')", 'a,b'],
    ["starts_with('abc', 'a')", true],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });
});
