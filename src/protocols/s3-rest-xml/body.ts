/** Reads small XML request bodies with a size cap and the integrity checks S3 applies to them. */
import { StorageErrors } from '../../storage/errors.js';
import { integrityInput } from './header-input.js';
import type { S3Request } from './s3-request.js';
import { DigestingStream } from '../../storage/checksums.js';
import { verifyUpload } from '../../storage/integrity.js';

const MAX_XML_BODY = 2 * 1024 * 1024;

export async function readBodyText(req: S3Request, options: { requireIntegrity?: boolean } = {}): Promise<string> {
  const integrity = integrityInput(req);
  if (options.requireIntegrity && integrity.contentMd5 === undefined && integrity.checksumAlgorithm === undefined) {
    throw StorageErrors.invalidRequest('Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  }
  const digesting = DigestingStream.pipedFrom(req.body, integrity.checksumAlgorithm ? [integrity.checksumAlgorithm] : []);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of digesting) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_XML_BODY) throw StorageErrors.malformedXml();
    chunks.push(buf);
  }
  await verifyUpload(digesting, size, integrity);
  return Buffer.concat(chunks).toString('utf8');
}
