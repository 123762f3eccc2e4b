/** Functions (Lambda) through @aws-sdk/client-lambda against the real server: lifecycle, Node/Python invokes, errors, isolation, persistence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import yazl from 'yazl';
import { errorName } from '../helpers/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:';
const scratch = mkdtempSync(join(tmpdir(), 'lakebox-lambda-test-'));
const env = { LAKEBOX_FUNCTIONS_ASYNC_RETRY_DELAY_SECONDS: '0.2' };
let server: LakeboxProcess;
let lambda: LambdaClient;

beforeAll(async () => {
  server = await startLakebox({ env });
  lambda = new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  removeDir(scratch);
});

function zip(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) z.addBuffer(Buffer.from(text), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

async function create(name: string, files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}) {
  const ZipFile = await zip(files);
  const out = await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile }, ...extra }),
  );
  return { out, ZipFile };
}

async function waitFor(name: string, done: (c: { State?: string; LastUpdateStatus?: string }) => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    if (done(got.Configuration ?? {})) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never reached the expected state`);
}

async function invoke(name: string, payload?: unknown, extra: Record<string, unknown> = {}) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: payload === undefined ? undefined : Buffer.from(JSON.stringify(payload)), ...extra }),
  );
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString();
  return { out, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('functions through @aws-sdk/client-lambda', () => {
  it('creates a Node ESM function (Pending → Active), invokes it with log tail and returns configuration', async () => {
    const files = { 'index.mjs': 'let n = 0;\nexport const handler = async (event, context) => { console.log("event", JSON.stringify(event)); return { n: n++, event, id: context.awsRequestId, arn: context.invokedFunctionArn, fn: process.env.AWS_LAMBDA_FUNCTION_NAME, endpoint: process.env.AWS_ENDPOINT_URL, custom: process.env.CUSTOM }; };\n' };
    const { out, ZipFile } = await create('esm-fn', files, { Environment: { Variables: { CUSTOM: 'v1' } }, Tags: { team: 'lake' } });
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out).toMatchObject({ FunctionName: 'esm-fn', FunctionArn: `${ARN}esm-fn`, State: 'Pending', Timeout: 3, MemorySize: 128, Version: '$LATEST', PackageType: 'Zip' });
    expect(out.CodeSha256).toBe(createHash('sha256').update(ZipFile).digest('base64'));
    expect(out.CodeSize).toBe(ZipFile.length);
    expect(out.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(out.LastUpdateStatus).toBeUndefined();
    await waitFor('esm-fn', (c) => c.State === 'Active' && c.LastUpdateStatus === 'Successful');
    const active = await lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}esm-fn` }));
    expect(active.Configuration?.RevisionId).not.toBe(out.RevisionId);
    expect(active.Tags).toEqual({ team: 'lake' });
    const download = await fetch(active.Code!.Location!);
    expect(Buffer.from(await download.arrayBuffer()).equals(ZipFile)).toBe(true);

    const first = await invoke('esm-fn', { hello: 'world' }, { LogType: 'Tail' });
    expect(first.out.StatusCode).toBe(200);
    expect(first.out.ExecutedVersion).toBe('$LATEST');
    expect(first.out.FunctionError).toBeUndefined();
    expect(first.body).toMatchObject({ n: 0, event: { hello: 'world' }, arn: `${ARN}esm-fn`, fn: 'esm-fn', endpoint: server.endpoint, custom: 'v1' });
    expect(first.body?.id).toBe(first.out.$metadata.requestId);
    const log = Buffer.from(first.out.LogResult ?? '', 'base64').toString();
    expect(log).toContain(`START RequestId: ${String(first.body?.id)} Version: $LATEST`);
    expect(log).toContain(`\t${String(first.body?.id)}\tINFO\tevent {"hello":"world"}`);
    expect(log).toMatch(/END RequestId: .*\nREPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t/);
    const second = await invoke('esm-fn', undefined, { Qualifier: '$LATEST' });
    expect(second.body).toMatchObject({ n: 1, event: {}, arn: `${ARN}esm-fn:$LATEST` });
  });

  it('runs CommonJS callback handlers and Python handlers', async () => {
    await create('cjs-fn', { 'lib/app.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { sum: event.a + event.b, mem: context.memoryLimitInMB }), 5); };' }, { Handler: 'lib/app.handler', MemorySize: 256 });
    expect((await invoke('cjs-fn', { a: 2, b: 3 })).body).toEqual({ sum: 5, mem: '256' });
    await create('py-fn', { 'app.py': 'import os\ndef handler(event, context):\n    return {"echo": event, "name": context.function_name, "region": os.environ["AWS_REGION"]}\n' }, { Runtime: 'python3.12', Handler: 'app.handler' });
    expect((await invoke('py-fn', [1, 'two'])).body).toEqual({ echo: [1, 'two'], name: 'py-fn', region: 'us-east-1' });
  });

  it('lets functions call Lakebox with the AWS SDK (ESM bare import, AWS_ENDPOINT_URL, root credentials)', async () => {
    const code = 'import { S3Client, CreateBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";\nconst s3 = new S3Client({ forcePathStyle: true });\nexport const handler = async (e) => { await s3.send(new CreateBucketCommand({ Bucket: e.bucket })); const out = await s3.send(new ListBucketsCommand({})); return out.Buckets.map((b) => b.Name); };';
    await create('sdk-fn', { 'index.mjs': code }, { Timeout: 30 });
    const out = await invoke('sdk-fn', { bucket: 'made-by-a-function' });
    expect(out.out.FunctionError, out.text).toBeUndefined();
    expect(out.body).toContain('made-by-a-function');
  });

  it('returns function errors with X-Amz-Function-Error and the runtime error shapes', async () => {
    await create('node-err', { 'index.js': 'exports.handler = async () => { throw new RangeError("too far"); };' });
    const node = await invoke('node-err', {});
    expect(node.out.StatusCode).toBe(200);
    expect(node.out.FunctionError).toBe('Unhandled');
    expect(Object.keys(node.body ?? {})).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(node.body).toMatchObject({ errorType: 'RangeError', errorMessage: 'too far' });
    await create('py-err', { 'h.py': 'def handler(event, context):\n    raise Exception("Handler fails")\n' }, { Runtime: 'python3.11', Handler: 'h.handler' });
    const py = await invoke('py-err', {});
    expect(py.out.FunctionError).toBe('Unhandled');
    expect(py.body).toMatchObject({ errorMessage: 'Handler fails', errorType: 'Exception', requestId: py.out.$metadata.requestId });
    expect(String((py.body?.stackTrace as string[])[0])).toContain('raise Exception("Handler fails")');
  });

  it('kills a function at its timeout and survives crashes; the next invocation gets a fresh worker', async () => {
    await create('unstable', { 'index.js': 'exports.handler = async (e) => { if (e.hang) await new Promise((r) => setTimeout(r, 5000)); if (e.exit) process.exit(2); return "alive"; };' }, { Timeout: 1 });
    const timedOut = await invoke('unstable', { hang: true });
    expect(timedOut.out.FunctionError).toBe('Unhandled');
    expect(timedOut.body).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${String(timedOut.out.$metadata.requestId)} Error: Task timed out after 1.00 seconds` });
    expect((await invoke('unstable', {})).body).toBe('alive');
    const crashed = await invoke('unstable', { exit: true });
    expect(crashed.body).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('exit status 2') as unknown });
    expect((await invoke('unstable', {})).body).toBe('alive');
    expect((await fetch(`${server.endpoint}/_lakebox/health`)).status).toBe(200);
  });

  it('handles DryRun, Event (async, with retries), empty and invalid payloads', async () => {
    await create('writer', { 'index.js': 'const fs = require("fs");\nexports.handler = async (e) => { fs.appendFileSync(e.file, "x"); if (e.fail) throw new Error("again"); return "written"; };' });
    const dry = await invoke('writer', { file: join(scratch, 'never') }, { InvocationType: 'DryRun' });
    expect(dry.out.StatusCode).toBe(204);
    const okFile = join(scratch, 'ok');
    const failFile = join(scratch, 'fail');
    const ev = await invoke('writer', { file: okFile }, { InvocationType: 'Event' });
    expect(ev.out.StatusCode).toBe(202);
    expect(ev.text).toBe('');
    await invoke('writer', { file: failFile, fail: true }, { InvocationType: 'Event' });
    for (let i = 0; i < 60 && !(existsSync(okFile) && existsSync(failFile) && readFileSync(failFile, 'utf8').length >= 3); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readFileSync(okFile, 'utf8')).toBe('x');
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(failFile, 'utf8')).toBe('xxx');
    expect(existsSync(join(scratch, 'never'))).toBe(false);

    await create('echo', { 'index.js': 'exports.handler = async (e) => e;' });
    expect((await invoke('echo')).body).toEqual({});
    expect((await invoke('echo', 'just a string')).body).toBe('just a string');
    const bad = lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') }));
    expect(await errorName(bad)).toBe('InvalidRequestContentException');
  });

  it('honours an event invoke config: MaximumRetryAttempts for failing events; destinations are refused', async () => {
    await create('retry-limited', { 'index.js': 'const fs = require("fs");\nexports.handler = async (e) => { fs.appendFileSync(e.file, "x"); throw new Error("always"); };' });
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 }));
    expect(put).toMatchObject({ FunctionArn: `${ARN}retry-limited:$LATEST`, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 });
    expect(put.LastModified).toBeInstanceOf(Date);
    const attempts = async (file: string): Promise<string> => {
      await invoke('retry-limited', { file }, { InvocationType: 'Event' });
      // The suite's retry delay is 0.2 s (0.4 s before a second retry): wait past both.
      await new Promise((r) => setTimeout(r, 1500));
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    expect(await attempts(join(scratch, 'no-retry'))).toBe('x');
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited', MaximumRetryAttempts: 1 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 });
    expect(await attempts(join(scratch, 'one-retry'))).toBe('xx');
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited' }))).MaximumRetryAttempts).toBe(1);
    expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'retry-limited' }))).FunctionEventInvokeConfigs).toHaveLength(1);
    const destination = lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited', DestinationConfig: { OnFailure: { Destination: `${ARN}other` } } }),
    );
    expect(await errorName(destination)).toBe('InvalidParameterValueException');
    expect(await errorName(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited', MaximumRetryAttempts: 3 })))).toBe('ValidationException');
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited' }));
    expect(await errorName(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'retry-limited' })))).toBe('ResourceNotFoundException');
    // Without a config, AWS's two retries apply again.
    expect(await attempts(join(scratch, 'default-retries'))).toBe('xxx');
  });

  it('applies UpdateFunctionCode and UpdateFunctionConfiguration to new invocations', async () => {
    await create('evolving', { 'index.js': 'exports.handler = async () => ({ v: 1, mode: process.env.MODE });' }, { Environment: { Variables: { MODE: 'a' } } });
    expect((await invoke('evolving')).body).toEqual({ v: 1, mode: 'a' });
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'evolving', ZipFile: await zip({ 'index.js': 'exports.handler = async () => ({ v: 2, mode: process.env.MODE });' }) }));
    expect(updated.LastUpdateStatus).toBe('InProgress');
    await waitFor('evolving', (c) => c.LastUpdateStatus === 'Successful');
    expect((await invoke('evolving')).body).toEqual({ v: 2, mode: 'a' });
    const cfg = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'evolving', Environment: { Variables: { MODE: 'b' } }, Description: 'second' }));
    expect(cfg).toMatchObject({ Description: 'second', Environment: { Variables: { MODE: 'b' } }, Timeout: 3 });
    await waitFor('evolving', (c) => c.LastUpdateStatus === 'Successful');
    expect((await invoke('evolving')).body).toEqual({ v: 2, mode: 'b' });
  });

  it('lists 50 functions per page with NextMarker and no state fields; tags; delete', async () => {
    const ZipFile = await zip({ 'index.js': 'exports.handler = async () => 1;' });
    await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        lambda.send(new CreateFunctionCommand({ FunctionName: `page-${String(i).padStart(2, '0')}`, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile } })),
      ),
    );
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 100 }));
      expect((page.Functions ?? []).length).toBeLessThanOrEqual(50);
      for (const f of page.Functions ?? []) {
        names.push(f.FunctionName!);
        expect(f.State).toBeUndefined();
      }
      marker = page.NextMarker;
      pages++;
    } while (marker);
    expect(pages).toBe(2);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith('page-'))).toHaveLength(45);

    const arn = `${ARN}page-00`;
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { a: '1', b: '2' } }));
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['a'] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ b: '2' });

    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'page-00' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const err = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'page-00' })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect((err as Error).name).toBe('ResourceNotFoundException');
    expect((err as Error).message).toBe(`Function not found: ${ARN}page-00`);
    expect(await errorName(lambda.send(new InvokeCommand({ FunctionName: 'page-00' })))).toBe('ResourceNotFoundException');
  });

  it('rejects bad runtimes, roles and duplicate names with AWS error codes', async () => {
    const ZipFile = await zip({ 'index.js': '' });
    const base = { FunctionName: 'bad', Handler: 'index.handler', Role: ROLE, Code: { ZipFile } };
    expect(await errorName(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'java21' })))).toBe('InvalidParameterValueException');
    expect(await errorName(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'nodejs20.x', Role: 'r1' })))).toBe('ValidationException');
    expect(await errorName(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'nodejs20.x', Code: { ZipFile: Buffer.from('not a zip') } })))).toBe('InvalidParameterValueException');
    expect(await errorName(lambda.send(new CreateFunctionCommand({ ...base, FunctionName: 'echo', Runtime: 'nodejs20.x' })))).toBe('ResourceConflictException');
    expect(await errorName(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'nodejs20.x', Environment: { Variables: { AWS_REGION: 'x' } } })))).toBe('InvalidParameterValueException');
  });

  it('keeps functions and code across a restart', async () => {
    await server.stop();
    server = await startLakebox({ dataDir: server.dataDir, env });
    lambda = new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'evolving' }));
    expect(cfg).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', Description: 'second' });
    expect((await invoke('evolving')).body).toEqual({ v: 2, mode: 'b' });
    expect((await invoke('py-fn', { k: 1 })).body).toMatchObject({ echo: { k: 1 } });
  });

  it('runs accepted Event invocations after kill -9 and restart', async () => {
    await create('slow-writer', { 'index.js': 'const fs = require("fs");\nexports.handler = async (e) => { await new Promise((r) => setTimeout(r, 2500)); fs.appendFileSync(e.file, "done"); };' }, { Timeout: 10 });
    const file = join(scratch, 'after-crash');
    expect((await invoke('slow-writer', { file }, { InvocationType: 'Event' })).out.StatusCode).toBe(202);
    // Killed while the function still sleeps: the 202 was an acknowledgement, so the event must still run.
    await server.stop('SIGKILL');
    expect(existsSync(file)).toBe(false);
    server = await startLakebox({ dataDir: server.dataDir, env });
    lambda = new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
    // At least once, as AWS promises for async invocations (the killed server's worker is stopped with it).
    expect(existsSync(file), server.output.slice(-30).join('\n')).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^(done)+$/);
  });
});
