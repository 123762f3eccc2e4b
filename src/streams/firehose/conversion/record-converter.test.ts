/** RecordConverter: record framing, OpenX and Hive JSON SerDe semantics, and per-record failure codes. */
import { describe, expect, it } from 'vitest';
import type { ConversionColumn, JsonDeserializer } from './model.js';
import { RecordConverter } from './record-converter.js';

const OPENX: JsonDeserializer = { kind: 'openx', caseInsensitive: true, convertDotsInJsonKeysToUnderscores: false, columnToJsonKeyMappings: {} };
const HIVE: JsonDeserializer = { kind: 'hive', timestampFormats: [] };

const cols = (spec: Record<string, string>): ConversionColumn[] => Object.entries(spec).map(([name, type]) => ({ name, type }));

function rows(c: RecordConverter, json: string): unknown[] {
  const r = c.convert(Buffer.from(json));
  if (!r.ok) throw new Error(`${r.errorCode}: ${r.errorMessage}`);
  return r.rows;
}
const one = (c: RecordConverter, json: string): unknown => rows(c, json)[0];
function failure(c: RecordConverter, json: string): { errorCode: string; errorMessage: string } {
  const r = c.convert(Buffer.from(json));
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.rows)}`);
  return { errorCode: r.errorCode, errorMessage: r.errorMessage };
}

describe('RecordConverter: record framing', () => {
  const c = new RecordConverter(cols({ a: 'int' }), OPENX);

  it('drops unknown fields and nulls missing ones', () => {
    expect(rows(new RecordConverter(cols({ a: 'int', b: 'string' }), OPENX), '{"a":1,"zzz":true}')).toEqual([[1, null]]);
  });

  it('splits concatenated objects and JSON lines into rows', () => {
    expect(rows(c, '{"a":1}{"a":2} {"a":3}')).toEqual([[1], [2], [3]]);
    expect(rows(c, '{"a":1}\n{"a":2}\n')).toEqual([[1], [2]]);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['{"a":1', /not valid JSON/],
    ['{"a":1}{"a":', /not valid JSON/],
    ['[{"a":1}]', /array.*top-level JSON array is not supported/],
    ['42', /found a number/],
    ['   ', /empty/],
  ])('reports ParseError for %j', (json, message) => {
    const f = failure(c, json);
    expect(f.errorCode).toBe('DataFormatConversion.ParseError');
    expect(f.errorMessage).toMatch(message);
  });

  it('fails the whole record when one of its objects is malformed', () => {
    const f = failure(c, '{"a":1}{"a":"x"}');
    expect(f).toEqual({ errorCode: 'DataFormatConversion.MalformedData', errorMessage: expect.stringMatching(/Column 'a'.*"x".*int.*object 2 of 2/) as unknown });
  });

  it('converts a batch per record, reporting failures by index', () => {
    const batch = ['{"a":1}', 'oops', '{"a":2}{"a":3}', '{"a":"x"}'].map((s) => Buffer.from(s));
    const { rows: r, failures } = c.convertBatch(batch);
    expect(r).toEqual([[1], [2], [3]]);
    expect(failures.map((f) => [f.index, f.errorCode])).toEqual([
      [1, 'DataFormatConversion.ParseError'],
      [3, 'DataFormatConversion.MalformedData'],
    ]);
  });
});

describe('RecordConverter: OpenX JSON SerDe', () => {
  it('matches keys case-insensitively by default, last duplicate wins', () => {
    const c = new RecordConverter(cols({ UserId: 'int', name: 'string' }), OPENX);
    expect(one(c, '{"USERID":7,"Name":"x","name":"y"}')).toEqual([7, 'y']);
  });

  it('with CaseInsensitive=false, matches only the lower-case column name or a mapping', () => {
    const d: JsonDeserializer = { ...OPENX, caseInsensitive: false, columnToJsonKeyMappings: { time2: 'Time' } };
    const c = new RecordConverter(cols({ time1: 'string', time2: 'string', other: 'int' }), d);
    expect(one(c, '{"time1":"a","Time":"b","Other":3}')).toEqual(['a', 'b', null]);
  });

  it('applies ColumnToJsonKeyMappings (case-insensitively by default), replacing the column name', () => {
    const d: JsonDeserializer = { ...OPENX, columnToJsonKeyMappings: { ts: 'timestamp' } };
    const c = new RecordConverter(cols({ ts: 'string' }), d);
    expect(one(c, '{"TIMESTAMP":"t","ts":"ignored"}')).toEqual(['t']);
  });

  it('converts dots in keys to underscores only when enabled, at every level', () => {
    const types = cols({ my_field: 'string', other: 'struct<with_dots:string>' });
    const json = '{"my.field":"v","other":{"with.dots":"n"}}';
    expect(one(new RecordConverter(types, OPENX), json)).toEqual([null, [null]]);
    expect(one(new RecordConverter(types, { ...OPENX, convertDotsInJsonKeysToUnderscores: true }), json)).toEqual(['v', ['n']]);
    const direct = '{"my.field":"dotted","my_field":"direct"}';
    expect(one(new RecordConverter(types, { ...OPENX, convertDotsInJsonKeysToUnderscores: true }), direct)).toEqual(['direct', null]);
  });

  it('accepts numbers and booleans given as strings, including hex integers', () => {
    const c = new RecordConverter(cols({ i: 'int', t: 'tinyint', b: 'bigint', d: 'double', f: 'float', ok: 'boolean', n: 'decimal(6,2)' }), OPENX);
    expect(one(c, '{"i":"-12","t":"0x7f","b":"9223372036854775807","d":"1.5e3","f":"NaN","ok":"TRUE","n":"12.345"}')).toEqual([
      -12, 127, 9223372036854775807n, 1500, NaN, true, '12.35',
    ]);
  });

  it.each([
    ['int', '"abc"'],
    ['int', '1.5'],
    ['int', '2147483648'],
    ['tinyint', '128'],
    ['smallint', '"-32769"'],
    ['bigint', '9223372036854775808'],
    ['boolean', '"yes"'],
    ['boolean', '1'],
    ['double', '"1.2.3"'],
    ['decimal(4,2)', '123.4'],
    ['decimal(4,2)', '"abc"'],
    ['date', '"2023-02-29"'],
    ['date', '20230101'],
    ['timestamp', '"yesterday"'],
    ['timestamp', '"2024-01-01T10:00:00+02:00"'],
    ['array<int>', '1'],
    ['map<string,int>', '[1]'],
    ['struct<a:int>', '"x"'],
    ['binary', '1'],
  ])('rejects %s given %s with MalformedData', (type, json) => {
    const f = failure(new RecordConverter(cols({ c: type }), OPENX), `{"c":${json}}`);
    expect(f.errorCode).toBe('DataFormatConversion.MalformedData');
    expect(f.errorMessage).toMatch(/^Column 'c': cannot convert/);
  });

  it('parses the documented timestamp formats', () => {
    const c = new RecordConverter(cols({ t: 'timestamp' }), OPENX);
    const cases: [string, string][] = [
      ['"2017-02-07T15:13:01.39256Z"', '2017-02-07 15:13:01.392560'],
      ['"2017-02-07T15:13:01.123456789Z"', '2017-02-07 15:13:01.123456'],
      ['"2017-2-7 15:13:01.14"', '2017-02-07 15:13:01.140000'],
      ['"2017-02-07 15:13:01"', '2017-02-07 15:13:01.000000'],
      ['1518033528', '2018-02-07 19:58:48.000000'],
      ['"1518033528"', '2018-02-07 19:58:48.000000'],
      ['1518033528123', '2018-02-07 19:58:48.123000'],
      ['1518033528.123', '2018-02-07 19:58:48.123000'],
      ['"-1.5"', '1969-12-31 23:59:58.500000'],
    ];
    for (const [json, expected] of cases) expect(one(c, `{"t":${json}}`), json).toEqual([expected]);
  });

  it('puts nested objects into structs, by position from arrays, and serializes them for string columns', () => {
    const c = new RecordConverter(cols({ s: 'struct<A:int,b:struct<c:string>>', j: 'string', arr: 'string', p: 'struct<x:int,y:int>', e: 'struct<x:int>' }), OPENX);
    expect(one(c, '{"s":{"a":1,"B":{"C":"deep"},"extra":0},"j":{"k":[1,{"z":null}]},"arr":[1,"a"],"p":[1,2],"e":[]}')).toEqual([
      [1, ['deep']],
      '{"k":[1,{"z":null}]}',
      '[1,"a"]',
      [1, 2],
      null,
    ]);
  });

  it('converts arrays and maps, lower-casing map keys like every OpenX key and coercing keys to the key type', () => {
    const c = new RecordConverter(cols({ a: 'array<struct<v:int>>', m: 'map<string,double>', mi: 'map<int,array<string>>' }), OPENX);
    expect(one(c, '{"a":[{"v":1},null,{"V":"2"}],"m":{"Key":1,"key":2,"x":null},"mi":{"1":["a"],"02":[]}}')).toEqual([
      [[1], null, [2]],
      [
        ['key', 2],
        ['x', null],
      ],
      [
        [1, ['a']],
        [2, []],
      ],
    ]);
    const f = failure(c, '{"mi":{"one":[]}}');
    expect(f.errorMessage).toMatch(/Column 'mi\["one"\]': cannot convert "one" to int/);
  });

  it('reports the path of a nested failure', () => {
    const c = new RecordConverter(cols({ s: 'struct<list:array<struct<n:int>>>' }), OPENX);
    expect(failure(c, '{"s":{"list":[{"n":1},{"n":"bad"}]}}').errorMessage).toMatch(/^Column 's\.list\[1\]\.n': cannot convert "bad" to int/);
  });

  it('turns numbers and booleans into text for string columns, and enforces char/varchar lengths', () => {
    const c = new RecordConverter(cols({ s: 'string', b: 'string', c: 'char(3)', v: 'varchar(2)' }), OPENX);
    expect(one(c, '{"s":1.50,"b":false,"c":"abcdef","v":"😀😀😀"}')).toEqual(['1.5', 'false', 'abc', '😀😀']);
  });

  it('keeps every digit of bigint and decimal values', () => {
    const c = new RecordConverter(cols({ b: 'bigint', d: 'decimal(38,18)', m: 'map<string,bigint>', small: 'decimal(5,2)' }), OPENX);
    expect(one(c, '{"b":-9223372036854775808,"d":12345678901234567890.123456789012345678,"m":{"k":9007199254740993},"small":-0.005}')).toEqual([
      -9223372036854775808n,
      '12345678901234567890.123456789012345678',
      [['k', 9007199254740993n]],
      '-0.01',
    ]);
    expect(one(c, '{"d":1e-20,"small":1.5E2}')).toEqual([null, '0.000000000000000000', null, '150.00']);
  });

  it('re-parses a record whose bigint lost precision in JSON.parse (schema without wide decimals)', () => {
    const c = new RecordConverter(cols({ b: 'bigint', m: 'map<string,bigint>', d: 'decimal(10,2)' }), OPENX);
    expect(one(c, '{"b":9007199254740993,"m":{"k":-9223372036854775807},"d":1.25}')).toEqual([9007199254740993n, [['k', -9223372036854775807n]], '1.25']);
    expect(failure(c, '{"b":9223372036854775808}').errorMessage).toMatch(/out of range/);
  });

  it('decodes binary from the string UTF-8 bytes and dates in yyyy-[M]M-[d]d form', () => {
    const c = new RecordConverter(cols({ bin: 'binary', d: 'date' }), OPENX);
    expect(one(c, '{"bin":"hé","d":"2024-2-9"}')).toEqual([Buffer.from('hé', 'utf8'), '2024-02-09']);
  });

  it('replaces lone surrogates so every string is valid UTF-8', () => {
    const c = new RecordConverter(cols({ s: 'string' }), OPENX);
    expect(one(c, '{"s":"a\\ud800b"}')).toEqual(['a\ufffdb']);
  });
});

describe('RecordConverter: Hive JSON SerDe', () => {
  it('matches keys case-insensitively but keeps map keys as they are', () => {
    const c = new RecordConverter(cols({ id: 'int', m: 'map<string,int>' }), HIVE);
    expect(one(c, '{"ID":1,"m":{"Key":2}}')).toEqual([1, [['Key', 2]]]);
  });

  it.each([
    ['int', '"1"'],
    ['double', '"1.5"'],
    ['decimal(5,2)', '"1.5"'],
    ['boolean', '"true"'],
    ['string', '{"a":1}'],
    ['string', '[1]'],
    ['struct<a:int>', '[1]'],
    ['timestamp', '1518033528'],
  ])('rejects %s given %s with MalformedData', (type, json) => {
    const f = failure(new RecordConverter(cols({ c: type }), HIVE), `{"c":${json}}`);
    expect(f.errorCode).toBe('DataFormatConversion.MalformedData');
  });

  it('accepts JSON numbers and booleans, and scalar text for strings', () => {
    const c = new RecordConverter(cols({ i: 'int', d: 'double', b: 'boolean', s: 'string', ks: 'map<int,string>' }), HIVE);
    expect(one(c, '{"i":1,"d":2.5,"b":true,"s":12,"ks":{"7":"seven"}}')).toEqual([1, 2.5, true, '12', [[7, 'seven']]]);
  });

  it('parses timestamps with java.sql.Timestamp.valueOf by default', () => {
    const c = new RecordConverter(cols({ t: 'timestamp' }), HIVE);
    expect(one(c, '{"t":"2024-03-01 01:02:03.123456789"}')).toEqual(['2024-03-01 01:02:03.123456']);
    expect(failure(c, '{"t":"2024-03-01T01:02:03Z"}').errorCode).toBe('DataFormatConversion.MalformedData');
  });

  it('parses TimestampFormats (Joda patterns, millis) in order, then falls back to valueOf', () => {
    const c = new RecordConverter(cols({ t: 'timestamp' }), { kind: 'hive', timestampFormats: ["yyyy-MM-dd'T'HH:mm:ss.SSSZZ", 'yyyyMMddHHmmss', 'millis', 'dd/MMM/yyyy:HH:mm:ss Z', 'M/d/yy h:mm a'] });
    const cases: [string, string][] = [
      ['"2024-03-01T01:02:03.5+01:00"', '2024-03-01 00:02:03.500000'],
      ['1709254923123', '2024-03-01 01:02:03.123000'],
      ['"10/Oct/2000:13:55:36 -0700"', '2000-10-10 20:55:36.000000'],
      ['"20240301010203"', '2024-03-01 01:02:03.000000'],
      ['"3/1/24 1:02 PM"', '2024-03-01 13:02:00.000000'],
      ['"2024-03-01 01:02:03"', '2024-03-01 01:02:03.000000'],
    ];
    for (const [json, expected] of cases) expect(one(c, `{"t":${json}}`), json).toEqual([expected]);
    expect(failure(c, '{"t":"13/1/24 1:02 PM"}').errorCode).toBe('DataFormatConversion.MalformedData');
    // Order matters: with millis first, 14 digits are epoch milliseconds.
    const millisFirst = new RecordConverter(cols({ t: 'timestamp' }), { kind: 'hive', timestampFormats: ['millis', 'yyyyMMddHHmmss'] });
    expect(one(millisFirst, '{"t":"20240301010203"}')).toEqual(['2611-05-23 17:50:10.203000']);
  });
});
