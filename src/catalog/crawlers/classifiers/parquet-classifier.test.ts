import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderType } from '../schema-merge.js';
import { classifyParquetBuffer, classifyParquetFooter } from './parquet-classifier.js';

let dir: string;
let data: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parquet-classifier-'));
  const file = join(dir, 't.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT 1::INTEGER AS i, 2::BIGINT AS b, 1.5::DOUBLE AS d, 2.5::FLOAT AS f, 'x' AS s, true AS ok,
    DATE '2024-01-01' AS day, TIMESTAMP '2024-01-01 10:00:00' AS ts, 12.34::DECIMAL(10,2) AS price, 3::TINYINT AS t, 4::SMALLINT AS sm,
    [1, 2] AS nums, {'a': 1, 'b': 'z'} AS st, MAP {'k': 1} AS m, [{'x': 1}] AS objs, 'bin'::BLOB AS raw
    FROM range(3)) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  data = readFileSync(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expected = [
  'i:int', 'b:bigint', 'd:double', 'f:float', 's:string', 'ok:boolean', 'day:date', 'ts:timestamp', 'price:decimal(10,2)', 't:tinyint', 'sm:smallint',
  'nums:array<int>', 'st:struct<a:int,b:string>', 'm:map<string,int>', 'objs:array<struct<x:int>>', 'raw:binary',
];

describe('Parquet classifier', () => {
  it('maps physical and logical types to Hive types from the footer', () => {
    const r = classifyParquetBuffer(data)!;
    expect(r.schema.columns.map((c) => `${c.name}:${renderType(c.type)}`)).toEqual(expected);
    expect(r.records).toBe(3);
    expect(r.schema).toMatchObject({ classification: 'parquet', compression: 'none' });
  });

  it('reads only the footer through ranged reads', async () => {
    const reads: [number, number][] = [];
    const r = await classifyParquetFooter(data.length, async (start, end) => {
      reads.push([start, end]);
      return data.subarray(start, end);
    });
    expect(r!.schema.columns.map((c) => `${c.name}:${renderType(c.type)}`)).toEqual(expected);
    expect(reads.length).toBeGreaterThan(0);
  });

  it('refuses non-Parquet bytes', () => {
    expect(classifyParquetBuffer(Buffer.from('{"a":1}'))).toBeUndefined();
  });
});
