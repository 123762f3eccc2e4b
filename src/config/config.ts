/** Server configuration: defaults, config file, LAKEBOX_* environment variables and CLI flags, merged and validated. */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_ACCESS_KEY_ID = 'test';
export const DEFAULT_SECRET_ACCESS_KEY = 'test';

export interface RemoteS3Config {
  /** Endpoint of the S3-compatible store, e.g. http://127.0.0.1:9000. Empty means AWS itself. */
  readonly endpoint: string | undefined;
  /** Bucket in the remote store that holds every Lakebox bucket under a prefix. */
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
}

export interface LakeboxConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** True when credentials came from the environment, a flag or the config file rather than the defaults. */
  readonly credentialsExplicit: boolean;
  readonly region: string;
  readonly accountId: string;
  readonly logLevel: string;
  /** Base domains for virtual-hosted-style S3 addressing (`bucket.<domain>`). */
  readonly hostnames: readonly string[];
  readonly storage: 'fs' | 's3';
  readonly remoteS3: RemoteS3Config | undefined;
  /** fsync object data and metadata before acknowledging writes (on by default). */
  readonly fsync: boolean;
  /** Firehose refuses puts with ServiceUnavailableException once this much data waits for delivery. */
  readonly firehoseBufferBudgetMb: number;
  /** zlib level Firehose uses for GZIP objects (1 fastest … 9 smallest). */
  readonly firehoseGzipLevel: number;
  /** Maximum concurrent execution environments (child processes) per function; more invocations wait in line. */
  readonly functionsMaxConcurrency: number;
  /** Idle function execution environments are stopped after this many seconds. */
  readonly functionsIdleTtlSeconds: number;
  /** Delay before the first retry of a failed asynchronous invocation (the second waits twice as long). */
  readonly functionsAsyncRetryDelaySeconds: number;
  /** Athena queries running at once; further queries wait QUEUED. */
  readonly athenaMaxConcurrentQueries: number;
  /** Athena queries running or queued at most; StartQueryExecution beyond it fails with TooManyRequestsException. */
  readonly athenaMaxActiveQueries: number;
  /** Size budget of the Athena query cache (local copies of small and remote objects) in MiB. */
  readonly athenaQueryCacheMb: number;
  /** GetQueryExecution on a running query waits up to this many ms for it to finish before answering (0: at once). */
  readonly athenaPollWaitMs: number;
}

/** Raw settings as they may appear in flags, env or the config file (all optional). */
export interface ConfigInput {
  host?: string | undefined;
  port?: string | number | undefined;
  dataDir?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  region?: string | undefined;
  accountId?: string | undefined;
  logLevel?: string | undefined;
  hostnames?: string | readonly string[] | undefined;
  storage?: string | undefined;
  fsync?: string | boolean | undefined;
  firehoseBufferBudgetMb?: string | number | undefined;
  firehoseGzipLevel?: string | number | undefined;
  functionsMaxConcurrency?: string | number | undefined;
  functionsIdleTtlSeconds?: string | number | undefined;
  functionsAsyncRetryDelaySeconds?: string | number | undefined;
  athenaMaxConcurrentQueries?: string | number | undefined;
  athenaMaxActiveQueries?: string | number | undefined;
  athenaQueryCacheMb?: string | number | undefined;
  athenaPollWaitMs?: string | number | undefined;
  s3Endpoint?: string | undefined;
  s3Bucket?: string | undefined;
  s3Prefix?: string | undefined;
  s3Region?: string | undefined;
  s3AccessKeyId?: string | undefined;
  s3SecretAccessKey?: string | undefined;
  s3ForcePathStyle?: string | boolean | undefined;
}

