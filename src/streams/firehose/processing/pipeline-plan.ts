/** Reads a destination's processors, dynamic partitioning, format conversion and backup settings into a validated plan the delivery stages follow. */
import type { DataFormatConversionConfiguration, Processor, S3DestinationDescription } from '@aws-sdk/client-firehose';
import { timestampFormatProblems } from '../conversion/conversion-config.js';
import type { ParquetOptions } from '../conversion/model.js';
import { FirehoseErrors } from '../errors.js';
import type { S3Destination } from '../model.js';
import type { DeaggregationMode } from './record-deaggregator.js';

export interface LambdaPlan {
  /** The function as configured (name or ARN, maybe qualified). */
  readonly functionArn: string;
  /** The ARN error records carry: qualified, `:$LATEST` when no qualifier was given. */
  readonly qualifiedArn: string;
  readonly retries: number;
  readonly bufferBytes: number;
  readonly intervalMs: number;
}

export interface ParquetPlan {
  readonly databaseName: string;
  readonly tableName: string;
  readonly catalogId: string | undefined;
  readonly region: string | undefined;
  readonly versionId: string | undefined;
  readonly deserializer:
    | { kind: 'openx'; caseInsensitive: boolean; convertDotsInJsonKeysToUnderscores: boolean; columnToJsonKeyMappings: Readonly<Record<string, string>> }
    | { kind: 'hive'; timestampFormats: readonly string[] };
  readonly parquet: ParquetOptions;

}

export interface PipelinePlan {
  readonly deaggregation: DeaggregationMode | undefined;
  readonly lambda: LambdaPlan | undefined;
  readonly extractionQuery: string | undefined;
  readonly dynamicPartitioning: boolean;
  readonly appendDelimiter: boolean;
  readonly conversion: ParquetPlan | undefined;
  readonly backup: S3DestinationDescription | undefined;
  /** Whether records go through the processing stage (anything beyond buffering, framing and compression). */
  readonly staged: boolean;
}

const PROCESSOR_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  Lambda: ['LambdaArn', 'NumberOfRetries', 'RoleArn', 'BufferSizeInMBs', 'BufferIntervalInSeconds'],
  MetadataExtraction: ['MetadataExtractionQuery', 'JsonParsingEngine'],
  RecordDeAggregation: ['SubRecordType', 'Delimiter'],
  AppendDelimiterToRecord: ['Delimiter'],
  Decompression: ['CompressionFormat'],
  CloudWatchLogProcessing: ['DataMessageExtraction'],
};

const LAMBDA_ARN = /^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9-_]{1,64}(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

function params(p: Processor): Map<string, string> {
  return new Map((p.Parameters ?? []).map((x) => [x.ParameterName ?? '', x.ParameterValue ?? '']));
}

function numberParam(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw FirehoseErrors.invalidArgument(`Processor parameter ${name} must be a number between ${min} and ${max}, got '${value}'.`);
  }
  return n;
}

/** Validates the processor list (types, parameter names and values). */
export function checkProcessors(processors: readonly Processor[]): void {
  if (processors.length > 5) throw FirehoseErrors.invalidArgument('At most 5 processors can be configured.');
  const seen = new Set<string>();
  for (const p of processors) {
    if (p.Type === undefined) throw FirehoseErrors.invalidArgument('Processor Type is required.');
    const allowed = PROCESSOR_PARAMETERS[p.Type];
    if (!allowed) throw FirehoseErrors.invalidArgument(`Processor type ${p.Type} is not valid.`);
    if (seen.has(p.Type)) throw FirehoseErrors.invalidArgument(`Only one processor of type ${p.Type} can be configured.`);
    seen.add(p.Type);
    for (const param of p.Parameters ?? []) {
      if (param.ParameterName === undefined || !allowed.includes(param.ParameterName)) {
        throw FirehoseErrors.invalidArgument(`Parameter ${param.ParameterName ?? ''} is not valid for processor type ${p.Type}.`);
      }
      if (param.ParameterValue === undefined || /^\s*$/.test(param.ParameterValue)) {
        throw FirehoseErrors.invalidArgument(`Processor parameter ${param.ParameterName} must not be blank.`);
      }
    }
    const ps = params(p);
    switch (p.Type) {
      case 'Decompression':
      case 'CloudWatchLogProcessing':
        throw FirehoseErrors.invalidArgument(`The ${p.Type} processor applies only to CloudWatch Logs sources; this Firehose is DirectPut.`);
      case 'Lambda': {
        const arn = ps.get('LambdaArn');
        if (arn === undefined) throw FirehoseErrors.invalidArgument('Lambda processor requires the LambdaArn parameter.');
        if (!LAMBDA_ARN.test(arn)) throw FirehoseErrors.invalidArgument(`LambdaArn ${arn} is not a valid Lambda function ARN.`);
        lambdaPlan(p);
        break;
      }
      case 'MetadataExtraction':
        if (!ps.has('MetadataExtractionQuery')) throw FirehoseErrors.invalidArgument('MetadataExtraction processor requires the MetadataExtractionQuery parameter.');
        if (ps.get('JsonParsingEngine') !== 'JQ-1.6') throw FirehoseErrors.invalidArgument('MetadataExtraction processor requires JsonParsingEngine JQ-1.6.');
        break;
      case 'RecordDeAggregation':
        deaggregationMode(p);
        break;
      default:
        break;
    }
  }
}

