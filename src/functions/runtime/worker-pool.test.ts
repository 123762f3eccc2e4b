/** Worker pool tests with real child processes: reuse keeps module state, timeouts kill, crashes recover, memory limits, queueing, handler styles. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpec } from './execution-environment.js';
import { WorkerPool } from './worker-pool.js';

const root = mkdtempSync(join(tmpdir(), 'lakebox-pool-'));
const pool = new WorkerPool({ maxPerFunction: 2, idleTtlMs: 60_000, tmpRoot: join(root, 'tmp'), logger: pino({ level: 'silent' }) });
let counter = 0;

afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

function codeDir(files: Record<string, string>): string {
  const dir = join(root, `code-${++counter}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function spec(name: string, family: 'node' | 'python', handler: string, dir: string, extra: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    functionName: name,
    family,
    codeDir: dir,
    memoryMb: 128,
    timeoutSec: 3,
    configKey: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', _HANDLER: handler, LAMBDA_TASK_ROOT: dir, AWS_LAMBDA_FUNCTION_NAME: name, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' },
    ...extra,
  };
}

let ids = 0;
async function run(s: EnvironmentSpec, event: unknown = {}) {
  const requestId = `req-${++ids}`;
  const out = await pool.invoke(s, { requestId, payload: JSON.stringify(event), invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${s.functionName}` });
  return { ...out, requestId, body: JSON.parse(out.payload.toString()) as Record<string, unknown> };
}

describe('node workers', () => {
  it('reuses a warm environment (module state survives) and captures console output', async () => {
    const s = spec('counter', 'node', 'index.handler', codeDir({ 'index.mjs': 'let n = 0;\nexport const handler = async (e, ctx) => { console.log("hit", n); return { n: n++, id: ctx.awsRequestId, mem: ctx.memoryLimitInMB, e }; };\n' }));
    const first = await run(s, { a: 1 });
    const second = await run(s);
    expect(first.body).toEqual({ n: 0, id: first.requestId, mem: '128', e: { a: 1 } });
    expect(second.body.n).toBe(1);
    expect(first.initDurationMs).toBeTypeOf('number');
    expect(second.initDurationMs).toBeUndefined();
    expect(second.logs.some((l) => l.includes(`\t${second.requestId}\tINFO\thit 1`))).toBe(true);
    expect(pool.size('counter')).toBe(1);
  });

  it('resolves CJS, nested paths and callback handlers, and reports handler errors in the AWS shape', async () => {
    const dir = codeDir({
      'lib/app.js': 'exports.obj = { fn: (e, c, cb) => { setTimeout(() => cb(null, "cb:" + e.x), 10); } };\nexports.bad = async () => { throw new TypeError("nope"); };\nexports.str = async () => { throw "plain"; };',
    });
    expect((await run(spec('cjs', 'node', 'lib/app.obj.fn', dir), { x: 7 })).body).toBe('cb:7');
    const err = await run(spec('cjs-bad', 'node', 'lib/app.bad', dir));
    expect(err.ok).toBe(false);
    expect(Object.keys(err.body)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(err.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'nope' });
    expect(await run(spec('cjs-str', 'node', 'lib/app.str', dir))).toMatchObject({ ok: false, body: { errorType: 'string', errorMessage: 'plain', trace: [] } });
    const missing = await run(spec('cjs-missing', 'node', 'lib/app.nothing', dir));
    expect(missing.body).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'lib/app.nothing is undefined or not exported' });
    const noModule = await run(spec('cjs-nomod', 'node', 'nope.handler', dir));
    expect(noModule.body.errorType).toBe('Runtime.ImportModuleError');
    expect((await run(spec('bad-name', 'node', 'index', dir))).body).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
  });

  it('kills a function that runs past its timeout and starts fresh next time', async () => {
    const dir = codeDir({ 'index.js': 'let n = 0;\nexports.handler = async (e) => { n++; if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return n; };' });
    const s = spec('slow', 'node', 'index.handler', dir, { timeoutSec: 1 });
    expect((await run(s)).body).toBe(1);
    const started = Date.now();
    const timedOut = await run(s, { hang: true });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(timedOut.ok).toBe(false);
    expect(timedOut.body).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds` });
    expect((await run(s)).body).toBe(1);
  });

  it('recovers from a process that exits or crashes mid-invocation', async () => {
    const dir = codeDir({ 'index.js': 'exports.handler = async (e) => { if (e.exit !== undefined) process.exit(e.exit); if (e.throwLater) setTimeout(() => { throw new Error("late"); }, 1); if (e.throwLater) await new Promise((r) => setTimeout(r, 100)); return "ok"; };' });
    const s = spec('crashy', 'node', 'index.handler', dir);
    expect((await run(s, { exit: 3 })).body).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('exit status 3') as unknown });
    expect((await run(s)).body).toBe('ok');
    expect((await run(s, { throwLater: true })).body).toMatchObject({ errorType: 'Error', errorMessage: 'late' });
    expect((await run(s)).body).toBe('ok');
  });

  it('enforces the memory size with a heap limit', async () => {
    const dir = codeDir({ 'index.js': 'const keep = [];\nexports.handler = async (e) => { if (e.grow) for (;;) keep.push(new Array(1e6).fill(Math.random())); return "small"; };' });
    const s = spec('hungry', 'node', 'index.handler', dir, { timeoutSec: 20 });
    const out = await run(s, { grow: true });
    expect(out.ok).toBe(false);
    expect(out.body.errorType).toBe('Runtime.OutOfMemory');
    expect((await run(s)).body).toBe('small');
  });

  it('queues invocations beyond the per-function cap', async () => {
    const dir = codeDir({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return process.pid; };' });
    const s = spec('capped', 'node', 'index.handler', dir);
    const results = await Promise.all([run(s), run(s), run(s), run(s)]);
    expect(new Set(results.map((r) => r.body)).size).toBe(2);
    expect(pool.size('capped')).toBe(2);
  });
});

describe('python workers', () => {
  it('runs a handler with a warm module, context and the AWS error shape', async () => {
    const dir = codeDir({
      'pkg/app.py': 'import logging\nn = 0\ndef handler(event, context):\n    global n\n    n += 1\n    print("count", n)\n    if event.get("fail"):\n        raise ValueError("Handler fails")\n    return {"n": n, "id": context.aws_request_id, "mem": context.memory_limit_in_mb, "left": context.get_remaining_time_in_millis() > 0}\n',
    });
    const s = spec('py', 'python', 'pkg/app.handler', dir);
    const first = await run(s);
    expect(first.body).toEqual({ n: 1, id: first.requestId, mem: '128', left: true });
    expect(first.logs).toContain('count 1');
    const failed = await run(s, { fail: true });
    expect(Object.keys(failed.body)).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    expect(failed.body).toMatchObject({ errorMessage: 'Handler fails', errorType: 'ValueError', requestId: failed.requestId });
    expect(String((failed.body.stackTrace as string[])[0])).toContain('app.py');
    expect((await run(s)).body.n).toBe(3);
  });

  it('reports import errors and enforces timeout and memory limits', async () => {
    const dir = codeDir({ 'f.py': 'import time\ndef handler(event, context):\n    if event.get("sleep"):\n        time.sleep(10)\n    if event.get("big"):\n        return len(bytearray(2048 * 1024 * 1024))\n    return "fine"\n' });
    expect((await run(spec('py-missing', 'python', 'nomodule.handler', dir))).body).toEqual({
      errorMessage: "Unable to import module 'nomodule': No module named 'nomodule'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
    const s = spec('py-limits', 'python', 'f.handler', dir, { timeoutSec: 1 });
    expect((await run(s, { sleep: true })).body.errorType).toBe('Sandbox.Timedout');
    expect((await run(s, { big: true })).body).toMatchObject({ errorType: 'MemoryError' });
    expect((await run(s)).body).toBe('fine');
  });
});

describe('node handler resolution', () => {
  it('imports .js as ESM under "type": "module", and loads .mjs and .cjs files', async () => {
    const dir = codeDir({
      'esm/package.json': '{"type":"module"}',
      'esm/app.js': 'export const handler = async () => typeof require;',
      'm/app.mjs': 'export default { nested: { fn: async () => import.meta.url.endsWith("app.mjs") } };',
      'c/app.cjs': 'module.exports.handler = async () => typeof require;',
    });
    expect((await run(spec('esm-js', 'node', 'esm/app.handler', dir))).body).toBe('undefined');
    expect((await run(spec('esm-mjs', 'node', 'm/app.default.nested.fn', dir))).body).toBe(true);
    expect((await run(spec('cjs-cjs', 'node', 'c/app.handler', dir))).body).toBe('function');
  });

  it('answers at once when callbackWaitsForEmptyEventLoop is false, and waits for the loop otherwise', async () => {
    const dir = codeDir({
      'index.js': 'exports.handler = (e, ctx, cb) => { ctx.callbackWaitsForEmptyEventLoop = !e.now; setTimeout(() => {}, 700); cb(null, "done"); };',
    });
    const started = Date.now();
    expect((await run(spec('cb-now', 'node', 'index.handler', dir), { now: true })).body).toBe('done');
    expect(Date.now() - started).toBeLessThan(600);
    const waited = Date.now();
    expect((await run(spec('cb-wait', 'node', 'index.handler', dir), { now: false })).body).toBe('done');
    expect(Date.now() - waited).toBeGreaterThanOrEqual(650);
  });

  it('reports syntax errors and rejections of non-Error values', async () => {
    const dir = codeDir({ 'broken.js': 'exports.handler = async () => {', 'rej.js': 'exports.handler = async () => { throw 42; };' });
    expect((await run(spec('syntax', 'node', 'broken.handler', dir))).body.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect((await run(spec('rej', 'node', 'rej.handler', dir))).body).toEqual({ errorType: 'number', errorMessage: '42', trace: [] });
  });
});
