/** Validates S3 destination configurations the way Firehose does and fills in its defaults; refuses what Lakebox cannot honour yet. */
import type {
  DynamicPartitioningConfiguration,
  ExtendedS3DestinationConfiguration,
  ExtendedS3DestinationUpdate,
  Processor,
  S3DestinationConfiguration,
  S3DestinationDescription,
} from '@aws-sdk/client-firehose';
import { isValidTimeZone } from './delivery/java-date-format.js';
import { effectivePrefix, evaluatedLength, MAX_EVALUATED_PREFIX, parsePrefix, PrefixError, usesPart } from './delivery/prefix-template.js';
import { FirehoseErrors, Violations } from './errors.js';
import { checkConversion, checkProcessors, conversionEnabled, planOf } from './processing/pipeline-plan.js';
import { DEFAULT_BUFFER_MB, DEFAULT_BUFFER_SECONDS, type S3Destination } from './model.js';

const ROLE_ARN = /^arn:.*:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/;
const BUCKET_ARN = /^arn:.*:s3:::[\w.-]{1,255}$/;
const FILE_EXTENSION = /^$|^\.[0-9a-z!\-_.*'()]+$/;
export const COMPRESSION_FORMATS = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] as const;
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

/** Checks processors, format conversion and backup settings one by one (combinations are checked on the merged destination). */
function checkFeatures(c: AnyS3Config, path: string): void {
  if (c.EncryptionConfiguration?.KMSEncryptionConfig !== undefined) throw FirehoseErrors.notSupported('KMS encryption of delivered objects');
  if (c.ProcessingConfiguration?.Processors !== undefined) checkProcessors(c.ProcessingConfiguration.Processors);
  const conversion = c.DataFormatConversionConfiguration;
  if (conversion !== undefined && conversionEnabled(conversion)) checkConversion(conversion);
  const backup = 'S3BackupConfiguration' in c ? c.S3BackupConfiguration : (c as ExtendedS3DestinationUpdate).S3BackupUpdate;
  if (backup !== undefined) validateDestination(backup, `${path}.s3BackupConfiguration`, 'S3BackupConfiguration' in c);
  if (c.S3BackupMode !== undefined && !['Disabled', 'Enabled'].includes(c.S3BackupMode)) {
    throw FirehoseErrors.invalidArgument(`S3BackupMode ${c.S3BackupMode} is not one of Disabled, Enabled.`);
  }
}

/** Prefix rules of the Firehose developer guide (§4.3 of the spec). */
export function checkPrefixes(prefix: string | undefined, errorPrefix: string | undefined, dynamicPartitioning = false, timeZone = 'UTC'): void {
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
  if (!dynamicPartitioning && (usesPart(p, 'queryKey') || usesPart(p, 'lambdaKey'))) {
    throw FirehoseErrors.invalidArgument('Prefix uses partition keys, but dynamic partitioning is not enabled.');
  }
  // Evaluated now, with one-character partition keys: the shortest the prefix can ever be.
  const now = new Date();
  for (const [name, t] of [['Prefix', effectivePrefix(prefix)], ['ErrorOutputPrefix', e]] as const) {
    const length = evaluatedLength(t, now, timeZone);
    if (length > MAX_EVALUATED_PREFIX) {
      throw FirehoseErrors.invalidArgument(`${name} evaluates to ${length} characters; it can be at most ${MAX_EVALUATED_PREFIX} characters after evaluation.`);
    }
  }
}

