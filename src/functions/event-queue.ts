/** Asynchronous (Event) invocations: accepted with 202, run off the request path, retried twice on function errors with the same request id. */
import type { Logger } from 'pino';

export interface EventJob {
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly payload: string;
  readonly requestId: string;
  /** When the event was accepted (epoch ms), for MaximumEventAgeInSeconds; absent in events journaled before it was kept. */
  readonly acceptedAt?: number | undefined;
}

/** Runs one attempt; resolves true on success, false on a function error. Throws when the function is gone. */
export type AttemptRunner = (job: EventJob, attempt: number) => Promise<boolean>;

/** Where accepted events are kept until they finish, so a restart resumes them. */
export interface EventJournal {
  addEvent(job: EventJob): Promise<void>;
  removeEvent(requestId: string): void;
  pendingEvents(): EventJob[];
}

export interface EventQueueOptions {
  /** Delay before the first retry; the second waits twice as long (AWS: about 1 and 2 minutes). */
  readonly retryDelayMs: number;
  /** Retries after the first attempt (AWS default 2). */
  readonly maxRetries: number;
  /** A function's own limits (PutFunctionEventInvokeConfig), read at each attempt; the defaults apply where absent. */
  readonly policy?: ((job: EventJob) => { readonly maxRetries?: number | undefined; readonly maxAgeMs?: number | undefined }) | undefined;
}

export class EventQueue {
  readonly #running = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(
    private readonly run: AttemptRunner,
    private readonly options: EventQueueOptions,
    private readonly logger: Logger,
    private readonly journal: EventJournal,
  ) {}

  /** Number of events accepted and not yet finished (running or waiting for a retry). */
  get pending(): number {
    return this.#running.size + this.#timers.size;
  }

  /** Accepts an event: journaled durably first, then run off the request path. */
  async enqueue(job: EventJob): Promise<void> {
    await this.journal.addEvent(job);
    this.#attempt(job, 1);
  }

  /** Resumes events accepted before a restart (from their first attempt). */
  resume(): void {
    for (const job of this.journal.pendingEvents()) this.#attempt(job, 1);
  }

  #attempt(job: EventJob, attempt: number): void {
    if (this.#closed) return;
    const task = (async () => {
      const policy = this.options.policy?.(job) ?? {};
      if (policy.maxAgeMs !== undefined && job.acceptedAt !== undefined && Date.now() - job.acceptedAt > policy.maxAgeMs) {
        this.logger.warn({ function: job.functionName, requestId: job.requestId, attempts: attempt - 1 }, 'async invocation dropped: MaximumEventAgeInSeconds passed');
        this.journal.removeEvent(job.requestId);
        return;
      }
      let ok: boolean;
      try {
        ok = await this.run(job, attempt);
      } catch (err) {
        this.logger.warn({ err, function: job.functionName, requestId: job.requestId }, 'async invocation dropped');
        this.journal.removeEvent(job.requestId);
        return;
      }
      if (ok) {
        this.journal.removeEvent(job.requestId);
        return;
      }
      if (attempt > (policy.maxRetries ?? this.options.maxRetries)) {
        this.logger.warn({ function: job.functionName, requestId: job.requestId, attempts: attempt }, 'async invocation failed; retries exhausted');
        this.journal.removeEvent(job.requestId);
        return;
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#attempt(job, attempt + 1);
      }, this.options.retryDelayMs * attempt);
      timer.unref();
      this.#timers.add(timer);
    })();
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
  }

  /** Drops queued retries and waits (briefly) for running attempts. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.race([Promise.allSettled([...this.#running]), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
