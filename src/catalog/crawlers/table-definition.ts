/** Builds the Glue TableInput/PartitionInput a crawler writes for a planned table: SerDe and formats per classification, crawler parameters and statistics. */
import type { Column, PartitionInput, SerDeInfo, StorageDescriptor, TableInput } from '@aws-sdk/client-glue';
import type { FileSchema } from './classifiers/classification.js';
import { renderType, type Field } from './schema-merge.js';
import type { PlannedPartition, PlannedTable, Stats } from './table-grouping.js';

const TEXT_INPUT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

export const SERDES = {
  json: 'org.openx.data.jsonserde.JsonSerDe',
  lazySimple: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  openCsv: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
  parquet: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

export interface DefinitionContext {
  readonly crawlerName: string;
  /** The crawler's exclude patterns for the target (recorded as the `exclusions` parameter). */
  readonly exclusions?: readonly string[] | undefined;
}

function formats(format: FileSchema, columns: readonly Field[]): Pick<StorageDescriptor, 'InputFormat' | 'OutputFormat' | 'SerdeInfo'> {
  if (format.classification === 'parquet') {
    return {
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: SERDES.parquet, Parameters: { 'serialization.format': '1' } },
    };
  }
  let serde: SerDeInfo;
  if (format.classification === 'json') {
    serde = { SerializationLibrary: SERDES.json, Parameters: { paths: columns.map((c) => c.name).sort().join(',') } };
  } else if (format.csv?.quoted) {
    serde = { SerializationLibrary: SERDES.openCsv, Parameters: { separatorChar: format.csv.delimiter, quoteChar: '"' } };
  } else {
    serde = { SerializationLibrary: SERDES.lazySimple, Parameters: { 'field.delim': format.csv?.delimiter ?? ',' } };
  }
  return { InputFormat: TEXT_INPUT, OutputFormat: TEXT_OUTPUT, SerdeInfo: serde };
}

/** The parameters Glue's crawler writes on tables, partitions and their storage descriptors. */
export function crawlerParameters(format: FileSchema, stats: Stats, ctx: DefinitionContext): Record<string, string> {
  const p: Record<string, string> = {
    classification: format.classification,
    compressionType: format.compression,
    typeOfData: 'file',
    objectCount: String(stats.objects),
    recordCount: String(stats.records),
    sizeKey: String(stats.size),
    averageRecordSize: String(stats.records > 0 ? Math.round(stats.size / stats.records) : 0),
    UPDATED_BY_CRAWLER: ctx.crawlerName,
    CrawlerSchemaSerializerVersion: '1.0',
    CrawlerSchemaDeserializerVersion: '1.0',
  };
  if (format.csv) {
    p.delimiter = format.csv.delimiter;
    p.areColumnsQuoted = String(format.csv.quoted);
    p.columnsOrdered = 'true';
    if (format.csv.header) p['skip.header.line.count'] = '1';
  }
  if (ctx.exclusions && ctx.exclusions.length > 0) p.exclusions = JSON.stringify(ctx.exclusions);
  return p;
}

export const toColumns = (fields: readonly Field[]): Column[] => fields.map((f) => ({ Name: f.name.toLowerCase(), Type: renderType(f.type) }));

function storageDescriptor(format: FileSchema, columns: Column[], fields: readonly Field[], location: string, params: Record<string, string>): StorageDescriptor {
  return {
    Columns: columns,
    Location: location,
    ...formats(format, fields),
    Compressed: format.compression !== 'none',
    NumberOfBuckets: -1,
    BucketColumns: [],
    SortColumns: [],
    Parameters: params,
    StoredAsSubDirectories: false,
  };
}

export function tableInput(plan: PlannedTable, columns: Column[], ctx: DefinitionContext): TableInput {
  const params = crawlerParameters(plan.format, plan.stats, ctx);
  return {
    Name: plan.name,
    Owner: 'owner',
    Retention: 0,
    StorageDescriptor: storageDescriptor(plan.format, columns, plan.columns, plan.location, params),
    PartitionKeys: plan.partitionKeys.map((k) => ({ Name: k, Type: 'string' })),
    TableType: 'EXTERNAL_TABLE',
    Parameters: { ...params },
  };
}

/** A partition's input: its own schema, or the table's columns when partitions inherit from the table. */
export function partitionInput(plan: PlannedTable, part: PlannedPartition, tableColumns: Column[] | undefined, ctx: DefinitionContext): PartitionInput {
  const format = tableColumns ? plan.format : part.format;
  const params = crawlerParameters(format, part.stats, ctx);
  const columns = tableColumns ?? toColumns(part.columns);
  return {
    Values: part.values,
    StorageDescriptor: storageDescriptor(format, columns, part.columns, part.location, params),
    Parameters: { ...params },
  };
}

/** A canonical string of what a crawler controls in a storage descriptor, to tell whether an update changes anything. */
export function fingerprint(sd: StorageDescriptor | undefined, params: Record<string, string> | undefined, keys?: readonly Column[]): string {
  const sortObj = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    (sd?.Columns ?? []).map((c) => [c.Name, c.Type]),
    sd?.Location,
    sd?.InputFormat,
    sd?.OutputFormat,
    sd?.Compressed ?? false,
    sd?.SerdeInfo?.SerializationLibrary,
    sortObj(sd?.SerdeInfo?.Parameters),
    sortObj(sd?.Parameters),
    sortObj(params),
    (keys ?? []).map((k) => [k.Name, k.Type]),
  ]);
}
