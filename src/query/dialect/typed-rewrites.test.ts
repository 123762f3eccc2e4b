/** Executed tests of the rewrites that need the engine's types (decimal division and avg(), IEEE division by zero, casts of doubles to integers) and of integer literals in arithmetic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';
import { applyEngineTypes } from './typed-rewrites.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

const prices = "(VALUES (1, CAST(1.00 AS decimal(10,2)), 3), (1, CAST(1.01 AS decimal(10,2)), 0), (2, CAST(-2.50 AS decimal(10,2)), 4)) t(g, price, n)";

describe('decimals keep Trino types', () => {
  it('avg() of a decimal is a decimal of the same type, rounded half up', async () => {
    const r = await h.run(`SELECT g, avg(price) FROM ${prices} GROUP BY g ORDER BY g`);
    expect(r.types).toEqual(['INTEGER', 'DECIMAL(10,2)']);
    // (1.00 + 1.01) / 2 = 1.005 → 1.01 (half up), not the double 1.0050000000000001.
    expect(r.rows).toEqual([
      [1, '1.01'],
      [2, '-2.50'],
    ]);
  });

  it('avg() of integers and doubles stays a double; avg() as a window function keeps the decimal too', async () => {
    expect((await h.run(`SELECT avg(n), avg(CAST(n AS double)) FROM ${prices}`)).types).toEqual(['DOUBLE', 'DOUBLE']);
    const w = await h.run(`SELECT avg(price) OVER (ORDER BY g, price) AS running FROM ${prices} ORDER BY running`);
    expect(w.types).toEqual(['DECIMAL(10,2)']);
    // Running averages 1.00, 1.005 → 1.01, -0.1633… → -0.16.
    expect(w.rows).toEqual([['-0.16'], ['1.00'], ['1.01']]);
  });

  it('divides decimals with DecimalOperators’ result type (scale max(s1, s2)) and half-up rounding', async () => {
    const r = await h.run(`SELECT price / 3, n / price, price / CAST(0.3 AS decimal(5,1)), sum(price) / count(*) FROM ${prices} WHERE g = 1 AND n = 3 GROUP BY price, n`);
    // decimal(10,2) / integer (decimal(10,0)): decimal(10,2); integer / decimal(10,2): decimal(14,2); / decimal(5,1): decimal(11,2).
    expect(r.types).toEqual(['DECIMAL(10,2)', 'DECIMAL(14,2)', 'DECIMAL(11,2)', 'DECIMAL(38,2)']);
    expect(r.rows).toEqual([['0.33', '3.00', '3.33', '1.00']]);
  });

  it('fails a decimal division by zero (DIVISION_BY_ZERO), and try() makes it NULL', async () => {
    await expect(h.value(`SELECT price / n FROM ${prices} WHERE n = 0`)).rejects.toThrow(/Division by zero/);
    expect(await h.value(`SELECT try(price / n) FROM ${prices} WHERE n = 0`)).toBeNull();
  });

  it('types an operand in its own scope: a correlated subquery, a GROUP BY expression', async () => {
    const r = await h.run(`SELECT g, (SELECT avg(u.price) FROM ${prices.replace(' t(', ' u(')} WHERE u.g = t.g) AS a FROM ${prices} GROUP BY g ORDER BY g`);
    expect(r.rows).toEqual([
      [1, '1.01'],
      [2, '-2.50'],
    ]);
    const grouped = await h.run(`SELECT price / 2 AS half, count(*) FROM ${prices} GROUP BY price / 2 ORDER BY half`);
    expect(grouped.rows).toEqual([
      ['-1.25', 1],
      ['0.50', 1],
      ['0.51', 1],
    ]);
  });
});

describe('floating-point division by zero', () => {
  it('gives Infinity, -Infinity and NaN as Trino does (DuckDB answers NULL)', async () => {
    const r = await h.run('SELECT x / y, -x / y, y / y, CAST(NULL AS double) / y FROM (VALUES (2.5e0, 0e0)) t(x, y)');
    expect(r.rows).toEqual([['Infinity', '-Infinity', 'NaN', null]]);
    expect(r.types).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
  });

  it('keeps a real division a real', async () => {
    const r = await h.run('SELECT x / y FROM (VALUES (CAST(1.5 AS real), CAST(0 AS real))) t(x, y)');
    expect(r.types).toEqual(['FLOAT']);
    expect(r.rows).toEqual([['Infinity']]);
  });

  it('leaves integer division as it was: truncating, failing on zero', async () => {
    expect(await h.row('SELECT x / y, -x / y FROM (VALUES (7, 2)) t(x, y)')).toEqual([3, -3]);
    await expect(h.value('SELECT x / y FROM (VALUES (7, 0)) t(x, y)')).rejects.toThrow(/Division by zero/);
  });
});

describe('array || element', () => {
  it('appends or prepends when a side is an array column (the translation alone cannot tell)', async () => {
    const r = await h.run("SELECT tags || 'z', 'y' || tags, tags || tags, cardinality(tags || 'z'), name || '-' || name FROM (VALUES (ARRAY['a', 'b'], 'n')) t(tags, name)");
    expect(r.rows).toEqual([[['a', 'b', 'z'], ['y', 'a', 'b'], ['a', 'b', 'a', 'b'], 3, 'n-n']]);
    expect(r.types).toEqual(['VARCHAR[]', 'VARCHAR[]', 'VARCHAR[]', 'BIGINT', 'VARCHAR']);
  });
});

describe('date arithmetic on date columns', () => {
  it('keeps dates dates: date_add, ± INTERVAL of days to years, date_trunc (timestamps stay timestamps)', async () => {
    const r = await h.run(
      "SELECT date_add('day', 1, d), date_trunc('month', d), d + INTERVAL '1' DAY, d - INTERVAL '1' MONTH, date_add('week', 2, d), date_trunc('hour', ts), ts + INTERVAL '1' DAY " +
        "FROM (VALUES (DATE '2024-01-15', TIMESTAMP '2024-01-15 10:30:00')) t(d, ts)",
    );
    expect(r.types).toEqual(['DATE', 'DATE', 'DATE', 'DATE', 'DATE', 'TIMESTAMP', 'TIMESTAMP']);
    expect(r.rows).toEqual([['2024-01-16', '2024-01-01', '2024-01-16', '2023-12-15', '2024-01-29', '2024-01-15 10:00:00', '2024-01-16 10:30:00']]);
    const grouped = await h.run("SELECT date_trunc('month', d) AS m, count(*) FROM (VALUES (DATE '2024-01-15'), (DATE '2024-02-20'), (DATE '2024-01-20')) t(d) GROUP BY date_trunc('month', d) ORDER BY m");
    expect(grouped.rows).toEqual([
      ['2024-01-01', 2],
      ['2024-02-01', 1],
    ]);
  });
});

describe('the probe', () => {
  it('matches each rewritten node to its own operand types when rewrites nest (a typed operand inside ||, then avg())', async () => {
    const r = await h.run(`SELECT (max(price) / 3) || '!', avg(price), max(n) / 0e0 FROM ${prices} WHERE g = 1`);
    expect(r.rows).toEqual([['0.34!', '1.01', 'Infinity']]);
    expect(r.types).toEqual(['VARCHAR', 'DECIMAL(10,2)', 'DOUBLE']);
  });


  it('is not asked when the operands are typed by the query itself, and nothing changes without candidates', async () => {
    const asked: string[] = [];
    const oracle = { parameterTypes: (sql: string) => (asked.push(sql), h.oracle.parameterTypes(sql)) };
    const stated = await h.translate('SELECT CAST(1 AS decimal(10,2)) / 3');
    expect(await applyEngineTypes(stated.statements, oracle, h.parser)).toMatch(/DECIMAL\(10,\s*2\)/);
    const plain = await h.translate('SELECT x + 1 FROM (VALUES (1)) t(x)');
    expect(await applyEngineTypes(plain.statements, oracle, h.parser)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('leaves the query as translated when the probe does not bind', async () => {
    const failing = { parameterTypes: () => Promise.reject(new Error('Binder Error')) };
    const t = await h.translate(`SELECT avg(price) FROM ${prices}`);
    expect(await applyEngineTypes(t.statements, failing, h.parser)).toBeUndefined();
  });
});

describe('sign() has its argument type', () => {
  it('integer, bigint, double and decimal arguments', async () => {
    const r = await h.run(`SELECT sign(n), sign(CAST(n AS bigint)), sign(CAST(-2.5 AS double)), sign(price) FROM ${prices} WHERE g = 2`);
    expect(r.types).toEqual(['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL(1,0)']);
    expect(r.rows).toEqual([[1, 1, -1, '-1']]);
  });
});

describe('casts of floating-point values to integers', () => {
  it('round half away from zero, as Trino does, for columns of any integer target (DuckDB rounds half to even)', async () => {
    const r = await h.run("SELECT CAST(x AS integer), CAST(x AS bigint), CAST(x AS smallint), TRY_CAST(x AS tinyint), CAST(CAST(x AS real) AS integer) FROM (VALUES DOUBLE '2.5', DOUBLE '-2.5', DOUBLE '0.5', DOUBLE '-0.5', DOUBLE '1.4') t(x)");
    expect(r.rows.map((row) => row.map(Number))).toEqual([
      [3, 3, 3, 3, 3],
      [-3, -3, -3, -3, -3],
      [1, 1, 1, 1, 1],
      [-1, -1, -1, -1, -1],
      [1, 1, 1, 1, 1],
    ]);
    // Decimals and integers keep their own casts (decimal → integer already rounds half up).
    expect((await h.run("SELECT CAST(x AS integer) FROM (VALUES CAST(2.5 AS decimal(3,1)), CAST(-2.5 AS decimal(3,1))) t(x)")).rows).toEqual([[3], [-3]]);
  });
});

describe('integer literals in arithmetic', () => {
  it('are integers, as in Trino: a tinyint or smallint operand widens instead of overflowing', async () => {
    const r = await h.run('SELECT t + 127, s * 1000, typeof(t + 1), b - 1 FROM (VALUES (CAST(5 AS tinyint), CAST(200 AS smallint), CAST(7 AS bigint))) v(t, s, b)');
    expect(r.rows).toEqual([[132, 200000, 'integer', 6]]);
    expect(r.types[3]).toBe('BIGINT');
  });
});