/** Rules that tie settings together: dynamic partitioning and format conversion requirements and buffering floors. */
export function checkCombination(d: S3Destination): void {
  const dp = d.DynamicPartitioningConfiguration?.Enabled === true;
  checkPrefixes(d.Prefix, d.ErrorOutputPrefix, dp, d.CustomTimeZone || 'UTC');
  const plan = planOf(d);
  const processors = d.ProcessingConfiguration?.Enabled === true ? (d.ProcessingConfiguration.Processors ?? []) : [];
  const hasExtraction = processors.some((p) => p.Type === 'MetadataExtraction');
  if (hasExtraction && !dp) throw FirehoseErrors.invalidArgument('The MetadataExtraction processor can only be used when dynamic partitioning is enabled.');
  if (dp) {
    const prefix = parsePrefix(d.Prefix ?? '');
    if (!hasExtraction && plan.lambda === undefined) {
      throw FirehoseErrors.invalidArgument('Dynamic partitioning needs a MetadataExtraction or Lambda processor to provide partition keys.');
    }
    if (!usesPart(prefix, 'queryKey') && !usesPart(prefix, 'lambdaKey')) {
      throw FirehoseErrors.invalidArgument('When dynamic partitioning is enabled, Prefix must use at least one partitionKeyFromQuery or partitionKeyFromLambda expression.');
    }
    if (usesPart(prefix, 'queryKey') && !hasExtraction) throw FirehoseErrors.invalidArgument('Prefix uses partitionKeyFromQuery, but no MetadataExtraction processor is configured.');
    if (usesPart(prefix, 'lambdaKey') && plan.lambda === undefined) throw FirehoseErrors.invalidArgument('Prefix uses partitionKeyFromLambda, but no Lambda processor is configured.');
    if (d.ErrorOutputPrefix === undefined || d.ErrorOutputPrefix === '') throw FirehoseErrors.invalidArgument('ErrorOutputPrefix is required when dynamic partitioning is enabled.');
    if (d.BufferingHints.SizeInMBs < 64) throw FirehoseErrors.invalidArgument('BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.');
    if (d.BufferingHints.IntervalInSeconds < 60) {
      throw FirehoseErrors.invalidArgument('BufferingHints.IntervalInSeconds must be at least 60 seconds when Dynamic Partitioning is enabled.');
    }
  }
  if (plan.conversion) {
    if (d.CompressionFormat !== 'UNCOMPRESSED') throw FirehoseErrors.invalidArgument('CompressionFormat must be UNCOMPRESSED when data format conversion is enabled.');
    if (d.BufferingHints.SizeInMBs < 64) throw FirehoseErrors.invalidArgument('BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.');
  }
  if (d.S3BackupMode === 'Enabled' && d.S3BackupDescription === undefined) {
    throw FirehoseErrors.invalidArgument('S3BackupConfiguration is required when S3BackupMode is Enabled.');
  }
  if (d.S3BackupDescription) checkPrefixes(d.S3BackupDescription.Prefix, d.S3BackupDescription.ErrorOutputPrefix);
}

function normalizeBackup(b: Partial<S3DestinationConfiguration>): S3DestinationDescription {
  return {
    RoleARN: b.RoleARN ?? '',
    BucketARN: b.BucketARN ?? '',
    Prefix: b.Prefix,
    ErrorOutputPrefix: b.ErrorOutputPrefix,
    BufferingHints: { SizeInMBs: b.BufferingHints?.SizeInMBs ?? DEFAULT_BUFFER_MB, IntervalInSeconds: b.BufferingHints?.IntervalInSeconds ?? DEFAULT_BUFFER_SECONDS },
    CompressionFormat: b.CompressionFormat ?? 'UNCOMPRESSED',
    EncryptionConfiguration: b.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: b.CloudWatchLoggingOptions ?? { Enabled: false },
  };
}

function normalizeDynamicPartitioning(c: DynamicPartitioningConfiguration | undefined): DynamicPartitioningConfiguration | undefined {
  if (c === undefined) return undefined;
  return { Enabled: c.Enabled ?? false, RetryOptions: { DurationInSeconds: c.RetryOptions?.DurationInSeconds ?? 300 } };
}

const PROCESSOR_TYPES = ['RecordDeAggregation', 'Decompression', 'CloudWatchLogProcessing', 'Lambda', 'MetadataExtraction', 'AppendDelimiterToRecord'];
const PARAMETER_NAMES = ['LambdaArn', 'NumberOfRetries', 'MetadataExtractionQuery', 'JsonParsingEngine', 'RoleArn', 'BufferSizeInMBs', 'BufferIntervalInSeconds', 'SubRecordType', 'Delimiter', 'CompressionFormat', 'DataMessageExtraction'];

/** The processors' model constraints (enums, the non-blank value pattern), checked before their meaning. */
function checkProcessorModel(v: Violations, processors: readonly Processor[] | undefined, path: string): void {
  (processors ?? []).forEach((p, i) => {
    const at = `${path}.${i + 1}.member`;
    if (p.Type !== undefined && !PROCESSOR_TYPES.includes(p.Type)) v.add(p.Type, `${at}.type`, `satisfy enum value set: [${PROCESSOR_TYPES.join(', ')}]`);
    (p.Parameters ?? []).forEach((param, j) => {
      const pat = `${at}.parameters.${j + 1}.member`;
      if (param.ParameterName !== undefined && !PARAMETER_NAMES.includes(param.ParameterName)) {
        v.add(param.ParameterName, `${pat}.parameterName`, `satisfy enum value set: [${PARAMETER_NAMES.join(', ')}]`);
      }
      const value = param.ParameterValue;
      if (value !== undefined && (/^\s*$/.test(value) || value.length > 5120)) {
        v.add(value, `${pat}.parameterValue`, value.length > 5120 ? 'have length less than or equal to 5120' : 'satisfy regular expression pattern: ^(?!\\s*$).+');
      }
    });
  });
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
  const dpRetry = (c as ExtendedS3DestinationConfiguration).DynamicPartitioningConfiguration?.RetryOptions?.DurationInSeconds;
  if (dpRetry !== undefined && (!Number.isInteger(dpRetry) || dpRetry < 0 || dpRetry > 7200)) {
    v.add(dpRetry, `${path}.dynamicPartitioningConfiguration.retryOptions.durationInSeconds`, 'have value between 0 and 7200');
  }
  checkProcessorModel(v, (c as ExtendedS3DestinationConfiguration).ProcessingConfiguration?.Processors, `${path}.processingConfiguration.processors`);
  v.throwIfAny();
  if (c.CustomTimeZone && !isValidTimeZone(c.CustomTimeZone)) {
    throw FirehoseErrors.invalidArgument(`CustomTimeZone ${c.CustomTimeZone} is not a valid time zone.`);
  }
  checkFeatures(c, path);
}

