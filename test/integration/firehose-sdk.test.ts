import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  TagDeliveryStreamCommand,
  UpdateDestinationCommand,
  type ExtendedS3DestinationConfiguration,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { errorName } from '../helpers/errors.js';
import {
  createActive as createActiveStream,
  destination,
  firehoseClients,
  flushStream,
  listDelivered,
  type DeliveredObject,
  type FirehoseTestClients,
} from '../helpers/firehose-client.js';
import { removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

let server: LakeboxProcess;
let c: FirehoseTestClients;
let firehose: FirehoseClient;
let s3: S3Client;

function clients(): void {
  c = firehoseClients(server);
  firehose = c.firehose;
  s3 = c.s3;
}

beforeAll(async () => {
  server = await startLakebox();
  clients();
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const createActive = (name: string, config: ExtendedS3DestinationConfiguration): Promise<void> => createActiveStream(c, name, config);

async function flush(stream: string, expected = 200): Promise<void> {
  expect(await flushStream(c, stream)).toBe(expected);
}

const objects = (bucket: string, prefix = ''): Promise<DeliveredObject[]> => listDelivered(c, bucket, prefix);

describe('Firehose through @aws-sdk/client-firehose', () => {
  it('delivers JSON events as GZIP objects under an hourly dt= prefix, each record exactly once', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-gzip' }));
    await createActive(
      'events-gzip',
      destination('lake-gzip', {
        Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        CompressionFormat: 'GZIP',
        BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 900 },
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
      }),
    );
    const sent: string[] = [];
    for (let b = 0; b < 4; b++) {
      const Records = Array.from({ length: 500 }, (_, i) => {
        const line = JSON.stringify({ id: b * 500 + i, user: `u${i % 7}`, ts: Date.now() });
        sent.push(line);
        return { Data: Buffer.from(line) };
      });
      const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events-gzip', Records }));
      expect(out.FailedPutCount).toBe(0);
      expect(out.RequestResponses).toHaveLength(500);
      expect(new Set(out.RequestResponses!.map((r) => r.RecordId)).size).toBe(500);
    }
    const single = JSON.stringify({ id: 'single' });
    sent.push(single);
    expect((await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'events-gzip', Record: { Data: Buffer.from(single) } }))).RecordId).toBeTruthy();
    // The 900 s interval has not passed: nothing is delivered until the flush.
    expect(await objects('lake-gzip')).toEqual([]);
    await flush('events-gzip');
    const delivered = await objects('lake-gzip');
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    const now = new Date();
    const dt = now.toISOString().slice(0, 10);
    const lines: string[] = [];
    for (const o of delivered) {
      expect(o.key).toMatch(new RegExp(`^events/dt=${dt}/hour=\\d\\d/events-gzip-1-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d-[0-9a-f-]{36}\\.gz$`));
      expect(o.encoding).toBe('gzip');
      lines.push(...gunzipSync(o.body).toString('utf8').split('\n'));
    }
    expect(lines.sort()).toEqual([...sent].sort());
  });

  it('buffers by size and by interval without any flush', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-buffers' }));
    await createActive('by-size', destination('lake-buffers', { Prefix: 'size/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } }));
    await createActive('by-time', destination('lake-buffers', { Prefix: 'time/', BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 1 } }));
    const record = randomBytes(100_000);
    for (let i = 0; i < 25; i++) await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'by-size', Record: { Data: record } }));
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'by-time', Record: { Data: Buffer.from('tick') } }));
    const deadline = Date.now() + 10_000;
    let size: Awaited<ReturnType<typeof objects>> = [];
    let time: Awaited<ReturnType<typeof objects>> = [];
    while (Date.now() < deadline) {
      size = await objects('lake-buffers', 'size/');
      time = await objects('lake-buffers', 'time/');
      if (size.length >= 2 && time.length === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // 2.5 MB in 1 MiB buffers: at least two full objects delivered, the rest still buffered.
    expect(size.length).toBeGreaterThanOrEqual(2);
    for (const o of size) expect(o.body.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(time.map((o) => o.body.toString())).toEqual(['tick']);
    expect(time[0]!.key).toMatch(/^time\/\d{4}\/\d\d\/\d\d\/\d\d\/by-time-1-/);
  });

  it('keys tags given twice at creation by their last value, as TagDeliveryStream does', async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'tagged-twice',
        ExtendedS3DestinationConfiguration: destination('lake-tagged'),
        Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'b' }],
      }),
    );
    const tags = (await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: 'tagged-twice' }))).Tags;
    expect(tags).toEqual([{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'b' }]);
  });

  it('manages streams: list, describe defaults, tags, update with version checks, delete', async () => {
    await createActive('managed', destination('lake-managed'));
    const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'managed' }))).DeliveryStreamDescription!;
    const ext = d.Destinations![0]!.ExtendedS3DestinationDescription!;
    expect(d.Destinations![0]!.DestinationId).toBe('destinationId-000000000001');
    expect(ext.BufferingHints).toEqual({ SizeInMBs: 5, IntervalInSeconds: 300 });
    expect(ext.CompressionFormat).toBe('UNCOMPRESSED');
    expect(ext.EncryptionConfiguration).toEqual({ NoEncryptionConfig: 'NoEncryption' });
    expect(d.VersionId).toBe('1');
    expect(d.CreateTimestamp).toBeInstanceOf(Date);
    const list = await firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }));
    expect(list.DeliveryStreamNames).toContain('managed');
    await firehose.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'managed', Tags: [{ Key: 'team', Value: 'data' }] }));
    expect((await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: 'managed' }))).Tags).toEqual([{ Key: 'team', Value: 'data' }]);
    await firehose.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: 'managed',
        CurrentDeliveryStreamVersionId: '1',
        DestinationId: 'destinationId-000000000001',
        ExtendedS3DestinationUpdate: { CompressionFormat: 'GZIP' },
      }),
    );
    const after = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'managed' }))).DeliveryStreamDescription!;
    expect(after.VersionId).toBe('2');
    expect(after.Destinations![0]!.ExtendedS3DestinationDescription!.CompressionFormat).toBe('GZIP');
    expect(after.Destinations![0]!.ExtendedS3DestinationDescription!.BucketARN).toBe('arn:aws:s3:::lake-managed');
    const stale = firehose.send(
      new UpdateDestinationCommand({ DeliveryStreamName: 'managed', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { Prefix: 'x/' } }),
    );
    expect(await errorName(stale)).toBe('ConcurrentModificationException');
    await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'managed' }));
    expect(await errorName(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'managed' })))).toBe('ResourceNotFoundException');
  });

  it('rejects bad input with the AWS error codes', async () => {
    await createActive('strict', destination('lake-strict'));
    const put = (Records: { Data: Uint8Array }[], name = 'strict') => firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records }));
    expect(await errorName(put([{ Data: Buffer.alloc(1_024_001) }]))).toBe('ValidationException');
    expect(await errorName(put(Array.from({ length: 501 }, () => ({ Data: Buffer.from('x') }))))).toBe('ValidationException');
    expect(await errorName(put(Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000) }))))).toBe('InvalidArgumentException');
    expect(await errorName(put([{ Data: Buffer.from('x') }], 'no-such-stream'))).toBe('ResourceNotFoundException');
    const create = (config: ExtendedS3DestinationConfiguration, name = `bad-${randomBytes(3).toString('hex')}`) =>
      firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: config }));
    expect(await errorName(create(destination('b', { Prefix: 'dt=!{timestamp:yyyy}/' })))).toBe('InvalidArgumentException');
    expect(await errorName(create(destination('b', { Prefix: 'p/', ErrorOutputPrefix: 'errors/' })))).toBe('InvalidArgumentException');
    expect(await errorName(create(destination('b', { Prefix: 'x/!{nope:y}/', ErrorOutputPrefix: 'e/!{firehose:error-output-type}/' })))).toBe('InvalidArgumentException');
    expect(await errorName(create(destination('b', { BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 60 } })))).toBe('ValidationException');
    expect(await errorName(create(destination('b', { CompressionFormat: 'BROTLI' as never })))).toBe('ValidationException');
    expect(await errorName(create({ RoleARN: 'not-an-arn', BucketARN: 'arn:aws:s3:::b' }))).toBe('ValidationException');
    expect(await errorName(create(destination('b'), 'bad name!'))).toBe('ValidationException');
    expect(await errorName(create(destination('b'), 'strict'))).toBe('ResourceInUseException');
    // Settings Lakebox cannot honour yet are refused, never silently ignored.
    const kms = create(destination('b', { EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: 'arn:aws:kms:us-east-1:000000000000:key/k' } } }));
    expect(await errorName(kms)).toBe('InvalidArgumentException');
  });

  it('keeps records through failed deliveries and delivers them once the bucket exists', async () => {
    await createActive('late-bucket', destination('lake-late', { Prefix: 'l/', BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 }, CompressionFormat: 'GZIP', ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } }));
    const sent = Array.from({ length: 300 }, (_, i) => `late-${i}`);
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'late-bucket', Records: sent.map((l) => ({ Data: Buffer.from(l) })) }));
    await flush('late-bucket', 503);
    const metrics = await (await fetch(`${server.endpoint}/metrics`)).text();
    expect(metrics).toMatch(/lakebox_firehose_DeliveryToS3_Success\{delivery_stream="late-bucket"\} 0/);
    expect(metrics).toMatch(/lakebox_firehose_DeliveryToS3_Failures_total\{delivery_stream="late-bucket"\} [1-9]/);
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-late' }));
    // The failed attempt set a retry backoff; an explicit flush delivers now.
    await flush('late-bucket');
    const delivered = await objects('lake-late');
    expect(delivered).toHaveLength(1);
    expect(gunzipSync(delivered[0]!.body).toString('utf8').split('\n').sort()).toEqual([...sent].sort());
  });

  it('delivers every acknowledged record exactly once after kill -9 and restart', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-crash' }));
    await createActive('crashy', destination('lake-crash', { Prefix: 'c/', BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 }, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } }));
    const sent: string[] = [];
    for (let b = 0; b < 6; b++) {
      const Records = Array.from({ length: 100 }, (_, i) => {
        const line = `record-${b}-${i}`;
        sent.push(line);
        return { Data: Buffer.from(line) };
      });
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'crashy', Records }));
    }
    await server.stop('SIGKILL');
    firehose.destroy();
    s3.destroy();
    server = await startLakebox({ dataDir: server.dataDir });
    clients();
    expect(await objects('lake-crash')).toEqual([]);
    await flush('crashy');
    // A second flush must not deliver anything again.
    await flush('crashy');
    const delivered = await objects('lake-crash');
    const lines = delivered.flatMap((o) => o.body.toString('utf8').split('\n'));
    expect(lines.sort()).toEqual([...sent].sort());
    // Killed right after delivering: the delivered watermark keeps the rows from being delivered again.
    await server.stop('SIGKILL');
    firehose.destroy();
    s3.destroy();
    server = await startLakebox({ dataDir: server.dataDir });
    clients();
    await flush('crashy');
    expect((await objects('lake-crash')).map((o) => o.key)).toEqual(delivered.map((o) => o.key));
  });

  it('delivers every record exactly once after kill -9 when delivered intake segments have been reused', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-reuse' }));
    await createActive('reuse', destination('lake-reuse', { Prefix: 'r/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 }, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } }));
    const pad = 'x'.repeat(7_990);
    const sent: string[] = [];
    const put = async (b: number): Promise<void> => {
      const Records = Array.from({ length: 500 }, (_, i) => {
        const id = `${b}-${i}`;
        sent.push(id);
        return { Data: Buffer.from(`${id} ${pad}`) };
      });
      const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'reuse', Records }));
      expect(out.FailedPutCount).toBe(0);
    };
    // ~4 MB a call: past three 64 MiB intake segments, the first of them delivered and kept as the next one's file.
    const spare = join(server.dataDir, 'firehose', 'intake', 's-reuse', 'spare.log');
    let b = 0;
    let reused = false;
    for (; b < 120 && !reused; b++) {
      await put(b);
      if (existsSync(spare)) reused = true;
    }
    expect(reused).toBe(true);
    for (const stop = b + 20; b < stop; b++) await put(b);
    await server.stop('SIGKILL');
    firehose.destroy();
    s3.destroy();
    server = await startLakebox({ dataDir: server.dataDir });
    clients();
    await flush('reuse');
    const counts = new Map<string, number>();
    for (const o of await objects('lake-reuse')) {
      for (const line of o.body.toString('utf8').split('\n')) {
        if (line === '') continue;
        const id = line.slice(0, line.indexOf(' '));
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(sent.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(sent.every((id) => counts.has(id))).toBe(true);
  }, 120_000);
});
