/** The `"t$partitions"` metadata table: one row per Glue partition of `t`, one column per partition key. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Table } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { QueryFailures } from '../athena/athena-errors.js';
import { columnType } from './relation-builder.js';

const q = (n: string): string => `"${n.replaceAll('"', '""')}"`;
const lit = (v: string): string => `'${v.replaceAll("'", "''")}'`;

/** The SELECT the view `schema."name$partitions"` stands for; a missing or unpartitioned table is not found, as in Athena. */
export function partitionsTable(catalog: CatalogService, schema: string, name: string, catalogName: string): string {
  let table: Table;
  try {
    table = catalog.getTable(schema, name);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'EntityNotFoundException') throw QueryFailures.tableNotFound(catalogName, schema, `${name}$partitions`);
    throw err;
  }
  const keys = table.PartitionKeys ?? [];
  if (keys.length === 0) throw QueryFailures.tableNotFound(catalogName, schema, `${name}$partitions`);
  const rows: string[] = [];
  let token: string | undefined;
  do {
    const page = catalog.partitions.getPartitions({ DatabaseName: table.DatabaseName, TableName: table.Name, NextToken: token, ExcludeColumnSchema: true });
    for (const p of page.Partitions ?? []) rows.push(`(${keys.map((_, i) => (p.Values?.[i] === undefined || p.Values[i] === '__HIVE_DEFAULT_PARTITION__' ? 'NULL' : lit(p.Values[i]))).join(', ')})`);
    token = page.NextToken;
  } while (token);
  const select = keys.map((k, i) => `TRY_CAST(${rows.length > 0 ? `v.c${i}` : 'NULL'} AS ${columnType(k.Type)}) AS ${q(k.Name!)}`).join(', ');
  if (rows.length === 0) return `SELECT ${select} WHERE false`;
  return `SELECT ${select} FROM (VALUES ${rows.join(', ')}) AS v(${keys.map((_, i) => `c${i}`).join(', ')})`;
}
