/** Per-function and account settings beside the function itself: resource policies, reserved concurrency, account settings. */
import { randomUUID } from 'node:crypto';
import { accountSettings } from './account-settings.js';
import { LambdaError, LambdaErrors } from './errors.js';
import { functionArn, type ArnContext, type FunctionRef } from './function-names.js';
import type { EventInvokeConfig, FunctionRecord } from './model.js';
import { checkReservation, type ConcurrencyGate } from './reserved-concurrency.js';
import { policyDocument, statementOf, withoutStatement, withStatement } from './resource-policy.js';
import type { SqliteFunctionStore } from './sqlite-function-store.js';

type Input = Readonly<Record<string, unknown>>;

/** Finds a function by FunctionName (and Qualifier) as the service does, with its errors. */
export type FunctionResolver = (name: unknown, qualifier: unknown, max?: number) => { ref: FunctionRef; record: () => FunctionRecord };

export class FunctionSettings {
  constructor(
    private readonly store: SqliteFunctionStore,
    private readonly ctx: ArnContext,
    private readonly gate: ConcurrencyGate,
    private readonly resolve: FunctionResolver,
  ) {}

  /** AddPermission: a statement in the function's resource-based policy (stored and returned by GetPolicy). */
  async addPermission(input: Input): Promise<Record<string, unknown>> {
    const r = this.#policyTarget(input);
    const statement = statementOf(input, functionArn(r.name, this.ctx));
    await this.store.put({ ...r, policy: withStatement(r.policy, statement), revisionId: randomUUID() });
    return { Statement: JSON.stringify(statement) };
  }

  async removePermission(input: Input): Promise<void> {
    const r = this.#policyTarget(input);
    const policy = withoutStatement(r.policy, String(input.StatementId));
    await this.store.put({ ...r, policy: policy.length > 0 ? policy : undefined, revisionId: randomUUID() });
  }

  getPolicy(input: Input): Record<string, unknown> {
    const r = this.resolve(input.FunctionName, input.Qualifier).record();
    return { Policy: policyDocument(r.policy), RevisionId: r.revisionId };
  }

  async putFunctionConcurrency(input: Input): Promise<Record<string, unknown>> {
    const r = this.#unqualified(input.FunctionName);
    const others = this.store.list().reduce((n, o) => n + (o.name === r.name ? 0 : (o.reservedConcurrency ?? 0)), 0);
    const value = checkReservation(input.ReservedConcurrentExecutions, others);
    await this.store.put({ ...r, reservedConcurrency: value });
    this.gate.wake(r.name);
    return { ReservedConcurrentExecutions: value };
  }

  getFunctionConcurrency(input: Input): Record<string, unknown> {
    const r = this.#unqualified(input.FunctionName);
    return r.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: r.reservedConcurrency };
  }

  async deleteFunctionConcurrency(input: Input): Promise<void> {
    const r = this.#unqualified(input.FunctionName);
    await this.store.put({ ...r, reservedConcurrency: undefined });
    this.gate.wake(r.name);
  }

  /** Put (replace) or Update (merge) the function's event invoke config; destinations are refused (Lakebox has none to send to). */
  async putEventInvokeConfig(input: Input, merge: boolean): Promise<Record<string, unknown>> {
    const r = this.resolve(input.FunctionName, input.Qualifier).record();
    if (merge && !r.eventInvokeConfig) throw this.#noEventInvokeConfig(r.name);
    const config = eventInvokeConfig(input, merge ? r.eventInvokeConfig : undefined);
    await this.store.put({ ...r, eventInvokeConfig: config });
    return this.#eventInvokeConfigOut(r.name, config);
  }

  getEventInvokeConfig(input: Input): Record<string, unknown> {
    const r = this.resolve(input.FunctionName, input.Qualifier).record();
    if (!r.eventInvokeConfig) throw this.#noEventInvokeConfig(r.name);
    return this.#eventInvokeConfigOut(r.name, r.eventInvokeConfig);
  }

  async deleteEventInvokeConfig(input: Input): Promise<void> {
    const r = this.resolve(input.FunctionName, input.Qualifier).record();
    if (!r.eventInvokeConfig) throw this.#noEventInvokeConfig(r.name);
    await this.store.put({ ...r, eventInvokeConfig: undefined });
  }

  listEventInvokeConfigs(input: Input): Record<string, unknown> {
    const r = this.resolve(input.FunctionName, undefined).record();
    return { FunctionEventInvokeConfigs: r.eventInvokeConfig ? [this.#eventInvokeConfigOut(r.name, r.eventInvokeConfig)] : [] };
  }

  #eventInvokeConfigOut(name: string, c: EventInvokeConfig): Record<string, unknown> {
    return {
      LastModified: c.lastModified,
      FunctionArn: `${functionArn(name, this.ctx)}:$LATEST`,
      ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
      ...(c.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds } : {}),
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    };
  }

  #noEventInvokeConfig(name: string): Error {
    return new LambdaError('ResourceNotFoundException', `The function ${functionArn(name, this.ctx)} doesn't have an EventInvokeConfig`);
  }

  getAccountSettings(): Record<string, unknown> {
    return accountSettings(this.store.list());
  }

  /** The function whose policy a request changes ($LATEST only: Lakebox has no versions or aliases), RevisionId checked. */
  #policyTarget(input: Input): FunctionRecord {
    const r = this.resolve(input.FunctionName, input.Qualifier).record();
    if (input.RevisionId !== undefined && input.RevisionId !== r.revisionId) throw LambdaErrors.revisionMismatch();
    return r;
  }

  /** Concurrency is set on functions only (Lambda refuses versions and aliases here). */
  #unqualified(name: unknown): FunctionRecord {
    const { ref, record } = this.resolve(name, undefined, 140);
    if (ref.qualifier !== undefined) {
      throw LambdaErrors.invalidParameter(
        'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
      );
    }
    return record();
  }
}

/** An event invoke config from a Put (or an Update merged into `current`), validated as Lambda validates it. */
function eventInvokeConfig(input: Input, current: EventInvokeConfig | undefined): EventInvokeConfig {
  const retries = input.MaximumRetryAttempts;
  const age = input.MaximumEventAgeInSeconds;
  if (retries !== undefined && (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 2)) {
    throw LambdaErrors.validation(retries, 'maximumRetryAttempts', 'have value less than or equal to 2');
  }
  if (age !== undefined && (typeof age !== 'number' || !Number.isInteger(age) || age < 60 || age > 21600)) {
    throw LambdaErrors.validation(age, 'maximumEventAgeInSeconds', 'have value between 60 and 21600');
  }
  const destinations = input.DestinationConfig as { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } } | undefined;
  if (destinations?.OnSuccess?.Destination !== undefined || destinations?.OnFailure?.Destination !== undefined) {
    throw LambdaErrors.invalidParameter('Lakebox does not deliver to invocation destinations (SQS, SNS, Lambda, EventBridge, S3) yet.');
  }
  return {
    maximumRetryAttempts: typeof retries === 'number' ? retries : current?.maximumRetryAttempts,
    maximumEventAgeInSeconds: typeof age === 'number' ? age : current?.maximumEventAgeInSeconds,
    lastModified: Date.now() / 1000,
  };
}
