/** Delivery queues: what they hold, which buffering hints apply to each, which units one delivery takes, and the metrics of a delivery. */
import type { Logger } from 'pino';
import type { FirehoseMetrics } from '../metrics.js';
import type { DeliveryStream } from '../model.js';
import type { PipelinePlan } from '../processing/pipeline-plan.js';
import type { Lane } from '../processing/record-processor.js';

/** An accepted batch (intake) or a staged chunk: records with the arrival time of the oldest. */
export interface Unit {
  readonly id: number;
  readonly version: number;
  readonly arrival: number;
  readonly records: number;
  readonly bytes: number;
}

/** Intake queues hold accepted batches (one per stream); staged queues hold processed chunks (one per stream, lane and partition). */
export interface Queue {
  readonly key: string;
  readonly stream: string;
  readonly kind: 'intake' | 'staged';
  readonly lane: Lane;
  readonly partition: string;
  units: Unit[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
  inflight: Promise<void> | undefined;
  failures: number;
  retryAt: number;
  /** When the current run of failed attempts began. */
  failingSince?: number | undefined;
}

export interface Hints {
  readonly bytes: number;
  readonly intervalMs: number;
}

function s3Hints(h: { SizeInMBs?: number | undefined; IntervalInSeconds?: number | undefined } | undefined): Hints {
  return { bytes: (h?.SizeInMBs ?? 5) * 1024 * 1024, intervalMs: (h?.IntervalInSeconds ?? 300) * 1000 };
}

/**
 * The buffering hints of a queue: the destination's for direct and staged main/error queues, the
 * backup's for the backup lane, the Lambda processor's for a processed stream's intake (and none —
 * process at once — when there is no Lambda).
 */
export function hintsFor(q: Queue, stream: DeliveryStream, plan: PipelinePlan): Hints {
  if (q.kind === 'intake') {
    if (!plan.staged) return s3Hints(stream.destination.BufferingHints);
    if (plan.lambda) return { bytes: plan.lambda.bufferBytes, intervalMs: plan.lambda.intervalMs };
    return { bytes: 0, intervalMs: 0 };
  }
  return q.lane === 'backup' ? s3Hints(plan.backup?.BufferingHints) : s3Hints(stream.destination.BufferingHints);
}

/** Units from the head, of one stream version, until `limit` bytes are reached (the unit that crosses it included). */
export function takeUnits(q: Queue, limit: number): Unit[] {
  const head = q.units[0]!;
  const chosen: Unit[] = [];
  let bytes = 0;
  for (const u of q.units) {
    if (u.version !== head.version || (chosen.length > 0 && bytes >= limit)) break;
    chosen.push(u);
    bytes += u.bytes;
  }
  return chosen;
}

/** Counts a delivered object in the metrics of its lane. */
export function recordDelivered(m: FirehoseMetrics, logger: Logger, q: Queue, chosen: readonly Unit[], oldestPending: number | undefined, now: number): void {
  const labels = { delivery_stream: q.stream };
  const records = chosen.reduce((n, u) => n + u.records, 0);
  const bytes = chosen.reduce((n, u) => n + u.bytes, 0);
  if (q.lane === 'backup') {
    m.backupRecords.inc(labels, records);
    m.backupBytes.inc(labels, bytes);
    m.backupSuccess.set(labels, 1);
    return;
  }
  if (q.lane === 'error') {
    m.errorOutputRecords.inc(labels, records);
    return;
  }
  m.deliveryRecords.inc(labels, records);
  m.deliveryBytes.inc(labels, bytes);
  m.deliveryObjects.inc(labels);
  m.deliverySuccess.set(labels, 1);
  m.dataFreshness.set(labels, oldestPending === undefined ? 0 : (now - oldestPending) / 1000);
  logger.debug({ stream: q.stream, lane: q.lane, records, bytes }, 'firehose delivered object');
}
