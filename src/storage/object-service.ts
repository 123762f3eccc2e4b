/** S3 bucket and object semantics (no HTTP): validation, integrity, conditional requests, ranges, copy and tagging. */
import type { Readable } from 'node:stream';
import { assertValidBucketName, assertValidKey } from './bucket-names.js';
import { BufferDigests, DigestingStream, type UploadDigests } from './checksums.js';
import { WholeBody } from './whole-body.js';
import { StorageErrors } from './errors.js';
import { verifyUpload, validateContentMd5, type IntegrityInput } from './integrity.js';
import { listObjects, type ListRequest, type ListResult } from './listing.js';
import type { BucketInfo, ByteRange, ChecksumAlgorithm, ObjectHeaders, ObjectMeta, Tag } from './model.js';
import type { ObjectStore } from './object-store.js';
import {
  checkReadConditions,
  validateWriteConditions,
  writeCondition,
  type ReadConditions,
  type WriteConditions,
} from './preconditions.js';
import { validateTags } from './tags.js';

export const MAX_PUT_SIZE = 5 * 1024 ** 3;

export interface PutObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: Readable;
  readonly headers: ObjectHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly integrity: IntegrityInput;
  readonly conditions: WriteConditions;
}

export interface GetObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly range?: string | undefined;
  readonly partNumber?: number | undefined;
  readonly conditions: ReadConditions;
}

export interface GetObjectResult {
  readonly meta: ObjectMeta;
  readonly body: Readable | undefined;
  /** Set for 206 responses. */
  readonly range?: ByteRange | undefined;
  readonly partsCount?: number | undefined;
  /** Checksum of the returned bytes when they are a whole object or a whole part. */
  readonly checksum?: { algorithm: ChecksumAlgorithm; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' } | undefined;
}

export interface CopyObjectInput {
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly bucket: string;
  readonly key: string;
  readonly metadataDirective: 'COPY' | 'REPLACE';
  readonly taggingDirective: 'COPY' | 'REPLACE';
  readonly headers: ObjectHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly sourceConditions: ReadConditions;
  readonly conditions: WriteConditions;
  readonly checksumAlgorithm?: ChecksumAlgorithm | undefined;
}

const MAX_USER_METADATA = 2048;

export function validateUserMetadata(meta: Readonly<Record<string, string>>): void {
  let size = 0;
  for (const [k, v] of Object.entries(meta)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > MAX_USER_METADATA) throw StorageErrors.metadataTooLarge(size);
}

/**
 * Resolves a Range header as S3 does: undefined (ignore → 200) for syntactically unusable ranges,
 * InvalidRange for unsatisfiable ones.
 */
export function resolveRange(header: string, size: number): ByteRange | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) throw StorageErrors.invalidRange(header, size);
    if (size === 0) throw StorageErrors.invalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Number(b);
  if (b !== '' && end < start) return undefined;
  if (start >= size) throw StorageErrors.invalidRange(header, size);
  return { start, end: Math.min(end, size - 1) };
}

export class ObjectService {
  constructor(
    readonly store: ObjectStore,
    private readonly region: string,
  ) {}

  async listBuckets(): Promise<BucketInfo[]> {
    return this.store.listBuckets();
  }

  async createBucket(name: string, region: string | undefined): Promise<BucketInfo> {
    assertValidBucketName(name);
    const existing = await this.store.getBucket(name);
    if (existing) {
      // us-east-1 answers 200 to re-creating your own bucket; other regions answer 409.
      if (existing.region === 'us-east-1' && (region === undefined || region === 'us-east-1')) return existing;
      throw StorageErrors.bucketAlreadyOwnedByYou(name);
    }
    return this.store.createBucket(name, region ?? this.region);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.store.deleteBucket(name);
  }

  async headBucket(name: string): Promise<BucketInfo> {
    const b = await this.store.getBucket(name);
    if (!b) throw StorageErrors.noSuchBucket(name);
    return b;
  }

