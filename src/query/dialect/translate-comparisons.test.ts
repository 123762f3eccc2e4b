/** Executed tests of Trino's string-literal comparison rule: a varchar literal compares only with varchar expressions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

const FROM =
  "FROM (VALUES (1, 'a', TIMESTAMP '2024-01-01 10:30:00', DATE '2024-01-01', true), (2, 'b', TIMESTAMP '2024-01-02 00:00:00', DATE '2024-01-02', false)) AS t(i, s, ts, d, b)";

describe('string literals compared with other types', () => {
  it.each([
    ["ts > '2024-01-01 10:30:00'", '>'],
    ["ts = '2024-01-01 10:30:00'", '='],
    ["d = '2024-01-01'", '='],
    ["'2024-01-01' <= d", '<='],
    ["i IN ('1', '2')", 'IN'],
    ["i BETWEEN '1' AND '2'", 'BETWEEN'],
    ["b <> 'true'", '<>'],
    ["CASE i WHEN '1' THEN true END", '='],
  ])('refuses %s as Trino does', async (predicate, operator) => {
    const translated = await h.translate(`SELECT count(*) ${FROM} WHERE ${predicate}`);
    expect(translated.stringComparisons.map((c) => c.operator)).toContain(operator);
    await expect(h.run(`SELECT count(*) ${FROM} WHERE ${predicate}`)).rejects.toThrow(/Cannot compare values of type (TIMESTAMP|DATE|INTEGER|BOOLEAN) and type VARCHAR/);
  });

  it.each([
    ["s = 'a'", 1],
    ["'b' = s", 1],
    ["s IN ('a', 'b')", 2],
    ["s BETWEEN 'a' AND 'b'", 2],
    ["s <> 'a' AND ts > TIMESTAMP '2024-01-01 10:30:00'", 1],
    ["d = DATE '2024-01-01'", 1],
    ["CAST(ts AS VARCHAR) LIKE '2024-01-02%'", 1],
    ["date_format(ts, '%Y-%m') = '2024-01'", 2],
    ["s = NULL", 0],
    ["'a' = 'a'", 2],
    ["cardinality(filter(ARRAY['a', s], x -> x = 'b')) > 0", 1],
    ["CASE s WHEN 'a' THEN true ELSE false END", 1],
  ])('runs %s unchanged', async (predicate, count) => {
    expect(await h.value(`SELECT count(*) ${FROM} WHERE ${predicate}`)).toBe(count);
  });

  it('keeps the name and value of a comparison in the select list', async () => {
    const r = await h.run(`SELECT s = 'a' AS is_a, s <> 'a' ${FROM} ORDER BY i`);
    expect(r.names).toEqual(['is_a', '_col1']);
    expect(r.types).toEqual(['BOOLEAN', 'BOOLEAN']);
    expect(r.rows).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('records the operator and the literal length of each guarded comparison', async () => {
    const t = await h.translate(`SELECT 1 ${FROM} WHERE ts >= '2024-01-01' AND i IN ('1')`);
    expect(t.stringComparisons).toEqual([
      { operator: '>=', length: 10, literalFirst: false },
      { operator: 'IN', length: 1, literalFirst: false },
    ]);
    expect((await h.translate(`SELECT 1 ${FROM} WHERE '2024' < d`)).stringComparisons).toEqual([{ operator: '<', length: 4, literalFirst: true }]);
  });
});

describe('number literals compared with other types', () => {
  it.each([
    ['s = 1', '=', 'VARCHAR'],
    ['1 < s', '<', 'VARCHAR'],
    ['s IN (1, 2)', 'IN', 'VARCHAR'],
    ['s BETWEEN 1 AND 2', 'BETWEEN', 'VARCHAR'],
    ['b = 1', '=', 'BOOLEAN'],
    ['ts > 1.5', '>', 'TIMESTAMP'],
  ])('refuses %s as Trino does', async (predicate, operator, type) => {
    const translated = await h.translate(`SELECT count(*) ${FROM} WHERE ${predicate}`);
    expect(translated.stringComparisons.find((c) => c.numberType !== undefined)?.operator).toBe(operator);
    await expect(h.run(`SELECT count(*) ${FROM} WHERE ${predicate}`)).rejects.toThrow(`'+(${type}, TINYINT)'`);
  });

  it('keeps numbers compared with numbers, in any type, and literals compared with literals', async () => {
    expect(await h.value(`SELECT count(*) ${FROM} WHERE i = 1 AND i * 2.5 > 1 AND length(s) IN (1, 2) AND i BETWEEN 0 AND 5.5 AND 1 = 1`)).toBe(1);
    expect(await h.value(`SELECT count(*) ${FROM} WHERE NULL = 1 OR i = 2`)).toBe(1);
  });
});
