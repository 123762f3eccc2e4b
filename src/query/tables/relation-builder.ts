/**
 * Builds the DuckDB relation (a SELECT) that reads a Glue table's files as Athena would: one reader call per table,
 * columns projected and typed from the Glue schema, partition values and the hidden `"$path"` joined in per file.
 *
 * Formats: Parquet (`read_parquet`, columns by name case-insensitively, `union_by_name`, missing columns NULL),
 * OpenX/Hive JSON (json-relation.ts, with the key census of json-key-census.ts), RegexSerDe (serde-readers.ts),
 * LazySimpleSerDe text (`read_csv` with the SerDe's `field.delim`, no quoting, `serialization.null.format` NULLs
 * (default `\N`), header skipping, missing trailing fields NULL, extra fields ignored, bad values NULL, collections
 * split on `collection.delim`/`mapkey.delim`), OpenCSVSerde (quoted, strings cast per Athena), LazySimpleSerDe with
 * `escape.delim` (escaped-text.ts). Compression (gzip, zstd) is taken from the object key's extension; `.snappy` text
 * arrives already decoded (query-tables.ts). Not yet: bzip2 text, ORC and Avro.
 */
import type { Column, Table } from '../../catalog/model.js';
import { duckDbType } from '../../streams/firehose/conversion/duckdb-types.js';
import { parseHiveType } from '../../streams/firehose/conversion/hive-type.js';
import { escapedTextRelation, unescapeValue, type EscapedTextOptions } from './escaped-text.js';
import type { CensusEntry } from './json-key-census.js';
import { cloudTrailRelation, isCloudTrail, jsonRelation } from './json-relation.js';
import { hiveType, openCsvValue, perCompression, regexRelation, textValue } from './serde-readers.js';

/** One data file of the table, readable locally. */
export interface DataFile {
  readonly path: string;
  /** `s3://bucket/key`, the value of `"$path"`. */
  readonly uri: string;
  /** Values of the partition keys, in key order (empty for unpartitioned tables); null for Hive's default partition. */
  readonly partitionValues: readonly (string | null)[];
  /** The object's size and last-modified time: `"$file_size"`, `"$file_modified_time"`. */
  readonly size?: number | undefined;
  readonly modified?: Date | undefined;
}

export type TableFormat = 'parquet' | 'json' | 'regex' | 'text' | 'opencsv' | 'orc' | 'avro' | 'unknown';

