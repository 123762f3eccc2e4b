/** A body held whole in memory (a small upload once it has arrived, a small stored object): a Readable for any consumer, and its bytes as one buffer for consumers that can skip the stream hops. */
import { Readable } from 'node:stream';

/**
 * `whole` resolves with every byte once the body has arrived and passed its checks, or rejects with the error that
 * also destroys the stream. A consumer uses one or the other; as with streamed bodies, an error nobody has read
 * yet is not an unhandled 'error' event or rejection.
 */
export class WholeBody extends Readable {
  readonly whole: Promise<Buffer>;
  #resolve!: (data: Buffer) => void;
  #reject!: (err: Error) => void;

  constructor() {
    super({ read: () => undefined });
    this.whole = new Promise<Buffer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.whole.catch(() => undefined);
    this.on('error', () => undefined);
  }

  /** A body already held in memory. */
  static of(data: Buffer): WholeBody {
    const body = new WholeBody();
    body.complete(data);
    return body;
  }

  /** The body has arrived: `data` is all of it. */
  complete(data: Buffer): void {
    this.#resolve(data);
    if (data.length > 0) this.push(data);
    this.push(null);
  }

  /** The body failed (bad payload hash, client abort). */
  fail(err: Error): void {
    this.#reject(err);
    this.destroy(err);
  }
}
