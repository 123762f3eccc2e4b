/** Pass-through stream that checks a body against the hex SHA-256 signed in x-amz-content-sha256. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AuthErrors } from './auth-errors.js';

export class PayloadHashVerifier extends Transform {
  readonly #hash = createHash('sha256');

  constructor(private readonly expectedHex: string) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const computed = this.#hash.digest('hex');
    if (computed !== this.expectedHex) cb(AuthErrors.contentSha256Mismatch(this.expectedHex, computed));
    else cb();
  }
}
