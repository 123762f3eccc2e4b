/** AWS Lambda REST-JSON protocol: maps method + path to a functions-service operation and serializes results and errors. */
import { AUTH_CODE_MAP } from '../aws-json/aws-json-protocol.js';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LambdaError, LambdaErrors } from '../../functions/errors.js';
import type { FunctionsService } from '../../functions/functions-service.js';
import { LIMITS } from '../../functions/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { AuthErrors } from '../sigv4/auth-errors.js';
import type { AuthContext } from '../sigv4/verifier.js';
import type { Logger } from 'pino';

export interface RestTarget {
  readonly rawPath: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

interface Route {
  readonly operation: string;
  readonly label: string | undefined;
  /** The label after a sub-resource (`…/policy/{StatementId}`). */
  readonly subLabel?: string | undefined;
}

function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const AUTH_CODES = AUTH_CODE_MAP;

const SUCCESS: Readonly<Record<string, number>> = { CreateFunction: 201, DeleteFunction: 204, TagResource: 204, UntagResource: 204, InvokeAsync: 202, AddPermission: 201, RemovePermission: 204, DeleteFunctionConcurrency: 204, DeleteFunctionEventInvokeConfig: 204 };
const CODE_PATH = /^\/_lakebox\/functions\/code\/([0-9a-f]{64})\.zip$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class LambdaRestProtocol {
  constructor(
    private readonly service: FunctionsService,
    private readonly logger?: Logger,
  ) {}

  /** The operation a request maps to ('Unknown' when none), without reading it. */
  operationOf(method: string, rawPath: string): string {
    return this.#route(method, rawPath)?.operation ?? 'Unknown';
  }

  #route(method: string, rawPath: string): Route | undefined {
    const parts = rawPath.split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const [version, collection, rawLabel, sub, rawSubLabel, ...rest] = parts;
    if (rest.length > 0 || rawLabel === '' || rawSubLabel === '') return undefined;
    const label = rawLabel === undefined ? undefined : decodeLabel(rawLabel);
    const base = `${method} ${version ?? ''}/${collection ?? ''}${label === undefined ? '' : '/{}'}${sub === undefined ? '' : `/${sub}`}`;
    // A last segment is a literal (`…/event-invoke-config/list`) or a label (`…/policy/{StatementId}`).
    const operation = rawSubLabel === undefined ? ROUTES[base] : (ROUTES[`${base}/${rawSubLabel}`] ?? ROUTES[`${base}/{}`]);
    if (operation === undefined) return undefined;
    return { operation, label, subLabel: rawSubLabel === undefined ? undefined : decodeLabel(rawSubLabel) };
  }

