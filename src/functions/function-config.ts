/** Validation of CreateFunction/UpdateFunctionConfiguration members and the FunctionConfiguration wire shape. */
import { createHash } from 'node:crypto';
import { LambdaErrors } from './errors.js';
import { functionArn, type ArnContext } from './function-names.js';
import { AWS_RUNTIME_ENUM, LIMITS, runtimeFamily, type FunctionRecord } from './model.js';

export const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const BLOCKED_RUNTIMES = new Set(['nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'python2.7', 'python3.6', 'python3.7']);
export const RESERVED_ENV_KEYS = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'TZ',
]);
/** Members accepted and echoed back without local behaviour (DeadLetterConfig and FileSystemConfigs only when empty). */
const ECHOED = ['VpcConfig', 'DeadLetterConfig', 'KMSKeyArn', 'FileSystemConfigs', 'ImageConfig', 'CodeSigningConfigArn'] as const;

type Input = Readonly<Record<string, unknown>>;

function intMember(input: Input, key: string, member: string, min: number, max: number): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw LambdaErrors.validation(v, member, 'be an integer');
  if (v < min) throw LambdaErrors.validation(v, member, `have value greater than or equal to ${min}`);
  if (v > max) throw LambdaErrors.validation(v, member, `have value less than or equal to ${max}`);
  return v;
}

function stringMember(input: Input, key: string, member: string, max: number): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw LambdaErrors.validation(v, member, 'be a string');
  if (v.length > max) throw LambdaErrors.validation(v, member, `have length less than or equal to ${max}`);
  return v;
}

