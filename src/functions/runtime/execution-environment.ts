/** One execution environment: a child process running the Node or Python bootstrap, one invocation at a time, killed on timeout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

/** End-of-invocation marker the bootstraps write to stdout and stderr: `\0lakebox-end:<requestId>\0`. */
const SENTINEL = /\u0000lakebox-end:([^\u0000]*)\u0000/;

export interface EnvironmentSpec {
  readonly functionName: string;
  readonly family: 'node' | 'python';
  readonly codeDir: string;
  readonly memoryMb: number;
  readonly timeoutSec: number;
  /** Complete environment of the child (PATH, Lambda variables, user variables). */
  readonly env: Readonly<Record<string, string>>;
  /** Environments are reused only for invocations with the same key (code + configuration). */
  readonly configKey: string;
}

export interface Launcher {
  readonly nodeBootstrap: string;
  readonly pythonBootstrap: string;
  readonly python: string;
}

export interface InvocationInput {
  readonly requestId: string;
  /** Event JSON text. */
  readonly payload: string;
  readonly invokedFunctionArn: string;
  /** ClientContext JSON text. */
  readonly clientContext?: string | undefined;
}

export interface InvocationOutcome {
  readonly ok: boolean;
  readonly payload: Buffer;
  /** Function log lines of this invocation (init output first on a cold start). */
  readonly logs: readonly string[];
  readonly durationMs: number;
  readonly initDurationMs: number | undefined;
  readonly maxMemoryMb: number | undefined;
}

interface ResultMessage {
  t: 'result';
  id: string;
  ok: boolean;
  payload: string;
  mem?: number;
  /** The runtime exits after this result (uncaught exception, unhandled rejection). */
  exit?: boolean;
}

interface Current {
  readonly input: InvocationInput;
  readonly started: number;
  readonly logs: string[];
  readonly resolve: (o: InvocationOutcome) => void;
  result: ResultMessage | undefined;
  sentinels: number;
  timer: NodeJS.Timeout | undefined;
  grace: NodeJS.Timeout | undefined;
  timedOut: boolean;
}

function platformError(type: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType: type, errorMessage: message }));
}

export class ExecutionEnvironment {
  readonly id = randomBytes(16).toString('hex');
  readonly #child: ChildProcess;
  readonly #log: Logger;
  #dead = false;
  #retiring = false;
  #current: Current | undefined;
  #coldStart = true;
  #initMs: number | undefined;
  #initError = false;
  #earlyLogs: string[] = [];
  #stderrTail = '';
  /** Called once when the process is gone. */
  onExit: (() => void) | undefined;

