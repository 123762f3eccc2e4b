// Lakebox Node.js function runtime: loads the handler like AWS's runtime interface client and serves invocations over fds 3 (in) and 4 (out).
import { createRequire, register } from 'node:module';
import { existsSync, readFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const env = process.env;
const taskRoot = env.LAKEBOX_TASK_ROOT ?? env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerString = env._HANDLER ?? '';

// --- control channel -------------------------------------------------------------------------
const input = new Socket({ fd: 3, readable: true, writable: false });
const output = new Socket({ fd: 4, readable: false, writable: true });
output.unref();
output.on('error', () => process.exit(1));
input.on('error', () => process.exit(1));
input.on('end', () => process.exit(0));

function send(message) {
  return new Promise((resolve) => output.write(`${JSON.stringify(message)}\n`, () => resolve()));
}

// --- logging (RIC text format: <ts>\t<requestId>\t<LEVEL>\t<message>) --------------------------
let currentRequestId;
function logLine(level, args) {
  const text = format(...args).replace(/\n/g, '\r');
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}\n`);
}
console.log = (...a) => logLine('INFO', a);
console.info = (...a) => logLine('INFO', a);
console.warn = (...a) => logLine('WARN', a);
console.error = (...a) => logLine('ERROR', a);
console.debug = (...a) => logLine('DEBUG', a);
console.trace = (...a) => logLine('TRACE', a);

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};

// --- errors (Errors.toRapidResponse) -----------------------------------------------------------
function isError(e) {
  return e instanceof Error || (typeof e === 'object' && e !== null && typeof e.message === 'string' && typeof e.name === 'string');
}
function toRapid(e) {
  try {
    if (isError(e)) {
      return { errorType: e.name, errorMessage: e.message, trace: typeof e.stack === 'string' ? e.stack.split('\n') : [] };
    }
    return { errorType: typeof e, errorMessage: String(e), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}
function runtimeError(type, message, cause) {
  const err = new Error(message);
  err.name = type;
  if (cause?.stack) err.stack = `${type}: ${message}\n${String(cause.stack).split('\n').slice(1).join('\n')}`;
  return err;
}

// --- handler resolution (UserFunction.js) --------------------------------------------------------
const typeModuleCache = new Map();
function packageJsonTypeModule(dir) {
  const start = dir;
  for (;;) {
    if (typeModuleCache.has(dir)) return typeModuleCache.get(dir);
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      let isModule;
      try {
        isModule = JSON.parse(readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        isModule = false;
      }
      typeModuleCache.set(start, isModule);
      return isModule;
    }
    const parent = path.dirname(dir);
    if (parent === dir || dir.endsWith(`${path.sep}node_modules`)) return false;
    dir = parent;
  }
}
const tryRequire = (file) => (existsSync(file) ? require(file) : undefined);
const tryImport = async (file) => (existsSync(file) ? import(pathToFileURL(file).href) : undefined);

async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const extensionless = tryRequire(base);
  if (extensionless) return extensionless;
  const typeModule = packageJsonTypeModule(path.dirname(base));
  if (!typeModule) {
    const cjs = tryRequire(`${base}.js`);
    if (cjs) return cjs;
  }
  const loaded = (typeModule && (await tryImport(`${base}.js`))) || (await tryImport(`${base}.mjs`)) || tryRequire(`${base}.cjs`);
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }));
}

async function loadHandler() {
  if (handlerString.includes('..')) {
    throw runtimeError('Runtime.MalformedHandlerName', `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const moduleRoot = path.dirname(handlerString);
  const rest = path.basename(handlerString);
  const dot = rest.indexOf('.');
  if (dot < 0) throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') throw runtimeError('Runtime.ImportModuleError', `${e.name}: ${e.message}`, e);
    throw e;
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) fn = fn?.[part];
  if (fn === undefined || fn === null) throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  // From nodejs24.x on, AWS's runtime refuses callback-style handlers (three parameters, not async) at init.
  const major = Number(/^AWS_Lambda_nodejs(\d+)\.x$/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 0);
  if (major >= 24 && fn.length >= 3 && fn.constructor?.name !== 'AsyncFunction') {
    throw runtimeError(
      'Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
  }
  return fn;
}

// --- invocations --------------------------------------------------------------------------------
let current;

