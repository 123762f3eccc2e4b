/** Functions domain model: the persisted function record, runtime families, limits and the invoke contract. */
import type { PolicyStatement } from './resource-policy.js';

/** Node.js runtimes accepted for create/update; all run on the host's Node. */
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
/** Python runtimes accepted for create/update; all run on the host's `python3`. */
export const PYTHON_RUNTIMES = [
  'python3.8',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
] as const;

/** The value list AWS prints in its runtime validation message (Jan 2026). */
export const AWS_RUNTIME_ENUM =
  '[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2]';

export type RuntimeFamily = 'node' | 'python';

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if ((NODE_RUNTIMES as readonly string[]).includes(runtime)) return 'node';
  if ((PYTHON_RUNTIMES as readonly string[]).includes(runtime)) return 'python';
  return undefined;
}

export const LIMITS = {
  zipBytes: 52_428_800,
  unzippedBytes: 262_144_000,
  createRequestBytes: 70_167_211,
  envBytes: 4096,
  syncPayloadBytes: 6_291_456,
  syncResponseBytes: 6_291_556,
  eventPayloadBytes: 1_048_576,
  tailBytes: 4096,
  listPage: 50,
} as const;

export type FunctionState = 'Pending' | 'Active' | 'Failed';
export type LastUpdateStatus = 'InProgress' | 'Successful' | 'Failed';

/** A function as stored (the `$LATEST` version; Lakebox does not publish versions). */
export interface FunctionRecord {
  readonly name: string;
  readonly runtime: string;
  readonly role: string;
  readonly handler: string;
  readonly description: string;
  readonly timeout: number;
  readonly memorySize: number;
  /** User environment variables; undefined when none were ever configured. */
  readonly environment: Readonly<Record<string, string>> | undefined;
  /** Base64 SHA-256 of the zip as uploaded. */
  readonly codeSha256: string;
  readonly codeSize: number;
  /** `YYYY-MM-DDThh:mm:ss.sss+0000`. */
  readonly lastModified: string;
  readonly revisionId: string;
  readonly state: FunctionState;
  readonly lastUpdateStatus: LastUpdateStatus | undefined;
  readonly architectures: readonly string[];
  readonly ephemeralStorageMb: number;
  readonly tracingMode: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Accepted and echoed members with no local behaviour (VpcConfig, DeadLetterConfig, Layers, KMSKeyArn, …). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Statements of the resource-based policy (AddPermission); absent when none were added. */
  readonly policy?: readonly PolicyStatement[] | undefined;
  /** PutFunctionConcurrency's ReservedConcurrentExecutions; absent when unreserved. */
  readonly reservedConcurrency?: number | undefined;
  /** PutFunctionEventInvokeConfig: retries and age limit of Event invocations; absent when not configured. */
  readonly eventInvokeConfig?: EventInvokeConfig | undefined;
}

export interface EventInvokeConfig {
  readonly maximumRetryAttempts?: number | undefined;
  readonly maximumEventAgeInSeconds?: number | undefined;
  /** Epoch seconds. */
  readonly lastModified: number;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** In-process invoke request (the shape the Firehose processor calls). */
export interface InvokeRequest {
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  invocationType: InvocationType;
  logType?: 'None' | 'Tail';
  /** Base64 JSON ClientContext, as in the X-Amz-Client-Context header. */
  clientContext?: string;
}

export interface InvokeResult {
  statusCode: number;
  executedVersion?: string;
  functionError?: 'Unhandled';
  payload: Buffer;
  /** Base64 of the last 4 KB of the invocation log, when logType was Tail. */
  logResult?: string;
  requestId: string;
}

/** `2020-04-10T19:06:32.563+0000`. */
export function lambdaTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}
