import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type ExtendedS3DestinationConfiguration, type Processor } from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { errorName } from '../helpers/errors.js';
import { createActive, destination, firehoseClients, flushStream, listDelivered, type FirehoseTestClients } from '../helpers/firehose-client.js';
import { removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

let server: LakeboxProcess;
let c: FirehoseTestClients;

beforeAll(async () => {
  server = await startLakebox();
  c = firehoseClients(server);
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const extraction = (query: string): Processor => ({
  Type: 'MetadataExtraction',
  Parameters: [
    { ParameterName: 'MetadataExtractionQuery', ParameterValue: query },
    { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
  ],
});
const appendDelimiter: Processor = { Type: 'AppendDelimiterToRecord' };
const deaggregation = (type: 'JSON' | 'DELIMITED', delimiter?: string): Processor => ({
  Type: 'RecordDeAggregation',
  Parameters: [
    { ParameterName: 'SubRecordType', ParameterValue: type },
    ...(delimiter === undefined ? [] : [{ ParameterName: 'Delimiter' as const, ParameterValue: Buffer.from(delimiter).toString('base64') }]),
  ],
});

function partitioned(bucket: string, processors: Processor[], extra: Partial<ExtendedS3DestinationConfiguration> = {}): ExtendedS3DestinationConfiguration {
  return destination(bucket, {
    Prefix: 'events/customer=!{partitionKeyFromQuery:customer}/dt=!{timestamp:yyyy-MM-dd-HH}/',
    ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
    BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
    DynamicPartitioningConfiguration: { Enabled: true },
    ProcessingConfiguration: { Enabled: true, Processors: processors },
    ...extra,
  });
}

async function put(stream: string, records: (string | Buffer)[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const out = await c.firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records.slice(i, i + 500).map((r) => ({ Data: Buffer.from(r) })) }),
    );
    expect(out.FailedPutCount).toBe(0);
  }
}

const hour = (d: Date): string => d.toISOString().slice(0, 13).replace('T', '-');

describe('Firehose dynamic partitioning, de-aggregation, error output and backup', () => {
  it('partitions JSON events by a jq key into per-customer GZIP objects and sends bad records to metadata-extraction-failed', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-dp' }));
    await createActive(c, 'dp-jq', partitioned('lake-dp', [extraction('{customer: .customer_id}'), appendDelimiter], { CompressionFormat: 'GZIP' }));
    const before = new Date();
    const good = Array.from({ length: 400 }, (_, i) => JSON.stringify({ customer_id: `c${i % 5}`, seq: i, note: 'x'.repeat(i % 40) }));
    const bad = ['not json at all', '{"customer_id": null, "seq": -1}', '{"seq": -2}', '[1,2,3]'];
    await put('dp-jq', [...good.slice(0, 200), ...bad, ...good.slice(200)]);
    // Buffering floors are 64 MiB / 60 s, so nothing is delivered until a flush.
    expect(await listDelivered(c, 'lake-dp')).toHaveLength(0);
    expect(await flushStream(c, 'dp-jq')).toBe(200);
    const objects = await listDelivered(c, 'lake-dp');
    const main = objects.filter((o) => o.key.startsWith('events/'));
    expect(new Set(main.map((o) => o.key.split('/')[1])).size).toBe(5);
    const seen = new Map<number, string>();
    for (const o of main) {
      const m = /^events\/customer=(c\d)\/dt=(\d{4}-\d{2}-\d{2}-\d{2})\/dp-jq-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.gz$/.exec(o.key);
      expect(m, o.key).not.toBeNull();
      expect([hour(before), hour(new Date())]).toContain(m![2]);
      expect(o.encoding).toBe('gzip');
      for (const line of gunzipSync(o.body).toString('utf8').split('\n')) {
        const event = JSON.parse(line) as { customer_id: string; seq: number };
        expect(event.customer_id).toBe(m![1]);
        expect(seen.has(event.seq)).toBe(false);
        seen.set(event.seq, line);
      }
    }
    expect([...seen.values()].sort()).toEqual([...good].sort());
    const errors = objects.filter((o) => o.key.startsWith('errors/'));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.key).toMatch(/^errors\/metadata-extraction-failed\/dt=\d{4}-\d{2}-\d{2}\/dp-jq-1-.*\.gz$/);
    const docs = errors.flatMap((e) =>
      gunzipSync(e.body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    expect(docs.map((d) => Buffer.from(d.rawData as string, 'base64').toString('utf8')).sort()).toEqual([...bad].sort());
    for (const d of docs) {
      expect(d.errorCode).toBe('DynamicPartitioning.MetadataExtractionFailed');
      expect(typeof d.errorMessage).toBe('string');
      expect(d.attemptsMade).toBe(1);
      expect(d.arrivalTimestamp).toBeGreaterThanOrEqual(before.getTime() - 1000);
      expect(d.attemptEndingTimestamp).toBeGreaterThanOrEqual(d.arrivalTimestamp as number);
    }
    expect(docs.find((d) => Buffer.from(d.rawData as string, 'base64').toString() === 'not json at all')?.errorMessage).toBe('Non JSON record provided');
    const metrics = await (await fetch(`${server.endpoint}/metrics`)).text();
    expect(metrics).toMatch(/lakebox_firehose_FailedMetadataExtraction_Records_total\{delivery_stream="dp-jq"\} 4/);
    expect(metrics).toMatch(/lakebox_firehose_DeliveryToS3_Records_total\{delivery_stream="dp-jq"\} 400/);
  });

  it('validates dynamic partitioning configurations as Firehose does', async () => {
    const create = (name: string, config: ExtendedS3DestinationConfiguration) =>
      c.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: config }));
    const query = extraction('{customer: .customer_id}');
    expect(await errorName(create('v1', partitioned('b', [extraction('{customer: .customer_id')])))).toBe('InvalidArgumentException');
    expect(await errorName(create('v2', partitioned('b', [query], { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 } })))).toBe('InvalidArgumentException');
    expect(await errorName(create('v3', partitioned('b', [query], { BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 0 } })))).toBe('InvalidArgumentException');
    expect(await errorName(create('v4', partitioned('b', [query], { ErrorOutputPrefix: undefined })))).toBe('InvalidArgumentException');
    expect(await errorName(create('v5', partitioned('b', [query], { DynamicPartitioningConfiguration: { Enabled: false } })))).toBe('InvalidArgumentException');
    expect(await errorName(create('v6', partitioned('b', [query], { Prefix: 'static/' })))).toBe('InvalidArgumentException');
    expect(await errorName(create('v7', partitioned('b', [{ Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{a:.a}' }] }])))).toBe(
      'InvalidArgumentException',
    );
    expect(await errorName(create('v8', partitioned('b', [deaggregation('DELIMITED')])))).toBe('InvalidArgumentException');
    expect(await errorName(create('v9', partitioned('b', [query, { Type: 'Nope' as never }])))).toBe('ValidationException'); // an enum violation (model constraint)
  });

  it('de-aggregates concatenated JSON before partitioning and keeps the source records in the S3 backup', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-deagg' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-backup' }));
    await createActive(
      c,
      'dp-deagg',
      partitioned('lake-deagg', [deaggregation('JSON'), extraction('{customer: .c}'), appendDelimiter], {
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/firehose', BucketARN: 'arn:aws:s3:::lake-backup', Prefix: 'source/', CompressionFormat: 'GZIP' },
      }),
    );
    const aggregated = Array.from({ length: 50 }, (_, i) => `{"c":"a","n":${i * 3}}{"c":"b","n":${i * 3 + 1}}\n{"c":"a","n":${i * 3 + 2}}`);
    await put('dp-deagg', aggregated);
    expect(await flushStream(c, 'dp-deagg')).toBe(200);
    const main = await listDelivered(c, 'lake-deagg', 'events/');
    const byCustomer = new Map<string, number[]>();
    for (const o of main) {
      const customer = /customer=(\w)/.exec(o.key)![1]!;
      for (const line of o.body.toString('utf8').split('\n')) {
        const e = JSON.parse(line) as { c: string; n: number };
        expect(e.c).toBe(customer);
        byCustomer.set(customer, [...(byCustomer.get(customer) ?? []), e.n]);
      }
    }
    expect(byCustomer.get('a')!.sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, n) => n).filter((n) => n % 3 !== 1));
    expect(byCustomer.get('b')!.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i * 3 + 1));
    const backup = await listDelivered(c, 'lake-backup');
    expect(backup.length).toBeGreaterThan(0);
    for (const o of backup) expect(o.key).toMatch(/^source\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/dp-deagg-1-.*\.gz$/);
    expect(backup.map((o) => gunzipSync(o.body).toString('utf8')).join('')).toBe(aggregated.join(''));
  });

  it('splits delimited sub-records without dynamic partitioning', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-delimited' }));
    await createActive(
      c,
      'delimited',
      destination('lake-delimited', { Prefix: 'lines/', ProcessingConfiguration: { Enabled: true, Processors: [deaggregation('DELIMITED', '####'), appendDelimiter] } }),
    );
    await put('delimited', ['a####b####c', 'd####', '####e']);
    expect(await flushStream(c, 'delimited')).toBe(200);
    const [o, ...rest] = await listDelivered(c, 'lake-delimited');
    expect(rest).toHaveLength(0);
    expect(o!.body.toString('utf8')).toBe('a\nb\nc\nd\ne');
  });

  it('sends records for partitions beyond the active-partition limit to activePartitionExceeded', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-many' }));
    await createActive(c, 'dp-many', partitioned('lake-many', [extraction('{customer: .k}')]));
    await put('dp-many', Array.from({ length: 510 }, (_, i) => JSON.stringify({ k: `k${i}` })));
    expect(await flushStream(c, 'dp-many')).toBe(200);
    const objects = await listDelivered(c, 'lake-many');
    const main = objects.filter((o) => o.key.startsWith('events/'));
    expect(main).toHaveLength(500);
    const errors = objects.filter((o) => o.key.startsWith('errors/activePartitionExceeded/'));
    const docs = errors.flatMap((e) => e.body.toString('utf8').trim().split('\n')).map((l) => JSON.parse(l) as { errorCode: string; rawData: string });
    expect(docs).toHaveLength(10);
    const delivered = new Set(main.map((o) => JSON.parse(o.body.toString('utf8')) as { k: string }).map((e) => e.k));
    for (const d of docs) expect(delivered.has((JSON.parse(Buffer.from(d.rawData, 'base64').toString()) as { k: string }).k)).toBe(false);
  });

  it('delivers every acknowledged record of a partitioned stream exactly once after kill -9 and restart', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-dp-crash' }));
    await createActive(c, 'dp-crash', partitioned('lake-dp-crash', [extraction('{customer: .c}'), appendDelimiter]));
    const sent = Array.from({ length: 1200 }, (_, i) => JSON.stringify({ c: `c${i % 7}`, i }));
    await put('dp-crash', sent);
    const restart = async (): Promise<void> => {
      await server.stop('SIGKILL');
      c.firehose.destroy();
      c.s3.destroy();
      server = await startLakebox({ dataDir: server.dataDir });
      c = firehoseClients(server);
    };
    await restart();
    expect(await listDelivered(c, 'lake-dp-crash')).toEqual([]);
    expect(await flushStream(c, 'dp-crash')).toBe(200);
    const delivered = await listDelivered(c, 'lake-dp-crash');
    expect(delivered).toHaveLength(7);
    expect(delivered.flatMap((o) => o.body.toString('utf8').split('\n')).sort()).toEqual([...sent].sort());
    await restart();
    expect(await flushStream(c, 'dp-crash')).toBe(200);
    expect((await listDelivered(c, 'lake-dp-crash')).map((o) => o.key)).toEqual(delivered.map((o) => o.key));
  });

  it('moves a partition that keeps failing past RetryOptions.DurationInSeconds to error output', async () => {
    await createActive(c, 'dp-retry', partitioned('lake-dp-retry', [extraction('{customer: .c}')], { DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 0 } } }));
    const sent = Array.from({ length: 30 }, (_, i) => JSON.stringify({ c: `c${i % 2}`, i }));
    await put('dp-retry', sent);
    // The bucket does not exist: the partitions fail and, with a zero retry duration, go to error output,
    // which keeps retrying until the bucket appears.
    expect(await flushStream(c, 'dp-retry')).toBe(503);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake-dp-retry' }));
    for (let i = 0; i < 5 && (await flushStream(c, 'dp-retry')) !== 200; i++) await new Promise((r) => setTimeout(r, 200));
    const objects = await listDelivered(c, 'lake-dp-retry');
    expect(objects.filter((o) => o.key.startsWith('events/'))).toHaveLength(0);
    const docs = objects.flatMap((o) => o.body.toString('utf8').trim().split('\n')).map((l) => JSON.parse(l) as { errorCode: string; rawData: string });
    for (const o of objects) expect(o.key).toMatch(/^errors\/S3DeliveryFailed\//);
    expect(docs.map((d) => Buffer.from(d.rawData, 'base64').toString()).sort()).toEqual([...sent].sort());
    expect(new Set(docs.map((d) => d.errorCode))).toEqual(new Set(['S3.DeliveryFailed']));
  });
});
