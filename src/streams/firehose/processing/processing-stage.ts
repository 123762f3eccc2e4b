/** One processing step of a stream: runs the record processors over accepted records and groups the results into chunks per lane and partition. */
import { evaluatedLength, MAX_EVALUATED_PREFIX, parsePrefix, partitionKeysOf } from '../delivery/prefix-template.js';
import type { DeliveryStream } from '../model.js';
import type { TransformContext } from './lambda-transform.js';
import type { MetadataExtractor } from './metadata-extractor.js';
import type { PipelinePlan } from './pipeline-plan.js';
import { processRecords, type Lane, type ProcessingContext, type SourceRecord } from './record-processor.js';

export interface ProcessingStep {
  readonly plan: PipelinePlan;
  readonly extractor: MetadataExtractor | undefined;
  readonly transform: TransformContext | undefined;
  /** Partitions that already hold undelivered records (updated as new ones are admitted). */
  readonly activePartitions: Set<string>;
  readonly activePartitionLimit: number;
  readonly rejectConversion?: ProcessingContext['rejectConversion'];
  readonly now: () => number;
}

export interface ChunkGroupData {
  readonly lane: Lane;
  readonly partition: string;
  arrival: number;
  readonly data: Buffer[];
}

export interface ProcessingResult {
  readonly groups: ChunkGroupData[];
  readonly routed: { readonly main: number; readonly processingFailed: number; readonly extractionFailed: number; readonly conversionFailed: number };
  /** Records refused because the active-partition limit was reached. */
  readonly exceeded: number;
}

export async function runProcessing(step: ProcessingStep, stream: DeliveryStream, source: readonly SourceRecord[]): Promise<ProcessingResult> {
  const prefix = parsePrefix(stream.destination.Prefix ?? '');
  const timeZone = stream.destination.CustomTimeZone ?? 'UTC';
  let exceeded = 0;
  const routed = await processRecords(
    {
      plan: step.plan,
      transform: step.transform,
      extractor: step.extractor,
      prefixKeys: { query: partitionKeysOf(prefix, 'queryKey'), lambda: partitionKeysOf(prefix, 'lambdaKey') },
      prefixFits: (query, lambda) => evaluatedLength(prefix, new Date(step.now()), timeZone, { query, lambda }) <= MAX_EVALUATED_PREFIX,
      admitPartition: (p) => {
        if (step.activePartitions.has(p)) return true;
        if (step.activePartitions.size >= step.activePartitionLimit) {
          exceeded++;
          return false;
        }
        step.activePartitions.add(p);
        return true;
      },
      rejectConversion: step.rejectConversion,
      now: step.now,
    },
    source,
  );
  const groups = new Map<string, ChunkGroupData>();
  let main = 0;
  let processingFailed = 0;
  let extractionFailed = 0;
  let conversionFailed = 0;
  for (const r of routed) {
    if (r.lane === 'main') main++;
    else if (r.lane === 'error' && r.partition === 'format-conversion-failed') conversionFailed++;
    else if (r.lane === 'error' && r.partition === 'processing-failed') processingFailed++;
    else if (r.lane === 'error' && r.partition === 'metadata-extraction-failed') extractionFailed++;
    const k = `${r.lane}\0${r.partition}`;
    const g = groups.get(k);
    if (g) {
      g.data.push(r.data);
      g.arrival = Math.min(g.arrival, r.arrival);
    } else groups.set(k, { lane: r.lane, partition: r.partition, arrival: r.arrival, data: [r.data] });
  }
  return { groups: [...groups.values()], routed: { main, processingFailed, extractionFailed, conversionFailed }, exceeded };
}
