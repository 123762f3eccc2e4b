/** Authentication errors with AWS's codes, messages and diagnostic fields. */
import { ServiceError } from '../../shared/service-error.js';

export class AuthError extends ServiceError {}

export const AuthErrors = {
  missing: () => new AuthError('AccessDenied', 'Access Denied'),
  invalidAccessKeyId: (akid: string) =>
    new AuthError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: akid,
    }),
  signatureDoesNotMatch: (akid: string, stringToSign: string, signature: string, canonicalRequest: string) =>
    new AuthError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: akid,
        StringToSign: stringToSign,
        SignatureProvided: signature,
        StringToSignBytes: Buffer.from(stringToSign).toString('hex').replace(/(..)(?!$)/g, '$1 '),
        CanonicalRequest: canonicalRequest,
        CanonicalRequestBytes: Buffer.from(canonicalRequest).toString('hex').replace(/(..)(?!$)/g, '$1 '),
      },
    ),
  chunkSignatureDoesNotMatch: () =>
    new AuthError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ),
  headerMalformed: (message: string) =>
    new AuthError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`),
  unsupportedType: () => new AuthError('InvalidArgument', 'Unsupported Authorization Type'),
  timeTooSkewed: (requestTime: string, serverTime: string) =>
    new AuthError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: requestTime,
      ServerTime: serverTime,
      MaxAllowedSkewMilliseconds: 900000,
    }),
  queryParamsMissing: () =>
    new AuthError(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    ),
  queryCredentialMalformed: () =>
    new AuthError(
      'AuthorizationQueryParametersError',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    ),
  expiresTooLarge: () =>
    new AuthError(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    ),
  expiresInvalid: () =>
    new AuthError('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number'),
  expired: (expires: string, expiresAt: string, serverTime: string) =>
    new AuthError('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: expiresAt,
      ServerTime: serverTime,
    }),
  notYetValid: () => new AuthError('AccessDenied', 'Request is not yet valid'),
  headersNotSigned: (names: string) =>
    new AuthError('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: names,
    }),
  missingContentSha256: () =>
    new AuthError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'),
  invalidContentSha256: () =>
    new AuthError('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-*, or a valid sha256 value.'),
  contentSha256Mismatch: (client: string, computed: string) =>
    new AuthError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: client,
      S3ComputedContentSHA256: computed,
    }),
} as const;
