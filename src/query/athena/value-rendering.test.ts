import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { athenaType, javaDouble, javaFloat, renderValue, timestampText } from './value-rendering.js';

describe('javaDouble (Java Double.toString)', () => {
  it.each([
    [1.5, '1.5'],
    [100, '100.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e20, '1.0E20'],
    [1e-7, '1.0E-7'],
    [123456789, '1.23456789E8'],
    [1e7, '1.0E7'],
    [9999999, '9999999.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [-2.5e-5, '-2.5E-5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%s → %s', (x, text) => expect(javaDouble(x)).toBe(text));

  it('prints floats with their own shortest digits', () => {
    expect(javaFloat(Math.fround(0.1))).toBe('0.1');
    expect(javaFloat(Math.fround(3.4e38))).toBe('3.4E38');
  });
});

describe('timestampText', () => {
  it('renders milliseconds, also before the epoch', () => {
    expect(timestampText(1704164645123456n)).toBe('2024-01-02 03:04:05.123');
    expect(timestampText(-1000n)).toBe('1969-12-31 23:59:59.999');
  });
});

describe('renderValue over DuckDB results', () => {
  it('renders nested and temporal values as Athena does', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    const r = await c.runAndReadAll(
      `SELECT [1, 2] AS a, ['p', 'q', NULL] AS s, [[1], [2, 3]] AS nested, MAP {10: 'b', 9: 'a'} AS m, {'x': 1, 'y': 'a'} AS r,
        DATE '2020-01-01' AS d, TIMESTAMP '2024-01-02 03:04:05' AS ts, 3.10::DECIMAL(5,2) AS dec, -0.05::DECIMAL(4,2) AS neg,
        '\\x01\\x02'::BLOB AS b, true AS t, NULL::VARCHAR AS n, INTERVAL 2 DAY AS iv, TIME '01:02:03.456' AS tm`,
    );
    const types = r.columnTypes();
    const row = r.getRows()[0]!;
    const out = row.map((v, i) => renderValue(v, types[i]!));
    expect(out).toEqual(['[1, 2]', '[p, q, null]', '[[1], [2, 3]]', '{9=a, 10=b}', '{x=1, y=a}', '2020-01-01', '2024-01-02 03:04:05.000', '3.10', '-0.05', '01 02', 'true', undefined, '2 00:00:00.000', '01:02:03.456']);
    expect(types.map((t) => athenaType(t).type)).toEqual(['array', 'array', 'array', 'map', 'row', 'date', 'timestamp', 'decimal', 'decimal', 'varbinary', 'boolean', 'varchar', 'interval day to second', 'time']);
    expect(athenaType(types[7]!)).toMatchObject({ precision: 5, scale: 2 });
    c.closeSync();
    instance.closeSync();
  });
});
