/** INSERT INTO t [(cols)] SELECT/VALUES: new files in the table's format under its location (existing partitions' locations, new ones registered in Glue). */
import type { Table } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { QueryFailure, QueryFailures } from '../athena/athena-errors.js';
import { registerPartitions } from './ctas.js';
import { HIVE_DEFAULT_PARTITION } from './file-stager.js';
import { positionalSource, s3Folder, selectList, type WrittenColumn } from './projection.js';
import { formatFromTable } from './write-formats.js';
import type { WriteContext, WriteResult } from './write-executor.js';

function targetTable(ctx: WriteContext): { table: Table; schema: string } {
  const st = ctx.plan.statement;
  if (st.kind !== 'insert') throw new Error('not an INSERT');
  const catalogName = (ctx.record.catalog ?? 'AwsDataCatalog').toLowerCase();
  if (st.table.catalog !== undefined && st.table.catalog !== catalogName) throw new QueryFailure('CATALOG_NOT_FOUND', `line 1:13: Catalog '${st.table.catalog}' does not exist`);
  const schema = st.table.schema ?? ctx.database;
  try {
    return { table: ctx.catalog.getTable(schema, st.table.name), schema };
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'EntityNotFoundException') {
      if (/^Database /.test(err.message)) throw QueryFailures.schemaNotFound(schema, '1:13');
      throw QueryFailures.tableNotFound(catalogName, schema, st.table.name, '1:13');
    }
    throw err;
  }
}

export async function runInsert(ctx: WriteContext): Promise<WriteResult> {
  const st = ctx.plan.statement;
  if (st.kind !== 'insert') throw new Error('not an INSERT');
  const { table, schema } = targetTable(ctx);
  if (table.TableType === 'VIRTUAL_VIEW') throw new QueryFailure('NOT_SUPPORTED', 'line 1:1: Inserting into views is not supported');
  if ((table.Parameters?.table_type ?? '').toUpperCase() === 'ICEBERG') throw new QueryFailure('NOT_SUPPORTED', 'Inserting into Iceberg tables is not supported by Lakebox');
  const sd = table.StorageDescriptor ?? {};
  if ((sd.NumberOfBuckets ?? 0) > 0 && (sd.BucketColumns ?? []).length > 0) {
    throw new QueryFailure('NOT_SUPPORTED', `Inserting into bucketed tables is not supported: ${schema}.${table.Name}`);
  }
  const spec = formatFromTable(table);
  const location = s3Folder(sd.Location ?? '');
  if (!location) throw new QueryFailure('HIVE_INVALID_METADATA', `Table ${schema}.${table.Name} has no valid S3 location`);
  const keys = (table.PartitionKeys ?? []).map((k) => ({ name: k.Name!.toLowerCase(), hive: k.Type ?? 'string' }));
  const target = [...(sd.Columns ?? []).map((c) => ({ name: c.Name!.toLowerCase(), hive: c.Type ?? 'string' })), ...keys];
  const names = target.map((t) => t.name);

  const listed = st.columns ?? names;
  for (const [i, c] of listed.entries()) {
    if (!names.includes(c)) throw new QueryFailure('COLUMN_NOT_FOUND', `line 1:1: Insert column name does not exist in target table: ${c}`);
    if (listed.indexOf(c) !== i) throw new QueryFailure('DUPLICATE_COLUMN_NAME', `line 1:1: Insert column name is specified more than once: ${c}`);
  }
  if (ctx.columns.length !== listed.length) {
    const tableTypes = listed.map((c) => target[names.indexOf(c)]!.hive);
    throw new QueryFailure(
      'TYPE_MISMATCH',
      `line 1:1: Insert query has mismatched column types: Table: [${tableTypes.join(', ')}], Query: [${ctx.columns.map((c) => c.hive).join(', ')}]`,
    );
  }
  const source = positionalSource(ctx.plan, ctx.columns.length);
  const written: WrittenColumn[] = target.map((t) => {
    const pos = listed.indexOf(t.name);
    return { name: t.name, hive: t.hive, expr: pos < 0 ? undefined : source.ref(pos) };
  });
  const partitionColumns = keys.map((k) => k.name);
  const { rows, files } = await ctx.stage({ select: `SELECT ${selectList(written, spec)} ${source.from}`, columns: names, spec, partitionColumns });

  // Files of existing partitions go to the partition's own location; new partitions go under the table location.
  const folders = new Map<string, { bucket: string; prefix: string; exists: boolean }>();
  for (const f of files) {
    if (folders.has(f.folder)) continue;
    if (f.folder === '') {
      folders.set('', { ...location, exists: true });
      continue;
    }
    const existing = existingPartitionLocation(ctx, schema, table.Name!, f.values.map((v) => v ?? HIVE_DEFAULT_PARTITION));
    folders.set(f.folder, existing ? { ...existing, exists: true } : { bucket: location.bucket, prefix: `${location.prefix}${f.folder}`, exists: false });
  }
  const uris: string[] = [];
  for (const f of files) {
    const dest = folders.get(f.folder)!;
    const key = `${dest.prefix}${f.name}`;
    await ctx.upload(dest.bucket, key, f);
    uris.push(`s3://${dest.bucket}/${key}`);
  }
  ctx.checkCancelled();
  const fresh = files.filter((f) => folders.get(f.folder)?.exists === false);
  if (fresh.length > 0) {
    await registerPartitions(ctx, schema, table.Name!, { ...sd, Parameters: sd.Parameters ?? {} }, location.uri.replace(/\/$/, ''), fresh, true);
  }
  return { rows, files: uris, manifest: rows > 0 };
}

function existingPartitionLocation(ctx: WriteContext, schema: string, table: string, values: string[]): { bucket: string; prefix: string } | undefined {
  try {
    const p = ctx.catalog.partitions.getPartition({ DatabaseName: schema, TableName: table, PartitionValues: values }).Partition;
    return s3Folder(p?.StorageDescriptor?.Location ?? '');
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'EntityNotFoundException') return undefined;
    throw err;
  }
}
