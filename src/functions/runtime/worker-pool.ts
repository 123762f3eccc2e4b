/** Keeps warm execution environments per function: reuse, idle TTL, a per-function concurrency cap with a FIFO queue, recycling. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ExecutionEnvironment, type EnvironmentSpec, type InvocationInput, type InvocationOutcome, type Launcher } from './execution-environment.js';

export interface WorkerPoolOptions {
  /** Maximum concurrent execution environments per function; further invocations wait in line. */
  readonly maxPerFunction: number;
  /** Idle environments are stopped after this long. */
  readonly idleTtlMs: number;
  /** Per-environment TMPDIR directories are created under this directory. */
  readonly tmpRoot: string;
  readonly logger: Logger;
  /** Python interpreter (default: `python3` resolved once to its real executable). */
  readonly python?: string;
}

interface FunctionPool {
  readonly envs: Set<ExecutionEnvironment>;
  readonly idle: ExecutionEnvironment[];
  readonly waiters: (() => void)[];
}

/** The directory holding Lakebox's package.json (the repository or the installed package). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Path of a bootstrap file shipped in src/functions/runtime/, from src (vitest) or from dist (built server). */
export function bootstrapFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, name);
  if (existsSync(beside)) return beside;
  let dir = here;
  for (;;) {
    const candidate = join(dir, 'src', 'functions', 'runtime', name);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`function runtime file ${name} not found near ${here}`);
    dir = parent;
  }
}

function resolvePython(): string {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 }).trim() || 'python3';
  } catch {
    return 'python3';
  }
}

export class WorkerPool {
  readonly #pools = new Map<string, FunctionPool>();
  readonly #idleTimers = new Map<ExecutionEnvironment, NodeJS.Timeout>();
  #launcher: Launcher | undefined;
  #closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  get #launch(): Launcher {
    this.#launcher ??= {
      nodeBootstrap: bootstrapFile('node-bootstrap.mjs'),
      pythonBootstrap: bootstrapFile('python-bootstrap.py'),
      python: this.options.python ?? resolvePython(),
    };
    return this.#launcher;
  }

  /** Runs one invocation in a warm or new environment, waiting for a free slot when the function is at its cap. */
  async invoke(spec: EnvironmentSpec, input: InvocationInput): Promise<InvocationOutcome> {
    const env = await this.#acquire(spec);
    try {
      return await env.invoke(input);
    } finally {
      this.#release(env);
    }
  }

  /** Number of live environments of a function (for tests and metrics). */
  size(functionName: string): number {
    return this.#pools.get(functionName)?.envs.size ?? 0;
  }

  /** Stops idle environments of a function; busy ones stop after their current invocation. */
  recycle(functionName: string): void {
    const pool = this.#pools.get(functionName);
    if (!pool) return;
    for (const env of pool.idle.splice(0)) this.#stop(env);
  }

  /** Stops every environment of a function, including busy ones (their invocations fail). */
  kill(functionName: string): void {
    const pool = this.#pools.get(functionName);
    if (!pool) return;
    for (const env of pool.envs) this.#stop(env);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const exits: Promise<void>[] = [];
    for (const pool of this.#pools.values()) {
      for (const env of pool.envs) {
        exits.push(new Promise<void>((resolve) => {
          if (env.dead) return resolve();
          const previous = env.onExit;
          env.onExit = () => {
            previous?.();
            resolve();
          };
        }));
        this.#stop(env);
      }
      for (const wake of pool.waiters.splice(0)) wake();
    }
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  #pool(name: string): FunctionPool {
    let pool = this.#pools.get(name);
    if (!pool) {
      pool = { envs: new Set(), idle: [], waiters: [] };
      this.#pools.set(name, pool);
    }
    return pool;
  }

  async #acquire(spec: EnvironmentSpec): Promise<ExecutionEnvironment> {
    const pool = this.#pool(spec.functionName);
    for (;;) {
      if (this.#closed) throw new Error('the functions service is shutting down');
      while (pool.idle.length > 0) {
        const env = pool.idle.pop()!;
        clearTimeout(this.#idleTimers.get(env));
        this.#idleTimers.delete(env);
        if (env.reusable && env.spec.configKey === spec.configKey) return env;
        this.#stop(env);
      }
      if (pool.envs.size < this.options.maxPerFunction) return this.#spawn(spec, pool);
      await new Promise<void>((resolve) => pool.waiters.push(resolve));
    }
  }

  #spawn(spec: EnvironmentSpec, pool: FunctionPool): ExecutionEnvironment {
    const placeholder = { ...spec.env };
    const tmp = join(this.options.tmpRoot, `${spec.functionName}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(tmp, { recursive: true });
    placeholder.TMPDIR = tmp;
    placeholder.TMP = tmp;
    placeholder.TEMP = tmp;
    const env = new ExecutionEnvironment({ ...spec, env: placeholder }, this.#launch, this.options.logger);
    pool.envs.add(env);
    env.onExit = () => {
      pool.envs.delete(env);
      const at = pool.idle.indexOf(env);
      if (at >= 0) pool.idle.splice(at, 1);
      clearTimeout(this.#idleTimers.get(env));
      this.#idleTimers.delete(env);
      rmSync(tmp, { recursive: true, force: true });
      pool.waiters.shift()?.();
    };
    return env;
  }

  #release(env: ExecutionEnvironment): void {
    const pool = this.#pool(env.spec.functionName);
    if (!env.reusable) return this.#stop(env);
    if (this.#closed) return this.#stop(env);
    pool.idle.push(env);
    const timer = setTimeout(() => {
      const at = pool.idle.indexOf(env);
      if (at >= 0) pool.idle.splice(at, 1);
      this.#stop(env);
    }, this.options.idleTtlMs);
    timer.unref();
    this.#idleTimers.set(env, timer);
    pool.waiters.shift()?.();
  }

  #stop(env: ExecutionEnvironment): void {
    clearTimeout(this.#idleTimers.get(env));
    this.#idleTimers.delete(env);
    env.kill();
  }
}
