/** GZIP compression of delivered objects in a worker thread, so compressing never waits on the event loop that takes puts. */
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { FileRange } from '../intake-log.js';

/**
 * The worker. Per job: `start` {job, level, framed, delimiter}, `input` {job, data} or {job, range} (a file range
 * it reads itself), `end`, `abort`,
 * `pause` / `resume` (output backpressure). It answers `consumed` {job, bytes} once an input is compressed,
 * `output` {job, data} in pieces, then `done` or `error` {job, message}. Framed input is
 * `u32 length | bytes` per record (the intake log's framing): the worker strips the framing and puts
 * `\n` between records when `delimiter` is set, so the main thread never touches single records.
 *
 * Compression is synchronous on this thread, which runs at a lower CPU priority than the thread taking
 * puts: one gzip member (header, then raw deflate blocks of ~1 MiB of input, each ended by a sync flush,
 * the last by a final block, then CRC-32 and length). Blocks do not share a dictionary; at 1 MiB that costs
 * well under 1% of the compression ratio.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readlinkSync, readSync } = require('node:fs');
const { setPriority } = require('node:os');
const zlib = require('node:zlib');
const BLOCK = 1024 * 1024;
const jobs = new Map();

try {
  // Linux: lower this thread's priority (nice 10), so compressing yields the CPU to request handling.
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {}

function post(message, data) {
  if (data.byteOffset !== 0 || data.buffer.byteLength !== data.byteLength) data = Buffer.from(data);
  message.data = data;
  parentPort.postMessage(message, [data.buffer]);
}

function unframe(data, job) {
  let size = 0, count = 0;
  for (let off = 0; off < data.length; ) {
    const len = data.readUInt32BE(off);
    size += len;
    count++;
    off += 4 + len;
    if (off > data.length) throw new Error('truncated record framing');
  }
  const delimiters = job.delimiter ? count - (job.first && count > 0 ? 1 : 0) : 0;
  const out = Buffer.allocUnsafe(size + delimiters);
  let w = 0;
  for (let off = 0; off < data.length; ) {
    const len = data.readUInt32BE(off);
    off += 4;
    if (job.delimiter && !job.first) out[w++] = 10;
    job.first = false;
    w += data.copy(out, w, off, off + len);
    off += len;
  }
  return out;
}

function header(level) {
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL (2: best, 4: fastest) OS=3 (Unix), as zlib writes it.
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level >= 9 ? 2 : level === 1 ? 4 : 0, 3]);
}

/** Compresses the pending input as deflate blocks: sync-flushed, or final when last is set. */
function compress(id, job, last) {
  const input = job.pending.length === 1 ? job.pending[0] : Buffer.concat(job.pending);
  job.pending = [];
  job.pendingBytes = 0;
  job.crc = zlib.crc32(input, job.crc);
  job.size += input.length;
  const flush = last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
  const deflated = zlib.deflateRawSync(input, { level: job.level, finishFlush: flush });
  const parts = [];
  if (!job.started) {
    parts.push(header(job.level));
    job.started = true;
  }
  parts.push(deflated);
  if (last) {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(job.crc >>> 0, 0);
    trailer.writeUInt32LE(job.size % 0x100000000, 4);
    parts.push(trailer);
  }
  post({ type: 'output', job: id }, Buffer.concat(parts));
  for (const bytes of job.consumed) parentPort.postMessage({ type: 'consumed', job: id, bytes });
  job.consumed = [];
}

/** Reads a file range (a batch in the intake log) on this thread. */
function readRange(job, range) {
  let fd = job.fds.get(range.path);
  if (fd === undefined) {
    fd = openSync(range.path, 'r');
    job.fds.set(range.path, fd);
  }
  const buf = Buffer.allocUnsafe(range.length);
  for (let got = 0; got < range.length; ) {
    const n = readSync(fd, buf, got, range.length - got, range.offset + got);
    if (n === 0) throw new Error('unexpected end of ' + range.path);
    got += n;
  }
  return buf;
}

function release(id, job) {
  jobs.delete(id);
  for (const fd of job.fds.values()) {
    try {
      closeSync(fd);
    } catch {}
  }
  job.fds.clear();
}

function fail(id, err) {
  const job = jobs.get(id);
  if (job) release(id, job);
  parentPort.postMessage({ type: 'error', job: id, message: String((err && err.message) || err) });
}

/** Works through a job's queued messages unless its reader asked for a pause. */
function drain(id, job) {
  while (!job.paused && job.queue.length > 0) {
    const m = job.queue.shift();
    try {
      if (m.type === 'input') {
        const data = m.range ? readRange(job, m.range) : Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
        const encoded = job.framed ? unframe(data, job) : data;
        job.pending.push(encoded);
        job.pendingBytes += encoded.length;
        job.consumed.push(m.range ? m.range.length : data.length);
        if (job.pendingBytes >= BLOCK) compress(id, job, false);
      } else if (m.type === 'end') {
        compress(id, job, true);
        release(id, job);
        parentPort.postMessage({ type: 'done', job: id });
        return;
      }
    } catch (err) {
      fail(id, err);
      return;
    }
  }
}