export function validateRuntime(runtime: unknown): string {
  if (typeof runtime === 'string' && runtimeFamily(runtime) !== undefined) return runtime;
  if (typeof runtime === 'string' && BLOCKED_RUNTIMES.has(runtime)) {
    throw LambdaErrors.invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  throw LambdaErrors.invalidParameter(
    `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ${AWS_RUNTIME_ENUM} or be a valid ARN`,
  );
}

function validateEnvironment(value: unknown): Record<string, string> {
  const vars = (value as { Variables?: unknown } | undefined)?.Variables ?? {};
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw LambdaErrors.validation(vars, 'environment.variables', 'be a map');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
    if (!ENV_KEY.test(k)) {
      throw LambdaErrors.validation(k, 'environment.variables', 'satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
    }
    out[k] = typeof v === 'string' ? v : String(v);
  }
  const reserved = Object.keys(out).filter((k) => RESERVED_ENV_KEYS.has(k));
  if (reserved.length > 0) {
    throw LambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(out);
  if (Buffer.byteLength(measured) > LIMITS.envBytes) {
    throw LambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ConfigFields = Partial<Mutable<Omit<FunctionRecord, 'name' | 'codeSha256' | 'codeSize' | 'lastModified' | 'revisionId' | 'state' | 'lastUpdateStatus' | 'tags'>>>;

/** Validates the configuration members of a Create or UpdateFunctionConfiguration request (only those present). */
export function configFields(input: Input, current: FunctionRecord | undefined): ConfigFields {
  const out: ConfigFields = {};
  if (input.Role !== undefined || current === undefined) {
    const role = input.Role;
    if (role === undefined || role === null) throw LambdaErrors.validation(null, 'role', 'not be null');
    if (typeof role !== 'string' || !ROLE_PATTERN.test(role)) {
      throw LambdaErrors.validation(role, 'role', 'satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
    }
    out.role = role;
  }
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') {
    throw LambdaErrors.invalidParameter('Lakebox runs .zip functions only; container image functions (PackageType Image) are not supported.');
  }
  if (current === undefined && (input.Runtime === undefined || input.Handler === undefined)) {
    throw LambdaErrors.invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  if (input.Runtime !== undefined) out.runtime = validateRuntime(input.Runtime);
  const handler = stringMember(input, 'Handler', 'handler', 128);
  if (handler !== undefined) {
    if (!/^[^\s]+$/.test(handler)) throw LambdaErrors.validation(handler, 'handler', 'satisfy regular expression pattern: [^\\s]+');
    out.handler = handler;
  }
  const description = stringMember(input, 'Description', 'description', 256);
  if (description !== undefined) out.description = description;
  const timeout = intMember(input, 'Timeout', 'timeout', 1, 900);
  if (timeout !== undefined) out.timeout = timeout;
  const memory = intMember(input, 'MemorySize', 'memorySize', 128, 10240);
  if (memory !== undefined) out.memorySize = memory;
  if (input.Environment !== undefined && input.Environment !== null) out.environment = validateEnvironment(input.Environment);
  if (input.Architectures !== undefined) {
    const a = input.Architectures;
    if (!Array.isArray(a) || a.length !== 1 || (a[0] !== 'x86_64' && a[0] !== 'arm64')) {
      throw LambdaErrors.validation(a, 'architectures', 'have length less than or equal to 1, and each member must satisfy enum value set: [x86_64, arm64]');
    }
    out.architectures = [a[0] as string];
  }
  const storage = (input.EphemeralStorage as { Size?: unknown } | undefined)?.Size;
  if (storage !== undefined) out.ephemeralStorageMb = intMember({ Size: storage }, 'Size', 'ephemeralStorage.size', 512, 10240);
  const tracing = (input.TracingConfig as { Mode?: unknown } | undefined)?.Mode;
  if (tracing !== undefined) {
    if (tracing !== 'Active' && tracing !== 'PassThrough') throw LambdaErrors.validation(tracing, 'tracingConfig.mode', 'satisfy enum value set: [Active, PassThrough]');
    out.tracingMode = tracing;
  }
  // Settings that would change what happens to events or files are refused rather than echoed and ignored.
  const dlq = (input.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
  if (typeof dlq === 'string' && dlq !== '') {
    throw LambdaErrors.invalidParameter(
      'Dead-letter queues are not supported by Lakebox (it has no SQS or SNS); an asynchronous event that still fails after two retries is logged and dropped.',
    );
  }
  if (Array.isArray(input.FileSystemConfigs) && input.FileSystemConfigs.length > 0) {
    throw LambdaErrors.invalidParameter('EFS file systems (FileSystemConfigs) are not supported by Lakebox; functions see the host file system.');
  }
  const extra: Record<string, unknown> = { ...(current?.extra ?? {}) };
  for (const key of ECHOED) if (input[key] !== undefined) extra[key] = input[key];
  if (input.Layers !== undefined) {
    if (!Array.isArray(input.Layers) || input.Layers.length > 5) throw LambdaErrors.validation(input.Layers, 'layers', 'have length less than or equal to 5');
    if (input.Layers.length > 0) throw LambdaErrors.invalidParameter('Layers are not supported by Lakebox yet; package dependencies in the function zip instead.');
    extra.Layers = (input.Layers as unknown[]).map((arn) => ({ Arn: String(arn), CodeSize: 0 }));
  }
  if (input.LoggingConfig !== undefined) extra.LoggingConfig = input.LoggingConfig;
  out.extra = extra;
  return out;
}

/** The FunctionConfiguration document; `list` omits the state members as ListFunctions does. */
export function toConfiguration(r: FunctionRecord, ctx: ArnContext, list = false): Record<string, unknown> {
  const { Layers, LoggingConfig, ...echoed } = r.extra as Record<string, unknown>;
  const out: Record<string, unknown> = {
    FunctionName: r.name,
    FunctionArn: functionArn(r.name, ctx),
    Runtime: r.runtime,
    Role: r.role,
    Handler: r.handler,
    CodeSize: r.codeSize,
    Description: r.description,
    Timeout: r.timeout,
    MemorySize: r.memorySize,
    LastModified: r.lastModified,
    CodeSha256: r.codeSha256,
    Version: '$LATEST',
  };
  if (r.environment !== undefined) out.Environment = { Variables: r.environment };
  out.TracingConfig = { Mode: r.tracingMode };
  out.RevisionId = r.revisionId;
  if (Layers !== undefined) out.Layers = Layers;
  Object.assign(out, echoed);
  if (!list) {
    out.State = r.state;
    if (r.state === 'Pending') {
      out.StateReason = 'The function is being created.';
      out.StateReasonCode = 'Creating';
    }
    if (r.lastUpdateStatus !== undefined) out.LastUpdateStatus = r.lastUpdateStatus;
    if (r.lastUpdateStatus === 'InProgress') {
      out.LastUpdateStatusReason = 'The function is being created.';
      out.LastUpdateStatusReasonCode = 'Creating';
    }
  }
  out.PackageType = 'Zip';
  out.Architectures = r.architectures;
  out.EphemeralStorage = { Size: r.ephemeralStorageMb };
  out.SnapStart = { ApplyOn: 'None', OptimizationStatus: 'Off' };
  if (!list) {
    const runtimeHash = createHash('sha256').update(r.runtime).digest('hex');
    out.RuntimeVersionConfig = { RuntimeVersionArn: `arn:aws:lambda:${ctx.region}::runtime:${runtimeHash}` };
  }
  out.LoggingConfig = { LogFormat: 'Text', LogGroup: `/aws/lambda/${r.name}`, ...(LoggingConfig as object | undefined) };
  return out;
}
