/** Validates S3 destination configurations the way Firehose does and fills in its defaults; refuses what Lakebox cannot honour yet. */
import type {
  ExtendedS3DestinationConfiguration,
  ExtendedS3DestinationUpdate,
  Processor,
  S3DestinationConfiguration,
} from '@aws-sdk/client-firehose';
import { isValidTimeZone } from './delivery/java-date-format.js';
import { parsePrefix, PrefixError, usesPart } from './delivery/prefix-template.js';
import { FirehoseErrors, Violations } from './errors.js';
import { DEFAULT_BUFFER_MB, DEFAULT_BUFFER_SECONDS, type S3Destination } from './model.js';

const ROLE_ARN = /^arn:.*:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/;
const BUCKET_ARN = /^arn:.*:s3:::[\w.-]{1,255}$/;
const FILE_EXTENSION = /^$|^\.[0-9a-z!\-_.*'()]+$/;
export const COMPRESSION_FORMATS = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] as const;
/** Compression formats whose encoders exist in Lakebox today. */
const SUPPORTED_COMPRESSION = new Set(['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY']);
/** Processors Lakebox runs today. */
const SUPPORTED_PROCESSORS = new Set(['AppendDelimiterToRecord']);

type AnyS3Config = ExtendedS3DestinationConfiguration | ExtendedS3DestinationUpdate;

function checkArns(v: Violations, c: { RoleARN?: string | undefined; BucketARN?: string | undefined }, path: string, required: boolean): void {
  if (c.RoleARN === undefined ? required : !ROLE_ARN.test(c.RoleARN) || c.RoleARN.length > 512) {
    v.add(c.RoleARN, `${path}.roleARN`, 'satisfy regular expression pattern: arn:.*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+');
  }
  if (c.BucketARN === undefined ? required : !BUCKET_ARN.test(c.BucketARN) || c.BucketARN.length > 2048) {
    v.add(c.BucketARN, `${path}.bucketARN`, 'satisfy regular expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}');
  }
}

function checkBuffering(v: Violations, c: AnyS3Config, path: string): void {
  const b = c.BufferingHints;
  if (!b) return;
  if (b.SizeInMBs !== undefined && (!Number.isInteger(b.SizeInMBs) || b.SizeInMBs < 1 || b.SizeInMBs > 128)) {
    v.add(b.SizeInMBs, `${path}.bufferingHints.sizeInMBs`, 'have value between 1 and 128');
  }
  if (b.IntervalInSeconds !== undefined && (!Number.isInteger(b.IntervalInSeconds) || b.IntervalInSeconds < 0 || b.IntervalInSeconds > 900)) {
    v.add(b.IntervalInSeconds, `${path}.bufferingHints.intervalInSeconds`, 'have value between 0 and 900');
  }
}

function checkProcessors(processors: readonly Processor[] | undefined): void {
  for (const p of processors ?? []) {
    if (p.Type === undefined) throw FirehoseErrors.invalidArgument('Processor Type is required.');
    if (!SUPPORTED_PROCESSORS.has(p.Type)) {
      throw FirehoseErrors.notSupported(`The ${p.Type} processor`);
    }
    for (const param of p.Parameters ?? []) {
      if (param.ParameterValue === undefined || /^\s*$/.test(param.ParameterValue)) {
        throw FirehoseErrors.invalidArgument(`Processor parameter ${param.ParameterName ?? ''} must not be blank.`);
      }
    }
  }
  if ((processors?.length ?? 0) > 5) throw FirehoseErrors.invalidArgument('At most 5 processors can be configured.');
}

