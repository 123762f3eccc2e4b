/** Typed Firehose errors with AWS's codes; HTTP statuses are mapped once in FIREHOSE_ERROR_STATUS. */
import { ServiceError } from '../../shared/service-error.js';

export class FirehoseError extends ServiceError {}

export const FIREHOSE_ERROR_STATUS: Readonly<Record<string, number>> = {
  ResourceNotFoundException: 400,
  ResourceInUseException: 400,
  InvalidArgumentException: 400,
  LimitExceededException: 400,
  ConcurrentModificationException: 400,
  ValidationException: 400,
  ServiceUnavailableException: 503,
  UnknownOperationException: 400,
  SerializationException: 400,
};

export const FirehoseErrors = {
  notFound: (name: string, accountId: string) =>
    new FirehoseError('ResourceNotFoundException', `Firehose ${name} under account ${accountId} not found.`),
  notActive: (name: string, accountId: string) =>
    new FirehoseError('ResourceNotFoundException', `Firehose ${name} is not active in ${accountId} account.`),
  inUse: (message: string) => new FirehoseError('ResourceInUseException', message),
  invalidArgument: (message: string) => new FirehoseError('InvalidArgumentException', message),
  notSupported: (feature: string) =>
    new FirehoseError('InvalidArgumentException', `${feature} is not supported by Lakebox yet; remove it from the configuration.`),
  limitExceeded: (message: string) => new FirehoseError('LimitExceededException', message),
  concurrentModification: (current: string, given: string) =>
    new FirehoseError(
      'ConcurrentModificationException',
      `Cannot update firehose: the provided CurrentDeliveryStreamVersionId ${given} does not match the current version ${current}.`,
    ),
  serviceUnavailable: (message: string) => new FirehoseError('ServiceUnavailableException', message),
  unknownOperation: (operation: string) =>
    new FirehoseError('UnknownOperationException', `Operation ${operation} is not supported by Lakebox's Firehose yet.`),
} as const;

/** Collects constraint violations into AWS's `N validation error(s) detected: …` ValidationException. */
export class Violations {
  readonly #items: string[] = [];

  add(value: unknown, path: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
    this.#items.push(`Value '${shown}' at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }

  throwIfAny(): void {
    if (this.#items.length === 0) return;
    const n = this.#items.length;
    throw new FirehoseError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${this.#items.join('; ')}`);
  }
}
