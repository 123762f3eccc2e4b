/** What a function's execution environment is given: Lambda's reserved variables, this server's endpoint and credentials, the user's variables. */
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { runtimeFamily, type FunctionRecord } from '../model.js';
import type { EnvironmentSpec } from './execution-environment.js';
import { bootstrapFile, packageRoot } from './worker-pool.js';

export interface EnvironmentContext {
  readonly region: string;
  /** This server's URL, given to functions as AWS_ENDPOINT_URL so SDK calls inside them reach Lakebox. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The spec of `r`'s execution environments; `configKey` changes whenever an environment must be replaced. */
export function environmentSpec(r: FunctionRecord, codeDir: string, ctx: EnvironmentContext): EnvironmentSpec {
  const family = runtimeFamily(r.runtime) ?? 'node';
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_FUNCTION_NAME: r.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(r.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: ctx.region,
    AWS_DEFAULT_REGION: ctx.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${r.runtime}`,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${r.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: r.handler,
    LAMBDA_TASK_ROOT: codeDir,
    LAMBDA_RUNTIME_DIR: dirname(bootstrapFile('python-bootstrap.py')),
    AWS_ENDPOINT_URL: ctx.endpoint,
    AWS_ACCESS_KEY_ID: ctx.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx.secretAccessKey,
    ...(family === 'node' ? { NODE_PATH: join(packageRoot(), 'node_modules') } : { LC_CTYPE: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' }),
    ...r.environment,
  };
  const configKey = createHash('sha256')
    .update(JSON.stringify([r.runtime, r.handler, r.codeSha256, r.memorySize, r.timeout, r.environment ?? {}]))
    .digest('hex');
  return { functionName: r.name, family, codeDir, memoryMb: r.memorySize, timeoutSec: r.timeout, env, configKey };
}
