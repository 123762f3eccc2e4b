/** S3 multipart upload semantics (no HTTP): part limits, composite and full-object checksums, multipart ETags, completion rules. */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { assertValidKey } from './bucket-names.js';
import { DigestingStream, digestOf } from './checksums.js';
import { combineCrc, supportsCombine } from './crc-combine.js';
import { StorageErrors } from './errors.js';
import { validateChecksumValue, validateContentMd5, verifyUpload, type IntegrityInput } from './integrity.js';
import { compareKeys } from './key-order.js';
import type { ChecksumAlgorithm, ChecksumType, ObjectHeaders, ObjectMeta, PartInfo, Tag, UploadInfo } from './model.js';
import type { ObjectStore } from './object-store.js';
import { resolveRange, validateUserMetadata } from './object-service.js';
import { checkReadConditions, validateWriteConditions, writeCondition, type ReadConditions, type WriteConditions } from './preconditions.js';
import { validateTags } from './tags.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10000;

export interface CreateUploadInput {
  readonly bucket: string;
  readonly key: string;
  readonly headers: ObjectHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly checksumAlgorithm?: ChecksumAlgorithm | undefined;
  readonly checksumType?: string | undefined;
}

export interface CompletedPartInput {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface CompleteInput {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly parts: readonly CompletedPartInput[];
  readonly checksumType?: string | undefined;
  readonly fullObjectChecksum?: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  readonly objectSize?: number | undefined;
  readonly conditions: WriteConditions;
}

export interface PartCopyInput {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partNumber: number;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly sourceRange?: string | undefined;
  readonly sourceConditions: ReadConditions;
}

const stripQuotes = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

function validatePartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
    throw StorageErrors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(n));
  }
}

export class MultipartService {
  constructor(private readonly store: ObjectStore) {}

  async createUpload(input: CreateUploadInput): Promise<UploadInfo> {
    assertValidKey(input.key);
    validateUserMetadata(input.userMetadata);
    validateTags(input.tags);
    let type: ChecksumType | undefined;
    if (input.checksumType !== undefined) {
      if (input.checksumType !== 'COMPOSITE' && input.checksumType !== 'FULL_OBJECT') {
        throw StorageErrors.invalidRequest('Value for x-amz-checksum-type header is invalid.');
      }
      if (input.checksumAlgorithm === undefined) {
        throw StorageErrors.invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
      }
      type = input.checksumType;
    }
    const alg = input.checksumAlgorithm;
    if (alg !== undefined) {
      type ??= alg === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
      if (type === 'COMPOSITE' && alg === 'CRC64NVME') {
        throw StorageErrors.invalidRequest('The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
      }
      if (type === 'FULL_OBJECT' && (alg === 'SHA1' || alg === 'SHA256')) {
        throw StorageErrors.invalidRequest(`The FULL_OBJECT checksum type cannot be used with the ${alg.toLowerCase()} checksum algorithm.`);
      }
    }
    return this.store.createUpload({
      bucket: input.bucket,
      key: input.key,
      headers: input.headers,
      userMetadata: input.userMetadata,
      tags: input.tags,
      checksumAlgorithm: alg,
      checksumType: type,
    });
  }

  async #upload(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    if (!(await this.store.getBucket(bucket))) throw StorageErrors.noSuchBucket(bucket);
    const upload = await this.store.getUpload(bucket, uploadId);
    if (!upload || upload.key !== key) throw StorageErrors.noSuchUpload(uploadId);
    return upload;
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    integrity: IntegrityInput,
  ): Promise<PartInfo> {
    validatePartNumber(partNumber);
    validateContentMd5(integrity.contentMd5);
    if (integrity.expectedSize !== undefined && integrity.expectedSize > MAX_PART_SIZE) {
      throw StorageErrors.entityTooLarge(integrity.expectedSize, MAX_PART_SIZE);
    }
    const upload = await this.#upload(bucket, key, uploadId);
    const uploadAlg = upload.checksumAlgorithm;
    if (uploadAlg !== undefined && integrity.checksumAlgorithm !== undefined && integrity.checksumAlgorithm !== uploadAlg) {
      throw StorageErrors.invalidRequest(
        `Checksum Type mismatch occurred, expected checksum Type: ${uploadAlg.toLowerCase()}, actual checksum Type: ${integrity.checksumAlgorithm.toLowerCase()}`,
      );
    }
    const alg = uploadAlg ?? integrity.checksumAlgorithm;
    const digesting = DigestingStream.pipedFrom(body, alg ? [alg] : [], integrity.expectedSize);
    return this.store.putPart(upload, partNumber, digesting, async (size) => {
      if (size > MAX_PART_SIZE) throw StorageErrors.entityTooLarge(size, MAX_PART_SIZE);
      const { md5, checksums } = await verifyUpload(digesting, size, integrity, alg ? [alg] : []);
      const value = alg ? checksums.get(alg) : undefined;
      return {
        etag: md5.toString('hex'),
        md5,
        checksum: alg && value !== undefined ? { algorithm: alg, value } : undefined,
      };
    });
  }

