/** The functions (Lambda) service: function lifecycle, code, tags and Invoke, independent of HTTP. */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { CodeStore } from './code-store.js';
import { codeId } from './code-store.js';
import { EventQueue, type EventJob } from './event-queue.js';
import { LambdaErrors } from './errors.js';
import { configFields, toConfiguration } from './function-config.js';
import { ConcurrencyGate } from './reserved-concurrency.js';
import { checkCodeStorage } from './account-settings.js';
import { FunctionSettings } from './function-settings.js';
import { functionArn, parseFunctionRef, qualifiedArn, type ArnContext, type FunctionRef } from './function-names.js';
import { LIMITS, lambdaTimestamp, type FunctionRecord, type InvokeRequest, type InvokeResult } from './model.js';
import type { EnvironmentSpec } from './runtime/execution-environment.js';
import { environmentSpec } from './runtime/environment-spec.js';
import type { WorkerPool } from './runtime/worker-pool.js';
import type { SqliteFunctionStore } from './sqlite-function-store.js';
import { parseClientContext, parsePayload, tail } from './invoke-payload.js';

export type { InvokeRequest, InvokeResult } from './model.js';

type Input = Readonly<Record<string, unknown>>;

export interface FunctionsServiceOptions extends ArnContext {
  /** Base URL of this server, given to functions as AWS_ENDPOINT_URL. */
  readonly endpoint: () => string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly asyncRetryDelayMs: number;
  /** Pending → Active and InProgress → Successful happen after this delay. */
  readonly transitionMs?: number;
}

const EMPTY = Buffer.alloc(0);

