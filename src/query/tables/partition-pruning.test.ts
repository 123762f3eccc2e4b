import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbParser, type DuckDbParser } from '../dialect/duckdb-parser.js';
import { partitionExpression, tableReferences } from './partition-pruning.js';

let parser: DuckDbParser;
beforeAll(async () => {
  parser = await createDuckDbParser();
});
afterAll(() => parser.close());

async function refs(sql: string) {
  const parsed = await parser.parse(sql);
  if (!parsed.ok) throw new Error(parsed.message);
  return tableReferences(parsed.statements);
}

const KEYS = [
  { name: 'dt', type: 'string' },
  { name: 'hour', type: 'int' },
];

describe('partition pruning extraction', () => {
  it('extracts =, IN, BETWEEN and comparisons from top-level conjuncts', async () => {
    const [t] = await refs(`SELECT * FROM db.logs WHERE dt = '2024-01-01' AND hour IN (1, 2) AND hour BETWEEN 0 AND 5 AND 3 < hour AND level = 'x'`);
    expect(t).toMatchObject({ schema: 'db', table: 'logs' });
    expect(partitionExpression(t!.conjuncts, KEYS)).toBe("`dt` = '2024-01-01' AND `hour` IN (1, 2) AND `hour` BETWEEN 0 AND 5 AND `hour` > 3");
  });

  it('ignores OR, functions and literals of the wrong kind', async () => {
    const [t] = await refs(`SELECT * FROM logs WHERE (dt = 'a' OR dt = 'b') AND lower(dt) = 'c' AND hour = '7' AND dt = 5`);
    expect(partitionExpression(t!.conjuncts, KEYS)).toBeUndefined();
  });

  it('attributes qualified conjuncts to the right side of a join, unqualified ones only with a single table', async () => {
    const r = await refs(`SELECT * FROM logs a JOIN other b ON a.id = b.id WHERE a.dt = 'x' AND b.dt = 'y' AND hour = 1`);
    expect(r.map((x) => [x.table, partitionExpression(x.conjuncts, KEYS)])).toEqual([
      ['logs', "`dt` = 'x'"],
      ['other', "`dt` = 'y'"],
    ]);
  });

  it('sees tables in subqueries and CTE bodies but not CTE names, each with its own predicates', async () => {
    const r = await refs(`WITH c AS (SELECT * FROM logs WHERE dt >= '2024-01-02') SELECT * FROM c JOIN (SELECT * FROM logs) s ON true`);
    expect(r.map((x) => [x.table, partitionExpression(x.conjuncts, KEYS)])).toEqual([
      ['logs', "`dt` >= '2024-01-02'"],
      ['logs', undefined],
    ]);
  });

  it('accepts DATE literals (casts of constants) for date keys', async () => {
    const [t] = await refs(`SELECT * FROM logs WHERE day = DATE '2024-01-01'`);
    expect(partitionExpression(t!.conjuncts, [{ name: 'day', type: 'date' }])).toBe("`day` = '2024-01-01'");
  });
});
