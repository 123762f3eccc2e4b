/** Pass-through stream that checks a body against the hex SHA-256 signed in x-amz-content-sha256. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { HashWorker, OFFLOAD_HASHING_BYTES, type HashJob } from '../../shared/hash-worker.js';
import { AuthErrors } from './auth-errors.js';

export class PayloadHashVerifier extends Transform {
  readonly #hash: Hash | undefined;
  readonly #job: HashJob | undefined;

  /** With a large `sizeHint` the hashing runs in the hash worker thread (see OFFLOAD_HASHING_BYTES). */
  constructor(
    private readonly expectedHex: string,
    sizeHint?: number,
  ) {
    super({ highWaterMark: 256 * 1024 });
    if (sizeHint !== undefined && sizeHint >= OFFLOAD_HASHING_BYTES) this.#job = HashWorker.shared.open(['sha256']);
    else this.#hash = createHash('sha256');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.#job) {
      this.#job.update(chunk).then(
        () => cb(null, chunk),
        (err: unknown) => cb(err as Error),
      );
      return;
    }
    this.#hash!.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const check = (computed: string): void => {
      if (computed !== this.expectedHex) cb(AuthErrors.contentSha256Mismatch(this.expectedHex, computed));
      else cb();
    };
    if (!this.#job) return check(this.#hash!.digest('hex'));
    this.#job.digest().then(
      (d) => check(d.get('sha256')!.toString('hex')),
      (err: unknown) => cb(err as Error),
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.writableFinished) this.#job?.abort();
    cb(err);
  }
}
