/** Writes one object from staged chunks of a lane and partition: the destination (compressed or Parquet), error output or the S3 backup. */
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { bucketOf, type DeliveryStream } from '../model.js';
import type { ParquetPlan, PipelinePlan } from '../processing/pipeline-plan.js';
import { partitionKeys, type Lane } from '../processing/record-processor.js';
import type { SqliteFirehoseStore } from '../sqlite-firehose-store.js';
import type { CompressionOptions } from './compressors.js';
import { encodeUnits, extensionFor, objectKey, writeCompressed, type ObjectSink } from './object-writer.js';
import { effectivePrefix, parsePrefix, type PrefixContext, type PrefixTemplate } from './prefix-template.js';

/** Format conversion as the delivery stage needs it (Glue schema lookup + JSON → Parquet). */
export interface ParquetConversion {
  /** Converts `records`; writes the Parquet file (when any record converted) and returns error documents for the rest. */
  convert(plan: ParquetPlan, records: readonly Buffer[], arrival: number): Promise<{ file: string | undefined; failures: Buffer[] }>;
  /**
   * Checks records a Lambda transformed, before they are staged: an error document (whose rawData is `raw`, the record
   * as put) for each one that will not convert, undefined for the others (and for all when the table cannot be read).
   */
  reject?(plan: ParquetPlan, records: readonly { readonly data: Buffer; readonly raw: Buffer; readonly arrival: number }[]): (Buffer | undefined)[];
  close?(): Promise<void>;
}

export interface ChunkDeliveryDeps {
  readonly store: SqliteFirehoseStore;
  readonly sink: ObjectSink;
  readonly conversion: ParquetConversion | undefined;
  readonly compression: CompressionOptions;
}

export interface ChunkGroup {
  readonly lane: Lane;
  readonly partition: string;
  readonly units: readonly { readonly id: number; readonly version: number; readonly arrival: number }[];
}

/** ErrorOutputPrefix, or Firehose's default error layout `<Prefix><error-output-type>/yyyy/MM/dd/HH/`. */
export function errorPrefix(prefix: string | undefined, errorOutputPrefix: string | undefined): PrefixTemplate {
  if (errorOutputPrefix !== undefined && errorOutputPrefix !== '') return parsePrefix(errorOutputPrefix);
  const literal = parsePrefix(prefix ?? '');
  const tail = parsePrefix('!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/}');
  return { source: `${prefix ?? ''}${tail.source}`, parts: [...literal.parts, ...tail.parts], hasExpressions: true };
}

interface Target {
  readonly bucket: string;
  readonly prefix: PrefixTemplate;
  readonly context: Omit<PrefixContext, 'timestamp' | 'timeZone' | 'random'>;
  readonly compression: string;
  readonly extension: string;
}

function targetOf(stream: DeliveryStream, plan: PipelinePlan, group: ChunkGroup, compression: CompressionOptions): Target {
  const dest = stream.destination;
  if (group.lane === 'main') {
    const keys = partitionKeys(group.partition);
    return {
      bucket: bucketOf(dest.BucketARN),
      prefix: effectivePrefix(dest.Prefix),
      context: { queryKeys: keys.query, lambdaKeys: keys.lambda },
      compression: dest.CompressionFormat,
      extension: dest.FileExtension ?? (plan.conversion ? '.parquet' : extensionFor(dest.CompressionFormat, compression)),
    };
  }
  if (group.lane === 'error') {
    return {
      bucket: bucketOf(dest.BucketARN),
      prefix: errorPrefix(dest.Prefix, dest.ErrorOutputPrefix),
      context: { errorType: group.partition },
      compression: dest.CompressionFormat,
      extension: extensionFor(dest.CompressionFormat, compression),
    };
  }
  const b = plan.backup;
  if (!b) throw new Error('S3 backup is no longer configured');
  const format = b.CompressionFormat ?? 'UNCOMPRESSED';
  return { bucket: bucketOf(b.BucketARN ?? ''), prefix: effectivePrefix(b.Prefix), context: {}, compression: format, extension: extensionFor(format, compression) };
}

/** Writes the object for `group`; returns the error documents of records that failed format conversion. */
export async function writeChunkObject(deps: ChunkDeliveryDeps, stream: DeliveryStream, plan: PipelinePlan, group: ChunkGroup): Promise<{ failures: Buffer[] }> {
  const head = group.units[0]!;
  const target = targetOf(stream, plan, group, deps.compression);
  const key = objectKey({
    prefix: target.prefix,
    context: target.context,
    stream: stream.name,
    version: head.version,
    oldest: head.arrival,
    timeZone: stream.destination.CustomTimeZone ?? 'UTC',
    seed: `${stream.name}\0${group.lane}\0${group.partition}`,
    first: head.id,
    extension: target.extension,
  });
  if (group.lane === 'main' && plan.conversion) {
    if (!deps.conversion) throw new Error('format conversion is not available');
    const records = group.units.flatMap((u) => deps.store.readChunk(u.id));
    const result = await deps.conversion.convert(plan.conversion, records, head.arrival);
    if (result.file !== undefined) {
      try {
        await deps.sink.putObject(target.bucket, key, createReadStream(result.file), undefined);
      } finally {
        await unlink(result.file).catch(() => undefined);
      }
    }
    return { failures: result.failures };
  }
  const encoded = encodeUnits(group.units, (id) => deps.store.readChunk(id), group.lane === 'main' && plan.appendDelimiter);
  await writeCompressed(deps.sink, target.bucket, key, { pieces: encoded }, target.compression, deps.compression);
  return { failures: [] };
}
