// Shared benchmark helpers: Linux /proc measurements, local ports and small utilities used by every bench script.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process in seconds (all threads). */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

export function procStatusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle: idle / CLK_TCK, total: total / CLK_TCK };
}

export function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return '';
  }
}

export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

export function httpGetStatus(port, path) {
  return new Promise((resolvePromise) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

export function safeRead(path) {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function splitArgs(s) {
  return s.split(/\s+/).filter(Boolean);
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Kernel clock ticks per second, for /proc CPU times. */
export const CLK_TCK = clockTicks();

/**
 * How to start bin/lakebox.js the way `npx lakebox` does: with the node flags of its shebang line
 * (`#!/usr/bin/env -S node …`), plus any extra flags (profiling) given to the bench.
 */
export function lakeboxCommand(bin, extraNodeArgs = []) {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  const flags = m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
  return { cmd: process.execPath, args: [...flags, ...extraNodeArgs, bin] };
}

/** Starts `bin/lakebox.js server` on a free port (as lakeboxCommand does, plus node flags from BENCH_NODE_ARGS, e.g. `--cpu-prof`); resolves with the child and its endpoint. */
export async function startLakeboxServer(root, dataDir, credentials) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const { join } = await import('node:path');
  const launch = lakeboxCommand(join(root, 'bin', 'lakebox.js'), process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []);
  const child = spawn(launch.cmd, [...launch.args, 'server', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: root,
    env: { ...process.env, LAKEBOX_ACCESS_KEY_ID: credentials.accessKeyId, LAKEBOX_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('server did not start')), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.msg === 'listening' && msg.url) {
          clearTimeout(t);
          res(msg.url);
        }
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => rej(new Error(`server exited with ${code}`)));
  });
  return { child, endpoint };
}

/**
 * Starts a server process for a bench and waits until `isReady()` answers true (polled every `pollMs`): stdout and
 * stderr go to `logPath`; `onLine` sees stdout lines. Returns its handle (pid, log, assertAlive, stop with a SIGKILL
 * after `stopGraceMs`). `fail` ends the bench with a message.
 */
export async function superviseServer({ target, cmd, args, cwd, port, dataDir, logPath, isReady, onLine, pollMs = 100, stopGraceMs = 15_000, fail }) {
  const { spawn } = await import('node:child_process');
  const { createWriteStream } = await import('node:fs');
  const logStream = createWriteStream(logPath);
  const env = { ...process.env };
  // Any user AWS endpoint setting must not leak into the servers.
  delete env.AWS_ENDPOINT_URL;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  let pending = '';
  child.stdout.on('data', (chunk) => {
    logStream.write(chunk);
    if (!onLine) return;
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.pipe(logStream);
  let exited = false;
  let exitInfo;
  const exitPromise = new Promise((r) =>
    child.once('exit', (code, signal) => {
      exited = true;
      exitInfo = { code, signal };
      r(exitInfo);
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) fail(`${target} exited during startup; see ${logPath}:\n${safeRead(logPath)}`);
    if (await isReady()) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      fail(`${target} did not become ready within 60 s; see ${logPath}`);
    }
    await sleep(pollMs);
  }
  return {
    target,
    port,
    pid: child.pid,
    dataDir,
    logPath,
    command: [cmd === process.execPath ? 'node' : cmd, ...args].join(' '),
    /** Throws if the server died under load (with its exit status and the tail of its log). */
    assertAlive() {
      if (exited) throw new Error(`${target} exited unexpectedly (${JSON.stringify(exitInfo)}); log tail:\n${safeRead(logPath)}`);
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, stopGraceMs);
      const result = await exitPromise;
      clearTimeout(timer);
      logStream.end();
      return result;
    },
  };
}
