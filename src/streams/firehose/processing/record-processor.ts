/** The processing stage for one chunk of accepted records: backup copy → de-aggregation → Lambda → metadata extraction → routing to partitions or error output. */
import { errorDocument, ErrorOutputType } from './error-records.js';
import { transformRecords, type TransformContext } from './lambda-transform.js';
import type { MetadataExtractor } from './metadata-extractor.js';
import type { PipelinePlan } from './pipeline-plan.js';
import { deaggregate } from './record-deaggregator.js';

export interface SourceRecord {
  readonly data: Buffer;
  readonly arrival: number;
}

/** Where a processed record waits for delivery: the destination (per partition), error output (per type) or the backup. */
export type Lane = 'main' | 'error' | 'backup';

export interface RoutedRecord {
  readonly lane: Lane;
  /** Main lane: the partition identity (partition keys as JSON, '' without dynamic partitioning). Error lane: the error output type. */
  readonly partition: string;
  readonly data: Buffer;
  readonly arrival: number;
}

export interface ProcessingContext {
  readonly plan: PipelinePlan;
  readonly transform: TransformContext | undefined;
  readonly extractor: MetadataExtractor | undefined;
  /** Partition keys the Prefix refers to (from the query and from Lambda). */
  readonly prefixKeys: { readonly query: readonly string[]; readonly lambda: readonly string[] };
  /** Whether the Prefix, evaluated with these partition keys, is within Firehose's 512 characters. */
  readonly prefixFits: (query: Readonly<Record<string, string>>, lambda: Readonly<Record<string, string>>) => boolean;
  /** Whether a new record may go to `partition` (false once the active-partition limit is reached). */
  readonly admitPartition: (partition: string) => boolean;
  /** With a Lambda and format conversion: the error document for each transformed record that will not convert. */
  readonly rejectConversion?: ((records: readonly { data: Buffer; raw: Buffer; arrival: number }[]) => (Buffer | undefined)[]) | undefined;
  readonly now: () => number;
}

/** Partition identity: the partition keys the prefix uses, in a stable order. */
export function partitionId(query: Readonly<Record<string, string>>, lambda: Readonly<Record<string, string>>): string {
  return JSON.stringify([query, lambda]);
}

export function partitionKeys(id: string): { query: Record<string, string>; lambda: Record<string, string> } {
  if (id === '') return { query: {}, lambda: {} };
  const [query, lambda] = JSON.parse(id) as [Record<string, string>, Record<string, string>];
  return { query, lambda };
}

function pick(keys: Readonly<Record<string, string>> | undefined, names: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = keys?.[n];
    if (v === undefined || v === '') return undefined;
    out[n] = v;
  }
  return out;
}

export async function processRecords(ctx: ProcessingContext, source: readonly SourceRecord[]): Promise<RoutedRecord[]> {
  const { plan } = ctx;
  const out: RoutedRecord[] = [];
  if (plan.backup) for (const r of source) out.push({ lane: 'backup', partition: '', data: r.data, arrival: r.arrival });

  // `raw` is the record as it entered processing (after de-aggregation): error output's rawData, even after a transform.
  let records: { data: Buffer; raw: Buffer; arrival: number; lambdaKeys?: Readonly<Record<string, string>> | undefined }[] = plan.deaggregation
    ? source.flatMap((r) => deaggregate(r.data, plan.deaggregation!).map((data) => ({ data, raw: data, arrival: r.arrival })))
    : source.map((r) => ({ data: r.data, raw: r.data, arrival: r.arrival }));

  const fail = (data: Buffer, arrival: number, type: ErrorOutputType, errorCode: string, errorMessage: string, attemptsMade = 1, lambdaArn?: string): void => {
    const doc = errorDocument({ data, arrival, attemptsMade, errorCode, errorMessage, attemptEndingTimestamp: ctx.now() }, lambdaArn);
    out.push({ lane: 'error', partition: type, data: doc, arrival });
  };

  if (plan.lambda && ctx.transform) {
    const outcomes = await transformRecords(plan.lambda, ctx.transform, records);
    const kept: typeof records = [];
    outcomes.forEach((o, i) => {
      const r = records[i]!;
      if (o.result === 'Ok') kept.push({ data: o.data, raw: r.raw, arrival: r.arrival, lambdaKeys: o.partitionKeys });
      else if (o.result === 'ProcessingFailed') {
        const doc = errorDocument(
          { data: r.data, arrival: r.arrival, attemptsMade: o.attemptsMade, errorCode: o.errorCode, errorMessage: o.errorMessage, attemptEndingTimestamp: o.attemptEndingTimestamp },
          plan.lambda!.qualifiedArn,
        );
        out.push({ lane: 'error', partition: ErrorOutputType.processingFailed, data: doc, arrival: r.arrival });
      }
    });
    records = kept;
    // Records that will not convert go to format-conversion-failed now, while the record as put is at hand for rawData.
    if (ctx.rejectConversion && records.length > 0) {
      const rejected = ctx.rejectConversion(records);
      records = records.filter((r, i) => {
        const doc = rejected[i];
        if (doc !== undefined) out.push({ lane: 'error', partition: ErrorOutputType.formatConversionFailed, data: doc, arrival: r.arrival });
        return doc === undefined;
      });
    }
  }

  if (!plan.dynamicPartitioning) {
    for (const r of records) out.push({ lane: 'main', partition: '', data: r.data, arrival: r.arrival });
    return out;
  }

  const extractions = ctx.extractor ? await ctx.extractor.extract(records.map((r) => r.data)) : undefined;
  /** Partitions whose prefix was measured and fits (measured once per chunk). */
  const fitting = new Set<string>();
  records.forEach((r, i) => {
    const extraction = extractions?.[i];
    if (extraction && !extraction.ok) {
      fail(r.raw, r.arrival, ErrorOutputType.metadataExtractionFailed, 'DynamicPartitioning.MetadataExtractionFailed', extraction.message);
      return;
    }
    const query = pick(extraction?.ok ? extraction.keys : undefined, ctx.prefixKeys.query);
    const lambda = pick(r.lambdaKeys, ctx.prefixKeys.lambda);
    if (query === undefined || lambda === undefined) {
      fail(r.raw, r.arrival, ErrorOutputType.metadataExtractionFailed, 'DynamicPartitioning.MetadataExtractionFailed', 'partitionKeys values must not be null or empty');
      return;
    }
    const partition = partitionId(query, lambda);
    if (!fitting.has(partition)) {
      if (!ctx.prefixFits(query, lambda)) {
        fail(r.raw, r.arrival, ErrorOutputType.metadataExtractionFailed, 'DynamicPartitioning.MetadataExtractionFailed', 'The S3 prefix evaluated with the partition keys is longer than 512 characters');
        return;
      }
      fitting.add(partition);
    }
    if (!ctx.admitPartition(partition)) {
      fail(r.raw, r.arrival, ErrorOutputType.activePartitionExceeded, 'DynamicPartitioning.ActivePartitionsLimitExceeded', 'The number of active partitions exceeds the limit of the Firehose.');
      return;
    }
    out.push({ lane: 'main', partition, data: r.data, arrival: r.arrival });
  });
  return out;
}
