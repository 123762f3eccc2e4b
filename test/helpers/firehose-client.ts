/** Shared Firehose test helpers: SDK clients for a running server, create-and-wait, the signed admin flush, and reading delivered objects. */
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, FirehoseClient, type ExtendedS3DestinationConfiguration } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, type LakeboxProcess } from './lakebox-process.js';

export const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };

export interface FirehoseTestClients {
  readonly server: LakeboxProcess;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
}

export function firehoseClients(server: LakeboxProcess): FirehoseTestClients {
  return {
    server,
    firehose: new FirehoseClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
    s3: new S3Client({ endpoint: server.endpoint, region: 'us-east-1', credentials, forcePathStyle: true }),
  };
}

export const destination = (bucket: string, extra: Partial<ExtendedS3DestinationConfiguration> = {}): ExtendedS3DestinationConfiguration => ({
  RoleARN: 'arn:aws:iam::000000000000:role/firehose',
  BucketARN: `arn:aws:s3:::${bucket}`,
  ...extra,
});

export async function createActive(c: FirehoseTestClients, name: string, config: ExtendedS3DestinationConfiguration): Promise<void> {
  await c.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: config }));
  for (let i = 0; i < 100; i++) {
    const d = await c.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    if (d.DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never became ACTIVE`);
}

/** The authenticated admin flush call (what `lakebox firehose flush` sends); returns the HTTP status. */
export async function flushStream(c: FirehoseTestClients, stream: string): Promise<number> {
  const url = new URL(c.server.endpoint);
  const signer = new SignatureV4({ service: 'lakebox', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/_lakebox/firehose/flush', query: { stream }, headers: { host: url.host } });
  const res = await fetch(`${c.server.endpoint}/_lakebox/firehose/flush?stream=${stream}`, { method: 'POST', headers: signed.headers });
  await res.arrayBuffer();
  return res.status;
}

export interface DeliveredObject {
  readonly key: string;
  readonly body: Buffer;
  readonly encoding: string | undefined;
}

export async function listDelivered(c: FirehoseTestClients, bucket: string, prefix = ''): Promise<DeliveredObject[]> {
  const out: DeliveredObject[] = [];
  let token: string | undefined;
  do {
    const list = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of list.Contents ?? []) {
      const got = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      out.push({ key: o.Key!, body: Buffer.from(await got.Body!.transformToByteArray()), encoding: got.ContentEncoding });
    }
    token = list.NextContinuationToken;
  } while (token);
  return out;
}