  /** Reads, authenticates and serves one Lambda API request; returns the HTTP status written. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: RestTarget,
    requestId: string,
    authenticate: (bodySha256: string) => Promise<AuthContext>,
  ): Promise<number> {
    let body: Buffer;
    try {
      body = await readBody(req);
      const sha = createHash('sha256').update(body).digest('hex');
      const auth = await authenticate(sha);
      if (/^[0-9a-f]{64}$/.test(auth.payloadHash) && auth.payloadHash !== sha) throw AuthErrors.contentSha256Mismatch(auth.payloadHash, sha);
    } catch (err) {
      return this.writeError(res, err, requestId);
    }
    const method = req.method ?? 'GET';
    try {
      const route = this.#route(method, url.rawPath);
      if (!route) throw LambdaErrors.unknownOperation(method, url.rawPath);
      const query = (name: string): string | undefined => url.query.find(([k]) => k === name)?.[1];
      if (route.operation === 'Invoke' || route.operation === 'InvokeAsync') return await this.#invoke(req, res, route, body, query('Qualifier'));
      let input: Record<string, unknown> = {};
      if (body.length > 0 && (method === 'POST' || method === 'PUT')) {
        try {
          input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch (err) {
          throw LambdaErrors.invalidContent(`Could not parse request body into json: ${(err as Error).message}`);
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw LambdaErrors.invalidContent('Request body must be a JSON object.');
      }
      const s = this.service;
      const withName = { ...input, FunctionName: route.label ?? input.FunctionName, Qualifier: query('Qualifier') };
      let output: unknown;
      const named = BY_NAME[route.operation];
      if (named) output = await named(s, withName);
      else switch (route.operation) {
        case 'CreateFunction':
          output = await s.createFunction(input);
          break;
        case 'ListFunctions':
          output = s.listFunctions({ Marker: query('Marker'), MaxItems: query('MaxItems'), FunctionVersion: query('FunctionVersion') });
          break;
        case 'GetFunction':
          output = s.getFunction(withName, `http://${header(req, 'host') ?? 'localhost'}`);
          break;
        case 'GetFunctionConfiguration':
          output = s.getFunctionConfiguration(withName);
          break;
        case 'UpdateFunctionCode':
          output = await s.updateFunctionCode({ ...input, FunctionName: route.label });
          break;
        case 'UpdateFunctionConfiguration':
          output = await s.updateFunctionConfiguration({ ...input, FunctionName: route.label });
          break;
        case 'DeleteFunction':
          await s.deleteFunction(withName);
          break;
        case 'TagResource':
          await s.tagResource({ ...input, Resource: route.label });
          break;
        case 'UntagResource':
          await s.untagResource({ Resource: route.label, TagKeys: url.query.filter(([k]) => k === 'tagKeys').map(([, v]) => v) });
          break;
        case 'ListTags':
          output = s.listTags({ Resource: route.label });
          break;
        case 'RemovePermission':
          await s.settings.removePermission({ ...withName, StatementId: route.subLabel, RevisionId: query('RevisionId') });
          break;
        default:
          throw LambdaErrors.unknownOperation(method, url.rawPath);
      }
      const status = SUCCESS[route.operation] ?? 200;
      if (status === 204) return this.#write(res, 204, requestId, {}, undefined);
      return this.#write(res, status, requestId, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(output ?? {})));
    } catch (err) {
      return this.writeError(res, err, requestId);
    }
  }

  async #invoke(req: IncomingMessage, res: ServerResponse, route: Route, body: Buffer, qualifier: string | undefined): Promise<number> {
    const legacy = route.operation === 'InvokeAsync';
    const type = legacy ? 'Event' : (header(req, 'x-amz-invocation-type') ?? 'RequestResponse');
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw LambdaErrors.validation(type, 'invocationType', 'satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    const logType = header(req, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') throw LambdaErrors.validation(logType, 'logType', 'satisfy enum value set: [None, Tail]');
    if (legacy && body.length > 262_144) {
      throw LambdaErrors.tooLarge(`${body.length} byte payload is too large for the Event invocation type (limit 262144 bytes)`);
    }
    const clientContext = header(req, 'x-amz-client-context');
    const result = await this.service.invoke({
      functionName: route.label ?? '',
      ...(qualifier === undefined ? {} : { qualifier }),
      payload: body,
      invocationType: type,
      logType: type === 'RequestResponse' ? logType : 'None',
      ...(clientContext === undefined ? {} : { clientContext }),
    });
    if (legacy) return this.#write(res, 202, result.requestId, { 'Content-Type': 'application/json' }, Buffer.from('{"Status":202}'));
    if (result.statusCode !== 200) return this.#write(res, result.statusCode, result.requestId, {}, undefined);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (result.executedVersion !== undefined) headers['X-Amz-Executed-Version'] = result.executedVersion;
    if (result.functionError !== undefined) headers['X-Amz-Function-Error'] = result.functionError;
    if (result.logResult !== undefined) headers['X-Amz-Log-Result'] = result.logResult;
    return this.#write(res, 200, result.requestId, headers, result.payload);
  }

  /** True for GetFunction's Code.Location download path (authenticated by its token, not SigV4). */
  static isCodeDownload(method: string | undefined, rawPath: string): boolean {
    return (method === 'GET' || method === 'HEAD') && CODE_PATH.test(rawPath);
  }

  async codeDownload(req: IncomingMessage, res: ServerResponse, url: RestTarget, requestId: string): Promise<number> {
    req.resume();
    const id = CODE_PATH.exec(url.rawPath)?.[1] ?? '';
    const token = url.query.find(([k]) => k === 'token')?.[1] ?? '';
    const zip = await this.service.codeDownload(id, token);
    if (!zip) return this.#write(res, 403, requestId, { 'Content-Type': 'text/plain' }, Buffer.from('Access Denied'));
    return this.#write(res, 200, requestId, { 'Content-Type': 'application/zip' }, req.method === 'HEAD' ? undefined : zip, zip.length);
  }

  writeError(res: ServerResponse, err: unknown, requestId: string): number {
    let status: number;
    let code: string;
    let body: Record<string, unknown>;
    if (err instanceof LambdaError) {
      status = err.status;
      code = err.code;
      body = err.body();
    } else if (err instanceof ServiceError) {
      const mapped = AUTH_CODES[err.code];
      status = mapped?.status ?? 400;
      code = mapped?.code ?? err.code;
      body = { message: err.message };
    } else {
      this.logger?.error({ err, requestId }, 'functions request failed');
      status = 500;
      code = 'ServiceException';
      body = { Type: 'Service', Message: 'An internal error occurred.' };
    }
    if (res.headersSent) {
      res.destroy();
      return status;
    }
    return this.#write(res, status, requestId, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': code }, Buffer.from(JSON.stringify(body)));
  }