parentPort.on('message', (m) => {
  const id = m.job;
  if (m.type === 'start') {
    jobs.set(id, { level: m.level, framed: m.framed, delimiter: m.delimiter, first: true, started: false, crc: 0, size: 0, pending: [], pendingBytes: 0, consumed: [], queue: [], paused: false, fds: new Map() });
    return;
  }
  const job = jobs.get(id);
  if (!job) return;
  switch (m.type) {
    case 'input':
    case 'end':
      job.queue.push(m);
      drain(id, job);
      return;
    case 'pause':
      job.paused = true;
      return;
    case 'resume':
      job.paused = false;
      drain(id, job);
      return;
    case 'abort':
      release(id, job);
      return;
  }
});
`;

export interface GzipJobOptions {
  readonly level: number;
  /** Input pieces carry the intake log's record framing (`u32 length | bytes` per record). */
  readonly framed: boolean;
  /** With framed input: `\n` between records (AppendDelimiterToRecord). */
  readonly delimiter: boolean;
}

type WorkerMessage =
  | { type: 'consumed'; job: number; bytes: number }
  | { type: 'output'; job: number; data: Uint8Array }
  | { type: 'done'; job: number }
  | { type: 'error'; job: number; message: string };

interface Job {
  readonly output: Readable;
  /** Hands a compressed piece to `output`, asking the worker to pause when it is full. */
  push: (data: Uint8Array) => void;
  /** Input bytes posted and not yet through zlib. */
  inflight: number;
  wake: (() => void) | undefined;
  finished: boolean;
}

/** Input bytes a job may have queued in the worker before the feeder waits. */
const MAX_INFLIGHT_INPUT = 4 * 1024 * 1024;

function isWhole(data: Uint8Array): boolean {
  return data.byteOffset === 0 && data.buffer.byteLength === data.byteLength;
}

/** One worker thread shared by every delivery; jobs (one per object being written) run interleaved. */
export class GzipWorker {
  #worker: Worker | undefined;
  #nextJob = 1;
  readonly #jobs = new Map<number, Job>();
  #closed = false;

  /** The gzip of `source` (bytes, or file ranges the worker reads), as a stream; errors in the source or the worker destroy it. */
  gzip(source: AsyncIterable<Uint8Array | FileRange>, options: GzipJobOptions): Readable {
    if (this.#closed) throw new Error('the gzip worker is closed');
    const worker = this.#ensureWorker();
    const id = this.#nextJob++;
    let paused = false;
    const output = new Readable({
      highWaterMark: 2 * 1024 * 1024,
      read: () => {
        if (paused) {
          paused = false;
          this.#worker?.postMessage({ type: 'resume', job: id });
        }
      },
      destroy: (err, callback) => {
        const job = this.#jobs.get(id);
        if (job && !job.finished) {
          this.#worker?.postMessage({ type: 'abort', job: id });
          job.finished = true;
          job.wake?.();
        }
        this.#jobs.delete(id);
        callback(err);
      },
    });
    const push = (data: Uint8Array): void => {
      if (!output.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) && !paused) {
        paused = true;
        worker.postMessage({ type: 'pause', job: id });
      }
    };
    const job: Job = { output, push, inflight: 0, wake: undefined, finished: false };
    this.#jobs.set(id, job);
    worker.postMessage({ type: 'start', job: id, level: options.level, framed: options.framed, delimiter: options.delimiter });
    void this.#feed(id, job, worker, source);
    return output;
  }

  async #feed(id: number, job: Job, worker: Worker, source: AsyncIterable<Uint8Array | FileRange>): Promise<void> {
    try {
      for await (const piece of source) {
        while (job.inflight >= MAX_INFLIGHT_INPUT && !job.finished) await new Promise<void>((resolve) => (job.wake = resolve));
        if (job.finished) return;
        if (piece instanceof Uint8Array) {
          job.inflight += piece.byteLength;
          worker.postMessage({ type: 'input', job: id, data: piece }, isWhole(piece) ? [piece.buffer as ArrayBuffer] : []);
        } else {
          job.inflight += piece.length;
          worker.postMessage({ type: 'input', job: id, range: { path: piece.path, offset: piece.offset, length: piece.length } });
        }
      }
      if (!job.finished) worker.postMessage({ type: 'end', job: id });
    } catch (err) {
      if (!job.finished) job.output.destroy(err as Error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the gzip worker is closed'));
    if (w) await w.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.#onMessage(m));
    worker.on('error', (err) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error(`the gzip worker failed: ${err.message}`));
    });
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error('the gzip worker exited'));
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(m: WorkerMessage): void {
    const job = this.#jobs.get(m.job);
    if (!job || job.finished) return;
    switch (m.type) {
      case 'consumed': {
        job.inflight -= m.bytes;
        const wake = job.wake;
        job.wake = undefined;
        wake?.();
        return;
      }
      case 'output':
        job.push(m.data);
        return;
      case 'done':
        this.#finish(m.job, job);
        job.output.push(null);
        return;
      case 'error':
        this.#finish(m.job, job);
        job.output.destroy(new Error(`gzip failed: ${m.message}`));
        return;
    }
  }

  #finish(id: number, job: Job): void {
    job.finished = true;
    job.wake?.();
    this.#jobs.delete(id);
  }

  #failAll(err: Error): void {
    for (const [id, job] of [...this.#jobs]) {
      this.#finish(id, job);
      job.output.destroy(err);
    }
  }
}
