/** Runs jq (jq-web, the jq C sources compiled to WebAssembly) in a worker thread, one call per batch of records, with a timeout. */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** The worker: loads jq-web once, then answers {id, filter, input, flags} messages with {id, out} or {id, error, exitCode}. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = require(workerData.jqPath);
parentPort.on('message', async (m) => {
  const jq = await ready;
  try {
    parentPort.postMessage({ id: m.id, out: jq.raw(m.input, m.filter, m.flags) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && (e.stderr || e.message) || e), exitCode: e && e.exitCode });
  }
});
`;

export class JqError extends Error {
  constructor(
    message: string,
    /** jq's exit code: 3 for a compile (syntax) error, 5 for a runtime error; undefined for timeouts. */
    readonly exitCode: number | undefined,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(out: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class JqEvaluator {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly timeoutMs = 10_000) {}

  /** Runs `filter` over `input` (jq's stdin: one or more JSON texts) and returns jq's stdout. */
  run(filter: string, input: string, flags: readonly string[] = ['-c']): Promise<string> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new JqError(`jq did not finish within ${this.timeoutMs} ms`, undefined));
        // The only way to stop a runaway filter is to stop its thread; the next call starts a fresh one.
        this.#restart();
      }, this.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, filter, input, flags: [...flags] });
    });
  }

  /** Checks that `filter` compiles; resolves to an error message when it does not. */
  async compileError(filter: string): Promise<string | undefined> {
    try {
      await this.run(`try (${filter}) catch null`, 'null');
      return undefined;
    } catch (err) {
      const e = err as JqError;
      if (e.exitCode === 3) return e.message.replace(/^Non-zero exit code: 3\n?/, '').trim();
      return undefined;
    }
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new JqError('jq evaluator closed', undefined));
      this.#pending.delete(id);
    }
    if (w) await w.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { jqPath: require.resolve('jq-web') } });
    worker.unref();
    worker.on('message', (m: { id: number; out?: string; error?: string; exitCode?: number }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined) p.reject(new JqError(m.error, m.exitCode));
      else p.resolve(m.out ?? '');
    });
    worker.on('error', (err) => {
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        p.reject(new JqError(`jq worker failed: ${err.message}`, undefined));
        this.#pending.delete(id);
      }
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }

  #restart(): void {
    const w = this.#worker;
    this.#worker = undefined;
    if (w) void w.terminate();
  }
}
