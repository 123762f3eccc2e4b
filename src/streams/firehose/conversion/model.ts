/** Data-format conversion model: Glue columns, deserializer and ParquetSerDe options, Hive types, and the normalized row shape. */

/** A Glue table column: its name and Hive type string (e.g. `array<struct<a:int>>`). */
export interface ConversionColumn {
  readonly name: string;
  readonly type: string;
}

/** InputFormatConfiguration.Deserializer, with Firehose's defaults already applied. */
export type JsonDeserializer =
  | {
      kind: 'openx';
      caseInsensitive: boolean;
      convertDotsInJsonKeysToUnderscores: boolean;
      columnToJsonKeyMappings: Readonly<Record<string, string>>;
    }
  | { kind: 'hive'; timestampFormats: readonly string[] };

/** OutputFormatConfiguration.Serializer.ParquetSerDe, with Firehose's defaults already applied. */
export interface ParquetOptions {
  compression: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  pageSizeBytes: number;
  blockSizeBytes: number;
  enableDictionaryCompression: boolean;
  writerVersion: 'V1' | 'V2';
  maxPaddingBytes: number;
}

/** One record that could not be converted (goes to the `format-conversion-failed` error output). */
export interface RecordFailure {
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export const PARSE_ERROR = 'DataFormatConversion.ParseError';
export const MALFORMED_DATA = 'DataFormatConversion.MalformedData';

export type HivePrimitiveKind =
  | 'boolean'
  | 'tinyint'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'float'
  | 'double'
  | 'string'
  | 'date'
  | 'timestamp'
  | 'binary';

/** A parsed Hive type. Names (struct fields) are lower-cased, as the Hive metastore stores them. */
export type HiveType =
  | { readonly kind: HivePrimitiveKind }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'char' | 'varchar'; readonly length: number }
  | { readonly kind: 'array'; readonly element: HiveType }
  | { readonly kind: 'map'; readonly key: HiveType; readonly value: HiveType }
  | { readonly kind: 'struct'; readonly fields: readonly HiveStructField[] };

export interface HiveStructField {
  readonly name: string;
  readonly type: HiveType;
}

/**
 * Normalized rows (what RecordConverter produces and ParquetWriter consumes): one array per row,
 * positional by column. Values: `null`; boolean; number (tinyint…int, float, double — NaN/±Infinity
 * allowed — and bigint when safe); JS bigint (bigint beyond ±2^53); string (string/char/varchar;
 * decimal as canonical `-123.45` text with exactly `scale` fraction digits; date `YYYY-MM-DD`;
 * timestamp `YYYY-MM-DD HH:MM:SS.ffffff`); Uint8Array (binary); arrays (array elements; struct
 * fields positionally); `[key, value][]` with unique keys (map).
 */
export type ConvertedRow = unknown[];
