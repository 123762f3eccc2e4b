/** Per-stream Prometheus metrics named after Firehose's CloudWatch metrics (IncomingRecords, DeliveryToS3.Success, …). */
import { Counter, Gauge, type Registry } from 'prom-client';

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
    this.bufferedBytes = gauge('BufferedBytes', 'Bytes accepted and waiting for delivery');
  }
}
