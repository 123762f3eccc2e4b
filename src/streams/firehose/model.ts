/** Firehose domain model: a delivery stream as stored, reusing the request/response shapes of @aws-sdk/client-firehose. */
import type {
  DeliveryStreamStatus,
  ExtendedS3DestinationDescription,
  Tag,
} from '@aws-sdk/client-firehose';

export const DESTINATION_ID = 'destinationId-000000000001';

export const MAX_RECORD_BYTES = 1_024_000;
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const DEFAULT_BUFFER_MB = 5;
export const DEFAULT_BUFFER_SECONDS = 300;

/** Destination settings with every default filled, as DescribeDeliveryStream shows them. */
export type S3Destination = ExtendedS3DestinationDescription & {
  RoleARN: string;
  BucketARN: string;
  BufferingHints: { SizeInMBs: number; IntervalInSeconds: number };
  CompressionFormat: string;
};

export interface DeliveryStream {
  readonly name: string;
  readonly arn: string;
  readonly type: 'DirectPut';
  readonly status: DeliveryStreamStatus;
  /** Increments on every effective configuration change; appears in object names. */
  readonly versionId: number;
  readonly createTimestamp: Date;
  readonly lastUpdateTimestamp?: Date | undefined;
  readonly destination: S3Destination;
  /** True when the stream was created from the plain (deprecated) S3DestinationConfiguration. */
  readonly plainS3: boolean;
  readonly tags: readonly Tag[];
  /** DirectPutSourceConfiguration's ThroughputHintInMBs: a capacity hint, kept and described (nothing to size here). */
  readonly throughputHintInMBs?: number | undefined;
}

export function bucketOf(bucketArn: string): string {
  return bucketArn.slice(bucketArn.indexOf(':::') + 3);
}
