/** Firehose_20150804 over AWS JSON 1.1: decodes base64 blobs, dispatches to FirehoseService, renders timestamps as epoch seconds. */
import { ServiceError } from '../../shared/service-error.js';
import { FIREHOSE_ERROR_STATUS, FirehoseErrors } from '../../streams/firehose/errors.js';
import type { FirehoseService } from '../../streams/firehose/firehose-service.js';
import { Base64Record } from '../../streams/firehose/intake-log.js';
import { epochSecondsWire, RawJson, type JsonService } from './aws-json-protocol.js';
import { scanPutRecordBatch } from './put-record-batch-scanner.js';

type Json = Record<string, unknown>;

/** Exact decoded length of canonical base64 text (padding counted). */
function base64Length(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/**
 * A blob kept as base64 text with its decoded length: the intake log decodes it straight into its buffer (no
 * buffer per record) and reports characters outside the alphabet, which the service answers as a SerializationException.
 */
function decodeBlob(value: unknown, path: string): Base64Record | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.length % 4 === 0) {
    const eq = value.indexOf('=');
    if (eq < 0 || eq >= value.length - 2) return new Base64Record(value, base64Length(value));
  }
  throw new ServiceError('SerializationException', `Value at '${path}' is not a valid base64 blob.`);
}

function record(value: unknown, path: string): { Data?: Base64Record | undefined } {
  const r = (value ?? {}) as Json;
  return { Data: decodeBlob(r.Data, `${path}.data`) };
}

const toWire = epochSecondsWire;

export class FirehoseJsonService implements JsonService {
  readonly targetPrefix = 'Firehose_20150804';
  readonly name = 'firehose';
  readonly jsonVersion = '1.1' as const;
  readonly errorStatus = FIREHOSE_ERROR_STATUS;

  constructor(private readonly service: FirehoseService) {}

  parseBody(operation: string, body: Buffer): unknown {
    return operation === 'PutRecordBatch' ? scanPutRecordBatch(body) : undefined;
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
    }
    const i = input as Json;
    const s = this.service;
    switch (operation) {
      case 'CreateDeliveryStream':
        return toWire(await s.createDeliveryStream(i));
      case 'DescribeDeliveryStream':
        return toWire(s.describeDeliveryStream(i));
      case 'ListDeliveryStreams':
        return toWire(s.listDeliveryStreams(i));
      case 'DeleteDeliveryStream':
        return toWire(await s.deleteDeliveryStream(i));
      case 'UpdateDestination':
        return toWire(await s.updateDestination(i));
      case 'PutRecord':
        return toWire(await s.putRecord({ DeliveryStreamName: i.DeliveryStreamName as string | undefined, Record: i.Record === undefined ? undefined : record(i.Record, 'record') }));
      case 'PutRecordBatch': {
        const records = Array.isArray(i.Records) ? i.Records.map((r, n) => record(r, `records.${n + 1}.member`)) : undefined;
        const out = await s.putRecordBatch({ DeliveryStreamName: i.DeliveryStreamName as string | undefined, Records: records });
        // Pre-rendered JSON: 500 response entries are the bulk of this call's serialization cost.
        return new RawJson(
          `{"FailedPutCount":${out.FailedPutCount ?? 0},"Encrypted":false,"RequestResponses":[${(out.RequestResponses ?? [])
            .map((r) => `{"RecordId":"${r.RecordId ?? ''}"}`)
            .join(',')}]}`,
        );
      }
      case 'TagDeliveryStream':
        return toWire(await s.tagDeliveryStream(i));
      case 'UntagDeliveryStream':
        return toWire(await s.untagDeliveryStream(i));
      case 'ListTagsForDeliveryStream':
        return toWire(s.listTagsForDeliveryStream(i));
      default:
        throw FirehoseErrors.unknownOperation(operation);
    }
  }
}
