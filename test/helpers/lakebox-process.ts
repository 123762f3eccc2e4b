/** Starts the real `lakebox server` as a child process for black-box tests; supports kill -9 and restart on the same data dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ACCESS_KEY_ID = 'lakebox-test-key';
export const SECRET_ACCESS_KEY = 'lakebox-test-secret';

export interface LakeboxProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Output lines so far (stdout and stderr), for diagnostics. */
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
}

export async function startLakebox(options: StartOptions = {}): Promise<LakeboxProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lakebox-test-'));
  const child = spawn(
    process.execPath,
    ['bin/lakebox.js', 'server', '--port', String(options.port ?? 0), '--data-dir', dataDir, '--log-level', 'warn', ...(options.args ?? [])],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        LAKEBOX_ACCESS_KEY_ID: ACCESS_KEY_ID,
        LAKEBOX_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lakebox did not start:\n${output.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      try {
        const msg = JSON.parse(line) as { msg?: string; url?: string };
        if (msg.msg === 'listening' && msg.url) {
          clearTimeout(timer);
          resolve(msg.url);
        }
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lakebox exited with ${code}:\n${output.join('\n')}`));
    });
  });
  const port = Number(new URL(endpoint).port);
  return {
    endpoint,
    port,
    dataDir,
    child,
    output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
