/** Reserved concurrency (PutFunctionConcurrency): the cap on a function's running executions, checked on every invoke. */
import { LambdaErrors } from './errors.js';

/** Lambda's default account concurrency and the part of it no reservation may take. */
export const ACCOUNT_CONCURRENCY = 1000;
export const MIN_UNRESERVED = 100;

/** Validates a PutFunctionConcurrency value against the other functions' reservations (`others`, summed). */
export function checkReservation(value: unknown, others: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw LambdaErrors.validation(value, 'reservedConcurrentExecutions', 'not be null');
  if (value < 0) throw LambdaErrors.validation(value, 'reservedConcurrentExecutions', 'have value greater than or equal to 0');
  if (ACCOUNT_CONCURRENCY - others - value < MIN_UNRESERVED) {
    throw LambdaErrors.invalidParameter(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
    );
  }
  return value;
}

/**
 * Running executions per function. A synchronous invoke past the function's reservation is throttled (429, as
 * Lambda answers); an asynchronous event waits for a free slot, as Lambda keeps throttled events queued.
 */
export class ConcurrencyGate {
  readonly #running = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  /** Takes a slot for a synchronous invoke, or throws TooManyRequestsException. Returns the release function. */
  enter(name: string, reserved: number | undefined): () => void {
    const running = this.#running.get(name) ?? 0;
    if (reserved !== undefined && running >= reserved) throw LambdaErrors.throttled('ReservedFunctionConcurrentInvocationLimitExceeded');
    return this.#take(name);
  }

  /** Takes a slot for an event, waiting while the function runs at its reservation (read again after each wait). */
  async enterWhenFree(name: string, reserved: () => number | undefined): Promise<() => void> {
    for (;;) {
      const limit = reserved();
      if (limit === undefined || (this.#running.get(name) ?? 0) < limit) return this.#take(name);
      await new Promise<void>((resolve) => {
        const list = this.#waiting.get(name) ?? [];
        list.push(resolve);
        this.#waiting.set(name, list);
      });
    }
  }

  /** Wakes the events waiting on `name` (a slot was freed or the reservation changed); they check again. */
  wake(name: string): void {
    const list = this.#waiting.get(name);
    this.#waiting.delete(name);
    for (const resolve of list ?? []) resolve();
  }

  #take(name: string): () => void {
    this.#running.set(name, (this.#running.get(name) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#running.get(name) ?? 1) - 1;
      if (n > 0) this.#running.set(name, n);
      else this.#running.delete(name);
      this.wake(name);
    };
  }
}
