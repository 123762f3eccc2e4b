/** CREATE TABLE … WITH (…) AS SELECT: validates Athena's properties, writes the files under the (empty) table location, then registers the Glue table and its partitions as Athena's CTAS does. */
import type { Column, PartitionInput, StorageDescriptor, TableInput } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { QueryFailure, QueryFailures } from '../athena/athena-errors.js';
import { HIVE_DEFAULT_PARTITION, type StagedFile } from './file-stager.js';
import { bucketing, checkPartitionColumns, columnListProperty, positionalSource, s3Folder, selectList } from './projection.js';
import { formatFromProperties, invalidProperty, storageFormat, tableParameters } from './write-formats.js';
import type { WriteContext, WriteResult } from './write-executor.js';

const CTAS_PROPERTIES = new Set([
  'table_type',
  'external_location',
  'is_external',
  'format',
  'write_compression',
  'parquet_compression',
  'orc_compression',
  'compression_level',
  'field_delimiter',
  'partitioned_by',
  'bucketed_by',
  'bucket_count',
]);

export async function runCtas(ctx: WriteContext): Promise<WriteResult> {
  const st = ctx.plan.statement;
  if (st.kind !== 'ctas') throw new Error('not a CTAS');
  const catalogName = (ctx.record.catalog ?? 'AwsDataCatalog').toLowerCase();
  if (st.table.catalog !== undefined && st.table.catalog !== catalogName) throw new QueryFailure('CATALOG_NOT_FOUND', `line 1:14: Catalog '${st.table.catalog}' does not exist`);
  const schema = st.table.schema ?? ctx.database;
  const qualified = `${catalogName}.${schema}.${st.table.name}`;
  try {
    ctx.catalog.getDatabase({ Name: schema });
  } catch {
    throw QueryFailures.schemaNotFound(schema, '1:14');
  }
  if (tableExists(ctx, schema, st.table.name)) {
    if (st.ifNotExists) return { rows: 0, files: [], manifest: true };
    throw new QueryFailure('TABLE_ALREADY_EXISTS', `line 1:1: Destination table '${qualified}' already exists`);
  }
  for (const name of st.properties.keys()) {
    if (!CTAS_PROPERTIES.has(name)) throw invalidProperty(`Catalog '${catalogName}' table property '${name}' does not exist`);
  }
  const tableType = st.properties.get('table_type');
  if (tableType !== undefined && String(tableType).toUpperCase() !== 'HIVE') {
    throw new QueryFailure('NOT_SUPPORTED', `table_type '${String(tableType)}' is not supported by Lakebox; only HIVE tables can be created with CTAS`);
  }
  const spec = formatFromProperties(st.properties, 'CTAS');
  const names = ctx.columns.map((c) => c.name);
  const types = ctx.columns.map((c) => c.hive);
  names.forEach((n, i) => {
    if (/^_col\d+$/.test(n)) throw new QueryFailure('GENERIC_USER_ERROR', `line 1:1: Column name not specified at position ${i + 1}`);
    if (names.indexOf(n) !== i) throw new QueryFailure('GENERIC_USER_ERROR', `line 1:1: Column name '${n}' specified more than once`);
  });
  const partitionedBy = columnListProperty(st.properties, 'partitioned_by') ?? [];
  checkPartitionColumns(names, types, partitionedBy);
  const buckets = bucketing(st.properties, names, partitionedBy);

  const explicit = st.properties.get('external_location');
  if (explicit !== undefined && typeof explicit !== 'string') throw invalidProperty('external_location must be a string');
  const location = s3Folder(explicit ?? `${ctx.record.outputPrefix}tables/${ctx.record.id}/`);
  if (!location) throw invalidProperty(`External location must be a valid S3 URI: ${String(explicit)}`);
  await ctx.assertEmpty(location.bucket, location.prefix, () =>
    new QueryFailure(
      'HIVE_PATH_ALREADY_EXISTS',
      `Target directory for table '${schema}.${st.table.name}' already exists: ${location.uri.replace(/\/$/, '')}. You may need to manually clean the data at location '${ctx.record.outputPrefix}tables/${ctx.record.id}' before retrying. Athena will not delete data in your account.`,
    ),
  );

  let rows = 0;
  let files: StagedFile[] = [];
  if (st.withData) {
    const source = positionalSource(ctx.plan, ctx.columns.length);
    const select = `SELECT ${selectList(
      ctx.columns.map((c, i) => ({ name: c.name, hive: c.hive, expr: source.ref(i) })),
      spec,
    )} ${source.from}`;
    ({ rows, files } = await ctx.stage({ select, columns: names, spec, partitionColumns: partitionedBy, bucketing: buckets }));
  }
  const uris: string[] = [];
  for (const f of files) {
    const key = `${location.prefix}${f.folder}${f.name}`;
    await ctx.upload(location.bucket, key, f);
    uris.push(`s3://${location.bucket}/${key}`);
  }
  ctx.checkCancelled();

  const dataColumns: Column[] = ctx.columns.filter((c) => !partitionedBy.includes(c.name)).map((c) => ({ Name: c.name, Type: c.hive }));
  const partitionKeys: Column[] = partitionedBy.map((p) => ({ Name: p, Type: types[names.indexOf(p)]! }));
  const tableLocation = location.uri.replace(/\/$/, '');
  const sd: StorageDescriptor = {
    Columns: dataColumns,
    Location: tableLocation,
    ...storageFormat(spec),
    Compressed: false,
    NumberOfBuckets: buckets?.count ?? 0,
    BucketColumns: buckets?.columns ?? [],
    SortColumns: [],
    Parameters: {},
    StoredAsSubDirectories: false,
  };
  const input: TableInput = {
    Name: st.table.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { EXTERNAL: 'TRUE', ...tableParameters(spec), transient_lastDdlTime: String(Math.floor(Date.now() / 1000)) },
    PartitionKeys: partitionKeys,
    StorageDescriptor: sd,
  };
  try {
    await ctx.catalog.createTable({ DatabaseName: schema, TableInput: input });
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'AlreadyExistsException') throw new QueryFailure('TABLE_ALREADY_EXISTS', `line 1:1: Destination table '${qualified}' already exists`);
    throw err;
  }
  try {
    await registerPartitions(ctx, schema, st.table.name, sd, tableLocation, files);
  } catch (err) {
    await ctx.catalog.deleteTable({ DatabaseName: schema, Name: st.table.name }).catch(() => undefined);
    throw err;
  }
  return { rows, files: uris, manifest: true };
}

