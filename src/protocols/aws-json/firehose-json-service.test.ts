import { describe, expect, it } from 'vitest';
import { FirehoseJsonService } from './firehose-json-service.js';
import type { FirehoseService } from '../../streams/firehose/firehose-service.js';

function service(capture: { data?: Uint8Array[] }): FirehoseJsonService {
  const fake = {
    putRecordBatch: async (input: { Records?: { Data?: Uint8Array }[] }) => {
      capture.data = (input.Records ?? []).map((r) => r.Data!);
      return { FailedPutCount: 0, Encrypted: false, RequestResponses: capture.data.map((_, i) => ({ RecordId: `id${i}` })) };
    },
  } as unknown as FirehoseService;
  return new FirehoseJsonService(fake);
}

describe('FirehoseJsonService blobs', () => {
  it('decodes canonical base64 and renders the batch response', async () => {
    const capture: { data?: Uint8Array[] } = {};
    const out = (await service(capture).handle('PutRecordBatch', {
      DeliveryStreamName: 's',
      Records: [{ Data: Buffer.from('hello').toString('base64') }, { Data: '' }, { Data: Buffer.from([0, 255, 1]).toString('base64') }],
    })) as { text: string };
    expect(capture.data!.map((d) => Buffer.from(d).toString('hex'))).toEqual(['68656c6c6f', '', '00ff01']);
    expect(JSON.parse(out.text)).toEqual({ FailedPutCount: 0, Encrypted: false, RequestResponses: [{ RecordId: 'id0' }, { RecordId: 'id1' }, { RecordId: 'id2' }] });
  });

  for (const bad of ['abc', 'ab!c', 'a===', 'ab=c', 'aGVsbG8=x===', 'aGVs bG8=']) {
    it(`rejects ${JSON.stringify(bad)} as a SerializationException`, async () => {
      await expect(service({}).handle('PutRecordBatch', { DeliveryStreamName: 's', Records: [{ Data: bad }] })).rejects.toMatchObject({
        code: 'SerializationException',
      });
    });
  }
});