  #write(res: ServerResponse, status: number, requestId: string, headers: Record<string, string>, body: Buffer | undefined, length?: number): number {
    res.writeHead(status, { ...headers, 'Content-Length': String(length ?? body?.length ?? 0), 'x-amzn-RequestId': requestId });
    res.end(body);
    return status;
  }
}

/** Operations whose whole input is the body plus the FunctionName label (and Qualifier query). */
const BY_NAME: Readonly<Record<string, (s: FunctionsService, input: Record<string, unknown>) => unknown>> = {
  AddPermission: (s, i) => s.settings.addPermission(i),
  GetPolicy: (s, i) => s.settings.getPolicy(i),
  PutFunctionConcurrency: (s, i) => s.settings.putFunctionConcurrency(i),
  GetFunctionConcurrency: (s, i) => s.settings.getFunctionConcurrency(i),
  DeleteFunctionConcurrency: (s, i) => s.settings.deleteFunctionConcurrency(i),
  GetAccountSettings: (s) => s.settings.getAccountSettings(),
  PutFunctionEventInvokeConfig: (s, i) => s.settings.putEventInvokeConfig(i, false),
  UpdateFunctionEventInvokeConfig: (s, i) => s.settings.putEventInvokeConfig(i, true),
  GetFunctionEventInvokeConfig: (s, i) => s.settings.getEventInvokeConfig(i),
  DeleteFunctionEventInvokeConfig: (s, i) => s.settings.deleteEventInvokeConfig(i),
  ListFunctionEventInvokeConfigs: (s, i) => s.settings.listEventInvokeConfigs(i),
};

const ROUTES: Readonly<Record<string, string>> = {
  'POST 2015-03-31/functions': 'CreateFunction',
  'GET 2015-03-31/functions': 'ListFunctions',
  'GET 2015-03-31/functions/{}': 'GetFunction',
  'DELETE 2015-03-31/functions/{}': 'DeleteFunction',
  'GET 2015-03-31/functions/{}/configuration': 'GetFunctionConfiguration',
  'PUT 2015-03-31/functions/{}/configuration': 'UpdateFunctionConfiguration',
  'PUT 2015-03-31/functions/{}/code': 'UpdateFunctionCode',
  'POST 2015-03-31/functions/{}/invocations': 'Invoke',
  'POST 2014-11-13/functions/{}/invoke-async': 'InvokeAsync',
  'POST 2017-03-31/tags/{}': 'TagResource',
  'DELETE 2017-03-31/tags/{}': 'UntagResource',
  'GET 2017-03-31/tags/{}': 'ListTags',
  'POST 2015-03-31/functions/{}/policy': 'AddPermission',
  'GET 2015-03-31/functions/{}/policy': 'GetPolicy',
  'DELETE 2015-03-31/functions/{}/policy/{}': 'RemovePermission',
  'PUT 2017-10-31/functions/{}/concurrency': 'PutFunctionConcurrency',
  'GET 2019-09-30/functions/{}/concurrency': 'GetFunctionConcurrency',
  'DELETE 2017-10-31/functions/{}/concurrency': 'DeleteFunctionConcurrency',
  'GET 2016-08-19/account-settings': 'GetAccountSettings',
  'PUT 2019-09-25/functions/{}/event-invoke-config': 'PutFunctionEventInvokeConfig',
  'POST 2019-09-25/functions/{}/event-invoke-config': 'UpdateFunctionEventInvokeConfig',
  'GET 2019-09-25/functions/{}/event-invoke-config': 'GetFunctionEventInvokeConfig',
  'DELETE 2019-09-25/functions/{}/event-invoke-config': 'DeleteFunctionEventInvokeConfig',
  'GET 2019-09-25/functions/{}/event-invoke-config/list': 'ListFunctionEventInvokeConfigs',
};

/** Reads the request body, refusing anything over the CreateFunction request limit. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? 0);
  const tooLarge = (): LambdaError => LambdaErrors.tooLarge(`Request must be smaller than ${LIMITS.createRequestBytes} bytes for the CreateFunction operation`);
  if (declared > LIMITS.createRequestBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > LIMITS.createRequestBytes) throw tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
