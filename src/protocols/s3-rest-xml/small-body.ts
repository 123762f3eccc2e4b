/** A small request body (known length, not aws-chunked) read whole into one buffer and checked against its signed SHA-256, without stream hops. */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { StorageErrors } from '../../storage/errors.js';
import { AuthErrors } from '../sigv4/auth-errors.js';

/**
 * Bodies up to this size take the buffered path: one listener on the request, one hash call, one chunk for the
 * consumer. Above it, bodies stream (PassThrough → PayloadHashVerifier), so memory stays bounded.
 */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * The body of `req` as a readable that yields one buffer once the whole body has arrived and matches `expectedHex`
 * (the hex SHA-256 the signature covers; undefined for UNSIGNED-PAYLOAD). A mismatch, a client abort or a socket error
 * destroys it with the matching S3 error; as with the streamed path, an error nobody has read yet is not an
 * unhandled 'error' event.
 */
export function smallBody(req: IncomingMessage, expectedHex: string | undefined): Readable {
  const body = new Readable({ read: () => undefined });
  body.on('error', () => undefined);
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (expectedHex !== undefined) {
      const computed = createHash('sha256').update(data).digest('hex');
      if (computed !== expectedHex) {
        body.destroy(AuthErrors.contentSha256Mismatch(expectedHex, computed));
        return;
      }
    }
    if (data.length > 0) body.push(data);
    body.push(null);
  });
  req.on('error', (err) => body.destroy(err));
  req.on('close', () => {
    if (!req.complete) body.destroy(StorageErrors.incompleteBody());
  });
  return body;
}
