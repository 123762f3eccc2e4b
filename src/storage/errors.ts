/** Typed storage errors, one factory per S3 error code, with AWS's messages and extra elements. */
import { ServiceError } from '../shared/service-error.js';

export class StorageError extends ServiceError {}

export const StorageErrors = {
  noSuchBucket: (bucket: string) =>
    new StorageError('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) => new StorageError('NoSuchKey', 'The specified key does not exist.', { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new StorageError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new StorageError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    new StorageError('BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket }),
  invalidBucketName: (bucket: string) =>
    new StorageError('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket }),
  keyTooLong: (size: number) =>
    new StorageError('KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: 1024, Size: size }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new StorageError(
      'InvalidArgument',
      message,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
    ),
  invalidRequest: (message: string) => new StorageError('InvalidRequest', message),
  preconditionFailed: (condition: string) =>
    new StorageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition,
    }),
  notModified: () => new StorageError('NotModified', 'Not Modified'),
  invalidRange: (requested: string, size: number) =>
    new StorageError('InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: requested,
      ActualObjectSize: size,
    }),
  invalidPartNumber: (requested: number, count: number) =>
    new StorageError('InvalidPartNumber', 'The requested partnumber is not satisfiable', {
      PartNumberRequested: requested,
      ActualPartCount: count,
    }),
  badDigestMd5: (expected: string, calculated: string) =>
    new StorageError('BadDigest', 'The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: expected,
      CalculatedDigest: calculated,
    }),
  badDigestChecksum: (algorithm: string) =>
    new StorageError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`),
  invalidDigest: (value: string) =>
    new StorageError('InvalidDigest', 'The Content-MD5 you specified was invalid.', { 'Content-MD5': value }),
  entityTooSmall: (proposed: number, partNumber: number, etag: string) =>
    new StorageError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
      ProposedSize: proposed,
      MinSizeAllowed: 5242880,
      PartNumber: partNumber,
      ETag: etag,
    }),
  entityTooLarge: (proposed: number, max: number) =>
    new StorageError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: proposed,
      MaxSizeAllowed: max,
    }),
  invalidPart: (uploadId: string, partNumber: number, etag: string) =>
    new StorageError(
      'InvalidPart',
      'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.',
      { UploadId: uploadId, PartNumber: partNumber, ETag: etag },
    ),
  invalidPartOrder: (uploadId: string) =>
    new StorageError(
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      { UploadId: uploadId },
    ),
  malformedXml: () =>
    new StorageError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  metadataTooLarge: (size: number) =>
    new StorageError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', {
      Size: size,
      MaxSizeAllowed: 2048,
    }),
  invalidTag: (message: string) => new StorageError('InvalidTag', message),
  incompleteBody: () =>
    new StorageError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    ),
  /** A bucket owned by another account (`x-amz-expected-bucket-owner`): S3 answers as for any denied request. */
  accessDenied: () => new StorageError('AccessDenied', 'Access Denied'),
  notImplemented: (message = 'A header you provided implies functionality that is not implemented', header?: string) =>
    new StorageError('NotImplemented', message, header === undefined ? {} : { Header: header }),
  missingContentLength: () =>
    new StorageError('MissingContentLength', 'You must provide the Content-Length HTTP header.'),
} as const;
