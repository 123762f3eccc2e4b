/** Executed tests of the core translation: arithmetic, literals, column names, tables, NULL semantics, casts, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlTranslationError } from './errors.js';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

describe('arithmetic and literals', () => {
  it('divides integers like Trino (truncating toward zero) and doubles as doubles', async () => {
    expect(await h.row('SELECT 5/2, -7/2, 7/2.0, 7e0/2')).toEqual([2, -3, 3.5, 3.5]);
  });

  it('types unsuffixed decimal and exponent literals as DOUBLE (Athena)', async () => {
    const r = await h.run('SELECT 0.1 + 0.2, 1.5, 1e0 * 3');
    expect(r.rows[0]).toEqual([0.30000000000000004, 1.5, 3]);
    expect(r.types).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE']);
  });

  it('reads typed literals', async () => {
    expect(await h.row("SELECT date '2020-01-01', timestamp '2020-01-01 01:02:03', DECIMAL '1.50', to_hex(X'0aff'), U&'\\0041b'")).toEqual([
      '2020-01-01',
      '2020-01-01 01:02:03',
      '1.50',
      '0AFF',
      'Ab',
    ]);
    expect(await h.value("SELECT date '2020-01-31' + interval '1' day")).toBe('2020-02-01');
    expect(await h.value("SELECT timestamp '2020-01-31 23:00:00' + interval '2' hour")).toBe('2020-02-01 01:00:00');
  });
});

describe('division by zero', () => {
  it('fails an exact division or modulus by zero as Trino does (DIVISION_BY_ZERO), except inside try()', async () => {
    await expect(h.value('SELECT 7 / 0')).rejects.toThrow(/Division by zero/);
    await expect(h.value('SELECT x % y FROM (VALUES (7, 0)) t(x, y)')).rejects.toThrow(/Division by zero/);
    await expect(h.value('SELECT sum(x) / count(y) FROM (VALUES (7, NULL)) t(x, y)')).rejects.toThrow(/Division by zero/);
    expect(await h.row('SELECT try(7 / 0), 7 / 2, 7 % 4, x / y FROM (VALUES (9, 3)) t(x, y)')).toEqual([null, 3, 3, 3]);
    expect((await h.run('SELECT 7 / 2 AS half')).translated.columnNames).toEqual(['half']);
  });

  it('leaves a division by a non-zero literal alone (no volatile guard, so it still folds and pushes down)', async () => {
    const t = await h.translate('SELECT x / 100, x / 2.5, x % 7, x / y FROM t');
    expect(t.sql.match(/error"?\(/g)).toHaveLength(1);
  });
});

describe('result column names', () => {
  it('takes words DuckDB reserves as aliases without AS, as Trino does', async () => {
    const r = await h.run(
      "SELECT year(ts) year, 'é' name, count(*) value FROM (VALUES (TIMESTAMP '2024-01-01 00:00:00'), (TIMESTAMP '2024-05-01 00:00:00')) t(ts) GROUP BY 1, 2 ORDER BY year DESC",
    );
    expect(r.translated.columnNames).toEqual(['year', 'name', 'value']);
    expect(r.rows).toEqual([[2024, 'é', 2]]);
    // A real syntax error still reports the first error as written.
    await expect(h.translate('SELECT 1 a b FROM t')).rejects.toThrow(/syntax error at or near "b"/);
  });

  it('names current_date and the other special datetime functions _colN (they are not columns)', async () => {
    const r = await h.run('SELECT current_date, CURRENT_TIMESTAMP, localtimestamp AS now_local, date_diff(\'day\', DATE \'2000-01-01\', current_date) > 0');
    expect(r.translated.columnNames).toEqual(['_col0', '_col1', 'now_local', '_col3']);
    expect(r.rows[0]![0]).toBe(new Date().toISOString().slice(0, 10));
    expect(r.types.slice(0, 2)).toEqual(['DATE', 'TIMESTAMP WITH TIME ZONE']);
  });

  it('names unnamed expressions _colN and lower-cases unquoted aliases', async () => {
    const r = await h.run('SELECT 1, 2 AS x, 3 AS Foo, 4 AS "MixedCase", 1 + 1');
    expect(r.translated.columnNames).toEqual(['_col0', 'x', 'foo', 'MixedCase', '_col4']);
    expect(r.rows[0]).toEqual([1, 2, 3, 4, 2]);
  });

  it('uses column and field names for references and dereferences', async () => {
    const r = await h.run("SELECT T.A, b, CAST(ROW(1, 'x') AS ROW(f integer, g varchar)).g FROM (VALUES (1, 2)) AS t(a, b)");
    expect(r.translated.columnNames).toEqual(['a', 'b', 'g']);
  });

  it('takes set-operation names from the first branch and names VALUES columns _colN', async () => {
    expect((await h.run('SELECT 1 AS a UNION ALL SELECT 2')).translated.columnNames).toEqual(['a']);
    const v = await h.run("VALUES (1, 'a'), (2, 'b')");
    expect(v.translated.columnNames).toEqual(['_col0', '_col1']);
    expect(v.rows).toEqual([[1, 'a'], [2, 'b']]);
    expect((await h.run('SELECT * FROM (VALUES 1, 2) AS t(x)')).rows).toEqual([[1], [2]]);
  });

  it('keeps the alias of an expression the translation replaces', async () => {
    const r = await h.run(
      "SELECT date_format(timestamp '2020-01-02 03:04:05', '%Y') AS y, date_parse('2020', '%Y') p, " +
        "format_datetime(timestamp '2020-01-02 03:04:05', 'HH') AS hh, date '2020-01-31' + interval '1' day AS d, " +
        "approx_distinct(1) AS n, date_format(timestamp '2020-01-02 03:04:05', '%m')",
    );
    expect(r.translated.columnNames).toEqual(['y', 'p', 'hh', 'd', 'n', '_col5']);
    expect(r.rows[0]).toEqual(['2020', '2020-01-01 00:00:00', '03', '2020-02-01', 1, '01']);
  });

  it('reports undefined names for SELECT *', async () => {
    expect((await h.translate('SELECT * FROM t')).columnNames).toBeUndefined();
  });
});

describe('tables', () => {
  it('lists read tables without CTE names, qualified with the default schema', async () => {
    const r = await h.translate(
      'WITH c AS (SELECT 1 AS x) SELECT * FROM c, db.t, awsdatacatalog.db2.u, plain WHERE EXISTS (SELECT 1 FROM "Sales"."Orders$partitions")',
      'main_db',
    );
    expect(r.tables).toEqual([
      { schema: 'db', name: 't' },
      { schema: 'db2', name: 'u' },
      { schema: 'main_db', name: 'plain' },
      { schema: 'sales', name: 'orders$partitions' },
    ]);
    expect(r.sql).toContain('main_db.plain');
    expect(r.sql).toContain('db2.u');
    expect(r.sql).not.toContain('awsdatacatalog');
  });

  it('maps information_schema (however written, or as the default schema) to the engine schema standing for it', async () => {
    const r = await h.translate(`SELECT c.column_name FROM "INFORMATION_SCHEMA".columns c JOIN awsdatacatalog.information_schema.tables t ON c.table_name = t.table_name`, 'db');
    expect(r.tables).toEqual([
      { schema: '$information_schema', name: 'columns' },
      { schema: '$information_schema', name: 'tables' },
    ]);
    expect(r.sql).toContain('"$information_schema"."columns"');
    expect((await h.translate('SELECT * FROM schemata', 'information_schema')).tables).toEqual([{ schema: '$information_schema', name: 'schemata' }]);
  });
});

describe('NULL semantics', () => {
  it('concat and || return NULL when an argument is NULL', async () => {
    expect(await h.row("SELECT concat('a', NULL), concat('a', 'b', 'c'), 'a' || NULL, 'a' || 'b'")).toEqual([null, 'abc', null, 'ab']);
    expect((await h.run("SELECT concat('a', NULL, 'b'), concat(NULL, 'x'), 'a' || NULL, NULL || 'b'")).types).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR']);
  });

  it('greatest and least return NULL when an argument is NULL', async () => {
    expect(await h.row('SELECT greatest(1, NULL, 3), least(1, NULL), greatest(1, 5, 3), least(3, 1, 2)')).toEqual([null, null, 5, 1]);
  });

  it('IF, COALESCE, NULLIF, CASE', async () => {
    expect(await h.row("SELECT IF(1 > 2, 'a'), IF(true, 'a', 'b'), COALESCE(NULL, 2), NULLIF(1, 1), CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END")).toEqual([
      null,
      'a',
      2,
      null,
      'b',
    ]);
  });

  it('try and try_cast turn errors into NULL', async () => {
    expect(await h.row("SELECT try(1/0), try_cast('x' AS integer), try(CAST('x' AS integer))")).toEqual([null, null, null]);
  });

  it('try turns the errors of translated functions into NULL (DuckDB refuses error() inside TRY)', async () => {
    expect(await h.row("SELECT try(url_decode('%zz')), try(url_decode('a%20b')), try(strpos('abc', 'b', 0)), try(split_to_map('a=1&b', '&', '='))")).toEqual([
      null,
      'a b',
      null,
      null,
    ]);
  });

  it('try works around aggregates, which DuckDB refuses inside TRY', async () => {
    const rows = (await h.run('SELECT g, try(sum(x) / count(y)), try(CAST(max(s) AS integer)) FROM (VALUES (1, 2, NULL, \'x\'), (1, 4, NULL, \'1\'), (2, 6, 1, \'7\')) t(g, x, y, s) GROUP BY g ORDER BY g')).rows;
    expect(rows).toEqual([
      [1, null, null],
      [2, 6, 7],
    ]);
    expect(await h.row('SELECT try(rand() < 2)')).toEqual([true]);
  });
});

describe('CAST type names', () => {
  it('casts scalars (rounding half away from zero to integers)', async () => {
    expect(await h.row("SELECT CAST(2.5 AS integer), CAST(-2.5 AS bigint), CAST('12' AS bigint), CAST(1.5 AS decimal(10,2)), CAST(1 AS boolean), CAST(true AS varchar), CAST('2024-01-02' AS date), CAST('2024-01-02 03:04:05' AS timestamp), CAST(1.5 AS real), CAST(1 AS double)")).toEqual([
      3, -3, 12, '1.50', true, 'true', '2024-01-02', '2024-01-02 03:04:05', 1.5, 1,
    ]);
  });

  it('casts to array, map and row types', async () => {
    expect(await h.row("SELECT CAST(json_parse('[1,2]') AS array(integer)), CAST(map(array['a'], array[1]) AS map(varchar, bigint)), CAST(ROW(1, 'x') AS ROW(a integer, b varchar)), CAST(array['1'] AS array(integer))")).toEqual([
      [1, 2],
      { a: 1 },
      { a: 1, b: 'x' },
      [1],
    ]);
  });

  it('casts to and from JSON with Trino semantics', async () => {
    expect(await h.row("SELECT CAST(array[1,2] AS json), CAST('abc' AS json), CAST(json_extract('{\"a\":\"x\"}', '$.a') AS varchar), json_format(json '{\"a\": 1}')")).toEqual([
      '[1,2]',
      '"abc"',
      'x',
      '{"a": 1}',
    ]);
  });
});

describe('queries', () => {
  it('set operations', async () => {
    expect((await h.run('SELECT x FROM (VALUES 1, 2, 3) AS t(x) EXCEPT SELECT 2 ORDER BY 1')).rows).toEqual([[1], [3]]);
    expect((await h.run('SELECT 1 UNION SELECT 1')).rows).toEqual([[1]]);
    expect((await h.run('SELECT x FROM (VALUES 1, 2) AS t(x) INTERSECT SELECT 2')).rows).toEqual([[2]]);
  });

  it('window functions, including IGNORE NULLS after the call', async () => {
    const r = await h.run('SELECT x, row_number() OVER (ORDER BY x DESC), sum(x) OVER (), rank() OVER (ORDER BY x) FROM (VALUES 1, 2, 3) AS t(x) ORDER BY x');
    expect(r.rows).toEqual([[1, 3, 6, 1], [2, 2, 6, 2], [3, 1, 6, 3]]);
    const lag = await h.run('SELECT y, lag(x) IGNORE NULLS OVER (ORDER BY y) FROM (VALUES (1, 1), (NULL, 2), (3, 3)) AS t(x, y) ORDER BY y');
    expect(lag.rows).toEqual([[1, null], [2, 1], [3, 1]]);
  });

  it('TABLESAMPLE takes a percentage', async () => {
    expect((await h.run('SELECT count(*) FROM (VALUES 1, 2, 3) AS t(x) TABLESAMPLE BERNOULLI (100)')).rows).toEqual([[3]]);
    expect((await h.run('SELECT count(*) FROM (VALUES 1, 2, 3) AS t(x) TABLESAMPLE BERNOULLI (0)')).rows).toEqual([[0]]);
  });

  it('quoted identifiers with $', async () => {
    expect(await h.value('SELECT "a$b" FROM (VALUES 1) AS t("a$b")')).toBe(1);
  });
});

describe('errors', () => {
  const kindOf = async (sql: string): Promise<string> => {
    try {
      await h.translate(sql);
      return 'none';
    } catch (err) {
      if (!(err instanceof SqlTranslationError)) throw err;
      return err.kind;
    }
  };

  it.each([
    ['SELECT FROM WHERE', 'syntax'],
    ['SELECT 1; SELECT 2', 'syntax'],
    ['SELECT `a` FROM t', 'syntax'],
    ['INSERT INTO t VALUES (1)', 'unsupported'],
    ["SELECT format('%tY', d) FROM t", 'unsupported'],
    ['SELECT regexp_replace(s, p, r) FROM t', 'unsupported'],
    ['SELECT date_format(ts, f) FROM t', 'unsupported'],
    ["SELECT date_format(ts, '%U') FROM t", 'unsupported'],
    ["SELECT approx_percentile(x, w, 0.5) FROM t", 'unsupported'],
    ["SELECT * FROM t FOR VERSION AS OF 1", 'unsupported'],
    ['SELECT x FROM t ORDER BY x FETCH FIRST 2 ROWS WITH TIES', 'unsupported'],
    ['SELECT x FROM t ORDER BY x FETCH FIRST 2 ROWS ONLY', 'none'],
  ])('%s → %s error', async (sql, kind) => {
    expect(await kindOf(sql)).toBe(kind);
  });
});
