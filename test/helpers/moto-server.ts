/** Starts moto's S3 server (pip `moto[server]`, installed by CI) on a free port for tests that need a real S3-compatible remote store. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A missing moto fails the test run (it is a declared test dependency), never skips it. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on('error', (err) => (spawnError = err));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) throw new Error(`cannot start moto (pip install 'moto[server]'): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode} (pip install 'moto[server]'):\n${stderr}`);
    try {
      const res = await fetch(`${endpoint}/`);
      await res.arrayBuffer();
      return { endpoint, stop: () => stopChild(child) };
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`moto server did not answer on ${endpoint} within 30 s:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
