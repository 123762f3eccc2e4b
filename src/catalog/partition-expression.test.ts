/** Unit tests of the GetPartitions expression parser (partition-expression.ts) and its typed evaluator (partition-filter.ts). */
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../shared/service-error.js';
import { parsePartitionExpression } from './partition-expression.js';
import { compilePartitionFilter, HIVE_NULL, type KeySpec } from './partition-filter.js';

const KEYS: KeySpec[] = [
  { name: 'year', type: 'int' },
  { name: 'month', type: 'string' },
  { name: 'dt', type: 'date' },
  { name: 'region', type: 'string' },
];

/** Partition rows as [year, month, dt, region]. */
const ROWS: string[][] = [
  ['2019', '12', '2019-12-31', 'eu-west-1'],
  ['2020', '01', '2020-01-05', 'us-east-1'],
  ['2020', '02', '2020-02-10', 'us-west-2'],
  ['2021', '10', '2021-10-01', 'EU-central-1'],
  ['9', '9', '2021-1-9', 'ap_south'],
  ['100', '100', '2022-03-03', "o'hare"],
  [HIVE_NULL, '05', '2020-05-05', 'us-east-1'],
];

function select(expression: string): string[] {
  const f = compilePartitionFilter(expression, KEYS);
  return ROWS.filter((r) => f.matches(r)).map((r) => r.join('/'));
}

const rows = (...i: number[]): string[] => i.map((n) => ROWS[n]!.join('/'));

function code(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof ServiceError ? err.code : String(err);
  }
}

describe('partition expressions', () => {
  it('compares int keys numerically and string keys lexically', () => {
    expect(select('year > 99')).toEqual(rows(0, 1, 2, 3, 5));
    expect(select("year < '100'")).toEqual(rows(4));
    expect(select("month > '09'")).toEqual(rows(0, 3, 4, 5));
    expect(select('month > 9')).toEqual([]);
    expect(select('month >= 9')).toEqual(rows(4));
    expect(select("month >= '9'")).toEqual(rows(4));
  });

  it('compares date keys as dates, whatever the zero padding', () => {
    expect(select("dt >= '2021-01-01'")).toEqual(rows(3, 4, 5));
    expect(select("dt BETWEEN DATE '2020-01-01' AND '2020-02-10'")).toEqual(rows(1, 2));
    expect(select("dt = '2021-01-09'")).toEqual(rows(4));
  });

  it('supports AND, OR, NOT, parentheses with SQL precedence', () => {
    expect(select("year = 2020 AND month = '01' OR region = 'ap_south'")).toEqual(rows(1, 4));
    expect(select("year = 2020 AND (month = '01' OR region = 'us-west-2')")).toEqual(rows(1, 2));
    expect(select('NOT year = 2020')).toEqual(rows(0, 3, 4, 5));
    expect(select("not (year = 2020 or year = 2019) and region <> 'ap_south'")).toEqual(rows(3, 5));
    expect(select('year != 2020 AND year <= 2021 AND year >= 2019')).toEqual(rows(0, 3));
  });

  it('supports IN, NOT IN, BETWEEN, NOT BETWEEN', () => {
    expect(select("month IN ('01', '02', '100')")).toEqual(rows(1, 2, 5));
    expect(select('year IN (2019, 9.0)')).toEqual(rows(0, 4));
    expect(select('year NOT IN (2020, 2021)')).toEqual(rows(0, 4, 5));
    expect(select('year BETWEEN 10 AND 2020')).toEqual(rows(0, 1, 2, 5));
    expect(select('year NOT BETWEEN 10 AND 2020')).toEqual(rows(3, 4));
  });

  it('matches LIKE case-sensitively with % and _ and treats regex characters literally', () => {
    expect(select("region LIKE 'us-%'")).toEqual(rows(1, 2, 6));
    expect(select("region LIKE 'eu%'")).toEqual(rows(0));
    expect(select("region LIKE 'ap_south'")).toEqual(rows(4));
    expect(select("region NOT LIKE '%-1'")).toEqual(rows(2, 4, 5));
    expect(select("region LIKE '%.%'")).toEqual([]);
  });

  it('handles quoted literals, quoted identifiers, mixed-case keywords and literals on the left', () => {
    expect(select("region = 'o''hare'")).toEqual(rows(5));
    expect(select('`Year` = 100')).toEqual(rows(5));
    expect(select('2020 = year')).toEqual(rows(1, 2));
    expect(select('2020 < year')).toEqual(rows(3));
    expect(select("Year In (2021) oR MONTH like '0_'")).toEqual(rows(1, 2, 3, 6));
  });

  it('treats the Hive default partition as NULL (three-valued logic)', () => {
    expect(select('year IS NULL')).toEqual(rows(6));
    expect(select('year IS NOT NULL AND year < 20')).toEqual(rows(4));
    expect(select('NOT year = 1')).toEqual(rows(0, 1, 2, 3, 4, 5));
    expect(select("year = 1 OR month = '05'")).toEqual(rows(6));
  });

  it('rejects syntax errors and unknown keys with InvalidInputException', () => {
    for (const bad of ["year = '2020", 'year =', 'year IN ()', 'year BETWEEN 1', '(year = 1', 'year = 1 year', 'year ~ 1', "1 = 'a'", 'year = month', "nokey = 'x'", 'year LIKE 5', '']) {
      expect(code(() => compilePartitionFilter(bad, KEYS)), bad).toBe('InvalidInputException');
    }
  });

  it('parses into a tree that adapters can push down', () => {
    expect(parsePartitionExpression("a = 'x' AND NOT b IN (1, 2)")).toEqual({
      type: 'and',
      left: { type: 'compare', op: '=', left: { kind: 'column', name: 'a' }, right: { kind: 'literal', value: { kind: 'string', text: 'x' } } },
      right: {
        type: 'not',
        expr: { type: 'in', column: 'b', negated: false, values: [{ kind: 'number', text: '1' }, { kind: 'number', text: '2' }] },
      },
    });
  });

  it('compares bigint keys exactly beyond 2^53', () => {
    const f = compilePartitionFilter('id > 9007199254740992', [{ name: 'id', type: 'bigint' }]);
    expect(f.matches(['9007199254740993'])).toBe(true);
    expect(f.matches(['9007199254740992'])).toBe(false);
  });
});
