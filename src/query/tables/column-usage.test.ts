import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbParser, type DuckDbParser } from '../dialect/duckdb-parser.js';
import { columnUsage, mayRead } from './column-usage.js';

let parser: DuckDbParser;
beforeAll(async () => {
  parser = await createDuckDbParser();
});
afterAll(() => parser.close());

async function reads(sql: string, columns: string[]): Promise<boolean> {
  const parsed = await parser.parse(sql);
  if (!parsed.ok) throw new Error(parsed.message);
  return mayRead(columnUsage(parsed.statements), columns);
}

describe('column usage', () => {
  it('sees no partition column in aggregates and filters over other columns', async () => {
    expect(await reads('SELECT count(*) FROM t', ['dt'])).toBe(false);
    expect(await reads('SELECT region, sum(amount) FROM db.t WHERE amount > 5 GROUP BY 1 ORDER BY 1', ['dt'])).toBe(false);
    expect(await reads('SELECT count(*) FROM a JOIN b ON a.id = b.id', ['dt', 'hour'])).toBe(false);
  });

  it('sees a partition column named anywhere, in any case, qualified or in USING', async () => {
    expect(await reads("SELECT count(*) FROM t WHERE DT = '2024-01-01'", ['dt'])).toBe(true);
    expect(await reads('SELECT max(t.dt) FROM t', ['dt'])).toBe(true);
    expect(await reads('SELECT x FROM (SELECT hour AS x FROM t)', ['dt', 'hour'])).toBe(true);
    expect(await reads('SELECT count(*) FROM a JOIN b USING (dt)', ['dt'])).toBe(true);
    expect(await reads('SELECT transform(xs, x -> x + dt) FROM t', ['dt'])).toBe(true);
  });

  it('assumes every column may be read behind stars, NATURAL joins and positional column aliases', async () => {
    expect(await reads('SELECT * FROM t', ['dt'])).toBe(true);
    expect(await reads('SELECT t.* FROM t', ['dt'])).toBe(true);
    expect(await reads('SELECT count(*) FROM a NATURAL JOIN b', ['dt'])).toBe(true);
    expect(await reads('SELECT count(c) FROM t AS x(a, b, c)', ['dt'])).toBe(true);
    expect(await reads('SELECT count(*) FROM (SELECT * FROM t)', ['dt'])).toBe(true);
  });
});
