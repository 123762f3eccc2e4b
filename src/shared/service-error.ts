/** Base class for typed domain errors: a stable AWS error code, a message and code-specific details. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Extra fields AWS returns with this error (e.g. BucketName, Key). Order is kept on the wire. */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = code;
  }
}