/** Rejects settings Lakebox would otherwise have to ignore. */
function refuseUnsupported(c: AnyS3Config): void {
  if (c.CompressionFormat !== undefined && !SUPPORTED_COMPRESSION.has(c.CompressionFormat)) {
    throw FirehoseErrors.notSupported(`CompressionFormat ${c.CompressionFormat}`);
  }
  if (c.EncryptionConfiguration?.KMSEncryptionConfig !== undefined) throw FirehoseErrors.notSupported('KMS encryption of delivered objects');
  if (c.DynamicPartitioningConfiguration?.Enabled === true) throw FirehoseErrors.notSupported('Dynamic partitioning');
  if (c.DataFormatConversionConfiguration?.Enabled !== undefined || c.DataFormatConversionConfiguration?.SchemaConfiguration !== undefined) {
    if (c.DataFormatConversionConfiguration.Enabled !== false) throw FirehoseErrors.notSupported('Data format conversion');
  }
  if (c.S3BackupMode === 'Enabled') throw FirehoseErrors.notSupported('S3 backup of source records');
  if (c.ProcessingConfiguration?.Enabled !== false) checkProcessors(c.ProcessingConfiguration?.Processors);
}

/** Prefix rules of the Firehose developer guide (§4.3 of the spec). */
export function checkPrefixes(prefix: string | undefined, errorPrefix: string | undefined): void {
  let p;
  let e;
  try {
    p = parsePrefix(prefix ?? '');
    e = parsePrefix(errorPrefix ?? '');
  } catch (err) {
    throw FirehoseErrors.invalidArgument((err as PrefixError).message);
  }
  if (usesPart(p, 'errorType')) throw FirehoseErrors.invalidArgument('The expression !{firehose:error-output-type} is not allowed in Prefix.');
  if (p.hasExpressions && (errorPrefix === undefined || errorPrefix === '')) {
    throw FirehoseErrors.invalidArgument('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.');
  }
  if (errorPrefix !== undefined && errorPrefix !== '' && !usesPart(e, 'errorType')) {
    throw FirehoseErrors.invalidArgument('ErrorOutputPrefix must contain !{firehose:error-output-type} when it is specified.');
  }
  if (usesPart(e, 'queryKey') || usesPart(e, 'lambdaKey')) {
    throw FirehoseErrors.invalidArgument('Partition key expressions are not allowed in ErrorOutputPrefix.');
  }
  if (usesPart(p, 'queryKey') || usesPart(p, 'lambdaKey')) {
    throw FirehoseErrors.invalidArgument('Prefix uses partition keys, but dynamic partitioning is not enabled.');
  }
}

export function validateDestination(c: AnyS3Config, path: string, creating: boolean): void {
  const v = new Violations();
  checkArns(v, c, path, creating);
  checkBuffering(v, c, path);
  if (c.CompressionFormat !== undefined && !(COMPRESSION_FORMATS as readonly string[]).includes(c.CompressionFormat)) {
    v.add(c.CompressionFormat, `${path}.compressionFormat`, `satisfy enum value set: [${COMPRESSION_FORMATS.join(', ')}]`);
  }
  if (c.Prefix !== undefined && c.Prefix.length > 1024) v.add(c.Prefix, `${path}.prefix`, 'have length less than or equal to 1024');
  if (c.ErrorOutputPrefix !== undefined && c.ErrorOutputPrefix.length > 1024) {
    v.add(c.ErrorOutputPrefix, `${path}.errorOutputPrefix`, 'have length less than or equal to 1024');
  }
  if (c.FileExtension !== undefined && (!FILE_EXTENSION.test(c.FileExtension) || c.FileExtension.length > 128)) {
    v.add(c.FileExtension, `${path}.fileExtension`, "satisfy regular expression pattern: ^$|\\.[0-9a-z!\\-_.*'()]+");
  }
  if (c.CustomTimeZone !== undefined && (!/^$|^[a-zA-Z/_]+$/.test(c.CustomTimeZone) || c.CustomTimeZone.length > 50)) {
    v.add(c.CustomTimeZone, `${path}.customTimeZone`, 'satisfy regular expression pattern: ^$|[a-zA-Z/_]+');
  }
  v.throwIfAny();
  if (c.CustomTimeZone && !isValidTimeZone(c.CustomTimeZone)) {
    throw FirehoseErrors.invalidArgument(`CustomTimeZone ${c.CustomTimeZone} is not a valid time zone.`);
  }
  refuseUnsupported(c);
}