function lambdaPlan(p: Processor): LambdaPlan {
  const ps = params(p);
  const arn = ps.get('LambdaArn') ?? '';
  const name = arn.startsWith('arn:') ? arn.split(':').slice(6) : arn.split(':');
  const qualifiedArn = arn.startsWith('arn:') && name.length === 1 ? `${arn}:$LATEST` : arn;
  return {
    functionArn: arn,
    qualifiedArn,
    retries: numberParam(ps.get('NumberOfRetries'), 'NumberOfRetries', 0, 300, 3),
    bufferBytes: Math.round(numberParam(ps.get('BufferSizeInMBs'), 'BufferSizeInMBs', 0.2, 3, 1) * 1024 * 1024),
    intervalMs: numberParam(ps.get('BufferIntervalInSeconds'), 'BufferIntervalInSeconds', 0, 900, 60) * 1000,
  };
}

function deaggregationMode(p: Processor): DeaggregationMode {
  const ps = params(p);
  const type = ps.get('SubRecordType');
  if (type === 'JSON') return { type: 'JSON' };
  if (type === 'DELIMITED') {
    const encoded = ps.get('Delimiter');
    const delimiter = encoded === undefined ? Buffer.alloc(0) : Buffer.from(encoded, 'base64');
    if (encoded === undefined || delimiter.length === 0 || delimiter.toString('base64') !== encoded) {
      throw FirehoseErrors.invalidArgument('RecordDeAggregation with SubRecordType DELIMITED requires Delimiter, the base64 encoding of the delimiter.');
    }
    return { type: 'DELIMITED', delimiter };
  }
  throw FirehoseErrors.invalidArgument('RecordDeAggregation requires SubRecordType JSON or DELIMITED.');
}

/** Validates a DataFormatConversionConfiguration that is enabled (JSON → Parquet). */
export function checkConversion(c: DataFormatConversionConfiguration): void {
  const s = c.SchemaConfiguration;
  if (!s?.DatabaseName || !s.TableName || !s.RoleARN) {
    throw FirehoseErrors.invalidArgument('SchemaConfiguration with RoleARN, DatabaseName and TableName is required when data format conversion is enabled.');
  }
  const d = c.InputFormatConfiguration?.Deserializer;
  if (!d || (d.OpenXJsonSerDe === undefined) === (d.HiveJsonSerDe === undefined)) {
    throw FirehoseErrors.invalidArgument('InputFormatConfiguration.Deserializer must specify exactly one of OpenXJsonSerDe and HiveJsonSerDe.');
  }
  const ser = c.OutputFormatConfiguration?.Serializer;
  if (!ser || (ser.ParquetSerDe === undefined) === (ser.OrcSerDe === undefined)) {
    throw FirehoseErrors.invalidArgument('OutputFormatConfiguration.Serializer must specify exactly one of ParquetSerDe and OrcSerDe.');
  }
  if (ser.OrcSerDe !== undefined) throw FirehoseErrors.notSupported('Conversion to ORC (OrcSerDe); use ParquetSerDe');
  const formatProblems = timestampFormatProblems(d.HiveJsonSerDe?.TimestampFormats ?? []);
  if (formatProblems.length > 0) throw FirehoseErrors.invalidArgument(`HiveJsonSerDe.TimestampFormats: ${formatProblems.join('; ')}`);
  const pq = ser.ParquetSerDe!;
  if (pq.BlockSizeBytes !== undefined && pq.BlockSizeBytes < 67_108_864) throw FirehoseErrors.invalidArgument('ParquetSerDe.BlockSizeBytes must be at least 67108864.');
  if (pq.PageSizeBytes !== undefined && pq.PageSizeBytes < 65_536) throw FirehoseErrors.invalidArgument('ParquetSerDe.PageSizeBytes must be at least 65536.');
  if (pq.Compression !== undefined && !['UNCOMPRESSED', 'GZIP', 'SNAPPY'].includes(pq.Compression)) {
    throw FirehoseErrors.invalidArgument(`ParquetSerDe.Compression ${pq.Compression} is not one of UNCOMPRESSED, GZIP, SNAPPY.`);
  }
  if (pq.WriterVersion !== undefined && !['V1', 'V2'].includes(pq.WriterVersion)) {
    throw FirehoseErrors.invalidArgument(`ParquetSerDe.WriterVersion ${pq.WriterVersion} is not one of V1, V2.`);
  }
}

