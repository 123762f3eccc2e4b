/** Validation and defaults for DataFormatConversionConfiguration: deserializer, ParquetSerDe options and the Glue column schema. */
import { FirehoseErrors, Violations } from '../errors.js';
import { HiveTypeError, parseHiveType } from './hive-type.js';
import type { ConversionColumn, HiveStructField, JsonDeserializer, ParquetOptions } from './model.js';
import { compileJodaPattern, TimestampFormatError } from './timestamp-formats.js';

/** The Glue table cannot be used for conversion (bad type string, duplicate or unsupported column names). */
export class ConversionSchemaError extends Error {
  override readonly name = 'ConversionSchemaError';
}

/** InputFormatConfiguration.Deserializer as it arrives on the wire. */
export interface DeserializerConfig {
  readonly OpenXJsonSerDe?: {
    readonly ConvertDotsInJsonKeysToUnderscores?: boolean;
    readonly CaseInsensitive?: boolean;
    readonly ColumnToJsonKeyMappings?: Readonly<Record<string, string>>;
  };
  readonly HiveJsonSerDe?: { readonly TimestampFormats?: readonly string[] };
}

/** OutputFormatConfiguration.Serializer.ParquetSerDe as it arrives on the wire. */
export interface ParquetSerDeConfig {
  readonly BlockSizeBytes?: number;
  readonly PageSizeBytes?: number;
  readonly Compression?: string;
  readonly EnableDictionaryCompression?: boolean;
  readonly MaxPaddingBytes?: number;
  readonly WriterVersion?: string;
}

const MIB = 1024 * 1024;

/**
 * Firehose's ParquetSerDe defaults. EnableDictionaryCompression has no documented default; we use
 * parquet-mr's (`parquet.enable.dictionary` = true).
 */
export const PARQUET_SERDE_DEFAULTS: Readonly<ParquetOptions> = Object.freeze({
  compression: 'SNAPPY',
  pageSizeBytes: MIB,
  blockSizeBytes: 256 * MIB,
  enableDictionaryCompression: true,
  writerVersion: 'V1',
  maxPaddingBytes: 0,
});

/** Applies defaults and checks AWS's constraints (ValidationException); `path` is the member path for messages. */
export function parquetOptionsFrom(serde: ParquetSerDeConfig | undefined, path = 'parquetSerDe'): ParquetOptions {
  const s = serde ?? {};
  const v = new Violations();
  const int = (value: unknown, name: string, min: number): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) v.add(value, `${path}.${name}`, 'be an integer');
    else if (value < min) v.add(value, `${path}.${name}`, `have value greater than or equal to ${min}`);
  };
  int(s.BlockSizeBytes, 'blockSizeBytes', 64 * MIB);
  int(s.PageSizeBytes, 'pageSizeBytes', 64 * 1024);
  int(s.MaxPaddingBytes, 'maxPaddingBytes', 0);
  if (s.Compression !== undefined && !['UNCOMPRESSED', 'GZIP', 'SNAPPY'].includes(s.Compression))
    v.add(s.Compression, `${path}.compression`, 'satisfy enum value set: [UNCOMPRESSED, GZIP, SNAPPY]');
  if (s.WriterVersion !== undefined && !['V1', 'V2'].includes(s.WriterVersion)) v.add(s.WriterVersion, `${path}.writerVersion`, 'satisfy enum value set: [V1, V2]');
  if (s.EnableDictionaryCompression !== undefined && typeof s.EnableDictionaryCompression !== 'boolean')
    v.add(s.EnableDictionaryCompression, `${path}.enableDictionaryCompression`, 'be a boolean');
  v.throwIfAny();
  const d = PARQUET_SERDE_DEFAULTS;
  return {
    compression: (s.Compression as ParquetOptions['compression'] | undefined) ?? d.compression,
    pageSizeBytes: s.PageSizeBytes ?? d.pageSizeBytes,
    blockSizeBytes: s.BlockSizeBytes ?? d.blockSizeBytes,
    enableDictionaryCompression: s.EnableDictionaryCompression ?? d.enableDictionaryCompression,
    writerVersion: (s.WriterVersion as ParquetOptions['writerVersion'] | undefined) ?? d.writerVersion,
    maxPaddingBytes: s.MaxPaddingBytes ?? d.maxPaddingBytes,
  };
}

