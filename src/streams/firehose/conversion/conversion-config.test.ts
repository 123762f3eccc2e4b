/** Conversion configuration: ParquetSerDe defaults and constraints, deserializer choice, schema and TimestampFormats validation. */
import { describe, expect, it } from 'vitest';
import { conversionSchemaProblems, deserializerFrom, parquetOptionsFrom, PARQUET_SERDE_DEFAULTS } from './conversion-config.js';
import { RecordConverter } from './record-converter.js';

describe('parquetOptionsFrom', () => {
  it('applies Firehose defaults', () => {
    expect(parquetOptionsFrom(undefined)).toEqual(PARQUET_SERDE_DEFAULTS);
    expect(parquetOptionsFrom({ Compression: 'GZIP', WriterVersion: 'V2', EnableDictionaryCompression: false, BlockSizeBytes: 67108864 })).toEqual({
      ...PARQUET_SERDE_DEFAULTS,
      compression: 'GZIP',
      writerVersion: 'V2',
      enableDictionaryCompression: false,
      blockSizeBytes: 67108864,
    });
  });

  it('rejects values outside the AWS constraints with a ValidationException', () => {
    expect(() => parquetOptionsFrom({ BlockSizeBytes: 1024, PageSizeBytes: 100, Compression: 'ZSTD', WriterVersion: 'V3' })).toThrow(
      expect.objectContaining({ code: 'ValidationException', message: expect.stringMatching(/^4 validation errors detected: .*blockSizeBytes.*greater than or equal to 67108864/) as unknown }),
    );
  });
});

describe('deserializerFrom', () => {
  it('applies OpenX defaults', () => {
    expect(deserializerFrom({ OpenXJsonSerDe: {} })).toEqual({ kind: 'openx', caseInsensitive: true, convertDotsInJsonKeysToUnderscores: false, columnToJsonKeyMappings: {} });
  });

  it('takes the Hive SerDe with its TimestampFormats, validating the patterns', () => {
    expect(deserializerFrom({ HiveJsonSerDe: { TimestampFormats: ['millis', "yyyy-MM-dd'T'HH:mm:ss"] } })).toEqual({ kind: 'hive', timestampFormats: ['millis', "yyyy-MM-dd'T'HH:mm:ss"] });
    expect(() => deserializerFrom({ HiveJsonSerDe: { TimestampFormats: ['yyyy-MM-dd zzz'] } })).toThrow(/pattern letter 'zzz' is not supported/);
  });

  it('rejects both or neither deserializer', () => {
    expect(() => deserializerFrom({ OpenXJsonSerDe: {}, HiveJsonSerDe: {} })).toThrow(expect.objectContaining({ code: 'InvalidArgumentException' }));
    expect(() => deserializerFrom({})).toThrow(expect.objectContaining({ code: 'InvalidArgumentException' }));
  });
});

describe('conversionSchemaProblems', () => {
  const openx = deserializerFrom({ OpenXJsonSerDe: {} });
  const hive = deserializerFrom({ HiveJsonSerDe: {} });

  it('accepts a valid schema', () => {
    expect(conversionSchemaProblems([{ name: 'a', type: 'map<string,array<int>>' }], openx)).toEqual([]);
  });

  it('lists every problem: bad types, case-insensitive duplicates, dots under the Hive SerDe', () => {
    const columns = [
      { name: 'a', type: 'int' },
      { name: 'A', type: 'string' },
      { name: 'b', type: 'array<' },
      { name: 'c.d', type: 'int' },
    ];
    expect(conversionSchemaProblems(columns, openx)).toEqual([
      "Duplicate column name 'a' (column names are case-insensitive)",
      expect.stringMatching(/^Column 'b': Invalid Hive type 'array<'/) as unknown,
    ]);
    expect(conversionSchemaProblems(columns, hive)).toContain("Column name 'c.d' contains a dot, which the Hive JSON SerDe does not support");
    expect(conversionSchemaProblems([], openx)).toEqual(['The table has no columns']);
  });

  it('makes RecordConverter refuse a bad schema', () => {
    expect(() => new RecordConverter([{ name: 'x', type: 'uniontype<int>' }], openx)).toThrow(/uniontype is not supported/);
  });
});
