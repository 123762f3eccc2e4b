/** Decodes `aws-chunked` request bodies (signed chunks, unsigned with trailer), verifying chunk and trailer signatures and collecting trailing headers. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../../shared/service-error.js';
import { AuthErrors } from './auth-errors.js';
import { chunkSignature, sameHex, trailerSignature, type AuthContext } from './verifier.js';

const CRLF = Buffer.from('\r\n');

type State = 'header' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  #buf: Buffer = Buffer.alloc(0);
  #state: State = 'header';
  #remaining = 0;
  #chunkSig: string | undefined;
  #chunkHash: Hash | undefined;
  #previousSig: string;
  readonly #signed: boolean;
  readonly #trailers = new Map<string, string>();
  #trailerLines: string[] = [];
  decodedBytes = 0;

  constructor(
    private readonly auth: AuthContext,
    mode: string,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.#signed = mode.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    this.#previousSig = auth.signature;
  }

  /** Trailing headers (lower-case names), available once the stream has ended. */
  get trailers(): ReadonlyMap<string, string> {
    return this.#trailers;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      this.#pump();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (this.#state === 'trailer' && this.#buf.length > 0) {
        // Tolerate a missing final CRLF after the last trailer line.
        this.#buf = Buffer.concat([this.#buf, CRLF, CRLF]);
        this.#pump();
      } else if (this.#state === 'trailer') {
        this.#finishTrailer();
      }
      if (this.#state !== 'done') throw malformed('the aws-chunked body ended before its final chunk');
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  #pump(): void {
    for (;;) {
      switch (this.#state) {
        case 'header': {
          const end = this.#buf.indexOf(CRLF);
          if (end < 0) {
            if (this.#buf.length > 4096) throw malformed('chunk header too long');
            return;
          }
          const line = this.#buf.subarray(0, end).toString('latin1');
          this.#buf = this.#buf.subarray(end + 2);
          const [sizeHex, ...exts] = line.split(';');
          if (sizeHex === undefined || !/^[0-9a-fA-F]+$/.test(sizeHex.trim())) throw malformed('bad chunk size');
          this.#remaining = parseInt(sizeHex.trim(), 16);
          this.#chunkSig = undefined;
          for (const ext of exts) {
            const [k, v] = ext.split('=');
            if (k?.trim() === 'chunk-signature') this.#chunkSig = v?.trim();
          }
          if (this.#signed) {
            if (this.#chunkSig === undefined) throw AuthErrors.chunkSignatureDoesNotMatch();
            this.#chunkHash = createHash('sha256');
          }
          if (this.#remaining === 0) {
            this.#verifyChunk();
            this.#state = 'trailer';
          } else {
            this.#state = 'data';
          }
          break;
        }
        case 'data': {
          if (this.#buf.length === 0) return;
          const take = Math.min(this.#remaining, this.#buf.length);
          const piece = this.#buf.subarray(0, take);
          this.#buf = this.#buf.subarray(take);
          this.#remaining -= take;
          this.#chunkHash?.update(piece);
          this.decodedBytes += take;
          this.push(piece);
          if (this.#remaining === 0) this.#state = 'data-crlf';
          break;
        }
        case 'data-crlf': {
          if (this.#buf.length < 2) return;
          if (this.#buf[0] !== 0x0d || this.#buf[1] !== 0x0a) throw malformed('chunk data not followed by CRLF');
          this.#buf = this.#buf.subarray(2);
          this.#verifyChunk();
          this.#state = 'header';
          break;
        }
        case 'trailer': {
          const end = this.#buf.indexOf(CRLF);
          if (end < 0) return;
          const line = this.#buf.subarray(0, end).toString('utf8');
          this.#buf = this.#buf.subarray(end + 2);
          if (line === '') {
            this.#finishTrailer();
            return;
          }
          this.#trailerLines.push(line);
          break;
        }
        case 'done':
          this.#buf = Buffer.alloc(0);
          return;
      }
    }
  }

  #verifyChunk(): void {
    if (!this.#signed) return;
    const digest = this.#chunkHash?.digest('hex') ?? '';
    const expected = chunkSignature(this.auth, this.#previousSig, digest);
    if (this.#chunkSig === undefined || !sameHex(expected, this.#chunkSig)) throw AuthErrors.chunkSignatureDoesNotMatch();
    this.#previousSig = expected;
  }

  #finishTrailer(): void {
    let providedSig: string | undefined;
    const signedBlock: string[] = [];
    for (const line of this.#trailerLines) {
      const idx = line.indexOf(':');
      if (idx <= 0) throw malformed('bad trailing header');
      const name = line.slice(0, idx).trim().toLowerCase();
      const value = line.slice(idx + 1).trim();
      if (name === 'x-amz-trailer-signature') providedSig = value;
      else {
        this.#trailers.set(name, value);
        signedBlock.push(`${name}:${value}\n`);
      }
    }
    if (this.#signed && this.#trailers.size > 0) {
      const expected = trailerSignature(this.auth, this.#previousSig, signedBlock.join(''));
      if (providedSig === undefined || !sameHex(expected, providedSig)) throw AuthErrors.chunkSignatureDoesNotMatch();
    }
    this.#state = 'done';
  }
}

function malformed(message: string): ServiceError {
  return new ServiceError('IncompleteBody', `The request body is not valid aws-chunked encoding: ${message}`);
}