/** Turns a create request's destination into the stored description with defaults filled. */
export function normalizeDestination(c: ExtendedS3DestinationConfiguration | S3DestinationConfiguration): S3Destination {
  const ext = c as ExtendedS3DestinationConfiguration;
  const dp = ext.DynamicPartitioningConfiguration?.Enabled === true;
  const conversion = conversionEnabled(ext.DataFormatConversionConfiguration);
  // Partitioned and converted streams buffer more by default (their floors are 64 MiB).
  const defaultSize = dp || conversion ? 128 : DEFAULT_BUFFER_MB;
  const d: S3Destination = {
    RoleARN: c.RoleARN ?? '',
    BucketARN: c.BucketARN ?? '',
    Prefix: c.Prefix,
    ErrorOutputPrefix: c.ErrorOutputPrefix,
    BufferingHints: {
      SizeInMBs: c.BufferingHints?.SizeInMBs ?? defaultSize,
      IntervalInSeconds: c.BufferingHints?.IntervalInSeconds ?? DEFAULT_BUFFER_SECONDS,
    },
    CompressionFormat: c.CompressionFormat ?? 'UNCOMPRESSED',
    EncryptionConfiguration: c.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: c.CloudWatchLoggingOptions ?? { Enabled: false },
    ProcessingConfiguration: ext.ProcessingConfiguration ?? { Enabled: false, Processors: [] },
    S3BackupMode: ext.S3BackupMode ?? 'Disabled',
    S3BackupDescription: ext.S3BackupConfiguration ? normalizeBackup(ext.S3BackupConfiguration) : undefined,
    DataFormatConversionConfiguration: ext.DataFormatConversionConfiguration
      ? { ...ext.DataFormatConversionConfiguration, Enabled: ext.DataFormatConversionConfiguration.Enabled ?? true }
      : undefined,
    DynamicPartitioningConfiguration: normalizeDynamicPartitioning(ext.DynamicPartitioningConfiguration),
    FileExtension: ext.FileExtension === '' ? undefined : ext.FileExtension,
    CustomTimeZone: ext.CustomTimeZone === '' || ext.CustomTimeZone === undefined ? 'UTC' : ext.CustomTimeZone,
  };
  checkCombination(d);
  return d;
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
    S3BackupDescription: u.S3BackupUpdate
      ? normalizeBackup({ ...current.S3BackupDescription, ...u.S3BackupUpdate, BufferingHints: { ...current.S3BackupDescription?.BufferingHints, ...u.S3BackupUpdate.BufferingHints } })
      : current.S3BackupDescription,
    DataFormatConversionConfiguration:
      u.DataFormatConversionConfiguration === undefined
        ? current.DataFormatConversionConfiguration
        : { ...current.DataFormatConversionConfiguration, ...u.DataFormatConversionConfiguration, Enabled: u.DataFormatConversionConfiguration.Enabled ?? true },
    DynamicPartitioningConfiguration:
      u.DynamicPartitioningConfiguration === undefined
        ? current.DynamicPartitioningConfiguration
        : normalizeDynamicPartitioning({ ...current.DynamicPartitioningConfiguration, ...u.DynamicPartitioningConfiguration }),
    FileExtension: u.FileExtension === undefined ? current.FileExtension : u.FileExtension === '' ? undefined : u.FileExtension,
    CustomTimeZone: u.CustomTimeZone === undefined ? current.CustomTimeZone : u.CustomTimeZone === '' ? 'UTC' : u.CustomTimeZone,
  };
  if (current.DynamicPartitioningConfiguration?.Enabled === true && merged.DynamicPartitioningConfiguration?.Enabled !== true) {
    throw FirehoseErrors.invalidArgument('Dynamic partitioning cannot be disabled once it is enabled.');
  }
  if (merged.DataFormatConversionConfiguration && conversionEnabled(merged.DataFormatConversionConfiguration)) checkConversion(merged.DataFormatConversionConfiguration);
  checkCombination(merged);
  return merged;
}

