/** Object storage domain model: buckets, objects, multipart uploads and checksums, free of any wire format. */

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64 digest; composite multipart values end in `-N`. */
  readonly value: string;
  readonly type: ChecksumType;
}

export interface BucketInfo {
  readonly name: string;
  readonly creationDate: Date;
  readonly region: string;
}

/** System metadata an object carries besides its bytes. */
export interface ObjectHeaders {
  readonly contentType: string;
  readonly contentEncoding?: string | undefined;
  readonly contentDisposition?: string | undefined;
  readonly contentLanguage?: string | undefined;
  readonly cacheControl?: string | undefined;
  /** Stored as sent (an HTTP date). */
  readonly expires?: string | undefined;
  /** Absent means STANDARD. */
  readonly storageClass?: string | undefined;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Size and checksum of one part of a multipart object, kept for `partNumber` reads. */
export interface PartLayout {
  readonly size: number;
  readonly checksum?: string | undefined;
}

export interface ObjectMeta {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Hex MD5 (or `md5-of-md5s-N` for multipart), without quotes. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly headers: ObjectHeaders;
  /** Lower-cased names without the `x-amz-meta-` prefix. */
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly checksum?: ObjectChecksum | undefined;
  /** Present for objects assembled from multipart uploads. */
  readonly parts?: readonly PartLayout[] | undefined;
}

/** What the service decides about an object once its bytes have been received. */
export type ObjectAttributes = Omit<ObjectMeta, 'bucket' | 'key' | 'size' | 'lastModified'>;

export interface UploadInfo {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: Date;
  readonly headers: ObjectHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly checksumAlgorithm?: ChecksumAlgorithm | undefined;
  readonly checksumType?: ChecksumType | undefined;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Base64 checksum of the part, in the upload's algorithm (or the one the client sent). */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string } | undefined;
  /** Raw MD5 digest of the part, used to derive the multipart ETag. */
  readonly md5: Buffer;
}

/** Inclusive byte range, already resolved against the object size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}
