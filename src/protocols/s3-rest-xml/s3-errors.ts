/** Maps typed domain errors to S3 error responses: HTTP status per code and the <Error> document. */
import { ServiceError } from '../../shared/service-error.js';
import { toXml } from './xml.js';

/** HTTP status of every S3 error code we emit. */
export const S3_ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  AccessControlListNotSupported: 400,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  ConditionalRequestConflict: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidTag: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
};

export interface WireError {
  readonly status: number;
  readonly code: string;
  readonly body: string;
}

export function toS3Error(err: unknown, requestId: string, resource?: string): WireError {
  const e = err instanceof ServiceError ? err : new ServiceError('InternalError', 'We encountered an internal error. Please try again.');
  const status = S3_ERROR_STATUS[e.code] ?? 400;
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.details)) details[k] = String(v);
  const body = toXml(
    'Error',
    { Code: e.code, Message: e.message, ...details, Resource: resource, RequestId: requestId, HostId: requestId },
    false,
  );
  return { status, code: e.code, body };
}