export function conversionEnabled(c: DataFormatConversionConfiguration | undefined): boolean {
  return c !== undefined && c.Enabled !== false && (c.SchemaConfiguration !== undefined || c.Enabled === true);
}

function parquetPlan(c: DataFormatConversionConfiguration): ParquetPlan {
  const s = c.SchemaConfiguration!;
  const d = c.InputFormatConfiguration!.Deserializer!;
  const pq = c.OutputFormatConfiguration!.Serializer!.ParquetSerDe!;
  return {
    databaseName: s.DatabaseName!,
    tableName: s.TableName!,
    catalogId: s.CatalogId,
    region: s.Region,
    versionId: s.VersionId === 'LATEST' ? undefined : s.VersionId,
    deserializer: d.OpenXJsonSerDe
      ? {
          kind: 'openx',
          caseInsensitive: d.OpenXJsonSerDe.CaseInsensitive ?? true,
          convertDotsInJsonKeysToUnderscores: d.OpenXJsonSerDe.ConvertDotsInJsonKeysToUnderscores ?? false,
          columnToJsonKeyMappings: d.OpenXJsonSerDe.ColumnToJsonKeyMappings ?? {},
        }
      : { kind: 'hive', timestampFormats: d.HiveJsonSerDe?.TimestampFormats ?? [] },
    parquet: {
      compression: (pq.Compression ?? 'SNAPPY'),
      pageSizeBytes: pq.PageSizeBytes ?? 1024 * 1024,
      blockSizeBytes: pq.BlockSizeBytes ?? 256 * 1024 * 1024,
      enableDictionaryCompression: pq.EnableDictionaryCompression ?? true,
      writerVersion: (pq.WriterVersion ?? 'V1'),
      maxPaddingBytes: pq.MaxPaddingBytes ?? 0,
    },
  };
}

export function planOf(d: S3Destination): PipelinePlan {
  const pc = d.ProcessingConfiguration;
  const processors = pc?.Enabled === true ? (pc.Processors ?? []) : [];
  const byType = new Map(processors.map((p) => [p.Type ?? '', p]));
  const lambda = byType.get('Lambda');
  const extraction = byType.get('MetadataExtraction');
  const deagg = byType.get('RecordDeAggregation');
  const dynamicPartitioning = d.DynamicPartitioningConfiguration?.Enabled === true;
  const conversion = conversionEnabled(d.DataFormatConversionConfiguration) ? parquetPlan(d.DataFormatConversionConfiguration!) : undefined;
  const backup = d.S3BackupMode === 'Enabled' ? d.S3BackupDescription : undefined;
  const plan = {
    deaggregation: deagg ? deaggregationMode(deagg) : undefined,
    lambda: lambda ? lambdaPlan(lambda) : undefined,
    extractionQuery: extraction && dynamicPartitioning ? params(extraction).get('MetadataExtractionQuery') : undefined,
    dynamicPartitioning,
    appendDelimiter: byType.has('AppendDelimiterToRecord'),
    conversion,
    backup,
  };
  const staged = plan.deaggregation !== undefined || plan.lambda !== undefined || dynamicPartitioning || conversion !== undefined || backup !== undefined;
  return { ...plan, staged };
}