/** Turns a create request's destination into the stored description with defaults filled. */
export function normalizeDestination(c: ExtendedS3DestinationConfiguration | S3DestinationConfiguration): S3Destination {
  const ext = c as ExtendedS3DestinationConfiguration;
  checkPrefixes(c.Prefix, c.ErrorOutputPrefix);
  return {
    RoleARN: c.RoleARN ?? '',
    BucketARN: c.BucketARN ?? '',
    Prefix: c.Prefix,
    ErrorOutputPrefix: c.ErrorOutputPrefix,
    BufferingHints: {
      SizeInMBs: c.BufferingHints?.SizeInMBs ?? DEFAULT_BUFFER_MB,
      IntervalInSeconds: c.BufferingHints?.IntervalInSeconds ?? DEFAULT_BUFFER_SECONDS,
    },
    CompressionFormat: c.CompressionFormat ?? 'UNCOMPRESSED',
    EncryptionConfiguration: c.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: c.CloudWatchLoggingOptions ?? { Enabled: false },
    ProcessingConfiguration: ext.ProcessingConfiguration ?? { Enabled: false, Processors: [] },
    S3BackupMode: ext.S3BackupMode ?? 'Disabled',
    DataFormatConversionConfiguration: ext.DataFormatConversionConfiguration,
    DynamicPartitioningConfiguration: ext.DynamicPartitioningConfiguration,
    FileExtension: ext.FileExtension === '' ? undefined : ext.FileExtension,
    CustomTimeZone: ext.CustomTimeZone === '' || ext.CustomTimeZone === undefined ? 'UTC' : ext.CustomTimeZone,
  };
}

/** Member-wise merge of an update into the current destination (same destination type). */
export function mergeDestination(current: S3Destination, u: ExtendedS3DestinationUpdate): S3Destination {
  const processing =
    u.ProcessingConfiguration === undefined
      ? current.ProcessingConfiguration
      : {
          Enabled: u.ProcessingConfiguration.Enabled ?? current.ProcessingConfiguration?.Enabled ?? false,
          Processors: u.ProcessingConfiguration.Processors ?? [],
        };
  if (current.S3BackupMode === 'Enabled' && u.S3BackupMode === 'Disabled') {
    throw FirehoseErrors.invalidArgument('S3BackupMode cannot be changed from Enabled to Disabled.');
  }
  const merged: S3Destination = {
    ...current,
    RoleARN: u.RoleARN ?? current.RoleARN,
    BucketARN: u.BucketARN ?? current.BucketARN,
    Prefix: u.Prefix ?? current.Prefix,
    ErrorOutputPrefix: u.ErrorOutputPrefix ?? current.ErrorOutputPrefix,
    BufferingHints: {
      SizeInMBs: u.BufferingHints?.SizeInMBs ?? current.BufferingHints.SizeInMBs,
      IntervalInSeconds: u.BufferingHints?.IntervalInSeconds ?? current.BufferingHints.IntervalInSeconds,
    },
    CompressionFormat: u.CompressionFormat ?? current.CompressionFormat,
    EncryptionConfiguration: u.EncryptionConfiguration ?? current.EncryptionConfiguration,
    CloudWatchLoggingOptions: u.CloudWatchLoggingOptions ?? current.CloudWatchLoggingOptions,
    ProcessingConfiguration: processing,
    S3BackupMode: u.S3BackupMode ?? current.S3BackupMode,
    FileExtension: u.FileExtension === undefined ? current.FileExtension : u.FileExtension === '' ? undefined : u.FileExtension,
    CustomTimeZone: u.CustomTimeZone === undefined ? current.CustomTimeZone : u.CustomTimeZone === '' ? 'UTC' : u.CustomTimeZone,
  };
  checkPrefixes(merged.Prefix, merged.ErrorOutputPrefix);
  return merged;
}

/** Whether the stream appends a newline after each record (AppendDelimiterToRecord processor). */
export function appendsDelimiter(d: S3Destination): boolean {
  const pc = d.ProcessingConfiguration;
  return pc?.Enabled === true && (pc.Processors ?? []).some((p) => p.Type === 'AppendDelimiterToRecord');
}
