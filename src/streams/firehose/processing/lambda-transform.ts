/** The Lambda processor: invokes the transform function with Firehose's event shape, validates its answer and retries as Firehose does. */
import { randomUUID } from 'node:crypto';
import type { LambdaPlan } from './pipeline-plan.js';

/** How the processor reaches the functions service (in-process; no HTTP). */
export interface FunctionInvoker {
  /** Synchronous (RequestResponse) invoke; throws an error with a `code` for pre-execution failures. */
  invoke(functionArn: string, payload: Buffer): Promise<{ functionError?: string | undefined; payload: Buffer }>;
}

export interface TransformInput {
  readonly data: Buffer;
  readonly arrival: number;
}

export type TransformOutcome =
  | { readonly result: 'Ok'; readonly data: Buffer; readonly partitionKeys: Readonly<Record<string, string>> | undefined }
  | { readonly result: 'Dropped' }
  | {
      readonly result: 'ProcessingFailed';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly attemptsMade: number;
      readonly attemptEndingTimestamp: number;
    };

export interface TransformContext {
  readonly streamArn: string;
  readonly region: string;
  readonly invoker: FunctionInvoker;
  readonly now?: () => number;
  /** Pause between attempts (ms); Firehose backs off between retries. */
  readonly retryDelayMs?: number;
}

class InvocationFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const FUNCTION_ERROR = 'The Lambda function was successfully invoked but it returned an error result.';

/** Maps a pre-execution failure of Invoke to Firehose's error code. */
function invokeErrorCode(err: unknown): InvocationFailure {
  const code = (err as { code?: string; name?: string }).code ?? (err as { name?: string }).name ?? '';
  const message = (err as Error).message ?? String(err);
  switch (code) {
    case 'ResourceNotFoundException':
      return new InvocationFailure('Lambda.ResourceNotFound', message);
    case 'TooManyRequestsException':
      return new InvocationFailure('Lambda.InvokeLimitExceeded', message);
    case 'AccessDeniedException':
      return new InvocationFailure('Lambda.InvokeAccessDenied', message);
    default:
      return new InvocationFailure('Lambda.FunctionError', message);
  }
}

interface ResponseRecord {
  recordId?: unknown;
  result?: unknown;
  data?: unknown;
  metadata?: { partitionKeys?: unknown };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseResponse(payload: Buffer, ids: readonly string[]): Map<string, TransformOutcome> {
  let body: { records?: unknown };
  try {
    body = JSON.parse(payload.toString('utf8')) as { records?: unknown };
  } catch (err) {
    throw new InvocationFailure('Lambda.JsonProcessingException', `The response of the Lambda function is not valid JSON: ${(err as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || !Array.isArray(body.records)) {
    throw new InvocationFailure('Lambda.JsonProcessingException', 'The response of the Lambda function has no records array.');
  }
  const expected = new Set(ids);
  const out = new Map<string, TransformOutcome>();
  for (const r of body.records as ResponseRecord[]) {
    if (r === null || typeof r !== 'object' || typeof r.recordId !== 'string' || !expected.has(r.recordId)) {
      throw new InvocationFailure('Lambda.MissingRecordId', 'The Lambda function returned a record id that was not in the request.');
    }
    if (out.has(r.recordId)) throw new InvocationFailure('Lambda.DuplicatedRecordId', `The Lambda function returned record id ${r.recordId} more than once.`);
    if (r.result === 'Dropped') out.set(r.recordId, { result: 'Dropped' });
    else if (r.result === 'ProcessingFailed') {
      out.set(r.recordId, {
        result: 'ProcessingFailed',
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptsMade: 0,
        attemptEndingTimestamp: 0,
      });
    } else if (r.result === 'Ok') {
      if (typeof r.data !== 'string' || r.data.length % 4 !== 0 || !BASE64.test(r.data)) {
        throw new InvocationFailure('Lambda.FunctionError', `The Lambda function returned invalid base64 data for record ${r.recordId}.`);
      }
      out.set(r.recordId, { result: 'Ok', data: Buffer.from(r.data, 'base64'), partitionKeys: partitionKeysOf(r) });
    } else {
      throw new InvocationFailure('Lambda.FunctionError', `The Lambda function returned an invalid result ${JSON.stringify(r.result)} for record ${r.recordId}.`);
    }
  }
  if (out.size !== expected.size) throw new InvocationFailure('Lambda.MissingRecordId', 'The Lambda function did not return every record id of the request.');
  return out;
}

function partitionKeysOf(r: ResponseRecord): Record<string, string> | undefined {
  const keys = r.metadata?.partitionKeys;
  if (keys === undefined || keys === null || typeof keys !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(keys as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Splits records into invocations of at most `bufferBytes` of data each (at least one record per invocation). */
function chunksOf(records: readonly TransformInput[], bufferBytes: number): TransformInput[][] {
  const chunks: TransformInput[][] = [];
  let current: TransformInput[] = [];
  let bytes = 0;
  for (const r of records) {
    if (current.length > 0 && bytes + r.data.length > bufferBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += r.data.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function invokeWithRetries(plan: LambdaPlan, ctx: TransformContext, chunk: readonly TransformInput[], offset: number): Promise<TransformOutcome[]> {
  const now = ctx.now ?? Date.now;
  const ids = chunk.map((_, i) => `${(offset + i).toString().padStart(10, '0')}${chunk[i]!.arrival.toString().padStart(16, '0')}`);
  let last: InvocationFailure = new InvocationFailure('Lambda.FunctionError', FUNCTION_ERROR);
  let attempts = 0;
  for (; attempts <= plan.retries; attempts++) {
    if (attempts > 0 && (ctx.retryDelayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, ctx.retryDelayMs));
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: ctx.streamArn,
      region: ctx.region,
      records: chunk.map((r, i) => ({ recordId: ids[i]!, approximateArrivalTimestamp: r.arrival, data: r.data.toString('base64') })),
    };
    try {
      let response;
      try {
        response = await ctx.invoker.invoke(plan.functionArn, Buffer.from(JSON.stringify(event)));
      } catch (err) {
        throw invokeErrorCode(err);
      }
      if (response.functionError !== undefined) throw new InvocationFailure('Lambda.FunctionError', FUNCTION_ERROR);
      const byId = parseResponse(response.payload, ids);
      const ended = now();
      return ids.map((id) => {
        const o = byId.get(id)!;
        return o.result === 'ProcessingFailed' ? { ...o, attemptsMade: attempts + 1, attemptEndingTimestamp: ended } : o;
      });
    } catch (err) {
      last = err instanceof InvocationFailure ? err : new InvocationFailure('Lambda.FunctionError', (err as Error).message);
    }
  }
  const ended = now();
  return chunk.map(() => ({ result: 'ProcessingFailed', errorCode: last.errorCode, errorMessage: last.message, attemptsMade: attempts, attemptEndingTimestamp: ended }));
}

/** Runs the records through the function; one outcome per record, in order. */
export async function transformRecords(plan: LambdaPlan, ctx: TransformContext, records: readonly TransformInput[]): Promise<TransformOutcome[]> {
  const out: TransformOutcome[] = [];
  let offset = 0;
  for (const chunk of chunksOf(records, plan.bufferBytes)) {
    out.push(...(await invokeWithRetries(plan, ctx, chunk, offset)));
    offset += chunk.length;
  }
  return out;
}