export class RelationError extends Error {
  override readonly name = 'RelationError';
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const lit = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The table's storage format, from its SerDe and input format. */
export function tableFormat(table: Table): TableFormat {
  const sd = table.StorageDescriptor;
  const serde = (sd?.SerdeInfo?.SerializationLibrary ?? '').toLowerCase();
  const input = (sd?.InputFormat ?? '').toLowerCase();
  const classification = (table.Parameters?.classification ?? '').toLowerCase();
  if (serde.includes('parquet') || input.includes('parquet') || classification === 'parquet') return 'parquet';
  if (serde.includes('orc') || input.includes('orc')) return 'orc';
  if (serde.includes('avro') || input.includes('avro')) return 'avro';
  if (serde.includes('json') || serde.includes('cloudtrailserde') || classification === 'json' || classification === 'cloudtrail') return 'json';
  if (serde.includes('regexserde')) return 'regex';
  if (serde.includes('opencsvserde')) return 'opencsv';
  if (serde.includes('lazysimpleserde') || input.includes('textinputformat') || classification === 'csv') return 'text';
  return 'unknown';
}

/** DuckDB type of a Glue (Hive) column type. */
export function columnType(hiveType: string | undefined): string {
  try {
    return duckDbType(parseHiveType(hiveType ?? 'string'));
  } catch {
    return 'VARCHAR';
  }
}

/** Single-character delimiter from a SerDe parameter (`,`, `\t`, `\u0001`, or a decimal byte value like `1`). */
function delimiter(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (/^\d+$/.test(value)) return String.fromCharCode(Number(value)); // Hive's getByte: numeric text is a byte value
  if (value === '\\t') return '\t';
  if (/^\\u[0-9a-f]{4}$/i.test(value)) return String.fromCharCode(parseInt(value.slice(2), 16));
  if (/^\\\d{3}$/.test(value)) return String.fromCharCode(parseInt(value.slice(1), 8));
  return value[0]!;
}

function duckString(text: string): string {
  // DuckDB string literals take the character as is (E-strings are not needed for control characters).
  return lit(text);
}

export interface RelationOptions {
  /** Include the hidden `"$path"` column (only when the query mentions it, since `SELECT *` must not show it). */
  readonly withPath: boolean;
  /** Include `"$file_size"` (bigint) and `"$file_modified_time"` (timestamp with time zone), likewise only when mentioned. */
  readonly withFileInfo?: boolean | undefined;
  /** Names of the file columns actually present (Parquet), lower-cased; undefined when unknown. */
  readonly presentColumns?: ReadonlySet<string> | undefined;
  /** Every Parquet file has the same columns of the same types: read without union_by_name. */
  readonly uniformParquet?: boolean | undefined;
  /** Key census of JSON files by path (json-key-census.ts); without it JSON files are read by the generic scan. */
  readonly jsonCensus?: ReadonlyMap<string, CensusEntry> | undefined;
  /**
   * Include the partition columns (default). A query that cannot read them (see column-usage.ts) gets a view without
   * them: the files are then read as an unpartitioned table's, with no per-file lookup of partition values.
   */
  readonly partitionColumns?: boolean | undefined;
}

/**
 * The reader call over `files` (which must be non-empty) producing a `filename` column plus the file's columns.
 * Parquet files are matched by name (union_by_name) unless `uniformParquet` says they all have the same columns.
 */
export function readerCall(table: Table, files: readonly DataFile[], jsonCensus?: ReadonlyMap<string, CensusEntry>, uniformParquet = false): string {
  const format = tableFormat(table);
  const cols = table.StorageDescriptor?.Columns ?? [];
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  const skip = Number(table.Parameters?.['skip.header.line.count'] ?? '0') || 0;
  switch (format) {
    case 'parquet':
      return `read_parquet([${files.map((f) => lit(f.path)).join(', ')}], ${uniformParquet ? '' : 'union_by_name = true, '}filename = true)`;
    case 'json':
      if (isCloudTrail(table)) return cloudTrailRelation(table, files);
      return jsonRelation(table, files, !(table.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? '').toLowerCase().includes('hcatalog'), jsonCensus);
    case 'regex':
      return regexRelation(table, files);
    case 'text':
    case 'opencsv': {
      const spec = cols.map((c) => `${lit(c.Name!)}: 'VARCHAR'`).join(', ');
      const open = format === 'opencsv';
      const delim = open ? delimiter(params.separatorChar, ',') : delimiter(params['field.delim'] ?? params['serialization.format'], '\u0001');
      const quote = open ? delimiter(params.quoteChar, '"') : '';
      // opencsv reads a doubled quote inside a quoted field as one quote; DuckDB has a single escape character, so the
      // doubled-quote form wins and backslash-escaped quotes (`escapeChar`) are not honoured.
      const escape = open ? quote : '';
      const nullstr = open ? '' : params['serialization.null.format'] ?? table.Parameters?.['serialization.null.format'] ?? '\\N';
      const escaped = open ? undefined : escapedText(table);
      if (escaped) return escapedTextRelation(files, escaped);
      return perCompression(
        files,
        (list, compression) =>
          `read_csv(${list}, delim = ${duckString(delim)}, quote = ${duckString(quote)}, escape = ${duckString(escape)}, header = false, ` +
          `skip = ${skip}, nullstr = ${duckString(nullstr)}, columns = {${spec}}, filename = true, null_padding = true, strict_mode = false, ` +
          `compression = '${compression}', auto_detect = false)`,
      );
    }
    default:
      throw new RelationError(`Tables stored as ${format === 'unknown' ? table.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? 'an unknown format' : format.toUpperCase()} are not supported by Lakebox yet`);
  }
}

function projectColumn(table: Table, c: Column, options: RelationOptions): string {
  const name = c.Name!;
  const type = columnType(c.Type);
  const format = tableFormat(table);
  if (format === 'parquet') {
    if (options.presentColumns !== undefined && !options.presentColumns.has(name.toLowerCase())) return `CAST(NULL AS ${type}) AS ${q(name)}`;
    return `TRY_CAST(d.${q(name)} AS ${type}) AS ${q(name)}`;
  }
  if (format === 'json' || format === 'regex') return `d.${q(name)} AS ${q(name)}`;
  const field = `d.${q(name)}`;
  if (format === 'opencsv') return `${type === 'VARCHAR' ? `coalesce(${field}, '')` : openCsvValue(field, hiveType(c.Type))} AS ${q(name)}`;
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  const collection = delimiter(params['collection.delim'] ?? params['colelction.delim'], '\u0002');
  const mapKey = delimiter(params['mapkey.delim'], '\u0003');
  const escaped = escapedText(table);
  const unescape = escaped ? (e: string): string => unescapeValue(e, escaped) : undefined;
  return `${textValue(field, hiveType(c.Type), collection, mapKey, unescape)} AS ${q(name)}`;
}

/** The `escape.delim` reading options of a LazySimpleSerDe table, or undefined when it has no escape character. */
function escapedText(table: Table): EscapedTextOptions | undefined {
  const params = table.StorageDescriptor?.SerdeInfo?.Parameters ?? {};
  const raw = params['escape.delim'];
  if (raw === undefined || raw === '') return undefined;
  return {
    columns: (table.StorageDescriptor?.Columns ?? []).map((c) => c.Name!),
    fieldDelim: delimiter(params['field.delim'] ?? params['serialization.format'], '\u0001'),
    collectionDelim: delimiter(params['collection.delim'] ?? params['colelction.delim'], '\u0002'),
    mapKeyDelim: delimiter(params['mapkey.delim'], '\u0003'),
    escape: delimiter(raw, '\\'),
    nullFormat: params['serialization.null.format'] ?? table.Parameters?.['serialization.null.format'] ?? '\\N',
    skip: Number(table.Parameters?.['skip.header.line.count'] ?? '0') || 0,
  };
}

/** The SELECT that a query's view `db.table` is defined as. */
export function buildRelation(table: Table, files: readonly DataFile[], options: RelationOptions): string {
  const cols = table.StorageDescriptor?.Columns ?? [];
  const keys = options.partitionColumns === false ? [] : table.PartitionKeys ?? [];
  if (files.length === 0) {
    const select = [
      ...cols.map((c) => `CAST(NULL AS ${columnType(c.Type)}) AS ${q(c.Name!)}`),
      ...keys.map((k) => `CAST(NULL AS ${columnType(k.Type)}) AS ${q(k.Name!)}`),
      ...(options.withPath ? [`CAST(NULL AS VARCHAR) AS "$path"`] : []),
      ...(options.withFileInfo ? [`CAST(NULL AS BIGINT) AS "$file_size"`, `CAST(NULL AS TIMESTAMPTZ) AS "$file_modified_time"`] : []),
    ];
    return `SELECT ${select.length > 0 ? select.join(', ') : 'NULL AS _empty'} WHERE false`;
  }
  const fileColumns = options.withPath || options.withFileInfo === true;
  if (keys.length === 0 && !fileColumns && cols.length > 0) {
    // Nothing comes from the file list: read the files directly (no join on file names, so DuckDB can also use
    // Parquet metadata and statistics as it does for a plain read).
    return `SELECT ${cols.map((c) => projectColumn(table, c, options)).join(', ')} FROM ${readerCall(table, files, options.jsonCensus, options.uniformParquet)} AS d`;
  }
  const partitioned = partitionUnion(table, files, keys.length, options);
  if (partitioned !== undefined) {
    const select = [...cols.map((c) => projectColumn(table, c, options)), ...keys.map((k, i) => `TRY_CAST(d.__p${i} AS ${columnType(k.Type)}) AS ${q(k.Name!)}`)];
    return `SELECT ${select.join(', ')} FROM ${partitioned} AS d`;
  }
  const fileRows = files
    .map((f) => {
      const info = [`CAST(${f.size === undefined ? 'NULL' : String(f.size)} AS BIGINT)`, f.modified === undefined ? 'CAST(NULL AS TIMESTAMPTZ)' : `CAST(${lit(f.modified.toISOString())} AS TIMESTAMPTZ)`];
      return `(${[lit(f.path), lit(f.uri), ...info, ...keys.map((_, i) => (f.partitionValues[i] == null ? 'NULL' : lit(f.partitionValues[i])))].join(', ')})`;
    })
    .join(', ');
  const fileCols = ['__file', '__path', '__size', '__modified', ...keys.map((_, i) => `__p${i}`)].join(', ');
  const select = [
    ...cols.map((c) => projectColumn(table, c, options)),
    ...keys.map((k, i) => `TRY_CAST(f.__p${i} AS ${columnType(k.Type)}) AS ${q(k.Name!)}`),
    ...(options.withPath ? ['f.__path AS "$path"'] : []),
    ...(options.withFileInfo ? ['f.__size AS "$file_size"', 'f.__modified AS "$file_modified_time"'] : []),
  ];
  return `SELECT ${select.join(', ')} FROM ${readerCall(table, files, options.jsonCensus, options.uniformParquet)} AS d JOIN (VALUES ${fileRows}) AS f(${fileCols}) ON d.filename = f.__file`;
}

/** Most partitions and files whose values are looked up by file name (one CASE arm per file); beyond, the file-name join is used. */
const MAX_UNION_PARTITIONS = 256;
const MAX_CASE_FILES = 1024;

/**
 * Parquet partitions read by one `read_parquet` over every file, the partition values looked up from `filename` with a
 * CASE. DuckDB evaluates that once per vector (a file's rows share the name), and only when a query uses a partition
 * column, so `count(*)` is still answered from Parquet metadata and a scan costs what a plain read costs. One reader
 * call per partition (UNION ALL) paid ~10 ms per call and hid the row counts. Undefined when this does not apply (path
 * column wanted, other formats, too many partitions).
 */
function partitionUnion(table: Table, files: readonly DataFile[], keyCount: number, options: RelationOptions): string | undefined {
  if (options.withPath || options.withFileInfo || keyCount === 0 || tableFormat(table) !== 'parquet') return undefined;
  const partitions = new Set(files.map((f) => JSON.stringify(f.partitionValues)));
  if (partitions.size > MAX_UNION_PARTITIONS || files.length > MAX_CASE_FILES) return undefined;
  const values = Array.from({ length: keyCount }, (_, i) => {
    const arms = files.map((f) => `WHEN ${lit(f.path)} THEN ${f.partitionValues[i] == null ? 'CAST(NULL AS VARCHAR)' : lit(f.partitionValues[i])}`);
    return `CASE filename ${arms.join(' ')} END AS __p${i}`;
  });
  return `(SELECT *, ${values.join(', ')} FROM ${readerCall(table, files, undefined, options.uniformParquet)})`;
}