  async putObject(input: PutObjectInput): Promise<ObjectMeta> {
    assertValidKey(input.key);
    validateWriteConditions(input.conditions);
    validateUserMetadata(input.userMetadata);
    validateTags(input.tags);
    validateContentMd5(input.integrity.contentMd5);
    if (input.integrity.expectedSize !== undefined && input.integrity.expectedSize > MAX_PUT_SIZE) {
      throw StorageErrors.entityTooLarge(input.integrity.expectedSize, MAX_PUT_SIZE);
    }
    const alg = input.integrity.checksumAlgorithm;
    const algorithms = alg ? [alg] : [];
    // A body that arrives whole is hashed in one call per digest; any other streams through the digests.
    let body: Readable;
    let digests: () => Promise<UploadDigests>;
    if (input.body instanceof WholeBody) {
      const whole = input.body.whole;
      body = input.body;
      digests = async () => new BufferDigests(await whole, algorithms);
    } else {
      const digesting = DigestingStream.pipedFrom(input.body, algorithms, input.integrity.expectedSize ?? input.integrity.sizeHint);
      body = digesting;
      digests = async () => digesting;
    }
    return this.store.putObject(
      input.bucket,
      input.key,
      body,
      async (size) => {
        const { md5, checksums } = await verifyUpload(await digests(), size, input.integrity);
        const value = alg ? checksums.get(alg) : undefined;
        return {
          etag: md5.toString('hex'),
          headers: input.headers,
          userMetadata: input.userMetadata,
          tags: input.tags,
          checksum: alg && value !== undefined ? { algorithm: alg, value, type: 'FULL_OBJECT' } : undefined,
        };
      },
      writeCondition(input.conditions, input.key),
    );
  }

  async headObject(input: GetObjectInput): Promise<GetObjectResult> {
    return this.#read(input, false);
  }

  async getObject(input: GetObjectInput): Promise<GetObjectResult> {
    return this.#read(input, true);
  }

