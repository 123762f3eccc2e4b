/** The ObjectStore port: where bucket and object bytes and metadata persist. Adapters: filesystem+SQLite, remote S3. */
import type { Readable } from 'node:stream';
import type {
  BucketInfo,
  ByteRange,
  ObjectAttributes,
  ObjectMeta,
  PartInfo,
  Tag,
  UploadInfo,
} from './model.js';

/**
 * Called once the body has been fully received and persisted (not yet visible). It returns the attributes
 * to commit, or throws to discard the upload (bad digest, size mismatch…): nothing becomes visible then.
 */
export type FinalizeWrite = (size: number) => Promise<ObjectAttributes> | ObjectAttributes;
export type FinalizePart = (size: number) => Promise<Omit<PartInfo, 'partNumber' | 'size' | 'lastModified'>> | Omit<PartInfo, 'partNumber' | 'size' | 'lastModified'>;

/** Checked atomically with the commit against the current object (conditional writes). */
export type CommitCondition = (current: ObjectMeta | undefined) => void;

export interface ListPageRequest {
  readonly prefix: string;
  /** Start position as UTF-8 bytes. */
  readonly from?: Buffer | undefined;
  /** Whether an object whose key equals `from` is included. */
  readonly fromInclusive?: boolean | undefined;
  readonly limit: number;
}

export interface ObjectRead {
  readonly meta: ObjectMeta;
  readonly body: Readable;
}

/** A whole object's bytes as a local file, held on disk until `release()`. */
export interface LocalObjectFile {
  readonly path: string;
  readonly meta: ObjectMeta;
  release(): void;
}

export interface ObjectStore {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;

  createBucket(name: string, region: string): Promise<BucketInfo>;
  /** Throws BucketNotEmpty when objects remain; aborts leftover uploads. */
  deleteBucket(name: string): Promise<void>;
  getBucket(name: string): Promise<BucketInfo | undefined>;
  listBuckets(): Promise<BucketInfo[]>;

  putObject(
    bucket: string,
    key: string,
    body: Readable,
    finalize: FinalizeWrite,
    condition?: CommitCondition,
  ): Promise<ObjectMeta>;
  headObject(bucket: string, key: string): Promise<ObjectMeta | undefined>;
  /** Opens the bytes of the object (or a range); the meta and the bytes belong to the same version. */
  getObject(bucket: string, key: string, range?: ByteRange): Promise<ObjectRead | undefined>;
  /** Returns whether an object was removed. */
  deleteObject(bucket: string, key: string): Promise<boolean>;
  /** Objects in UTF-8 byte order of their keys. */
  listObjects(bucket: string, request: ListPageRequest): Promise<ObjectMeta[]>;
  setTags(bucket: string, key: string, tags: readonly Tag[]): Promise<ObjectMeta | undefined>;
  /** Optional, read-only: the object as a local file readable in place (query engines), when the adapter keeps it as one. */
  localFile?(bucket: string, key: string): Promise<LocalObjectFile | undefined>;

  createUpload(upload: Omit<UploadInfo, 'uploadId' | 'initiated'>): Promise<UploadInfo>;
  getUpload(bucket: string, uploadId: string): Promise<UploadInfo | undefined>;
  listUploads(bucket: string): Promise<UploadInfo[]>;
  putPart(upload: UploadInfo, partNumber: number, body: Readable, finalize: FinalizePart): Promise<PartInfo>;
  listParts(upload: UploadInfo): Promise<PartInfo[]>;
  /** Makes the listed parts, in order, one object; the upload disappears. */
  completeUpload(
    upload: UploadInfo,
    parts: readonly PartInfo[],
    attributes: ObjectAttributes,
    condition?: CommitCondition,
  ): Promise<ObjectMeta>;
  abortUpload(upload: UploadInfo): Promise<void>;
}
