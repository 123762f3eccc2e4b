/** Per-stream Prometheus metrics named after Firehose's CloudWatch metrics (IncomingRecords, DeliveryToS3.Success, …). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const LABELS = ['delivery_stream'] as const;

export class FirehoseMetrics {
  readonly incomingRecords: Counter<'delivery_stream'>;
  readonly incomingBytes: Counter<'delivery_stream'>;
  readonly incomingPutRequests: Counter<'delivery_stream'>;
  readonly deliveryRecords: Counter<'delivery_stream'>;
  readonly deliveryBytes: Counter<'delivery_stream'>;
  readonly deliveryObjects: Counter<'delivery_stream'>;
  readonly deliveryFailures: Counter<'delivery_stream'>;
  readonly deliverySuccess: Gauge<'delivery_stream'>;
  readonly dataFreshness: Gauge<'delivery_stream'>;
  readonly bufferedBytes: Gauge<'delivery_stream'>;
  readonly throttledRecords: Counter<'delivery_stream'>;
  readonly processingSuccess: Gauge<'delivery_stream'>;
  readonly processingDuration: Histogram<'delivery_stream'>;
  readonly processedRecords: Counter<'delivery_stream'>;
  readonly processingFailedRecords: Counter<'delivery_stream'>;
  readonly extractionFailedRecords: Counter<'delivery_stream'>;
  readonly conversionFailedRecords: Counter<'delivery_stream'>;
  readonly errorOutputRecords: Counter<'delivery_stream'>;
  readonly activePartitions: Gauge<'delivery_stream'>;
  readonly partitionCountExceeded: Counter<'delivery_stream'>;
  readonly backupRecords: Counter<'delivery_stream'>;
  readonly backupBytes: Counter<'delivery_stream'>;
  readonly backupSuccess: Gauge<'delivery_stream'>;

  constructor(registry: Registry) {
    const counter = (name: string, help: string): Counter<'delivery_stream'> =>
      new Counter({ name: `lakebox_firehose_${name}`, help, labelNames: LABELS, registers: [registry] });
    const gauge = (name: string, help: string): Gauge<'delivery_stream'> =>
      new Gauge({ name: `lakebox_firehose_${name}`, help, labelNames: LABELS, registers: [registry] });
    this.incomingRecords = counter('IncomingRecords_total', 'IncomingRecords: records accepted by PutRecord/PutRecordBatch');
    this.incomingBytes = counter('IncomingBytes_total', 'IncomingBytes: bytes accepted by PutRecord/PutRecordBatch');
    this.incomingPutRequests = counter('IncomingPutRequests_total', 'IncomingPutRequests: successful put calls');
    this.throttledRecords = counter('ThrottledRecords_total', 'ThrottledRecords: records refused because the buffer disk budget was full');
    this.deliveryRecords = counter('DeliveryToS3_Records_total', 'DeliveryToS3.Records: records delivered to S3');
    this.deliveryBytes = counter('DeliveryToS3_Bytes_total', 'DeliveryToS3.Bytes: record bytes delivered to S3 (before compression)');
    this.deliveryObjects = counter('DeliveryToS3_ObjectCount_total', 'DeliveryToS3.ObjectCount: objects written to S3');
    this.deliveryFailures = counter('DeliveryToS3_Failures_total', 'Failed S3 delivery attempts (retried with backoff)');
    this.deliverySuccess = gauge('DeliveryToS3_Success', 'DeliveryToS3.Success: 1 if the last delivery attempt succeeded, 0 if it failed');
    this.dataFreshness = gauge('DeliveryToS3_DataFreshness_seconds', 'DeliveryToS3.DataFreshness: age of the oldest undelivered record');
    this.processingSuccess = gauge('ExecuteProcessing_Success', 'ExecuteProcessing.Success: 1 if the last processing step (Lambda, partitioning) succeeded, 0 if it is being retried');
    this.processingDuration = new Histogram({
      name: 'lakebox_firehose_ExecuteProcessing_Duration_seconds',
      help: 'ExecuteProcessing.Duration: time of one processing step (de-aggregation, Lambda, metadata extraction)',
      labelNames: LABELS,
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers: [registry],
    });
    this.processedRecords = counter('SucceedProcessing_Records_total', 'SucceedProcessing.Records: records that came out of processing for delivery');
    this.processingFailedRecords = counter('FailedProcessing_Records_total', 'Records sent to error output as processing-failed (Lambda)');
    this.extractionFailedRecords = counter('FailedMetadataExtraction_Records_total', 'Records sent to error output as metadata-extraction-failed');
    this.conversionFailedRecords = counter('FailedConversion_Records_total', 'FailedConversion.Records: records sent to error output as format-conversion-failed');
    this.errorOutputRecords = counter('DeliveryToS3_ErrorOutputRecords_total', 'Error records written under the error output prefix');
    this.activePartitions = gauge('PartitionCount', 'PartitionCount: partitions with records waiting for delivery (dynamic partitioning)');
    this.partitionCountExceeded = counter('PartitionCountExceeded_total', 'PartitionCountExceeded: records refused because the active-partition limit was reached');
    this.backupRecords = counter('BackupToS3_Records_total', 'BackupToS3.Records: source records written to the S3 backup');
    this.backupBytes = counter('BackupToS3_Bytes_total', 'BackupToS3.Bytes: source record bytes written to the S3 backup');
    this.backupSuccess = gauge('BackupToS3_Success', 'BackupToS3.Success: 1 if the last backup delivery succeeded');
    this.bufferedBytes = gauge('BufferedBytes', 'Bytes accepted and waiting for delivery');
  }

  /** One processing step's outcome: ExecuteProcessing.* and the records routed to each error output. */
  recordProcessing(
    stream: string,
    seconds: number,
    routed: { readonly main: number; readonly processingFailed: number; readonly extractionFailed: number; readonly conversionFailed: number },
    exceeded: number,
  ): void {
    const labels = { delivery_stream: stream };
    this.processingSuccess.set(labels, 1);
    this.processingDuration.observe(labels, seconds);
    this.processedRecords.inc(labels, routed.main);
    this.processingFailedRecords.inc(labels, routed.processingFailed);
    this.extractionFailedRecords.inc(labels, routed.extractionFailed);
    this.conversionFailedRecords.inc(labels, routed.conversionFailed);
    if (exceeded > 0) this.partitionCountExceeded.inc(labels, exceeded);
  }
}
