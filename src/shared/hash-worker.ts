/** Digests of large request bodies (MD5, SHA-1, SHA-256, CRC32, CRC32C, CRC64NVME) computed in a worker thread, off the event loop. */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** Bodies at least this large are hashed in the worker; smaller ones inline, where a message would cost more than the hashing. */
export const OFFLOAD_HASHING_BYTES = 256 * 1024;

export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'crc32' | 'crc32c' | 'crc64nvme';

/**
 * The worker. `open` {job, algorithms}, `data` {job, chunk}, `digest` {job}, `abort` {job}. It answers
 * `progress` {job, bytes} every ~4 MiB hashed and `digests` {job, digests: {algorithm: bytes}} (or `error`).
 * CRCs are big-endian as S3 encodes them.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const { Crc32c } = require(workerData.crc32c);
const { Crc64Nvme } = require(workerData.crc64nvme);
const PROGRESS = 4 * 1024 * 1024;
const jobs = new Map();

function hasher(algorithm) {
  switch (algorithm) {
    case 'md5': case 'sha1': case 'sha256': {
      const h = createHash(algorithm);
      return { update: (d) => h.update(d), digest: async () => h.digest() };
    }
    case 'crc32': {
      let v = 0;
      return { update: (d) => { v = crc32(d, v); }, digest: async () => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; } };
    }
    case 'crc32c': {
      const c = new Crc32c();
      return { update: (d) => c.update(d), digest: async () => { const b = Buffer.alloc(4); b.writeUInt32BE(c.digest() >>> 0); return b; } };
    }
    case 'crc64nvme': {
      const c = new Crc64Nvme();
      return { update: (d) => c.update(d), digest: async () => Buffer.from(await c.digest()) };
    }
  }
  throw new Error('unknown algorithm ' + algorithm);
}

parentPort.on('message', async (m) => {
  if (m.type === 'open') {
    try {
      jobs.set(m.job, { hashers: m.algorithms.map((a) => [a, hasher(a)]), unreported: 0 });
    } catch (err) {
      parentPort.postMessage({ type: 'error', job: m.job, message: String(err && err.message || err) });
    }
    return;
  }
  const job = jobs.get(m.job);
  if (!job) return;
  if (m.type === 'data') {
    const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
    for (const [, h] of job.hashers) h.update(chunk);
    job.unreported += chunk.length;
    if (job.unreported >= PROGRESS) {
      parentPort.postMessage({ type: 'progress', job: m.job, bytes: job.unreported });
      job.unreported = 0;
    }
  } else if (m.type === 'digest') {
    jobs.delete(m.job);
    const digests = {};
    for (const [a, h] of job.hashers) digests[a] = await h.digest();
    parentPort.postMessage({ type: 'digests', job: m.job, digests });
  } else if (m.type === 'abort') {
    jobs.delete(m.job);
  }
});
`;

type WorkerMessage =
  | { type: 'progress'; job: number; bytes: number }
  | { type: 'digests'; job: number; digests: Record<string, Uint8Array> }
  | { type: 'error'; job: number; message: string };

interface JobState {
  inflight: number;
  wake: (() => void) | undefined;
  resolve: ((digests: Map<HashAlgorithm, Buffer>) => void) | undefined;
  reject: ((err: Error) => void) | undefined;
  failure: Error | undefined;
}

/** Bytes a job may have posted and not yet seen hashed before `update` makes its caller wait. */
const MAX_INFLIGHT = 16 * 1024 * 1024;

let shared: HashWorker | undefined;

/** One worker thread for the whole process; each body being hashed is a job in it. */
export class HashWorker {
  #worker: Worker | undefined;
  #nextJob = 1;
  readonly #jobs = new Map<number, JobState>();

  /** The process-wide instance. */
  static get shared(): HashWorker {
    shared ??= new HashWorker();
    return shared;
  }

  /** Jobs opened and not yet digested or aborted. */
  get activeJobs(): number {
    return this.#jobs.size;
  }

  /** Starts hashing a body with `algorithms`. */
  open(algorithms: readonly HashAlgorithm[]): HashJob {
    const worker = this.#ensureWorker();
    const id = this.#nextJob++;
    const state: JobState = { inflight: 0, wake: undefined, resolve: undefined, reject: undefined, failure: undefined };
    this.#jobs.set(id, state);
    worker.postMessage({ type: 'open', job: id, algorithms: [...algorithms] });
    return new HashJob(id, state, worker, () => this.#jobs.delete(id));
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the hash worker is closed'));
    if (w) await w.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { crc32c: require.resolve('@aws-crypto/crc32c'), crc64nvme: require.resolve('@aws-sdk/crc64-nvme') },
    });
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.#onMessage(m));
    const lost = (err: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(err);
    };
    worker.on('error', (err) => lost(new Error(`the hash worker failed: ${err.message}`)));
    worker.on('exit', () => lost(new Error('the hash worker exited')));
    this.#worker = worker;
    return worker;
  }

  #onMessage(m: WorkerMessage): void {
    const job = this.#jobs.get(m.job);
    if (!job) return;
    switch (m.type) {
      case 'progress': {
        job.inflight -= m.bytes;
        const wake = job.wake;
        job.wake = undefined;
        wake?.();
        return;
      }
      case 'digests': {
        this.#jobs.delete(m.job);
        const out = new Map<HashAlgorithm, Buffer>();
        for (const [a, d] of Object.entries(m.digests)) out.set(a as HashAlgorithm, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
        job.resolve?.(out);
        return;
      }
      case 'error':
        this.#jobs.delete(m.job);
        job.failure = new Error(m.message);
        job.reject?.(job.failure);
        job.wake?.();
        return;
    }
  }

  #failAll(err: Error): void {
    for (const [id, job] of [...this.#jobs]) {
      this.#jobs.delete(id);
      job.failure = err;
      job.reject?.(err);
      job.wake?.();
    }
  }
}

/** One body's digests in progress. */
export class HashJob {
  #done = false;

  constructor(
    private readonly id: number,
    private readonly state: JobState,
    private readonly worker: Worker,
    private readonly forget: () => void,
  ) {}

  /** Hands a chunk to the worker (copied); resolves at once unless too much is still waiting to be hashed. */
  async update(chunk: Uint8Array): Promise<void> {
    this.#check();
    this.state.inflight += chunk.byteLength;
    this.worker.postMessage({ type: 'data', job: this.id, chunk });
    while (this.state.inflight > MAX_INFLIGHT && !this.state.failure) await new Promise<void>((resolve) => (this.state.wake = resolve));
    this.#check();
  }

  #check(): void {
    const failure = this.state.failure;
    if (failure) throw failure;
  }

  /** The digests of everything passed to `update`. */
  digest(): Promise<Map<HashAlgorithm, Buffer>> {
    this.#done = true;
    return new Promise((resolve, reject) => {
      if (this.state.failure) return reject(this.state.failure);
      this.state.resolve = resolve;
      this.state.reject = reject;
      this.worker.postMessage({ type: 'digest', job: this.id });
    });
  }

  /** Drops the job (the body was abandoned). */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.forget();
    this.worker.postMessage({ type: 'abort', job: this.id });
  }
}
