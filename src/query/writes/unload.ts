/** UNLOAD (SELECT …) TO 's3://…' WITH (format, compression, field_delimiter, partitioned_by): files under the (empty) TO location; no catalog change. */
import { QueryFailure } from '../athena/athena-errors.js';
import { checkPartitionColumns, columnListProperty, positionalSource, s3Folder, selectList } from './projection.js';
import { formatFromProperties, invalidProperty } from './write-formats.js';
import type { WriteContext, WriteResult } from './write-executor.js';

const UNLOAD_PROPERTIES = new Set(['format', 'compression', 'compression_level', 'field_delimiter', 'partitioned_by']);

export async function runUnload(ctx: WriteContext): Promise<WriteResult> {
  const st = ctx.plan.statement;
  if (st.kind !== 'unload') throw new Error('not an UNLOAD');
  for (const name of st.properties.keys()) {
    if (!UNLOAD_PROPERTIES.has(name)) throw invalidProperty(`Unknown UNLOAD property '${name}' (supported: ${[...UNLOAD_PROPERTIES].join(', ')})`);
  }
  const spec = formatFromProperties(st.properties, 'UNLOAD');
  const location = s3Folder(st.location);
  if (!location) throw new QueryFailure('INVALID_PARAMETER_USAGE', `UNLOAD location must be a valid S3 URI: ${st.location}`);
  const names = ctx.columns.map((c) => c.name);
  const partitionedBy = columnListProperty(st.properties, 'partitioned_by') ?? [];
  checkPartitionColumns(
    names,
    ctx.columns.map((c) => c.hive),
    partitionedBy,
  );
  await ctx.assertEmpty(location.bucket, location.prefix, () =>
    new QueryFailure('HIVE_PATH_ALREADY_EXISTS', `Target directory for UNLOAD already exists: ${location.uri}. UNLOAD requires an empty destination; Athena will not delete data in your account.`),
  );
  const source = positionalSource(ctx.plan, ctx.columns.length);
  // Unnamed expressions keep Athena's `_colN` names; duplicates get a positional suffix so every file column is distinct.
  const unique = names.map((n, i) => (names.indexOf(n) === i ? n : `${n}_${i}`));
  const select = `SELECT ${selectList(
    ctx.columns.map((c, i) => ({ name: unique[i]!, hive: c.hive, expr: source.ref(i) })),
    spec,
  )} ${source.from}`;
  const { rows, files } = await ctx.stage({ select, columns: unique, spec, partitionColumns: partitionedBy });
  const uris: string[] = [];
  for (const f of files) {
    const key = `${location.prefix}${f.folder}${f.name}`;
    await ctx.upload(location.bucket, key, f);
    uris.push(`s3://${location.bucket}/${key}`);
  }
  ctx.checkCancelled();
  return { rows, files: uris, manifest: true };
}
