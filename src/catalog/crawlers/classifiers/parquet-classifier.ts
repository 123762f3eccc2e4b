/** The built-in Parquet classifier: reads only the footer (hyparquet's thrift decoder) and maps physical/logical types to Hive types. */
import { parquetMetadata, parquetMetadataAsync } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import type { ClassifyResult } from './classification.js';
import { primitive, type Field, type HiveType } from '../schema-merge.js';

export const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');

/** Reads bytes [start, end) of the file. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

interface Node {
  readonly element: SchemaElement;
  readonly children: Node[];
}

function tree(schema: readonly SchemaElement[]): Node {
  let i = 0;
  const build = (): Node => {
    const element = schema[i++]!;
    const children: Node[] = [];
    for (let c = 0; c < (element.num_children ?? 0); c++) children.push(build());
    return { element, children };
  };
  return build();
}

function decimal(precision: number | undefined, scale: number | undefined): HiveType {
  return primitive(`decimal(${precision ?? 38},${scale ?? 0})`);
}

/** Hive type of a primitive column from its physical, converted and logical types. */
export function primitiveType(e: SchemaElement): HiveType {
  const logical = e.logical_type;
  const converted = e.converted_type;
  if (logical?.type === 'DECIMAL') return decimal(logical.precision, logical.scale);
  if (converted === 'DECIMAL') return decimal(e.precision, e.scale);
  if (logical?.type === 'DATE' || converted === 'DATE') return primitive('date');
  if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return primitive('timestamp');
  switch (e.type) {
    case 'BOOLEAN':
      return primitive('boolean');
    case 'INT32': {
      const bits = logical?.type === 'INTEGER' ? logical.bitWidth : undefined;
      const signed = logical?.type === 'INTEGER' ? logical.isSigned : true;
      if (converted === 'INT_8' || (bits === 8 && signed)) return primitive('tinyint');
      if (converted === 'INT_16' || (bits === 16 && signed)) return primitive('smallint');
      if (converted === 'UINT_8' || bits === 8) return primitive('smallint');
      if (converted === 'UINT_16' || bits === 16) return primitive('int');
      if (converted === 'UINT_32' || (bits === 32 && !signed)) return primitive('bigint');
      return primitive('int');
    }
    case 'INT64':
      if (converted === 'UINT_64' || (logical?.type === 'INTEGER' && !logical.isSigned)) return decimal(20, 0);
      return primitive('bigint');
    case 'INT96':
      return primitive('timestamp');
    case 'FLOAT':
      return primitive('float');
    case 'DOUBLE':
      return primitive('double');
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return primitive('string');
      if (logical && ['STRING', 'ENUM', 'JSON', 'UUID'].includes(logical.type)) return primitive('string');
      return primitive('binary');
    default:
      return primitive('string');
  }
}

function isList(e: SchemaElement): boolean {
  return e.converted_type === 'LIST' || e.logical_type?.type === 'LIST';
}
function isMap(e: SchemaElement): boolean {
  return e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'MAP';
}

function structOf(children: readonly Node[]): HiveType {
  return { kind: 'struct', fields: children.map((c) => ({ name: c.element.name, type: nodeType(c) })) };
}

/** Hive type of a schema node, following the LIST/MAP annotation rules (including legacy 2-level lists). */
function nodeType(n: Node, ignoreRepetition = false): HiveType {
  const e = n.element;
  let t: HiveType;
  if (n.children.length === 0) t = primitiveType(e);
  else if (isList(e)) {
    const repeated = n.children[0]!;
    const legacyElement =
      repeated.children.length !== 1 || repeated.element.name === 'array' || repeated.element.name.endsWith('_tuple');
    const element = repeated.children.length === 0 ? primitiveType(repeated.element) : legacyElement ? structOf(repeated.children) : nodeType(repeated.children[0]!);
    t = { kind: 'array', element };
  } else if (isMap(e)) {
    const kv = n.children[0]!;
    const [k, v] = kv.children;
    t = { kind: 'map', key: k ? nodeType(k) : primitive('string'), value: v ? nodeType(v) : primitive('string') };
  } else t = structOf(n.children);
  // An unannotated repeated field is a list of its type.
  if (!ignoreRepetition && e.repetition_type === 'REPEATED' && !isList(e) && !isMap(e)) return { kind: 'array', element: t };
  return t;
}

export function schemaFields(meta: FileMetaData): Field[] {
  return tree(meta.schema).children.map((c) => ({ name: c.element.name, type: nodeType(c) }));
}

function toResult(meta: FileMetaData): ClassifyResult {
  return { schema: { classification: 'parquet', compression: 'none', columns: schemaFields(meta) }, records: Number(meta.num_rows) };
}

const toArrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** Classifies a whole file held in memory; undefined when it is not Parquet. */
export function classifyParquetBuffer(data: Uint8Array): ClassifyResult | undefined {
  if (!isParquet(data, data)) return undefined;
  return toResult(parquetMetadata(toArrayBuffer(data)));
}

/** Classifies a file from its footer, read through `read` (the initial read is the last 64 KiB). */
export async function classifyParquetFooter(size: number, read: RangeReader): Promise<ClassifyResult | undefined> {
  if (size < 12) return undefined;
  const meta = await parquetMetadataAsync(
    { byteLength: size, slice: async (start: number, end?: number) => toArrayBuffer(await read(start, end ?? size)) },
    { initialFetchSize: 64 * 1024 },
  );
  return toResult(meta);
}

/** Whether the head starts and the tail ends with the Parquet magic. */
export function isParquet(head: Uint8Array, tail: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    tail.length >= 4 &&
    PARQUET_MAGIC.equals(head.subarray(0, 4)) &&
    PARQUET_MAGIC.equals(tail.subarray(tail.length - 4))
  );
}
