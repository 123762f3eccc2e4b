import { describe, expect, it } from 'vitest';
import { FirehoseJsonService } from './firehose-json-service.js';
import type { FirehoseService } from '../../streams/firehose/firehose-service.js';
import type { Base64Record } from '../../streams/firehose/intake-log.js';

function service(capture: { data?: Base64Record[] }): FirehoseJsonService {
  const fake = {
    putRecordBatch: async (input: { Records?: { Data?: Base64Record }[] }) => {
      capture.data = (input.Records ?? []).map((r) => r.Data!);
      return { FailedPutCount: 0, Encrypted: false, RequestResponses: capture.data.map((_, i) => ({ RecordId: `id${i}` })) };
    },
  } as unknown as FirehoseService;
  return new FirehoseJsonService(fake);
}

describe('FirehoseJsonService blobs', () => {
  it('passes canonical base64 on with its decoded length and renders the batch response', async () => {
    const capture: { data?: Base64Record[] } = {};
    const out = (await service(capture).handle('PutRecordBatch', {
      DeliveryStreamName: 's',
      Records: [{ Data: Buffer.from('hello').toString('base64') }, { Data: '' }, { Data: Buffer.from([0, 255, 1]).toString('base64') }],
    })) as { text: string };
    expect(capture.data!.map((d) => [Buffer.from(d.base64, 'base64').toString('hex'), d.length])).toEqual([
      ['68656c6c6f', 5],
      ['', 0],
      ['00ff01', 3],
    ]);
    expect(JSON.parse(out.text)).toEqual({ FailedPutCount: 0, Encrypted: false, RequestResponses: [{ RecordId: 'id0' }, { RecordId: 'id1' }, { RecordId: 'id2' }] });
  });

  // Characters outside the alphabet ('ab!c') are caught where the log decodes the record (intake-log.test.ts).
  for (const bad of ['abc', 'a===', 'aGVsbG8=x===', 'aGVs bG8=', '=abc']) {
    it(`rejects ${JSON.stringify(bad)} as a SerializationException`, async () => {
      await expect(service({}).handle('PutRecordBatch', { DeliveryStreamName: 's', Records: [{ Data: bad }] })).rejects.toMatchObject({
        code: 'SerializationException',
      });
    });
  }
});