/** Problems with Hive TimestampFormats (Joda patterns or `millis`), one message per bad entry. */
export function timestampFormatProblems(formats: readonly string[]): string[] {
  const problems: string[] = [];
  for (const f of formats) {
    if (f === 'millis') continue;
    try {
      compileJodaPattern(f);
    } catch (e) {
      if (!(e instanceof TimestampFormatError)) throw e;
      problems.push(`Invalid TimestampFormats entry '${f}': ${e.message}`);
    }
  }
  return problems;
}

/** Picks the deserializer and applies its defaults; both or neither given → InvalidArgumentException. */
export function deserializerFrom(config: DeserializerConfig | undefined): JsonDeserializer {
  const openx = config?.OpenXJsonSerDe;
  const hive = config?.HiveJsonSerDe;
  if (openx !== undefined && hive !== undefined)
    throw FirehoseErrors.invalidArgument('Only one of OpenXJsonSerDe or HiveJsonSerDe can be specified in InputFormatConfiguration.Deserializer.');
  if (hive !== undefined) {
    const timestampFormats = [...(hive.TimestampFormats ?? [])];
    const problems = timestampFormatProblems(timestampFormats);
    if (problems.length > 0) throw FirehoseErrors.invalidArgument(problems.join('; '));
    return { kind: 'hive', timestampFormats };
  }
  if (openx === undefined) throw FirehoseErrors.invalidArgument('InputFormatConfiguration.Deserializer must specify OpenXJsonSerDe or HiveJsonSerDe.');
  return {
    kind: 'openx',
    caseInsensitive: openx.CaseInsensitive ?? true,
    convertDotsInJsonKeysToUnderscores: openx.ConvertDotsInJsonKeysToUnderscores ?? false,
    columnToJsonKeyMappings: { ...(openx.ColumnToJsonKeyMappings ?? {}) },
  };
}

/** Parses every column (names lower-cased, as Hive does); throws ConversionSchemaError listing every problem. */
export function parseConversionSchema(columns: readonly ConversionColumn[], deserializer?: JsonDeserializer): HiveStructField[] {
  const problems: string[] = [];
  const fields: HiveStructField[] = [];
  const seen = new Set<string>();
  if (columns.length === 0) problems.push('The table has no columns');
  for (const c of columns) {
    const name = c.name.toLowerCase();
    if (name === '') problems.push('A column has an empty name');
    if (seen.has(name)) problems.push(`Duplicate column name '${name}' (column names are case-insensitive)`);
    seen.add(name);
    if (deserializer?.kind === 'hive' && name.includes('.')) problems.push(`Column name '${c.name}' contains a dot, which the Hive JSON SerDe does not support`);
    try {
      fields.push({ name, type: parseHiveType(c.type) });
    } catch (e) {
      if (!(e instanceof HiveTypeError)) throw e;
      problems.push(`Column '${c.name}': ${e.message}`);
    }
  }
  if (deserializer?.kind === 'hive') problems.push(...timestampFormatProblems(deserializer.timestampFormats));
  if (problems.length > 0) throw new ConversionSchemaError(problems.join('; '));
  return fields;
}

/** The messages parseConversionSchema would throw, for validation without building anything. */
export function conversionSchemaProblems(columns: readonly ConversionColumn[], deserializer: JsonDeserializer): string[] {
  try {
    parseConversionSchema(columns, deserializer);
    return [];
  } catch (e) {
    if (e instanceof ConversionSchemaError) return e.message.split('; ');
    throw e;
  }
}