  async uploadPartCopy(input: PartCopyInput): Promise<{ part: PartInfo; source: ObjectMeta }> {
    validatePartNumber(input.partNumber);
    const upload = await this.#upload(input.bucket, input.key, input.uploadId);
    const source = await this.store.headObject(input.sourceBucket, input.sourceKey);
    if (!source) throw StorageErrors.noSuchKey(input.sourceKey);
    checkReadConditions(source, input.sourceConditions, 'x-amz-copy-source-');
    let range: { start: number; end: number } | undefined;
    if (input.sourceRange !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(input.sourceRange);
      if (!m || Number(m[2]) < Number(m[1])) {
        throw StorageErrors.invalidArgument(
          'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
          'x-amz-copy-source-range',
          input.sourceRange,
        );
      }
      const start = Number(m[1]);
      const end = Number(m[2]);
      if (start >= source.size) throw StorageErrors.invalidRequest('The specified copy range is invalid for the source object size');
      if (end >= source.size) {
        throw StorageErrors.invalidArgument(
          `Range specified is not valid for source object of size: ${source.size}`,
          'x-amz-copy-source-range',
          input.sourceRange,
        );
      }
      range = resolveRange(`bytes=${start}-${end}`, source.size);
    }
    const read = await this.store.getObject(input.sourceBucket, input.sourceKey, range);
    if (!read || read.meta.etag !== source.etag) {
      read?.body.destroy();
      throw StorageErrors.noSuchKey(input.sourceKey);
    }
    const alg = upload.checksumAlgorithm;
    const digesting = DigestingStream.pipedFrom(read.body, alg ? [alg] : [], range ? range.end - range.start + 1 : source.size);
    const expected = range ? range.end - range.start + 1 : source.size;
    const part = await this.store.putPart(upload, input.partNumber, digesting, async (size) => {
      if (size !== expected) throw StorageErrors.incompleteBody();
      const md5 = await digesting.md5();
      const value = alg ? (await digesting.checksum(alg))?.toString('base64') : undefined;
      return { etag: md5.toString('hex'), md5, checksum: alg && value !== undefined ? { algorithm: alg, value } : undefined };
    });
    return { part, source };
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<{ upload: UploadInfo; parts: PartInfo[] }> {
    const upload = await this.#upload(bucket, key, uploadId);
    return { upload, parts: await this.store.listParts(upload) };
  }

  async listUploads(bucket: string): Promise<UploadInfo[]> {
    if (!(await this.store.getBucket(bucket))) throw StorageErrors.noSuchBucket(bucket);
    const uploads = await this.store.listUploads(bucket);
    return uploads.sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    const upload = await this.#upload(bucket, key, uploadId);
    await this.store.abortUpload(upload);
  }

  async complete(input: CompleteInput): Promise<ObjectMeta> {
    validateWriteConditions(input.conditions);
    const upload = await this.#upload(input.bucket, input.key, input.uploadId);
    if (input.parts.length === 0) throw StorageErrors.invalidRequest('You must specify at least one part');
    if (input.parts.length > MAX_PARTS) throw StorageErrors.invalidRequest('Part number must be an integer between 1 and 10000, inclusive');
    for (let i = 1; i < input.parts.length; i++) {
      if (input.parts[i]!.partNumber <= input.parts[i - 1]!.partNumber) throw StorageErrors.invalidPartOrder(upload.uploadId);
    }
    const stored = new Map((await this.store.listParts(upload)).map((p) => [p.partNumber, p]));
    const alg = upload.checksumAlgorithm;
    const chosen: PartInfo[] = [];
    for (const p of input.parts) {
      const s = stored.get(p.partNumber);
      const etag = stripQuotes(p.etag);
      if (!s || s.etag !== etag) throw StorageErrors.invalidPart(upload.uploadId, p.partNumber, etag);
      const given = Object.entries(p.checksums) as [ChecksumAlgorithm, string][];
      if (alg === undefined && given.length > 0 && given.some(([a]) => a !== s.checksum?.algorithm)) {
        throw StorageErrors.invalidPart(upload.uploadId, p.partNumber, etag);
      }
      for (const [a, v] of given) {
        if (s.checksum?.algorithm === a && s.checksum.value !== v) throw StorageErrors.invalidPart(upload.uploadId, p.partNumber, etag);
      }
      if (alg !== undefined && upload.checksumType === 'COMPOSITE' && p.checksums[alg] === undefined) {
        throw StorageErrors.invalidRequest(
          `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`,
        );
      }
      chosen.push(s);
    }
    for (let i = 0; i < chosen.length - 1; i++) {
      const part = chosen[i]!;
      if (part.size < MIN_PART_SIZE) throw StorageErrors.entityTooSmall(part.size, part.partNumber, part.etag);
    }
    const size = chosen.reduce((n, p) => n + p.size, 0);
    if (input.objectSize !== undefined && input.objectSize !== size) {
      throw StorageErrors.invalidRequest(`The provided 'x-amz-mp-object-size' header value ${input.objectSize} does not match what was computed: ${size}`);
    }
    if (input.checksumType !== undefined && upload.checksumType !== undefined && input.checksumType !== upload.checksumType) {
      throw StorageErrors.invalidRequest(
        `The upload was created using the ${upload.checksumType} checksum mode. The complete request must use the same checksum mode.`,
      );
    }
    const etagDigest = createHash('md5');
    for (const p of chosen) etagDigest.update(p.md5);
    const etag = `${etagDigest.digest('hex')}-${chosen.length}`;
    const checksum = alg !== undefined ? await this.#objectChecksum(alg, upload.checksumType ?? 'COMPOSITE', chosen) : undefined;
    if (input.fullObjectChecksum !== undefined && checksum !== undefined) {
      const given = input.fullObjectChecksum;
      if (given.algorithm !== checksum.algorithm) throw StorageErrors.badDigestChecksum(given.algorithm);
      validateChecksumValue(given.algorithm, given.value.replace(/-\d+$/, ''));
      if (given.value !== checksum.value) throw StorageErrors.badDigestChecksum(given.algorithm);
    }
    return this.store.completeUpload(
      upload,
      chosen,
      {
        etag,
        headers: upload.headers,
        userMetadata: upload.userMetadata,
        tags: upload.tags,
        checksum,
        parts: chosen.map((p) => ({ size: p.size, checksum: p.checksum?.value })),
      },
      writeCondition(input.conditions, input.key),
    );
  }

  async #objectChecksum(
    alg: ChecksumAlgorithm,
    type: ChecksumType,
    parts: readonly PartInfo[],
  ): Promise<{ algorithm: ChecksumAlgorithm; value: string; type: ChecksumType }> {
    const raw = parts.map((p) => Buffer.from(p.checksum?.value ?? '', 'base64'));
    if (type === 'COMPOSITE') {
      const digest = await digestOf(alg, Buffer.concat(raw));
      return { algorithm: alg, value: `${digest.toString('base64')}-${parts.length}`, type };
    }
    if (!supportsCombine(alg)) throw StorageErrors.invalidRequest(`The FULL_OBJECT checksum type cannot be used with ${alg}`);
    let acc: Buffer = raw[0]!;
    for (let i = 1; i < raw.length; i++) acc = combineCrc(alg, acc, raw[i]!, parts[i]!.size);
    return { algorithm: alg, value: acc.toString('base64'), type };
  }
}
