/** In-process tests of FunctionsService.invoke, the entry point Firehose uses: ARN forms, result shape, tail logs, typed errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaError } from './errors.js';
import { FunctionsModule } from './functions-module.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lakebox-functions-'));
const module = new FunctionsModule(
  {
    dataDir,
    fsync: false,
    region: 'us-east-1',
    accountId: '000000000000',
    accessKeyId: 'k',
    secretAccessKey: 's',
    endpoint: () => 'http://127.0.0.1:1',
    maxConcurrency: 2,
    idleTtlSeconds: 60,
    asyncRetryDelaySeconds: 60,
  },
  pino({ level: 'silent' }),
);
const service = module.service;

function zipBase64(files: Record<string, string>): Promise<string> {
  const z = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) z.addBuffer(Buffer.from(text), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks).toString('base64')));
  });
}

async function thrown(p: Promise<unknown>): Promise<LambdaError | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err as LambdaError;
  }
}

beforeAll(async () => {
  await module.start();
  const ZipFile = await zipBase64({ 'index.js': 'exports.handler = async (e, ctx) => { console.log("records", e.records.length); return { records: e.records.map((r) => ({ ...r, result: "Ok" })), arn: ctx.invokedFunctionArn }; };' });
  await service.createFunction({ FunctionName: 'transform', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile } });
});
afterAll(async () => {
  await module.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('FunctionsService.invoke', () => {
  it('invokes by qualified ARN and returns status, version, payload, tail and request id', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:transform:$LATEST';
    const event = { records: [{ recordId: '1', data: 'eA==' }] };
    const out = await service.invoke({ functionName: arn, payload: Buffer.from(JSON.stringify(event)), invocationType: 'RequestResponse', logType: 'Tail' });
    expect(out.statusCode).toBe(200);
    expect(out.executedVersion).toBe('$LATEST');
    expect(out.functionError).toBeUndefined();
    expect(JSON.parse(out.payload.toString())).toEqual({ records: [{ recordId: '1', data: 'eA==', result: 'Ok' }], arn });
    expect(out.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const log = Buffer.from(out.logResult ?? '', 'base64').toString();
    expect(log).toContain(`START RequestId: ${out.requestId} Version: $LATEST`);
    expect(log).toContain(`\t${out.requestId}\tINFO\trecords 1`);
  });

  it('reports function errors in the payload, not as exceptions', async () => {
    const out = await service.invoke({ functionName: 'transform', payload: Buffer.from('{}'), invocationType: 'RequestResponse' });
    expect(out.statusCode).toBe(200);
    expect(out.functionError).toBe('Unhandled');
    expect(JSON.parse(out.payload.toString())).toMatchObject({ errorType: 'TypeError' });
    expect(out.logResult).toBeUndefined();
  });

  it('throws typed errors before execution', async () => {
    const missing = await thrown(service.invoke({ functionName: 'nope', payload: Buffer.alloc(0), invocationType: 'RequestResponse' }));
    expect(missing).toBeInstanceOf(LambdaError);
    expect(missing?.code).toBe('ResourceNotFoundException');
    expect(missing?.status).toBe(404);
    expect(missing?.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
    const qualified = await thrown(service.invoke({ functionName: 'transform', qualifier: '7', payload: Buffer.alloc(0), invocationType: 'RequestResponse' }));
    expect(qualified?.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:transform:7');
    const bad = await thrown(service.invoke({ functionName: 'transform', payload: Buffer.from('{x'), invocationType: 'RequestResponse' }));
    expect(bad?.code).toBe('InvalidRequestContentException');
    const big = await thrown(service.invoke({ functionName: 'transform', payload: Buffer.alloc(6_291_457, 0x20), invocationType: 'RequestResponse' }));
    expect(big?.code).toBe('RequestEntityTooLargeException');
    expect(big?.status).toBe(413);
  });

  it('answers DryRun with 204 and Event with 202', async () => {
    const dry = await service.invoke({ functionName: 'transform', payload: Buffer.alloc(0), invocationType: 'DryRun' });
    expect(dry).toMatchObject({ statusCode: 204 });
    expect(dry.payload.length).toBe(0);
    const ev = await service.invoke({ functionName: 'transform', payload: Buffer.from('{"records":[]}'), invocationType: 'Event' });
    expect(ev.statusCode).toBe(202);
  });
});