  constructor(
    readonly spec: EnvironmentSpec,
    launcher: Launcher,
    logger: Logger,
  ) {
    this.#log = logger.child({ function: spec.functionName, environment: this.id.slice(0, 8) });
    const [command, args] =
      spec.family === 'node'
        ? [process.execPath, [`--max-old-space-size=${spec.memoryMb}`, launcher.nodeBootstrap]]
        : [launcher.python, ['-u', launcher.pythonBootstrap]];
    this.#child = spawn(command, args, {
      cwd: spec.codeDir,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      detached: false,
    });
    const [, stdout, stderr, control, results] = this.#child.stdio as [null, Readable, Readable, Writable, Readable];
    for (const s of [stdout, stderr, control, results]) s.on('error', () => undefined);
    this.#child.on('error', (err) => {
      this.#log.error({ err }, 'function process failed to start');
      this.#exited(null, null, err.message);
    });
    this.#child.on('exit', (code, signal) => this.#exited(code, signal));
    createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (l) => this.#output(l, 'stdout'));
    createInterface({ input: stderr, crlfDelay: Infinity }).on('line', (l) => this.#output(l, 'stderr'));
    createInterface({ input: results, crlfDelay: Infinity }).on('line', (l) => this.#message(l));
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** False once the process is gone or about to go: such an environment must not serve another invocation. */
  get reusable(): boolean {
    return !this.#dead && !this.#retiring;
  }

  get busy(): boolean {
    return this.#current !== undefined;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  invoke(input: InvocationInput): Promise<InvocationOutcome> {
    if (this.#current) throw new Error('execution environment is busy');
    return new Promise<InvocationOutcome>((resolve) => {
      const current: Current = {
        input,
        started: performance.now(),
        logs: this.#earlyLogs,
        resolve,
        result: undefined,
        sentinels: 0,
        timer: undefined,
        grace: undefined,
        timedOut: false,
      };
      this.#earlyLogs = [];
      this.#current = current;
      if (this.#dead) {
        this.#finishExited(current, null, null);
        return;
      }
      current.timer = setTimeout(() => {
        current.timedOut = true;
        this.#child.kill('SIGKILL');
      }, this.spec.timeoutSec * 1000);
      const deadline = Date.now() + this.spec.timeoutSec * 1000;
      const message = { t: 'invoke', id: input.requestId, payload: input.payload, arn: input.invokedFunctionArn, deadline, clientContext: input.clientContext };
      (this.#child.stdio[3] as Writable).write(`${JSON.stringify(message)}\n`);
    });
  }

  kill(): void {
    this.#retiring = true;
    if (!this.#dead) this.#child.kill('SIGKILL');
  }

  #output(line: string, stream: 'stdout' | 'stderr'): void {
    let text = line;
    const marker = SENTINEL.exec(text);
    const current = this.#current;
    if (marker) {
      text = text.slice(0, marker.index) + text.slice(marker.index + marker[0].length);
      if (current && marker[1] === current.input.requestId) current.sentinels++;
    }
    if (stream === 'stderr') this.#stderrTail = (this.#stderrTail + text + '\n').slice(-2048);
    if (text !== '' || !marker) {
      (current?.logs ?? this.#earlyLogs).push(text);
      this.#log.info({ requestId: current?.input.requestId, stream }, text);
    }
    if (current) this.#maybeFinish(current);
  }

  #message(line: string): void {
    let msg: { t: string; initMs?: number; initError?: boolean; id?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.t === 'ready') {
      this.#initMs = msg.initMs;
      this.#initError = msg.initError === true;
      return;
    }
    const current = this.#current;
    if (msg.t === 'result' && current && msg.id === current.input.requestId) {
      current.result = msg as unknown as ResultMessage;
      // Output written before the result arrives on other pipes: wait for both end markers, briefly.
      current.grace = setTimeout(() => this.#complete(current), 500);
      this.#maybeFinish(current);
    }
  }

  #maybeFinish(current: Current): void {
    if (current.result && current.sentinels >= 2) this.#complete(current);
  }

  #complete(current: Current): void {
    if (this.#current !== current || !current.result) return;
    this.#settle(current, {
      ok: current.result.ok,
      payload: Buffer.from(current.result.payload, 'utf8'),
      maxMemoryMb: current.result.mem,
    });
    // An environment whose init failed is discarded: the next invocation initializes again.
    if (this.#initError || current.result.exit === true) {
      this.#retiring = true;
      this.kill();
    }
  }

  #settle(current: Current, outcome: Pick<InvocationOutcome, 'ok' | 'payload' | 'maxMemoryMb'>): void {
    clearTimeout(current.timer);
    clearTimeout(current.grace);
    this.#current = undefined;
    const initDurationMs = this.#coldStart ? this.#initMs : undefined;
    this.#coldStart = false;
    current.resolve({
      ...outcome,
      logs: current.logs,
      durationMs: performance.now() - current.started,
      initDurationMs,
    });
  }

  #exited(code: number | null, signal: NodeJS.Signals | null, reason?: string): void {
    if (this.#dead) return;
    this.#dead = true;
    const current = this.#current;
    if (current) {
      // Let buffered output and a result that raced with the exit arrive first.
      setImmediate(() => {
        if (this.#current !== current) return;
        if (current.result) this.#complete(current);
        else this.#finishExited(current, code, signal, reason);
      });
    }
    this.onExit?.();
  }

  #finishExited(current: Current, code: number | null, signal: NodeJS.Signals | null, reason?: string): void {
    const id = current.input.requestId;
    let payload: Buffer;
    if (current.timedOut) {
      payload = platformError('Sandbox.Timedout', `RequestId: ${id} Error: Task timed out after ${this.spec.timeoutSec.toFixed(2)} seconds`);
    } else if (/heap out of memory|MemoryError|Cannot allocate memory/.test(this.#stderrTail)) {
      payload = platformError('Runtime.OutOfMemory', `RequestId: ${id} Error: Runtime exited with error: ${signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : 'aborted'}` : `exit status ${code ?? 1}`}`);
    } else if (reason !== undefined) {
      payload = platformError('Runtime.ExitError', `RequestId: ${id} Error: Runtime failed to start: ${reason}`);
    } else if (signal !== null) {
      payload = platformError('Runtime.ExitError', `RequestId: ${id} Error: Runtime exited with error: signal: ${signal === 'SIGKILL' ? 'killed' : signal}`);
    } else if (code !== null && code !== 0) {
      payload = platformError('Runtime.ExitError', `RequestId: ${id} Error: Runtime exited with error: exit status ${code}`);
    } else {
      payload = platformError('Runtime.ExitError', `RequestId: ${id} Error: Runtime exited without providing a reason`);
    }
    this.#settle(current, { ok: false, payload, maxMemoryMb: undefined });
  }
}
