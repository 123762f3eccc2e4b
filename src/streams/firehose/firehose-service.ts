/** The Firehose API (no HTTP): delivery stream lifecycle, configuration, tags, and durable PutRecord/PutRecordBatch. */
import type {
  CreateDeliveryStreamInput,
  CreateDeliveryStreamOutput,
  DeleteDeliveryStreamInput,
  DeliveryStreamDescription,
  DescribeDeliveryStreamInput,
  ExtendedS3DestinationUpdate,
  ListDeliveryStreamsInput,
  ListDeliveryStreamsOutput,
  ListTagsForDeliveryStreamInput,
  ListTagsForDeliveryStreamOutput,
  PutRecordBatchOutput,
  PutRecordOutput,
  Tag,
  TagDeliveryStreamInput,
  UntagDeliveryStreamInput,
  UpdateDestinationInput,
} from '@aws-sdk/client-firehose';
import type { DeliveryEngine } from './delivery/delivery-engine.js';
import { mergeDestination, normalizeDestination, validateDestination } from './destination-config.js';
import { FirehoseError, FirehoseErrors, Violations } from './errors.js';
import { InvalidRecordData, type RecordData } from './intake-log.js';
import type { FirehoseMetrics } from './metrics.js';
import { DESTINATION_ID, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES, type DeliveryStream } from './model.js';
import type { SqliteFirehoseStore } from './sqlite-firehose-store.js';

const NAME = /^[a-zA-Z0-9_.-]+$/;
/** Record ids embed the record's index in its batch as 4 hex digits. */
const RECORD_INDEX_HEX = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => i.toString(16).padStart(4, '0'));
const MAX_STREAMS = 5000;
const ACTIVATION_MS = 250;
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@%]*$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@%]*$/u;

export interface FirehoseServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** Refuse puts (ServiceUnavailableException) once this many bytes wait for delivery. */
  readonly bufferBudgetBytes: number;
}

export interface PutRecordsInput {
  readonly DeliveryStreamName?: string | undefined;
  readonly Records?: readonly { Data?: RecordData | undefined }[] | undefined;
}


