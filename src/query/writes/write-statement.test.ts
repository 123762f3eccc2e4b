/** Unit tests: CTAS/INSERT/UNLOAD parsing, DuckDB → Hive types, Hive path escaping and format properties. */
import { describe, expect, it } from 'vitest';
import { escapeHivePath, partitionFolder } from './file-stager.js';
import { hiveType } from './hive-types.js';
import { checkPartitionColumns } from './projection.js';
import { formatFromProperties, storageFormat } from './write-formats.js';
import { parseWriteStatement, WriteSyntaxError } from './write-statement.js';

describe('parseWriteStatement', () => {
  it('reads CTAS with properties, arrays and WITH NO DATA', () => {
    const st = parseWriteStatement(`CREATE TABLE "Lake".t2 WITH (format = 'PARQUET', partitioned_by = ARRAY['dt', 'Region'], bucket_count = 4) AS (SELECT a, dt FROM t) WITH NO DATA;`);
    expect(st).toMatchObject({ kind: 'ctas', table: { schema: 'lake', name: 't2' }, query: 'SELECT a, dt FROM t', withData: false });
    if (st.kind !== 'ctas') throw new Error();
    expect(Object.fromEntries(st.properties)).toEqual({ format: 'PARQUET', partitioned_by: ['dt', 'Region'], bucket_count: 4 });
  });

  it('reads INSERT with and without a column list, and UNLOAD', () => {
    expect(parseWriteStatement('INSERT INTO db.t (a, "B") VALUES (1, 2)')).toMatchObject({ kind: 'insert', columns: ['a', 'b'], query: 'VALUES (1, 2)' });
    expect(parseWriteStatement('INSERT INTO t (SELECT 1)')).toMatchObject({ kind: 'insert', columns: undefined, query: '(SELECT 1)' });
    expect(parseWriteStatement("UNLOAD (SELECT ')' AS x FROM t) TO 's3://b/p/' WITH (format = 'JSON')")).toMatchObject({
      kind: 'unload',
      query: "SELECT ')' AS x FROM t",
      location: 's3://b/p/',
    });
    expect(() => parseWriteStatement("UNLOAD (SELECT 1) TO 's3://b/p/'")).toThrow(WriteSyntaxError);
  });
});

describe('types and paths', () => {
  it('maps DuckDB types to Hive types', () => {
    expect(hiveType('INTEGER')).toBe('int');
    expect(hiveType('DECIMAL(10,2)')).toBe('decimal(10,2)');
    expect(hiveType('VARCHAR[]')).toBe('array<string>');
    expect(hiveType('MAP(VARCHAR, BIGINT[])')).toBe('map<string,array<bigint>>');
    expect(hiveType('STRUCT("A b" INTEGER, y DECIMAL(2,1)[])')).toBe('struct<a b:int,y:array<decimal(2,1)>>');
    expect(hiveType('TIMESTAMP WITH TIME ZONE')).toBe('timestamp');
  });

  it('escapes partition folders as Hive does', () => {
    expect(escapeHivePath('a/b=c d:%')).toBe('a%2Fb%3Dc d%3A%25');
    expect(partitionFolder(['dt', 'k'], ['2024-01-01', null])).toBe('dt=2024-01-01/k=__HIVE_DEFAULT_PARTITION__/');
  });

  it('validates partition column order and formats', () => {
    expect(() => checkPartitionColumns(['a', 'dt', 'b'], ['int', 'string', 'int'], ['dt'])).toThrow(/HIVE_COLUMN_ORDER_MISMATCH/);
    expect(() => checkPartitionColumns(['a', 'dt'], ['int', 'string'], ['dt'])).not.toThrow();
    expect(() => formatFromProperties(new Map([['format', 'ORC']]), 'CTAS')).toThrow(/NOT_SUPPORTED/);
    const spec = formatFromProperties(new Map([['format', 'TEXTFILE'], ['field_delimiter', ',']]), 'CTAS');
    expect(storageFormat(spec).SerdeInfo?.Parameters).toEqual({ 'field.delim': ',', 'serialization.format': ',' });
    expect(formatFromProperties(new Map(), 'CTAS')).toMatchObject({ format: 'parquet', compression: 'GZIP' });
  });
});
