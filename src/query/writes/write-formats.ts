/** Output formats of CTAS/INSERT/UNLOAD: Athena's properties → a format spec, its DuckDB COPY options, file suffix and the Glue SerDe/format classes and parameters Athena registers. */
import type { StorageDescriptor, Table } from '../../catalog/model.js';
import { QueryFailure } from '../athena/athena-errors.js';
import { tableFormat } from '../tables/relation-builder.js';
import type { PropertyValue } from './write-statement.js';

export type WriteFormat = 'parquet' | 'json' | 'textfile';
export type Compression = 'SNAPPY' | 'GZIP' | 'ZSTD' | 'LZ4' | 'NONE';

export interface FormatSpec {
  readonly format: WriteFormat;
  readonly compression: Compression;
  /** ZSTD level (1–22), Parquet only. */
  readonly compressionLevel?: number | undefined;
  /** TEXTFILE field delimiter (one character; Hive's default is \u0001). */
  readonly delimiter: string;
}

export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
export const HIVE_JSON_SERDE = 'org.apache.hive.hcatalog.data.JsonSerDe';
export const LAZY_SIMPLE_SERDE = 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe';
const TEXT_INPUT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

export const invalidProperty = (message: string): QueryFailure => new QueryFailure('INVALID_TABLE_PROPERTY', message);

const COMPRESSIONS: Readonly<Record<WriteFormat, readonly Compression[]>> = {
  parquet: ['SNAPPY', 'GZIP', 'ZSTD', 'LZ4', 'NONE'],
  json: ['GZIP', 'ZSTD', 'NONE'],
  textfile: ['GZIP', 'ZSTD', 'NONE'],
};

function stringProperty(props: ReadonlyMap<string, PropertyValue>, name: string): string | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidProperty(`Invalid value for ${name} property: ${JSON.stringify(v)}`);
  return v;
}

/** The `format` (+ compression, delimiter) properties of a CTAS or UNLOAD; ORC, AVRO and ION are refused. */
export function formatFromProperties(props: ReadonlyMap<string, PropertyValue>, statement: 'CTAS' | 'UNLOAD'): FormatSpec {
  const raw = stringProperty(props, 'format');
  if (raw === undefined && statement === 'UNLOAD') throw invalidProperty("UNLOAD requires the 'format' property (PARQUET, JSON or TEXTFILE)");
  const name = (raw ?? 'PARQUET').toUpperCase();
  if (name === 'ORC' || name === 'AVRO' || name === 'ION') {
    throw new QueryFailure('NOT_SUPPORTED', `Writing ${name} files is not supported by Lakebox (DuckDB has no ${name} writer); use format = 'PARQUET', 'JSON' or 'TEXTFILE'`);
  }
  const format: WriteFormat | undefined = name === 'PARQUET' ? 'parquet' : name === 'JSON' ? 'json' : name === 'TEXTFILE' ? 'textfile' : undefined;
  if (!format) throw invalidProperty(`Hive storage format '${raw}' is not supported. Supported formats: PARQUET, ORC, AVRO, JSON, ION, TEXTFILE`);
  const write = stringProperty(props, statement === 'UNLOAD' ? 'compression' : 'write_compression');
  const legacy = stringProperty(props, 'parquet_compression') ?? stringProperty(props, 'orc_compression');
  if (write !== undefined && legacy !== undefined) throw invalidProperty('write_compression cannot be combined with parquet_compression or orc_compression');
  const compression = compressionOf(write ?? legacy ?? 'GZIP', format);
  const levelValue = props.get('compression_level');
  let compressionLevel: number | undefined;
  if (levelValue !== undefined) {
    if (typeof levelValue !== 'number' || !Number.isInteger(levelValue) || levelValue < 1 || levelValue > 22) throw invalidProperty('compression_level must be an integer between 1 and 22');
    if (compression !== 'ZSTD') throw invalidProperty('compression_level is only supported with ZSTD compression');
    compressionLevel = levelValue;
  }
  const delimiter = stringProperty(props, 'field_delimiter');
  if (delimiter !== undefined && (format !== 'textfile' || [...delimiter].length !== 1)) {
    throw invalidProperty(format !== 'textfile' ? 'field_delimiter is only valid for TEXTFILE' : 'field_delimiter must be a single character');
  }
  return { format, compression, compressionLevel, delimiter: delimiter ?? '\u0001' };
}

function compressionOf(value: string, format: WriteFormat): Compression {
  const c = value.toUpperCase() === 'UNCOMPRESSED' ? 'NONE' : (value.toUpperCase() as Compression);
  if (!COMPRESSIONS[format].includes(c)) {
    throw invalidProperty(`Compression '${value}' is not supported for ${format.toUpperCase()} output by Lakebox (supported: ${COMPRESSIONS[format].join(', ')})`);
  }
  return c;
}

