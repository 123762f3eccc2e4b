/** GetQueryExecution calls held until an execution leaves QUEUED/RUNNING or their wait runs out (see AthenaServiceDeps.pollWaitMs). */
export class SettleWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves when execution `id` settles or after `ms`, whichever is first. */
  wait(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiting = this.#waiting.get(id);
      if (!waiting) this.#waiting.set(id, (waiting = new Set()));
      const set = waiting;
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.#waiting.get(id) === set) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  /** Answers the calls waiting on execution `id`. */
  settle(id: string): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    for (const wake of waiting) wake();
  }

  /** Answers every waiting call (shutdown). */
  settleAll(): void {
    for (const id of [...this.#waiting.keys()]) this.settle(id);
  }
}