function tableExists(ctx: WriteContext, schema: string, name: string): boolean {
  try {
    ctx.catalog.getTable(schema, name);
    return true;
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'EntityNotFoundException') return false;
    throw err;
  }
}

/** One Glue partition per distinct folder written, located at `<table location>/<k=v…>` with the table's formats. */
export async function registerPartitions(
  ctx: WriteContext,
  schema: string,
  table: string,
  sd: StorageDescriptor,
  tableLocation: string,
  files: readonly StagedFile[],
  ignoreExisting = false,
): Promise<void> {
  const seen = new Map<string, PartitionInput>();
  for (const f of files) {
    if (f.folder === '' || seen.has(f.folder)) continue;
    seen.set(f.folder, {
      Values: f.values.map((v) => v ?? HIVE_DEFAULT_PARTITION),
      StorageDescriptor: { ...sd, Location: `${tableLocation}/${f.folder.replace(/\/$/, '')}` },
    });
  }
  const inputs = [...seen.values()];
  for (let i = 0; i < inputs.length; i += 100) {
    const out = await ctx.catalog.partitions.batchCreatePartition({ DatabaseName: schema, TableName: table, PartitionInputList: inputs.slice(i, i + 100) });
    const errors = (out.Errors ?? []).filter((e) => !(ignoreExisting && e.ErrorDetail?.ErrorCode === 'AlreadyExistsException'));
    if (errors.length > 0) throw new QueryFailure('HIVE_METASTORE_ERROR', errors[0]!.ErrorDetail?.ErrorMessage ?? 'Could not register partitions');
  }
}