/** The format an INSERT writes into an existing table: its SerDe, its `write.compression`/`parquet.compression` parameters (GZIP by default). */
export function formatFromTable(table: Table): FormatSpec {
  const kind = tableFormat(table);
  const params = table.Parameters ?? {};
  const sd = table.StorageDescriptor;
  const serdeParams = sd?.SerdeInfo?.Parameters ?? {};
  const format: WriteFormat | undefined = kind === 'parquet' ? 'parquet' : kind === 'json' ? 'json' : kind === 'text' ? 'textfile' : undefined;
  if (!format) {
    const what = kind === 'unknown' ? sd?.SerdeInfo?.SerializationLibrary ?? 'an unknown format' : kind.toUpperCase();
    throw new QueryFailure('NOT_SUPPORTED', `Inserting into tables stored as ${what} is not supported by Lakebox (PARQUET, JSON and TEXTFILE tables are)`);
  }
  const named = params['write.compression'] ?? params['parquet.compression'] ?? params['parquet.compress'] ?? params.compressionType;
  let compression: Compression = 'GZIP';
  if (named !== undefined && named !== '') {
    const upper = named.toUpperCase();
    compression = upper === 'UNCOMPRESSED' ? 'NONE' : COMPRESSIONS[format].includes(upper as Compression) ? (upper as Compression) : 'GZIP';
  }
  const delimiter = decodeDelimiter(serdeParams['field.delim'] ?? serdeParams['serialization.format']);
  return { format, compression, delimiter };
}

/** Hive SerDe delimiter parameter (`,`, `\t`, `1` = \u0001) → the character. */
function decodeDelimiter(value: string | undefined): string {
  if (value === undefined || value === '') return '\u0001';
  if (/^\d+$/.test(value)) return String.fromCharCode(Number(value));
  if (value === '\\t') return '\t';
  return [...value][0]!;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** DuckDB COPY options for the spec (without PARTITION_BY). */
export function copyOptions(spec: FormatSpec): string[] {
  const codec = spec.compression === 'NONE' ? 'uncompressed' : spec.compression.toLowerCase();
  switch (spec.format) {
    case 'parquet':
      return ['FORMAT parquet', `COMPRESSION ${codec}`, ...(spec.compressionLevel !== undefined ? [`COMPRESSION_LEVEL ${spec.compressionLevel}`] : [])];
    case 'json':
    case 'textfile':
      // JSON lines are written as one pre-rendered text column (DuckDB's JSON COPY has no PARTITION_BY).
      return [
        'FORMAT csv',
        `DELIMITER ${sqlString(spec.format === 'json' ? '\u0001' : spec.delimiter)}`,
        'HEADER false',
        "QUOTE ''",
        "ESCAPE ''",
        "NULLSTR '\\N'",
        `COMPRESSION ${spec.compression === 'NONE' ? 'none' : codec}`,
      ];
  }
}

/** Extension of written files: Parquet files have none (as Athena's), text files name their compression. */
export function fileSuffix(spec: FormatSpec): string {
  if (spec.format === 'parquet') return '';
  return spec.compression === 'GZIP' ? '.gz' : spec.compression === 'ZSTD' ? '.zst' : '';
}

/** Glue StorageDescriptor fields Athena sets for a table in this format (Location and Columns added by the caller). */
export function storageFormat(spec: FormatSpec): Pick<StorageDescriptor, 'InputFormat' | 'OutputFormat' | 'SerdeInfo'> {
  switch (spec.format) {
    case 'parquet':
      return {
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { 'serialization.format': '1' } },
      };
    case 'json':
      return { InputFormat: TEXT_INPUT, OutputFormat: TEXT_OUTPUT, SerdeInfo: { SerializationLibrary: HIVE_JSON_SERDE, Parameters: { 'serialization.format': '1' } } };
    case 'textfile':
      return {
        InputFormat: TEXT_INPUT,
        OutputFormat: TEXT_OUTPUT,
        SerdeInfo: { SerializationLibrary: LAZY_SIMPLE_SERDE, Parameters: { 'field.delim': spec.delimiter, 'serialization.format': spec.delimiter } },
      };
  }
}

/** Table parameters Athena's CTAS records: `has_encrypted_data` and the compression (read back by INSERT INTO). */
export function tableParameters(spec: FormatSpec): Record<string, string> {
  const out: Record<string, string> = { has_encrypted_data: 'false' };
  if (spec.format === 'parquet') out['parquet.compression'] = spec.compression === 'NONE' ? 'UNCOMPRESSED' : spec.compression;
  else out['write.compression'] = spec.compression;
  return out;
}