/** Environment variable for each setting; documented in README. */
export const ENV_VARS: Readonly<Record<keyof ConfigInput, string>> = {
  host: 'LAKEBOX_HOST',
  port: 'LAKEBOX_PORT',
  dataDir: 'LAKEBOX_DATA_DIR',
  accessKeyId: 'LAKEBOX_ACCESS_KEY_ID',
  secretAccessKey: 'LAKEBOX_SECRET_ACCESS_KEY',
  region: 'LAKEBOX_REGION',
  accountId: 'LAKEBOX_ACCOUNT_ID',
  logLevel: 'LAKEBOX_LOG_LEVEL',
  hostnames: 'LAKEBOX_HOSTNAMES',
  storage: 'LAKEBOX_STORAGE',
  fsync: 'LAKEBOX_FSYNC',
  firehoseBufferBudgetMb: 'LAKEBOX_FIREHOSE_BUFFER_BUDGET_MB',
  firehoseGzipLevel: 'LAKEBOX_FIREHOSE_GZIP_LEVEL',
  functionsMaxConcurrency: 'LAKEBOX_FUNCTIONS_MAX_CONCURRENCY',
  functionsIdleTtlSeconds: 'LAKEBOX_FUNCTIONS_IDLE_TTL_SECONDS',
  functionsAsyncRetryDelaySeconds: 'LAKEBOX_FUNCTIONS_ASYNC_RETRY_DELAY_SECONDS',
  athenaMaxConcurrentQueries: 'LAKEBOX_ATHENA_MAX_CONCURRENT_QUERIES',
  athenaMaxActiveQueries: 'LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES',
  athenaQueryCacheMb: 'LAKEBOX_ATHENA_QUERY_CACHE_MB',
  athenaPollWaitMs: 'LAKEBOX_ATHENA_POLL_WAIT_MS',
  s3Endpoint: 'LAKEBOX_S3_ENDPOINT',
  s3Bucket: 'LAKEBOX_S3_BUCKET',
  s3Prefix: 'LAKEBOX_S3_PREFIX',
  s3Region: 'LAKEBOX_S3_REGION',
  s3AccessKeyId: 'LAKEBOX_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'LAKEBOX_S3_SECRET_ACCESS_KEY',
  s3ForcePathStyle: 'LAKEBOX_S3_FORCE_PATH_STYLE',
};

