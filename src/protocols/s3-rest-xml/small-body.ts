/** A small request body (known length, not aws-chunked) read whole into one buffer and checked against its signed SHA-256, without stream hops. */
import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StorageErrors } from '../../storage/errors.js';
import { WholeBody } from '../../storage/whole-body.js';
import { AuthErrors } from '../sigv4/auth-errors.js';

/**
 * Bodies up to this size take the buffered path: one listener on the request, one hash call, one chunk for the
 * consumer. Above it, bodies stream (PassThrough → PayloadHashVerifier), so memory stays bounded.
 */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * The body of `req`, complete once the whole body has arrived and matches `expectedHex` (the hex SHA-256 the signature
 * covers; undefined for UNSIGNED-PAYLOAD). A mismatch, a client abort or a socket error fails it with the matching
 * S3 error.
 */
export function smallBody(req: IncomingMessage, expectedHex: string | undefined): WholeBody {
  const body = new WholeBody();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (expectedHex !== undefined) {
      const computed = hash('sha256', data, 'hex');
      if (computed !== expectedHex) {
        body.fail(AuthErrors.contentSha256Mismatch(expectedHex, computed));
        return;
      }
    }
    body.complete(data);
  });
  onRequestFailure(req, (err) => body.fail(err));
  return body;
}

/**
 * Calls `fail` with a socket error, or with IncompleteBody when the request closes before its whole body arrived.
 * The handler asks for the body only after authenticating, so the client may already be gone: that fails at once.
 */
export function onRequestFailure(req: IncomingMessage, fail: (err: Error) => void): void {
  req.on('error', fail);
  req.on('close', () => {
    if (!req.complete) fail(StorageErrors.incompleteBody());
  });
  if (req.destroyed && !req.complete) fail(StorageErrors.incompleteBody());
}
