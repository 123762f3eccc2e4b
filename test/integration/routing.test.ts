import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hash } from '@smithy/hash-node';

const Sha256 = Hash.bind(null, 'sha256');
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

let server: LakeboxProcess;
beforeAll(async () => {
  server = await startLakebox();
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

async function jsonCall(target: string, body: object, secret = SECRET_ACCESS_KEY, service = 'firehose'): Promise<{ status: number; json: { __type?: string } }> {
  const url = new URL(server.endpoint);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: secret }, sha256: Sha256 });
  const text = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: text,
  });
  const res = await fetch(server.endpoint, { method: 'POST', headers: signed.headers, body: text });
  return { status: res.status, json: (await res.json()) as { __type?: string } };
}

describe('one port, routed by protocol', () => {
  it('routes X-Amz-Target requests to the JSON protocol and authenticates them', async () => {
    const ok = await jsonCall('Firehose_20150804.ListDeliveryStreams', {});
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ DeliveryStreamNames: [], HasMoreDeliveryStreams: false });
    const unknown = await jsonCall('Kinesis_20131202.ListStreams', {}, SECRET_ACCESS_KEY, 'kinesis');
    expect(unknown.status).toBe(400);
    expect(unknown.json.__type).toBe('UnknownOperationException');
    const unknownOp = await jsonCall('Firehose_20150804.StartDeliveryStreamEncryption', { DeliveryStreamName: 'x' });
    expect(unknownOp.status).toBe(400);
    expect(unknownOp.json.__type).toBe('UnknownOperationException');
    const bad = await jsonCall('Firehose_20150804.ListDeliveryStreams', {}, 'wrong-secret');
    expect(bad.status).toBe(403);
    expect(bad.json.__type).toBe('InvalidSignatureException');
    const unsigned = await fetch(server.endpoint, { method: 'POST', headers: { 'x-amz-target': 'Firehose_20150804.ListDeliveryStreams' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
  });

  it('answers S3 REST for everything else, with S3 XML errors', async () => {
    const res = await fetch(`${server.endpoint}/some-bucket/key`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const body = await res.text();
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code>/);
    expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
  });

  it('answers unsupported S3 sub-resources with NotImplemented rather than a wrong operation', async () => {
    const url = new URL(server.endpoint);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }, sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/some-bucket',
      query: { acl: '' },
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const res = await fetch(`${server.endpoint}/some-bucket?acl`, { headers: signed.headers });
    expect(res.status).toBe(501);
    expect(await res.text()).toContain('<Code>NotImplemented</Code>');
  });
});
