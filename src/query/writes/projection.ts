/** Shared pieces of CTAS/INSERT/UNLOAD: the typed SELECT list written to files, `partitioned_by` / `bucketed_by` validation, and s3 location helpers. */
import { QueryFailure } from '../athena/athena-errors.js';
import { columnType } from '../tables/relation-builder.js';
import { hiveTextExpr, isNested } from './hive-types.js';
import type { FormatSpec } from './write-formats.js';
import { invalidProperty } from './write-formats.js';
import type { WritePlan } from './write-plan.js';
import type { PropertyValue } from './write-statement.js';

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** One written column: its name, Hive type and the SQL expression producing it (or undefined for NULL). */
export interface WrittenColumn {
  readonly name: string;
  readonly hive: string;
  readonly expr: string | undefined;
}

/** `expr AS name` items: values cast to the Hive type's DuckDB type; nested values of text files in Hive's delimited form. */
export function selectList(columns: readonly WrittenColumn[], spec: FormatSpec): string {
  return columns
    .map((c) => {
      // A zoned value is written as its instant (UTC), without the zone code in its microseconds (zoned-timestamps.ts).
      const expr = c.expr !== undefined && columnType(c.hive) === 'TIMESTAMP' ? `lb_tz_instant(${c.expr})` : (c.expr ?? 'NULL');
      const typed = `CAST(${expr} AS ${columnType(c.hive)})`;
      const value = spec.format === 'textfile' && isNested(c.hive) ? hiveTextExpr(c.hive, typed) : typed;
      return `${value} AS ${q(c.name)}`;
    })
    .join(', ');
}

/** A property holding an `ARRAY['a', …]` of column names (lower-cased); undefined when absent. */
export function columnListProperty(props: ReadonlyMap<string, PropertyValue>, name: string): string[] | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidProperty(`Invalid value for ${name} property: expected ARRAY['column', …]`);
  return (v as string[]).map((s) => s.toLowerCase());
}

/** Partition columns must exist, be primitive and be the last output columns, in the same order. */
export function checkPartitionColumns(names: readonly string[], types: readonly string[], partitionedBy: readonly string[]): void {
  if (partitionedBy.length === 0) return;
  const missing = partitionedBy.filter((p) => !names.includes(p));
  if (missing.length > 0) throw invalidProperty(`Partition columns [${missing.join(', ')}] not present in schema`);
  if (partitionedBy.length >= names.length) throw invalidProperty('Table contains only partition columns');
  const tail = names.slice(names.length - partitionedBy.length);
  if (tail.some((n, i) => n !== partitionedBy[i])) {
    throw new QueryFailure('HIVE_COLUMN_ORDER_MISMATCH', `Partition keys must be the last columns in the table and in the same order as the table properties: [${partitionedBy.join(', ')}]`);
  }
  for (const p of partitionedBy) {
    const t = types[names.indexOf(p)]!;
    if (isNested(t)) throw new QueryFailure('NOT_SUPPORTED', `Unsupported type ${t} for partition: ${p}`);
  }
}

/** `bucketed_by` + `bucket_count`: both or neither, existing non-partition columns, 1…100 buckets. */
export function bucketing(props: ReadonlyMap<string, PropertyValue>, names: readonly string[], partitionedBy: readonly string[]): { columns: string[]; count: number } | undefined {
  const columns = columnListProperty(props, 'bucketed_by');
  const count = props.get('bucket_count');
  if (columns === undefined && count === undefined) return undefined;
  if (columns === undefined || columns.length === 0) throw invalidProperty('bucket_count is set but bucketed_by is not');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw invalidProperty('bucket_count must be a positive integer when bucketed_by is set');
  if (count > 100) throw new QueryFailure('HIVE_TOO_MANY_OPEN_PARTITIONS', `Exceeded limit of 100 open writers for partitions/buckets (bucket_count = ${count})`);
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length > 0) throw invalidProperty(`Bucketing columns [${missing.join(', ')}] not present in schema`);
  const both = columns.filter((c) => partitionedBy.includes(c));
  if (both.length > 0) throw invalidProperty(`Bucketing columns [${both.join(', ')}] are also partition columns`);
  return { columns, count };
}

/** Parses an `s3://bucket/path` location into bucket and key prefix ending in `/`; undefined when invalid. */
export function s3Folder(uri: string): { bucket: string; prefix: string; uri: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri.trim());
  if (!m) return undefined;
  const rest = m[2] ?? '';
  const prefix = rest === '' || rest.endsWith('/') ? rest : `${rest}/`;
  return { bucket: m[1]!, prefix, uri: `s3://${m[1]}/${prefix}` };
}

/** `FROM (query) AS __q(c0, c1, …)`: the query with positional column names, so output names never clash. */
export function positionalSource(plan: WritePlan, count: number): { from: string; ref: (i: number) => string } {
  const names = Array.from({ length: count }, (_, i) => `c${i}`);
  return { from: `FROM (${plan.sql}) AS __q(${names.map((n) => `"${n}"`).join(', ')})`, ref: (i) => `__q."c${i}"` };
}
