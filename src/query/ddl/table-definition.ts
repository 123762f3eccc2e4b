/** What Athena stores in Glue for CREATE EXTERNAL TABLE: TableType, Parameters (EXTERNAL, transient_lastDdlTime, TBLPROPERTIES), SerDe class and parameters, input/output formats per STORED AS. */
import type { Column, TableInput } from '../../catalog/model.js';
import type { ColumnDef, CreateTable, RowFormat, StoredAs } from './ddl-ast.js';

export const SERDES = {
  lazySimple: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  openCsv: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
  openxJson: 'org.openx.data.jsonserde.JsonSerDe',
  hiveJson: 'org.apache.hive.hcatalog.data.JsonSerDe',
  regex: 'org.apache.hadoop.hive.serde2.RegexSerDe',
  parquet: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  orc: 'org.apache.hadoop.hive.ql.io.orc.OrcSerde',
  avro: 'org.apache.hadoop.hive.serde2.avro.AvroSerDe',
} as const;

const TEXT_IO = { input: 'org.apache.hadoop.mapred.TextInputFormat', output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' };

/** STORED AS <format> → SerDe (when no ROW FORMAT) and input/output formats. */
export const STORAGE_FORMATS: Readonly<Record<string, { serde: string; input: string; output: string; serdeParams?: Record<string, string> }>> = {
  TEXTFILE: { serde: SERDES.lazySimple, ...TEXT_IO, serdeParams: { 'serialization.format': '1' } },
  JSONFILE: { serde: SERDES.hiveJson, ...TEXT_IO, serdeParams: { 'serialization.format': '1' } },
  PARQUET: {
    serde: SERDES.parquet,
    input: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serdeParams: { 'serialization.format': '1' },
  },
  ORC: { serde: SERDES.orc, input: 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat', output: 'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat', serdeParams: { 'serialization.format': '1' } },
  AVRO: {
    serde: SERDES.avro,
    input: 'org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat',
    serdeParams: { 'serialization.format': '1' },
  },
  SEQUENCEFILE: { serde: SERDES.lazySimple, input: 'org.apache.hadoop.mapred.SequenceFileInputFormat', output: 'org.apache.hadoop.hive.ql.io.HiveSequenceFileOutputFormat', serdeParams: { 'serialization.format': '1' } },
  RCFILE: { serde: 'org.apache.hadoop.hive.serde2.columnar.LazyBinaryColumnarSerDe', input: 'org.apache.hadoop.hive.ql.io.RCFileInputFormat', output: 'org.apache.hadoop.hive.ql.io.RCFileOutputFormat' },
  ION: { serde: 'com.amazon.ionhiveserde.IonHiveSerDe', input: 'com.amazon.ionhiveserde.formats.IonInputFormat', output: 'com.amazon.ionhiveserde.formats.IonOutputFormat' },
};

export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

export const glueColumn = (c: ColumnDef): Column => ({ Name: c.name, Type: c.type, ...(c.comment !== undefined ? { Comment: c.comment } : {}) });

/** SerDe parameters of ROW FORMAT DELIMITED (Hive's names; `serialization.format` mirrors the field delimiter). */
export function delimitedParams(f: Extract<RowFormat, { kind: 'delimited' }>): Record<string, string> {
  const p: Record<string, string> = {};
  if (f.fields !== undefined) p['field.delim'] = f.fields;
  if (f.escaped !== undefined) p['escape.delim'] = f.escaped;
  if (f.collection !== undefined) p['collection.delim'] = f.collection;
  if (f.mapKeys !== undefined) p['mapkey.delim'] = f.mapKeys;
  if (f.lines !== undefined) p['line.delim'] = f.lines;
  if (f.nullAs !== undefined) p['serialization.null.format'] = f.nullAs;
  p['serialization.format'] = f.fields ?? '1';
  return p;
}

function storage(rowFormat: RowFormat | undefined, storedAs: StoredAs | undefined): { serde: string; params: Record<string, string>; input: string; output: string } {
  let format = storedAs?.kind === 'format' ? STORAGE_FORMATS[storedAs.format] : STORAGE_FORMATS.TEXTFILE;
  if (storedAs?.kind === 'format' && !format) throw new DefinitionError(`FAILED: SemanticException [Error 10081]: Unrecognized file format in STORED AS clause: '${storedAs.format}'`);
  format ??= STORAGE_FORMATS.TEXTFILE!;
  const io = storedAs?.kind === 'io' ? { input: storedAs.input, output: storedAs.output } : { input: format.input, output: format.output };
  if (rowFormat?.kind === 'serde') {
    return { serde: rowFormat.serde, params: Object.fromEntries(rowFormat.properties), ...io };
  }
  if (rowFormat?.kind === 'delimited') return { serde: SERDES.lazySimple, params: delimitedParams(rowFormat), ...io };
  return { serde: format.serde, params: { ...(format.serdeParams ?? {}) }, ...io };
}

/** The Glue TableInput of a CREATE EXTERNAL TABLE statement (validated as Hive does). */
export function tableInput(st: CreateTable, nowSeconds: number): TableInput {
  const seen = new Set<string>();
  for (const c of st.columns) {
    if (seen.has(c.name)) throw new DefinitionError(`FAILED: SemanticException [Error 10036]: Duplicate column name: ${c.name}`);
    seen.add(c.name);
  }
  for (const c of st.partitionedBy) {
    if (seen.has(c.name)) throw new DefinitionError('FAILED: SemanticException [Error 10035]: Column repeated in partitioning columns');
    seen.add(c.name);
  }
  for (const c of st.clusteredBy?.columns ?? []) {
    if (!st.columns.some((d) => d.name === c)) throw new DefinitionError(`FAILED: SemanticException [Error 10002]: Invalid column reference ${c}`);
  }
  const s = storage(st.rowFormat, st.storedAs);
  const params: Record<string, string> = { EXTERNAL: 'TRUE' };
  for (const [k, v] of st.tblProperties) params[k] = v;
  if (st.comment !== undefined) params.comment = st.comment;
  params.transient_lastDdlTime = String(nowSeconds);
  return {
    Name: st.table.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: params,
    PartitionKeys: st.partitionedBy.map(glueColumn),
    ...(st.comment !== undefined ? { Description: st.comment } : {}),
    StorageDescriptor: {
      Columns: st.columns.map(glueColumn),
      ...(st.location !== undefined ? { Location: st.location } : {}),
      InputFormat: s.input,
      OutputFormat: s.output,
      Compressed: false,
      NumberOfBuckets: st.clusteredBy?.buckets ?? -1,
      SerdeInfo: { SerializationLibrary: s.serde, Parameters: s.params },
      BucketColumns: [...(st.clusteredBy?.columns ?? [])],
      SortColumns: [],
      Parameters: {},
      StoredAsSubDirectories: false,
    },
  };
}