/** One-line description of each setting, shown by `lakebox server --help`. */
export const SETTING_DOCS: Readonly<Record<keyof ConfigInput, string>> = {
  host: 'listen address (default 127.0.0.1; non-loopback needs explicit credentials)',
  port: 'port for every API (default 4566)',
  dataDir: 'data directory (default ./.lakebox)',
  accessKeyId: 'root access key id (default "test")',
  secretAccessKey: 'root secret access key (default "test")',
  region: 'default region for new buckets (default us-east-1; any region is accepted)',
  accountId: '12-digit account id in ARNs (default 000000000000)',
  logLevel: 'trace | debug | info | warn | error | silent (default info)',
  hostnames: 'comma-separated base domains for virtual-hosted S3 (default localhost,s3.localhost,localhost.localstack.cloud)',
  storage: 'object storage: fs (local disk, default) or s3 (a remote S3-compatible store)',
  fsync: 'fsync writes before acknowledging them (default true)',
  firehoseGzipLevel: 'zlib level of Firehose GZIP objects, 1 (fastest) to 9 (smallest) (default 1: about 10% larger objects than level 4 for a quarter less delivery CPU)',
  functionsMaxConcurrency: 'maximum concurrent execution environments (processes) per function; further invocations queue (default 4)',
  functionsIdleTtlSeconds: 'seconds an idle function environment stays warm before it is stopped (default 300)',
  functionsAsyncRetryDelaySeconds: 'delay before retrying a failed async (Event) invocation; the second retry waits twice as long (default 60)',
  athenaMaxConcurrentQueries: 'Athena queries running at once; further queries wait QUEUED (default 4)',
  athenaMaxActiveQueries: 'Athena queries running or queued at most; StartQueryExecution beyond it fails with TooManyRequestsException (default 200, the us-east-1 active DML quota)',
  athenaPollWaitMs:
    'GetQueryExecution on a queued or running query waits up to this many ms for it to finish before answering, so polling clients make fewer calls and see the result at once (0 answers at once; default 100)',
  athenaQueryCacheMb: 'MiB of local copies (of small inline objects and remote-store objects) Athena keeps for DuckDB; least recently used go first (default 4096)',
  firehoseBufferBudgetMb: 'Firehose disk budget for undelivered records in MiB; puts beyond it get ServiceUnavailableException (default 1024)',
  s3Endpoint: 'remote store endpoint URL (storage=s3)',
  s3Bucket: 'remote bucket holding all Lakebox data (storage=s3)',
  s3Prefix: 'key prefix inside the remote bucket (storage=s3)',
  s3Region: 'remote store region (storage=s3, default us-east-1)',
  s3AccessKeyId: 'remote store access key id (storage=s3)',
  s3SecretAccessKey: 'remote store secret key (storage=s3)',
  s3ForcePathStyle: 'path-style addressing for the remote store (storage=s3, default true)',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: ConfigInput = {};
  for (const [key, name] of Object.entries(ENV_VARS) as [keyof ConfigInput, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function configFromFile(path: string | undefined, cwd: string): ConfigInput {
  const candidate = path ?? resolve(cwd, 'lakebox.config.json');
  if (!existsSync(candidate)) {
    if (path !== undefined) throw new ConfigError(`config file not found: ${path}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(candidate, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${candidate} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${candidate} must hold a JSON object`);
  }
  const known = new Set(Object.keys(ENV_VARS));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigError(`config file ${candidate}: unknown setting "${key}"`);
  }
  return parsed;
}

function toBool(value: string | boolean | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

/** Merges layers (later wins) and validates. */
export function resolveConfig(layers: readonly ConfigInput[], cwd: string): LakeboxConfig {
  const merged: ConfigInput = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
  }
  const port = Number(merged.port ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be an integer between 0 and 65535, got "${String(merged.port)}"`);
  }
  const accountId = merged.accountId ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`accountId must be 12 digits, got "${accountId}"`);
  const storage = merged.storage ?? 'fs';
  if (storage !== 'fs' && storage !== 's3') throw new ConfigError(`storage must be "fs" or "s3", got "${storage}"`);
  const hostnamesRaw = merged.hostnames ?? ['localhost', 's3.localhost', 'localhost.localstack.cloud'];
  const hostnames = (typeof hostnamesRaw === 'string' ? hostnamesRaw.split(',') : [...hostnamesRaw])
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const credentialsExplicit = merged.accessKeyId !== undefined || merged.secretAccessKey !== undefined;
  if (credentialsExplicit && (merged.accessKeyId === undefined || merged.secretAccessKey === undefined)) {
    throw new ConfigError('set both LAKEBOX_ACCESS_KEY_ID and LAKEBOX_SECRET_ACCESS_KEY, or neither');
  }
  const budget = Number(merged.firehoseBufferBudgetMb ?? 1024);
  if (!Number.isFinite(budget) || budget <= 0) {
    throw new ConfigError(`firehoseBufferBudgetMb must be a positive number, got "${String(merged.firehoseBufferBudgetMb)}"`);
  }
  const gzipLevel = Number(merged.firehoseGzipLevel ?? 1);
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) {
    throw new ConfigError(`firehoseGzipLevel must be an integer from 1 to 9, got "${String(merged.firehoseGzipLevel)}"`);
  }
  const positive = (key: 'functionsMaxConcurrency' | 'functionsIdleTtlSeconds' | 'functionsAsyncRetryDelaySeconds' | 'athenaMaxConcurrentQueries' | 'athenaMaxActiveQueries' | 'athenaQueryCacheMb', fallback: number, integer: boolean): number => {
    const n = Number(merged[key] ?? fallback);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new ConfigError(`${key} must be a positive ${integer ? 'integer' : 'number'}, got "${String(merged[key])}"`);
    }
    return n;
  };
  const functionsMaxConcurrency = positive('functionsMaxConcurrency', 4, true);
  const functionsIdleTtlSeconds = positive('functionsIdleTtlSeconds', 300, false);
  const functionsAsyncRetryDelaySeconds = positive('functionsAsyncRetryDelaySeconds', 60, false);
  const athenaMaxConcurrentQueries = positive('athenaMaxConcurrentQueries', 4, true);
  const athenaMaxActiveQueries = positive('athenaMaxActiveQueries', 200, true);
  const athenaQueryCacheMb = positive('athenaQueryCacheMb', 4096, false);
  const athenaPollWaitMs = Number(merged.athenaPollWaitMs ?? 100);
  if (!Number.isInteger(athenaPollWaitMs) || athenaPollWaitMs < 0 || athenaPollWaitMs > 20_000) {
    throw new ConfigError(`athenaPollWaitMs must be an integer from 0 to 20000, got "${String(merged.athenaPollWaitMs)}"`);
  }
  let remoteS3: RemoteS3Config | undefined;
  if (storage === 's3') {
    if (merged.s3Bucket === undefined) throw new ConfigError('storage "s3" needs s3Bucket (LAKEBOX_S3_BUCKET)');
    remoteS3 = {
      endpoint: merged.s3Endpoint,
      bucket: merged.s3Bucket,
      prefix: merged.s3Prefix ?? '',
      region: merged.s3Region ?? 'us-east-1',
      accessKeyId: merged.s3AccessKeyId,
      secretAccessKey: merged.s3SecretAccessKey,
      forcePathStyle: toBool(merged.s3ForcePathStyle, true, 's3ForcePathStyle'),
    };
  }
  return {
    host: merged.host ?? '127.0.0.1',
    port,
    dataDir: resolve(cwd, merged.dataDir ?? '.lakebox'),
    accessKeyId: merged.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    secretAccessKey: merged.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
    credentialsExplicit,
    region: merged.region ?? 'us-east-1',
    accountId,
    logLevel: merged.logLevel ?? 'info',
    hostnames,
    storage,
    remoteS3,
    fsync: toBool(merged.fsync, true, 'fsync'),
    firehoseBufferBudgetMb: budget,
    firehoseGzipLevel: gzipLevel,
    functionsMaxConcurrency,
    functionsIdleTtlSeconds,
    functionsAsyncRetryDelaySeconds,
    athenaMaxConcurrentQueries,
    athenaMaxActiveQueries,
    athenaQueryCacheMb,
    athenaPollWaitMs,
  };
}

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
