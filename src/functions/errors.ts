/** Typed Lambda errors: AWS codes, HTTP statuses, the modeled `Message`/`message` casing and `Type`. */
import { ServiceError } from '../shared/service-error.js';

/** Exceptions whose modeled message member is `Message` (capital M); the others use `message`. */
const CAPITAL_MESSAGE = new Set([
  'ResourceNotFoundException',
  'ServiceException',
  'InvalidRuntimeException',
  'InvalidZipFileException',
  'ResourceInUseException',
  'RecursiveInvocationException',
  'ServiceQuotaExceededException',
  'NoPublishedVersionException',
  'CodeSigningConfigNotFoundException',
]);

export const LAMBDA_ERROR_STATUS: Readonly<Record<string, number>> = {
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  InvalidParameterValueException: 400,
  ValidationException: 400,
  InvalidRequestContentException: 400,
  RequestEntityTooLargeException: 413,
  TooManyRequestsException: 429,
  UnsupportedMediaTypeException: 415,
  PreconditionFailedException: 412,
  CodeStorageExceededException: 400,
  ServiceException: 500,
  UnknownOperationException: 404,
};

export class LambdaError extends ServiceError {
  get status(): number {
    return LAMBDA_ERROR_STATUS[this.code] ?? 400;
  }

  /** The JSON error body with the modeled message casing. */
  body(): Record<string, unknown> {
    const key = CAPITAL_MESSAGE.has(this.code) ? 'Message' : 'message';
    if (this.code === 'ValidationException' || this.code === 'UnknownOperationException') return { [key]: this.message };
    return { Type: this.code === 'ServiceException' ? 'Service' : 'User', [key]: this.message, ...this.details };
  }
}

export const LambdaErrors = {
  functionNotFound: (arn: string) => new LambdaError('ResourceNotFoundException', `Function not found: ${arn}`),
  regionUnreachable: (region: string, local: string) =>
    new LambdaError('ResourceNotFoundException', `Functions from '${region}' are not reachable in this region ('${local}')`),
  alreadyExists: (name: string) => new LambdaError('ResourceConflictException', `Function already exist: ${name}`),
  updateInProgress: (arn: string) =>
    new LambdaError(
      'ResourceConflictException',
      `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
    ),
  notActive: (state: string) =>
    new LambdaError(
      'ResourceConflictException',
      `The operation cannot be performed at this time. The function is currently in the following state: ${state}`,
    ),
  revisionMismatch: () =>
    new LambdaError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'),
  invalidParameter: (message: string) => new LambdaError('InvalidParameterValueException', message),
  badZip: () =>
    new LambdaError('InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.'),
  invalidContent: (message: string) => new LambdaError('InvalidRequestContentException', message),
  tooLarge: (message: string) => new LambdaError('RequestEntityTooLargeException', message),
  throttled: (reason: string) => new LambdaError('TooManyRequestsException', 'Rate Exceeded.', { Reason: reason }),
  validation: (value: unknown, member: string, constraint: string) => {
    const shown = value === undefined || value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
    return new LambdaError(
      'ValidationException',
      `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: Member must ${constraint}`,
    );
  },
  unknownOperation: (method: string, path: string) =>
    new LambdaError('UnknownOperationException', `Lakebox's functions service does not serve ${method} ${path} yet.`),
  service: (message: string) => new LambdaError('ServiceException', message),
} as const;