const STREAM_TYPES: readonly string[] = ['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'];
export class FirehoseService {
  readonly #activations = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: SqliteFirehoseStore,
    private readonly engine: DeliveryEngine,
    private readonly metrics: FirehoseMetrics,
    private readonly options: FirehoseServiceOptions,
  ) {}

  /** Restores streams after a restart: anything still CREATING becomes ACTIVE, buffered records resume delivery. */
  recover(): void {
    for (const s of this.store.listStreams()) {
      if (s.status === 'CREATING') this.store.putStream({ ...s, status: 'ACTIVE' });
    }
    this.engine.recover();
  }

  stop(): void {
    for (const t of this.#activations) clearTimeout(t);
  }

  hasDeliveryStream(name: string): boolean {
    return this.store.getStream(name) !== undefined;
  }

  #arn(name: string): string {
    return `arn:aws:firehose:${this.options.region}:${this.options.accountId}:deliverystream/${name}`;
  }

  #get(name: string | undefined): DeliveryStream {
    const s = name === undefined ? undefined : this.store.getStream(name);
    if (!s) throw FirehoseErrors.notFound(name ?? '', this.options.accountId);
    return s;
  }

  #checkName(name: string | undefined, v: Violations): void {
    if (name === undefined || name.length < 1 || name.length > 64 || !NAME.test(name)) {
      v.add(name, 'deliveryStreamName', 'satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 64');
    }
  }

  #checkTags(tags: readonly Tag[] | undefined, v: Violations, path: string): void {
    (tags ?? []).forEach((t, i) => {
      if (t.Key === undefined || t.Key.length < 1 || t.Key.length > 128 || !TAG_KEY.test(t.Key)) {
        v.add(t.Key, `${path}.${i + 1}.member.key`, 'satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$ and have length between 1 and 128');
      }
      if (t.Value !== undefined && (t.Value.length > 256 || !TAG_VALUE.test(t.Value))) {
        v.add(t.Value, `${path}.${i + 1}.member.value`, 'have length less than or equal to 256');
      }
    });
    if ((tags?.length ?? 0) > 50) v.add(tags?.length, path, 'have length less than or equal to 50');
  }

  async createDeliveryStream(input: Partial<CreateDeliveryStreamInput>): Promise<CreateDeliveryStreamOutput> {
    const v = new Violations();
    this.#checkName(input.DeliveryStreamName, v);
    this.#checkTags(input.Tags, v, 'tags');
    const type = input.DeliveryStreamType ?? 'DirectPut';
    if (!STREAM_TYPES.includes(type)) v.add(type, 'deliveryStreamType', `satisfy enum value set: [${STREAM_TYPES.join(', ')}]`);
    const hint = input.DirectPutSourceConfiguration?.ThroughputHintInMBs;
    if (input.DirectPutSourceConfiguration !== undefined && (hint === undefined || !Number.isInteger(hint) || hint < 1 || hint > 100)) {
      v.add(hint, 'directPutSourceConfiguration.throughputHintInMBs', hint === undefined ? 'not be null' : 'have value between 1 and 100');
    }
    v.throwIfAny();
    const name = input.DeliveryStreamName!;
    if (type !== 'DirectPut') throw FirehoseErrors.notSupported(`DeliveryStreamType ${type}`);
    if (input.DeliveryStreamEncryptionConfigurationInput !== undefined) throw FirehoseErrors.notSupported('Server-side encryption of delivery streams');
    const destinations = Object.entries(input).filter(([k, val]) => k.endsWith('DestinationConfiguration') && val !== undefined);
    if (destinations.length !== 1) throw FirehoseErrors.invalidArgument('Exactly one destination configuration is supported for a Firehose');
    const [kind] = destinations[0]!;
    if (kind !== 'ExtendedS3DestinationConfiguration' && kind !== 'S3DestinationConfiguration') {
      throw FirehoseErrors.notSupported(`The ${kind.replace(/Configuration$/, '')} destination`);
    }
    const config = input.ExtendedS3DestinationConfiguration ?? input.S3DestinationConfiguration!;
    validateDestination(config, kind === 'S3DestinationConfiguration' ? 's3DestinationConfiguration' : 'extendedS3DestinationConfiguration', true);
    const destination = normalizeDestination(config);
    await this.#checkQueries(destination);
    if (this.store.getStream(name)) {
      throw FirehoseErrors.inUse(`Firehose ${name} under accountId ${this.options.accountId} already exists`);
    }
    if (this.store.listStreams().length >= MAX_STREAMS) {
      throw FirehoseErrors.limitExceeded(`You have already consumed your firehose quota of ${MAX_STREAMS} hoses.`);
    }
    const stream: DeliveryStream = {
      name,
      arn: this.#arn(name),
      type: 'DirectPut',
      status: 'CREATING',
      versionId: 1,
      createTimestamp: new Date(),
      destination,
      plainS3: kind === 'S3DestinationConfiguration',
      // Tags are keyed: a key given twice keeps its last value, as TagDeliveryStream does.
      tags: [...new Map((input.Tags ?? []).map((t) => [t.Key!, t])).values()],
      throughputHintInMBs: hint,
    };
    this.store.putStream(stream);
    await this.store.sync();
    const timer = setTimeout(() => {
      this.#activations.delete(timer);
      const current = this.store.getStream(name);
      if (current?.status === 'CREATING' && current.createTimestamp.getTime() === stream.createTimestamp.getTime()) {
        this.store.putStream({ ...current, status: 'ACTIVE' });
      }
    }, ACTIVATION_MS);
    timer.unref();
    this.#activations.add(timer);
    return { DeliveryStreamARN: stream.arn };
  }

  describeDeliveryStream(input: Partial<DescribeDeliveryStreamInput>): { DeliveryStreamDescription: DeliveryStreamDescription } {
    const v = new Violations();
    this.#checkName(input.DeliveryStreamName, v);
    v.throwIfAny();
    const s = this.#get(input.DeliveryStreamName);
    const d = s.destination;
    const plainView = {
      RoleARN: d.RoleARN,
      BucketARN: d.BucketARN,
      Prefix: d.Prefix,
      ErrorOutputPrefix: d.ErrorOutputPrefix,
      BufferingHints: d.BufferingHints,
      CompressionFormat: d.CompressionFormat,
      EncryptionConfiguration: d.EncryptionConfiguration,
      CloudWatchLoggingOptions: d.CloudWatchLoggingOptions,
    };
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: s.name,
        DeliveryStreamARN: s.arn,
        DeliveryStreamStatus: s.status,
        DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
        DeliveryStreamType: s.type,
        ...(s.throughputHintInMBs !== undefined ? { Source: { DirectPutSourceDescription: { ThroughputHintInMBs: s.throughputHintInMBs } } } : {}),
        VersionId: String(s.versionId),
        CreateTimestamp: s.createTimestamp,
        LastUpdateTimestamp: s.lastUpdateTimestamp,
        // The one destination, unless the caller pages past it (ExclusiveStartDestinationId is exclusive).
        Destinations:
          input.ExclusiveStartDestinationId !== undefined && input.ExclusiveStartDestinationId >= DESTINATION_ID
            ? []
            : [{ DestinationId: DESTINATION_ID, S3DestinationDescription: plainView, ExtendedS3DestinationDescription: s.plainS3 ? undefined : d }],
        HasMoreDestinations: false,
      },
    };
  }

  listDeliveryStreams(input: Partial<ListDeliveryStreamsInput>): ListDeliveryStreamsOutput {
    const limit = input.Limit ?? 10;
    const v = new Violations();
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) v.add(limit, 'limit', 'have value between 1 and 10000');
    const type = input.DeliveryStreamType;
    if (type !== undefined && !STREAM_TYPES.includes(type)) v.add(type, 'deliveryStreamType', `satisfy enum value set: [${STREAM_TYPES.join(', ')}]`);
    v.throwIfAny();
    const names = this.store
      .listStreams()
      .filter((s) => input.DeliveryStreamType === undefined || s.type === input.DeliveryStreamType)
      .map((s) => s.name)
      .filter((n) => input.ExclusiveStartDeliveryStreamName === undefined || n > input.ExclusiveStartDeliveryStreamName);
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  }

  async deleteDeliveryStream(input: Partial<DeleteDeliveryStreamInput>): Promise<Record<string, never>> {
    const s = this.#get(input.DeliveryStreamName);
    if (s.status === 'CREATING') throw FirehoseErrors.inUse(`Firehose ${s.name} is still being created and cannot be deleted yet.`);
    this.engine.drop(s.name);
    await this.store.deleteStream(s.name);
    return {};
  }

  async updateDestination(input: Partial<UpdateDestinationInput>): Promise<Record<string, never>> {
    const s = this.#get(input.DeliveryStreamName);
    if (s.status !== 'ACTIVE') throw FirehoseErrors.inUse(`Firehose ${s.name} is not in the ACTIVE state.`);
    const version = input.CurrentDeliveryStreamVersionId;
    if (version === undefined || !/^[0-9]+$/.test(version) || version.length > 50) {
      const v = new Violations();
      v.add(version, 'currentDeliveryStreamVersionId', version === undefined ? 'not be null' : 'satisfy regular expression pattern: [0-9]+');
      v.throwIfAny();
    }
    if (input.CurrentDeliveryStreamVersionId !== String(s.versionId)) {
      throw FirehoseErrors.concurrentModification(String(s.versionId), input.CurrentDeliveryStreamVersionId ?? '');
    }
    if (input.DestinationId !== DESTINATION_ID) throw FirehoseErrors.invalidArgument(`Destination ${input.DestinationId ?? ''} not found.`);
    const updates = Object.entries(input).filter(([k, val]) => k.endsWith('DestinationUpdate') && val !== undefined);
    if (updates.length !== 1) throw FirehoseErrors.invalidArgument('Exactly one destination update is supported for a Firehose');
    const [kind] = updates[0]!;
    if (kind !== 'ExtendedS3DestinationUpdate' && kind !== 'S3DestinationUpdate') throw FirehoseErrors.notSupported(`Switching to ${kind}`);
    const update = input.ExtendedS3DestinationUpdate ?? input.S3DestinationUpdate!;
    validateDestination(update, kind === 'S3DestinationUpdate' ? 's3DestinationUpdate' : 'extendedS3DestinationUpdate', false);
    if ((update as ExtendedS3DestinationUpdate).DynamicPartitioningConfiguration?.Enabled === true) {
      throw FirehoseErrors.invalidArgument('Dynamic partitioning cannot be enabled on an existing Firehose.');
    }
    const merged = mergeDestination(s.destination, update);
    await this.#checkQueries(merged);
    if (JSON.stringify(merged) === JSON.stringify(s.destination)) return {};
    this.store.putStream({ ...s, destination: merged, versionId: s.versionId + 1, lastUpdateTimestamp: new Date(), plainS3: s.plainS3 && kind === 'S3DestinationUpdate' });
    await this.store.sync();
    return {};
  }

  /** MetadataExtractionQuery must be a jq program that compiles. */
  async #checkQueries(d: DeliveryStream['destination']): Promise<void> {
    for (const p of d.ProcessingConfiguration?.Processors ?? []) {
      if (p.Type !== 'MetadataExtraction') continue;
      const query = p.Parameters?.find((x) => x.ParameterName === 'MetadataExtractionQuery')?.ParameterValue ?? '';
      const error = await this.engine.jq.compileError(query);
      if (error !== undefined) throw FirehoseErrors.invalidArgument(`MetadataExtractionQuery is not a valid JQ-1.6 expression: ${error}`);
    }
  }

  async putRecord(input: { DeliveryStreamName?: string | undefined; Record?: { Data?: RecordData | undefined } | undefined }): Promise<PutRecordOutput> {
    const out = await this.#put(input.DeliveryStreamName, input.Record === undefined ? undefined : [input.Record], 'record');
    return { RecordId: out[0]!, Encrypted: false };
  }

  async putRecordBatch(input: PutRecordsInput): Promise<PutRecordBatchOutput> {
    const ids = await this.#put(input.DeliveryStreamName, input.Records, 'records');
    return { FailedPutCount: 0, Encrypted: false, RequestResponses: ids.map((RecordId) => ({ RecordId })) };
  }

  async #put(name: string | undefined, records: readonly { Data?: RecordData | undefined }[] | undefined, path: string): Promise<string[]> {
    const v = new Violations();
    this.#checkName(name, v);
    if (records === undefined) v.add(undefined, path, 'not be null');
    else if (path === 'records' && (records.length < 1 || records.length > MAX_BATCH_RECORDS)) {
      v.add(`[${records.length} records]`, path, `have length between 1 and ${MAX_BATCH_RECORDS}`);
    }
    (records ?? []).forEach((r, i) => {
      const at = path === 'record' ? 'record.data' : `records.${i + 1}.member.data`;
      if (r.Data === undefined) v.add(undefined, at, 'not be null');
      else if (r.Data.length > MAX_RECORD_BYTES) v.add(`[${r.Data.length} bytes]`, at, `have length less than or equal to ${MAX_RECORD_BYTES}`);
    });
    v.throwIfAny();
    const s = this.#get(name);
    if (s.status !== 'ACTIVE') throw FirehoseErrors.notActive(s.name, this.options.accountId);
    const data = records!.map((r) => r.Data!);
    const bytes = data.reduce((n, d) => n + d.length, 0);
    if (bytes > MAX_BATCH_BYTES) {
      throw FirehoseErrors.invalidArgument(`Records size exceeds ${MAX_BATCH_BYTES} bytes limit, size: ${bytes}`);
    }
    const labels = { delivery_stream: s.name };
    if (this.engine.bufferedBytes + bytes > this.options.bufferBudgetBytes) {
      this.metrics.throttledRecords.inc(labels, data.length);
      throw FirehoseErrors.serviceUnavailable('Slow down. The buffer of undelivered records is full; retry with backoff.');
    }
    const count = data.length;
    let batch;
    try {
      // Nothing below refers to `data`: the records' base64 strings are not kept alive while the append is fsynced.
      batch = await this.store.append(s.name, s.versionId, Date.now(), data);
    } catch (err) {
      if (!(err instanceof InvalidRecordData)) throw err;
      const at = path === 'record' ? 'record.data' : `records.${err.index + 1}.member.data`;
      throw new FirehoseError('SerializationException', `Value at '${at}' is not a valid base64 blob.`);
    }
    this.engine.enqueue(batch);
    this.metrics.incomingRecords.inc(labels, count);
    this.metrics.incomingBytes.inc(labels, bytes);
    this.metrics.incomingPutRequests.inc(labels);
    const base = batch.id.toString(16).padStart(12, '0');
    const suffix = s.createTimestamp.getTime().toString(16);
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) ids[i] = base + RECORD_INDEX_HEX[i]! + suffix;
    return ids;
  }

  async tagDeliveryStream(input: Partial<TagDeliveryStreamInput>): Promise<Record<string, never>> {
    const v = new Violations();
    this.#checkTags(input.Tags, v, 'tags');
    if ((input.Tags?.length ?? 0) < 1) v.add(input.Tags?.length ?? 0, 'tags', 'have length greater than or equal to 1');
    v.throwIfAny();
    const s = this.#get(input.DeliveryStreamName);
    const tags = new Map(s.tags.map((t) => [t.Key!, t]));
    for (const t of input.Tags!) tags.set(t.Key!, t);
    if (tags.size > 50) throw FirehoseErrors.limitExceeded('A Firehose can have at most 50 tags.');
    this.store.putStream({ ...s, tags: [...tags.values()] });
    await this.store.sync();
    return {};
  }

  async untagDeliveryStream(input: Partial<UntagDeliveryStreamInput>): Promise<Record<string, never>> {
    const s = this.#get(input.DeliveryStreamName);
    const drop = new Set(input.TagKeys ?? []);
    this.store.putStream({ ...s, tags: s.tags.filter((t) => !drop.has(t.Key!)) });
    await this.store.sync();
    return {};
  }

  listTagsForDeliveryStream(input: Partial<ListTagsForDeliveryStreamInput>): ListTagsForDeliveryStreamOutput {
    const s = this.#get(input.DeliveryStreamName);
    const limit = input.Limit ?? 50;
    const sorted = [...s.tags].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));
    const after = input.ExclusiveStartTagKey === undefined ? sorted : sorted.filter((t) => t.Key! > input.ExclusiveStartTagKey!);
    return { Tags: after.slice(0, limit), HasMoreTags: after.length > limit };
  }
}