export class FunctionsService {
  readonly #gate = new ConcurrencyGate();
  /** Resource policies, reserved concurrency and account settings (AddPermission, PutFunctionConcurrency, …). */
  readonly settings: FunctionSettings;
  readonly #ctx: ArnContext;
  readonly #events: EventQueue;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: SqliteFunctionStore,
    private readonly code: CodeStore,
    private readonly pool: WorkerPool,
    private readonly options: FunctionsServiceOptions,
    private readonly logger: Logger,
  ) {
    this.#ctx = { region: options.region, accountId: options.accountId };
    this.settings = new FunctionSettings(store, this.#ctx, this.#gate, (name, qualifier, max) => {
      const ref = this.#ref(name, qualifier, max);
      return { ref, record: () => this.#record(ref) };
    });
    const policy = (job: EventJob): { maxRetries?: number | undefined; maxAgeMs?: number | undefined } => {
      const c = this.store.get(job.functionName)?.eventInvokeConfig;
      return { maxRetries: c?.maximumRetryAttempts, maxAgeMs: c?.maximumEventAgeInSeconds === undefined ? undefined : c.maximumEventAgeInSeconds * 1000 };
    };
    this.#events = new EventQueue((job, attempt) => this.#runEvent(job, attempt), { retryDelayMs: options.asyncRetryDelayMs, maxRetries: 2, policy }, logger, store);
  }

  /** Finishes state transitions interrupted by a restart and removes code nobody references. */
  async recover(): Promise<void> {
    for (const r of this.store.list()) {
      if (r.state === 'Pending' || r.lastUpdateStatus === 'InProgress') {
        await this.store.put({ ...r, state: 'Active', lastUpdateStatus: 'Successful', revisionId: randomUUID() });
      }
    }
    await this.code.collect(new Set(this.store.list().map((r) => r.codeSha256)));
    this.#events.resume();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    await this.#events.close();
    await this.pool.close();
  }

  // --- control plane ---------------------------------------------------------------------------

  async createFunction(input: Input): Promise<Record<string, unknown>> {
    const ref = this.#ref(input.FunctionName, undefined, 140, 'functionName');
    if (ref.qualifier !== undefined) throw LambdaErrors.validation(input.FunctionName, 'functionName', 'not include a qualifier');
    const fields = configFields(input, undefined);
    refusePublish(input);
    if (this.store.get(ref.name)) throw LambdaErrors.alreadyExists(ref.name);
    const zip = this.#zipOf(input.Code);
    checkCodeStorage(this.store.list(), zip.length);
    const stored = await this.code.put(zip);
    if (this.store.get(ref.name)) throw LambdaErrors.alreadyExists(ref.name);
    const record: FunctionRecord = {
      name: ref.name,
      runtime: fields.runtime!,
      role: fields.role!,
      handler: fields.handler!,
      description: fields.description ?? '',
      timeout: fields.timeout ?? 3,
      memorySize: fields.memorySize ?? 128,
      environment: fields.environment,
      codeSha256: stored.sha256,
      codeSize: stored.size,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      state: 'Pending',
      lastUpdateStatus: undefined,
      architectures: fields.architectures ?? ['x86_64'],
      ephemeralStorageMb: fields.ephemeralStorageMb ?? 512,
      tracingMode: fields.tracingMode ?? 'PassThrough',
      tags: this.#tagsOf(input.Tags),
      extra: fields.extra ?? {},
    };
    await this.store.put(record);
    this.#transition(record.name, record.revisionId);
    return toConfiguration(record, this.#ctx);
  }

  getFunction(input: Input, codeBaseUrl: string): Record<string, unknown> {
    const ref = this.#ref(input.FunctionName, input.Qualifier);
    const r = this.#record(ref);
    const out: Record<string, unknown> = {
      Configuration: this.#configuration(r, ref),
      Code: { RepositoryType: 'S3', Location: `${codeBaseUrl}${this.codeLocationPath(r.codeSha256)}` },
    };
    if (Object.keys(r.tags).length > 0) out.Tags = r.tags;
    if (r.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: r.reservedConcurrency };
    return out;
  }

  getFunctionConfiguration(input: Input): Record<string, unknown> {
    const ref = this.#ref(input.FunctionName, input.Qualifier);
    return this.#configuration(this.#record(ref), ref);
  }

  /** A request that names `$LATEST` explicitly gets the qualified FunctionArn back. */
  #configuration(r: FunctionRecord, ref: FunctionRef): Record<string, unknown> {
    const c = toConfiguration(r, this.#ctx);
    if (ref.qualifier !== undefined) c.FunctionArn = qualifiedArn(r.name, this.#ctx, ref.qualifier);
    return c;
  }

  listFunctions(input: Input): Record<string, unknown> {
    if (input.FunctionVersion !== undefined && input.FunctionVersion !== 'ALL') {
      throw LambdaErrors.validation(input.FunctionVersion, 'functionVersion', 'satisfy enum value set: [ALL]');
    }
    let max: number = LIMITS.listPage;
    if (input.MaxItems !== undefined) {
      const n = Number(input.MaxItems);
      if (!Number.isInteger(n) || n < 1 || n > 10000) throw LambdaErrors.validation(input.MaxItems, 'maxItems', 'have value between 1 and 10000');
      max = Math.min(n, LIMITS.listPage);
    }
    const after = typeof input.Marker === 'string' && input.Marker !== '' ? Buffer.from(input.Marker, 'base64url').toString('utf8') : '';
    const all = this.store.list().filter((r) => r.name > after);
    const page = all.slice(0, max);
    const out: Record<string, unknown> = { Functions: page.map((r) => toConfiguration(r, this.#ctx, true)) };
    if (all.length > max) out.NextMarker = Buffer.from(page[page.length - 1]!.name).toString('base64url');
    return out;
  }

  async updateFunctionCode(input: Input): Promise<Record<string, unknown>> {
    const r = this.#updatable(input);
    refusePublish(input);
    if (input.Architectures !== undefined) configFields({ Architectures: input.Architectures }, r);
    const zip = this.#zipOf(input);
    checkCodeStorage(this.store.list(), zip.length, r.name);
    const stored = await this.code.put(zip);
    if (input.DryRun === true) return toConfiguration({ ...r, codeSha256: stored.sha256, codeSize: stored.size }, this.#ctx);
    return this.#commitUpdate(this.#updatable(input), { codeSha256: stored.sha256, codeSize: stored.size });
  }

  async updateFunctionConfiguration(input: Input): Promise<Record<string, unknown>> {
    const r = this.#updatable(input);
    const fields = configFields(input, r);
    return this.#commitUpdate(r, fields);
  }

  async deleteFunction(input: Input): Promise<void> {
    const ref = this.#ref(input.FunctionName, input.Qualifier);
    const r = this.#record({ name: ref.name, qualifier: undefined });
    if (ref.qualifier === '$LATEST') throw LambdaErrors.invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (ref.qualifier !== undefined) throw LambdaErrors.functionNotFound(qualifiedArn(ref.name, this.#ctx, ref.qualifier));
    this.pool.kill(r.name);
    await this.store.delete(r.name);
    if (!this.store.list().some((o) => o.codeSha256 === r.codeSha256)) await this.code.remove(r.codeSha256);
  }

  async tagResource(input: Input): Promise<void> {
    const r = this.#resource(input.Resource);
    await this.store.put({ ...r, tags: { ...r.tags, ...this.#tagsOf(input.Tags) } });
  }

  async untagResource(input: Input): Promise<void> {
    const r = this.#resource(input.Resource);
    const keys = Array.isArray(input.TagKeys) ? (input.TagKeys as unknown[]).map(String) : [];
    const tags = Object.fromEntries(Object.entries(r.tags).filter(([k]) => !keys.includes(k)));
    await this.store.put({ ...r, tags });
  }

  listTags(input: Input): Record<string, unknown> {
    return { Tags: this.#resource(input.Resource).tags };
  }

  /** Path (under this server) where GetFunction's Code.Location serves the zip; the token is an HMAC with the root secret. */
  codeLocationPath(sha256: string): string {
    const id = codeId(sha256);
    return `/_lakebox/functions/code/${id}.zip?token=${this.#codeToken(id)}`;
  }

  /** The zip behind a Code.Location URL, or undefined when the id or token is wrong. */
  async codeDownload(id: string, token: string): Promise<Buffer | undefined> {
    const expected = Buffer.from(this.#codeToken(id));
    if (!/^[0-9a-f]{64}$/.test(id) || token.length !== expected.length || !timingSafeEqual(Buffer.from(token), expected)) return undefined;
    const r = this.store.list().find((f) => codeId(f.codeSha256) === id);
    return r ? this.code.readZip(r.codeSha256).catch(() => undefined) : undefined;
  }

  #codeToken(id: string): string {
    return createHmac('sha256', this.options.secretAccessKey).update(`lakebox-function-code:${id}`).digest('hex').slice(0, 32);
  }

  // --- Invoke --------------------------------------------------------------------------------------

  /** Invokes a function in-process (used by the REST protocol and by Firehose). Pre-execution failures throw LambdaErrors. */
  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const requestId = randomUUID();
    const ref = this.#ref(request.functionName, request.qualifier);
    let record = this.#record(ref);
    const type = request.invocationType;
    const limit = type === 'Event' ? LIMITS.eventPayloadBytes : LIMITS.syncPayloadBytes;
    if (request.payload.length > limit) {
      throw type === 'Event'
        ? LambdaErrors.tooLarge(`${request.payload.length} byte payload is too large for the Event invocation type (limit ${limit} bytes)`)
        : LambdaErrors.tooLarge(`Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    const payload = parsePayload(request.payload);
    const clientContext = request.clientContext === undefined || request.clientContext === '' ? undefined : parseClientContext(request.clientContext);
    record = await this.#whenActive(record);
    if (type === 'DryRun') return { statusCode: 204, payload: EMPTY, requestId };
    if (type === 'Event') {
      await this.#events.enqueue({ functionName: record.name, qualifier: ref.qualifier, payload, requestId, acceptedAt: Date.now() });
      return { statusCode: 202, payload: EMPTY, requestId };
    }
    const release = this.#gate.enter(record.name, record.reservedConcurrency);
    let run;
    try {
      run = await this.#execute(record, ref, payload, requestId, clientContext);
    } finally {
      release();
    }
    const result: InvokeResult = { statusCode: 200, executedVersion: '$LATEST', payload: run.payload, requestId };
    if (!run.ok) result.functionError = 'Unhandled';
    if (request.logType === 'Tail') result.logResult = tail(run.log);
    return result;
  }

  async #runEvent(job: EventJob, attempt: number): Promise<boolean> {
    const record = this.store.get(job.functionName);
    if (!record) throw new Error(`function ${job.functionName} was deleted`);
    // A throttled event stays queued until the function has a free slot (its reservation is read again each time).
    const release = await this.#gate.enterWhenFree(record.name, () => this.store.get(job.functionName)?.reservedConcurrency);
    try {
      const current = this.store.get(job.functionName);
      if (!current) throw new Error(`function ${job.functionName} was deleted`);
      const run = await this.#execute(current, { name: job.functionName, qualifier: job.qualifier }, job.payload, job.requestId, undefined, attempt);
      return run.ok;
    } finally {
      release();
    }
  }

  async #execute(r: FunctionRecord, ref: FunctionRef, payload: string, requestId: string, clientContext: string | undefined, attempt = 1) {
    const log = this.logger.child({ function: r.name, requestId });
    const spec = await this.#spec(r);
    const invokedFunctionArn = ref.qualifier === undefined ? functionArn(r.name, this.#ctx) : qualifiedArn(r.name, this.#ctx, ref.qualifier);
    log.info({ attempt }, `START RequestId: ${requestId} Version: $LATEST`);
    const out = await this.pool.invoke(spec, { requestId, payload, invokedFunctionArn, clientContext });
    let body = out.payload;
    let ok = out.ok;
    if (body.length > LIMITS.syncResponseBytes) {
      ok = false;
      body = Buffer.from(JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${LIMITS.syncResponseBytes} bytes).`, errorType: 'Function.ResponseSizeTooLarge' }));
    }
    const ms = out.durationMs;
    const report =
      `REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\t` +
      `Memory Size: ${r.memorySize} MB\tMax Memory Used: ${out.maxMemoryMb ?? 0} MB\t` +
      (out.initDurationMs !== undefined ? `Init Duration: ${out.initDurationMs.toFixed(2)} ms\t` : '');
    log.info({ ok }, report);
    if (!ok) log.info({ error: body.toString('utf8').slice(0, 1000) }, 'function error');
    const lines = [`START RequestId: ${requestId} Version: $LATEST`, ...out.logs, `END RequestId: ${requestId}`, report];
    return { ok, payload: body, log: `${lines.join('\n')}\n` };
  }

  async #spec(r: FunctionRecord): Promise<EnvironmentSpec> {
    const o = this.options;
    return environmentSpec(r, await this.code.codeDir(r.codeSha256), { region: this.#ctx.region, endpoint: o.endpoint(), accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey });
  }

  // --- helpers --------------------------------------------------------------------------------------

  #ref(value: unknown, qualifier: unknown, max = 256, member = 'functionName'): FunctionRef {
    if (typeof value !== 'string') throw LambdaErrors.validation(value, member, 'not be null');
    if (qualifier !== undefined && typeof qualifier !== 'string') throw LambdaErrors.validation(qualifier, 'qualifier', 'be a string');
    return parseFunctionRef(value, qualifier, this.#ctx, max);
  }

  #record(ref: FunctionRef): FunctionRecord {
    const r = this.store.get(ref.name);
    const q = ref.qualifier;
    if (!r || (q !== undefined && q !== '$LATEST')) {
      throw LambdaErrors.functionNotFound(q === undefined ? functionArn(ref.name, this.#ctx) : qualifiedArn(ref.name, this.#ctx, q));
    }
    return r;
  }

  #updatable(input: Input): FunctionRecord {
    const ref = this.#ref(input.FunctionName, undefined, 140);
    const r = this.#record(ref);
    if (ref.qualifier !== undefined) throw LambdaErrors.validation(input.FunctionName, 'functionName', 'not include a qualifier');
    if (input.RevisionId !== undefined && input.RevisionId !== r.revisionId) throw LambdaErrors.revisionMismatch();
    if (r.state === 'Pending') throw LambdaErrors.notActive('Pending');
    if (r.lastUpdateStatus === 'InProgress') throw LambdaErrors.updateInProgress(functionArn(r.name, this.#ctx));
    return r;
  }

  async #commitUpdate(r: FunctionRecord, changes: Partial<FunctionRecord>): Promise<Record<string, unknown>> {
    const next: FunctionRecord = { ...r, ...changes, lastModified: lambdaTimestamp(), revisionId: randomUUID(), lastUpdateStatus: 'InProgress' };
    await this.store.put(next);
    this.pool.recycle(r.name);
    if (changes.codeSha256 !== undefined && changes.codeSha256 !== r.codeSha256 && !this.store.list().some((o) => o.codeSha256 === r.codeSha256)) {
      await this.code.remove(r.codeSha256);
    }
    this.#transition(r.name, next.revisionId);
    return toConfiguration(next, this.#ctx);
  }

  /** Pending → Active (create) or InProgress → Successful (update), with a new RevisionId, shortly after. */
  #transition(name: string, revisionId: string): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const r = this.store.get(name);
      if (!r || r.revisionId !== revisionId) return;
      this.store.put({ ...r, state: 'Active', lastUpdateStatus: 'Successful', revisionId: randomUUID() }).catch((err: unknown) => {
        this.logger.error({ err, function: name }, 'could not activate function');
      });
    }, this.options.transitionMs ?? 100);
    this.#timers.add(timer);
  }

  /** Invoke on a Pending function waits for it to become Active (a friendlier choice than AWS's 409). */
  async #whenActive(r: FunctionRecord): Promise<FunctionRecord> {
    for (let i = 0; r.state === 'Pending' && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      r = this.store.get(r.name) ?? r;
    }
    if (r.state !== 'Active') throw LambdaErrors.notActive(r.state);
    return r;
  }

  #resource(value: unknown): FunctionRecord {
    if (typeof value !== 'string') throw LambdaErrors.validation(value, 'resource', 'not be null');
    const ref = parseFunctionRef(value, undefined, this.#ctx);
    if (!value.startsWith('arn:')) throw LambdaErrors.validation(value, 'resource', 'be a function ARN');
    if (ref.qualifier !== undefined) {
      throw LambdaErrors.invalidParameter('Tags are not supported on versions or aliases. Please specify a function ARN.');
    }
    return this.#record(ref);
  }

  #tagsOf(value: unknown): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw LambdaErrors.validation(value, 'tags', 'be a map');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }

  #zipOf(code: unknown): Buffer {
    const c = (code ?? {}) as Record<string, unknown>;
    if (typeof c.ZipFile === 'string') {
      const zip = Buffer.from(c.ZipFile, 'base64');
      if (zip.length > LIMITS.zipBytes) throw LambdaErrors.tooLarge(`Zipped size must be smaller than ${LIMITS.zipBytes} bytes`);
      return zip;
    }
    if (c.S3Bucket !== undefined || c.ImageUri !== undefined) {
      throw LambdaErrors.invalidParameter('Lakebox accepts function code as Code.ZipFile only (S3Bucket/S3Key and ImageUri are not supported yet).');
    }
    throw LambdaErrors.invalidParameter('Please provide a source for function code.');
  }
}

/** Versions are not implemented: only $LATEST exists, so publishing one is refused rather than ignored. */
function refusePublish(input: Input): void {
  if (input.Publish === true) throw LambdaErrors.invalidParameter('Publishing function versions is not supported by Lakebox yet; omit Publish (only $LATEST exists).');
}