async function complete(inv, ok, body, exit = false) {
  if (inv.done) return;
  inv.done = true;
  const marker = `\u0000lakebox-end:${inv.id}\u0000\n`;
  writeSync(1, marker);
  writeSync(2, marker);
  const mem = Math.round(process.memoryUsage().rss / 1048576);
  await send({ t: 'result', id: inv.id, ok, payload: body, mem, exit });
  if (current === inv) {
    current = undefined;
    currentRequestId = undefined;
    input.ref();
  }
}
function succeed(inv, result) {
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch {
    return fail(inv, new Error('Unable to stringify response body'));
  }
  return complete(inv, true, body);
}
function fail(inv, err, exit = false) {
  const rapid = toRapid(err);
  logLine('ERROR', [`Invoke Error \t${JSON.stringify({ errorType: rapid.errorType, errorMessage: rapid.errorMessage, stack: rapid.trace })}`]);
  return complete(inv, false, JSON.stringify(rapid), exit);
}

function makeContext(inv, msg) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: msg.clientContext === undefined ? undefined : JSON.parse(msg.clientContext),
    identity: undefined,
    invokedFunctionArn: msg.arn,
    awsRequestId: msg.id,
    getRemainingTimeInMillis: () => msg.deadline - Date.now(),
    succeed: (r) => void succeed(inv, r),
    fail: (e) => void fail(inv, e ?? new Error('handled')),
    done: (e, r) => void (e === undefined || e === null ? succeed(inv, r) : fail(inv, e)),
  };
}

let handlerPromise;
async function invoke(msg) {
  const inv = { id: msg.id, done: false, pendingCallback: undefined, promise: false };
  current = inv;
  currentRequestId = msg.id;
  let handler;
  try {
    handler = await handlerPromise;
  } catch (e) {
    await fail(inv, e);
    return;
  }
  input.unref();
  const context = makeContext(inv, msg);
  inv.context = context;
  let called = false;
  const callback = (err, result) => {
    if (called || inv.done) return;
    called = true;
    const settle = () => (err === undefined || err === null ? succeed(inv, result) : fail(inv, err));
    if (context.callbackWaitsForEmptyEventLoop) inv.pendingCallback = settle;
    else void settle();
  };
  try {
    const ret = handler(JSON.parse(msg.payload), context, callback);
    if (ret && typeof ret.then === 'function') {
      inv.promise = true;
      ret.then(
        (r) => void succeed(inv, r),
        (e) => void fail(inv, e),
      );
    }
  } catch (e) {
    await fail(inv, e);
  }
}

process.on('beforeExit', () => {
  const inv = current;
  if (inv === undefined || inv.done) return;
  if (inv.pendingCallback) return void inv.pendingCallback();
  if (inv.promise) {
    return void fail(
      inv,
      runtimeError(
        'Runtime.NodeJsExit',
        'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
      ),
    );
  }
  void succeed(inv, null);
});
process.on('uncaughtException', (e) => {
  const inv = current;
  if (inv && !inv.done) fail(inv, e, true).finally(() => process.exit(129));
  else {
    logLine('ERROR', ['Uncaught Exception \t', toRapid(e)]);
    process.exit(129);
  }
});
process.on('unhandledRejection', (reason) => {
  const err = runtimeError('Runtime.UnhandledPromiseRejection', isError(reason) ? `${reason.name}: ${reason.message}` : String(reason), reason);
  const inv = current;
  if (inv && !inv.done) fail(inv, err, true).finally(() => process.exit(128));
  else {
    logLine('ERROR', ['Unhandled Promise Rejection \t', toRapid(err)]);
    process.exit(128);
  }
});

// ES-module bare imports resolve against NODE_PATH too (as on Lambda), via a resolve hook.
const nodePath = (env.NODE_PATH ?? '').split(path.delimiter).filter((p) => p !== '');
if (nodePath.length > 0 && typeof register === 'function') {
  const parents = nodePath.map((p) => pathToFileURL(path.join(p, '..', 'lakebox-resolve.js')).href);
  const hook = `const parents = ${JSON.stringify(parents)};
export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || /^(\\.|\\/|[a-z]+:)/.test(specifier)) throw e;
    for (const parentURL of parents) { try { return await next(specifier, { ...context, parentURL }); } catch {} }
    throw e;
  }
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

// Die with the server even when user code blocks the event loop: a watchdog thread polls the parent pid.
const watchdog = new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
  { eval: true, workerData: process.ppid, stdout: true, stderr: true },
);
watchdog.unref();

// --- main loop ----------------------------------------------------------------------------------
const started = Date.now();
handlerPromise = loadHandler();
handlerPromise.then(
  () => void send({ t: 'ready', initMs: Date.now() - started }),
  () => void send({ t: 'ready', initMs: Date.now() - started, initError: true }),
);
let buffered = '';
input.setEncoding('utf8');
input.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line !== '') void invoke(JSON.parse(line));
  }
});
