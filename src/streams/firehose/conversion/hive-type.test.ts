/** parseHiveType: primitives, parameters, nesting and positioned errors for malformed types. */
import { describe, expect, it } from 'vitest';
import { formatHiveType, HiveTypeError, parseHiveType } from './hive-type.js';

describe('parseHiveType', () => {
  it('parses primitives case-insensitively, with aliases', () => {
    expect(parseHiveType('INT')).toEqual({ kind: 'int' });
    expect(parseHiveType('integer')).toEqual({ kind: 'int' });
    expect(parseHiveType(' BigInt ')).toEqual({ kind: 'bigint' });
    for (const k of ['boolean', 'tinyint', 'smallint', 'float', 'double', 'string', 'date', 'timestamp', 'binary']) expect(parseHiveType(k)).toEqual({ kind: k });
  });

  it('parses parameterized types with Hive defaults', () => {
    expect(parseHiveType('decimal')).toEqual({ kind: 'decimal', precision: 10, scale: 0 });
    expect(parseHiveType('decimal(38, 10)')).toEqual({ kind: 'decimal', precision: 38, scale: 10 });
    expect(parseHiveType('numeric(5)')).toEqual({ kind: 'decimal', precision: 5, scale: 0 });
    expect(parseHiveType('char(3)')).toEqual({ kind: 'char', length: 3 });
    expect(parseHiveType('varchar(65535)')).toEqual({ kind: 'varchar', length: 65535 });
  });

  it('parses arbitrarily nested types and lower-cases field names', () => {
    const t = parseHiveType('array<struct<Id:bigint, tags:map<string,array<decimal(5,2)>>, `odd name`:struct<x:timestamp>>>');
    expect(t).toEqual({
      kind: 'array',
      element: {
        kind: 'struct',
        fields: [
          { name: 'id', type: { kind: 'bigint' } },
          { name: 'tags', type: { kind: 'map', key: { kind: 'string' }, value: { kind: 'array', element: { kind: 'decimal', precision: 5, scale: 2 } } } },
          { name: 'odd name', type: { kind: 'struct', fields: [{ name: 'x', type: { kind: 'timestamp' } }] } },
        ],
      },
    });
    expect(formatHiveType(t)).toBe('array<struct<id:bigint,tags:map<string,array<decimal(5,2)>>,`odd name`:struct<x:timestamp>>>');
  });

  it.each([
    ['', /expected a type name/],
    ['inty', /unknown type 'inty'/],
    ['array<int', /expected '>'/],
    ['array<int>>', /unexpected '>'/],
    ['map<int>', /expected ','/],
    ['map<array<int>,int>', /map keys must be a primitive/],
    ['struct<>', /at least one field/],
    ['struct<a int>', /expected ':'/],
    ['struct<a:int,A:string>', /duplicate struct field 'a'/],
    ['decimal(39,1)', /precision must be 1..38/],
    ['decimal(5,6)', /scale must not exceed/],
    ['char', /expected '\('/],
    ['char(256)', /char length must be 1..255/],
    ['uniontype<int,string>', /uniontype is not supported/],
    ['struct<`a:int>', /unterminated backtick/],
  ])('rejects %j', (text, message) => {
    expect(() => parseHiveType(text)).toThrow(HiveTypeError);
    expect(() => parseHiveType(text)).toThrow(message);
  });

  it('reports the position of the error', () => {
    expect(() => parseHiveType('struct<a:int,b:float8>')).toThrow(/unknown type 'float8' at position 15/);
  });
});