  async #read(input: GetObjectInput, withBody: boolean): Promise<GetObjectResult> {
    if (input.range !== undefined && input.partNumber !== undefined) {
      throw StorageErrors.invalidRequest('Cannot specify both Range header and partNumber query parameter');
    }
    if (withBody && input.range === undefined && input.partNumber === undefined) {
      // Whole-object GET: one lookup that opens the bytes of the version it describes.
      const read = await this.store.getObject(input.bucket, input.key);
      if (!read) throw StorageErrors.noSuchKey(input.key);
      try {
        checkReadConditions(read.meta, input.conditions);
      } catch (err) {
        read.body.destroy();
        throw err;
      }
      return { meta: read.meta, body: read.body, checksum: read.meta.checksum };
    }
    for (let attempt = 0; ; attempt++) {
      const meta = await this.store.headObject(input.bucket, input.key);
      if (!meta) throw StorageErrors.noSuchKey(input.key);
      checkReadConditions(meta, input.conditions);
      const { range, partsCount, checksum } = this.#selectBytes(meta, input);
      if (!withBody) return { meta, body: undefined, range, partsCount, checksum };
      const read = await this.store.getObject(input.bucket, input.key, range ?? undefined);
      if (read && read.meta.etag === meta.etag && read.meta.lastModified.getTime() === meta.lastModified.getTime()) {
        return { meta, body: read.body, range, partsCount, checksum };
      }
      read?.body.destroy();
      if (attempt >= 3) throw StorageErrors.noSuchKey(input.key);
    }
  }

  #selectBytes(
    meta: ObjectMeta,
    input: GetObjectInput,
  ): Pick<GetObjectResult, 'range' | 'partsCount' | 'checksum'> {
    const whole = meta.checksum;
    if (input.partNumber !== undefined) {
      const parts = meta.parts ?? [{ size: meta.size, checksum: whole?.value }];
      if (!Number.isInteger(input.partNumber) || input.partNumber < 1 || input.partNumber > 10000) {
        throw StorageErrors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(input.partNumber));
      }
      if (input.partNumber > parts.length) throw StorageErrors.invalidPartNumber(input.partNumber, parts.length);
      let start = 0;
      for (let i = 0; i < input.partNumber - 1; i++) start += parts[i]?.size ?? 0;
      const part = parts[input.partNumber - 1]!;
      let checksum: GetObjectResult['checksum'];
      if (whole && meta.parts === undefined) checksum = whole;
      else if (whole && whole.type === 'COMPOSITE' && part.checksum !== undefined) {
        checksum = { algorithm: whole.algorithm, value: part.checksum, type: 'COMPOSITE' };
      } else if (whole && parts.length === 1) checksum = whole;
      return {
        range: { start, end: start + part.size - 1 },
        partsCount: meta.parts?.length,
        checksum,
      };
    }
    if (input.range !== undefined) {
      const range = resolveRange(input.range, meta.size);
      if (range) {
        const full = range.start === 0 && range.end === meta.size - 1;
        return { range, checksum: full ? whole : undefined };
      }
    }
    return { checksum: whole };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    assertValidKey(key);
    await this.store.deleteObject(bucket, key);
  }

  /** Deletes many keys; per-key failures are returned, not thrown. */
  async deleteObjects(bucket: string, keys: readonly string[]): Promise<{ deleted: string[]; errors: { key: string; code: string; message: string }[] }> {
    if (!(await this.store.getBucket(bucket))) throw StorageErrors.noSuchBucket(bucket);
    const deleted: string[] = [];
    const errors: { key: string; code: string; message: string }[] = [];
    for (const key of keys) {
      try {
        assertValidKey(key);
        await this.store.deleteObject(bucket, key);
        deleted.push(key);
      } catch (err) {
        const e = err as { code?: string; message: string };
        errors.push({ key, code: e.code ?? 'InternalError', message: e.message });
      }
    }
    return { deleted, errors };
  }

  async copyObject(input: CopyObjectInput): Promise<{ meta: ObjectMeta; source: ObjectMeta }> {
    assertValidKey(input.key);
    validateWriteConditions(input.conditions);
    const sameObject = input.sourceBucket === input.bucket && input.sourceKey === input.key;
    if (sameObject && input.metadataDirective === 'COPY' && input.checksumAlgorithm === undefined && input.headers.storageClass === undefined) {
      throw StorageErrors.invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const read = await this.store.getObject(input.sourceBucket, input.sourceKey);
    if (!read) throw StorageErrors.noSuchKey(input.sourceKey);
    try {
      checkReadConditions(read.meta, input.sourceConditions, 'x-amz-copy-source-');
    } catch (err) {
      read.body.destroy();
      throw err;
    }
    if (read.meta.size > MAX_PUT_SIZE) {
      read.body.destroy();
      throw StorageErrors.invalidRequest('The specified copy source is larger than the maximum allowable size for a copy source: 5368709120');
    }
    const source = read.meta;
    const replace = input.metadataDirective === 'REPLACE';
    if (replace) validateUserMetadata(input.userMetadata);
    const tags = input.taggingDirective === 'REPLACE' ? input.tags : source.tags;
    validateTags(tags);
    const alg = input.checksumAlgorithm ?? source.checksum?.algorithm;
    const digesting = DigestingStream.pipedFrom(read.body, alg ? [alg] : [], source.size);
    const meta = await this.store.putObject(
      input.bucket,
      input.key,
      digesting,
      async (size) => {
        if (size !== source.size) throw StorageErrors.incompleteBody();
        const value = alg ? (await digesting.checksum(alg))?.toString('base64') : undefined;
        return {
          etag: (await digesting.md5()).toString('hex'),
          // The storage class comes from the copy request, whatever the metadata directive.
          headers: { ...(replace ? input.headers : source.headers), storageClass: input.headers.storageClass },
          userMetadata: replace ? input.userMetadata : source.userMetadata,
          tags,
          checksum: alg && value !== undefined ? { algorithm: alg, value, type: 'FULL_OBJECT' } : undefined,
        };
      },
      writeCondition(input.conditions, input.key),
    );
    return { meta, source };
  }

  async listObjects(req: ListRequest): Promise<ListResult> {
    return listObjects(this.store, req);
  }

  async getTags(bucket: string, key: string): Promise<readonly Tag[]> {
    const meta = await this.store.headObject(bucket, key);
    if (!meta) throw StorageErrors.noSuchKey(key);
    return meta.tags;
  }

  async putTags(bucket: string, key: string, tags: readonly Tag[]): Promise<void> {
    validateTags(tags);
    const updated = await this.store.setTags(bucket, key, tags);
    if (!updated) throw StorageErrors.noSuchKey(key);
  }

  async deleteTags(bucket: string, key: string): Promise<void> {
    const updated = await this.store.setTags(bucket, key, []);
    if (!updated) throw StorageErrors.noSuchKey(key);
  }
}

