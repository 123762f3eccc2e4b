/** AWS JSON 1.0/1.1 protocol: routes `X-Amz-Target: <Prefix>.<Operation>` to registered services and writes JSON results or typed errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from '../../shared/service-error.js';
import { AuthErrors } from '../sigv4/auth-errors.js';
import type { AuthContext } from '../sigv4/verifier.js';

/** A JSON-protocol service: its operations take the parsed JSON input and return the JSON output. */
export interface JsonService {
  /** Target prefix, e.g. `Firehose_20150804`. */
  readonly targetPrefix: string;
  /** Name used in metrics and logs, e.g. `firehose`. */
  readonly name: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** HTTP status per error code this service raises (default 400). */
  readonly errorStatus: Readonly<Record<string, number>>;
  handle(operation: string, input: unknown, auth: AuthContext): Promise<unknown>;
  /** A cheaper reader for a hot operation's body: the same value JSON.parse would give, or undefined to let JSON.parse read it. */
  parseBody?(operation: string, body: Buffer): unknown;
  /** Extra members of an error body (e.g. Athena's `AthenaErrorCode`), beside `__type` and `message`. */
  errorFields?(err: ServiceError): Readonly<Record<string, string | number>>;
}

/** An output already serialized to JSON text (for hot operations that render their own response). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** How authentication failures look in JSON services, and in Lambda's REST-JSON API (they differ from S3's codes). */
export const AUTH_CODE_MAP: Readonly<Record<string, { code: string; status: number }>> = {
  InvalidAccessKeyId: { code: 'UnrecognizedClientException', status: 403 },
  SignatureDoesNotMatch: { code: 'InvalidSignatureException', status: 403 },
  RequestTimeTooSkewed: { code: 'InvalidSignatureException', status: 403 },
  AuthorizationHeaderMalformed: { code: 'IncompleteSignatureException', status: 400 },
  AuthorizationQueryParametersError: { code: 'IncompleteSignatureException', status: 400 },
  AccessDenied: { code: 'MissingAuthenticationTokenException', status: 403 },
  XAmzContentSHA256Mismatch: { code: 'InvalidSignatureException', status: 400 },
};

const MAX_JSON_BODY = 16 * 1024 * 1024;

export class AwsJsonProtocol {
  readonly #services = new Map<string, JsonService>();

  register(service: JsonService): void {
    this.#services.set(service.targetPrefix, service);
  }

  /** Splits the target header; returns the service (if registered) and operation. */
  resolve(target: string): { service: JsonService | undefined; operation: string; serviceName: string } {
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? '' : target.slice(dot + 1);
    const service = this.#services.get(prefix);
    return { service, operation, serviceName: service?.name ?? prefix };
  }

  async handle(
    body: Buffer,
    bodySha256: string,
    res: ServerResponse,
    target: string,
    auth: AuthContext,
    requestId: string,
  ): Promise<number> {
    const { service, operation } = this.resolve(target);
    try {
      if (/^[0-9a-f]{64}$/.test(auth.payloadHash) && bodySha256 !== auth.payloadHash) {
        throw AuthErrors.contentSha256Mismatch(auth.payloadHash, bodySha256);
      }
      if (!service) {
        throw new ServiceError('UnknownOperationException', `The target ${target} is not served by Lakebox yet.`);
      }
      let input: unknown = {};
      if (body.length > 0) {
        try {
          input = service.parseBody?.(operation, body) ?? JSON.parse(body.toString('utf8'));
        } catch {
          throw new ServiceError('SerializationException', 'Request body is not valid JSON.');
        }
      }
      const output = await service.handle(operation, input, auth);
      const text = output instanceof RawJson ? output.text : JSON.stringify(output ?? {});
      res.writeHead(200, {
        'Content-Type': `application/x-amz-json-${service.jsonVersion}`,
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': requestId,
      });
      res.end(text);
      return 200;
    } catch (err) {
      return this.writeError(res, err, requestId, service);
    }
  }

  writeError(res: ServerResponse, err: unknown, requestId: string, service?: JsonService): number {
    const e = err instanceof ServiceError ? err : new ServiceError('InternalFailure', 'We encountered an internal error. Please try again.');
    const mapped = AUTH_CODE_MAP[e.code];
    const code = mapped?.code ?? e.code;
    const status =
      mapped?.status ??
      service?.errorStatus[e.code] ??
      (e.code === 'InternalFailure' ? 500 : e.code === 'ServiceUnavailableException' ? 503 : 400);
    const text = JSON.stringify({ __type: code, message: e.message, ...(mapped ? {} : service?.errorFields?.(e)) });
    if (res.headersSent) {
      res.destroy();
      return status;
    }
    res.writeHead(status, {
      'Content-Type': `application/x-amz-json-${service?.jsonVersion ?? '1.1'}`,
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': code,
    });
    res.end(text);
    return status;
  }
}

/** Reads a JSON request body (bounded). */
export async function readJsonBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_JSON_BODY) throw new ServiceError('SerializationException', 'Request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** JSON 1.1 timestamps are epoch seconds; undefined members are dropped. */
export function epochSecondsWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(epochSecondsWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = epochSecondsWire(v);
    return out;
  }
  return value;
}
