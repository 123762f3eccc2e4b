/** The PutRecordBatch scanner gives JSON.parse's result for the plain shape and bails out on everything else. */
import { describe, expect, it } from 'vitest';
import { scanPutRecordBatch } from './put-record-batch-scanner.js';

const scan = (text: string): unknown => scanPutRecordBatch(Buffer.from(text));

describe('scanPutRecordBatch', () => {
  it('matches JSON.parse on plain bodies, whatever the whitespace and member order', () => {
    const bodies = [
      '{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"},{"Data":"ZA=="}]}',
      ' {\n\t"Records" : [ { "Data" : "YWJj" } ,\r\n{"Data":""} ] , "DeliveryStreamName" : "my-stream.1" } \n',
      '{"Records":[]}',
      '{}',
      '{"DeliveryStreamName":"ström"}',
      '{"DeliveryStreamName":"a","DeliveryStreamName":"b"}',
      JSON.stringify({ DeliveryStreamName: 'bench', Records: Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from(`{"n":${i}}\n`).toString('base64') })) }),
    ];
    for (const b of bodies) expect(scan(b), b).toEqual(JSON.parse(b));
  });

  it('bails out (undefined) on escapes, other members or types, extra record members and trailing bytes', () => {
    const bodies = [
      '{"DeliveryStreamName":"s","Records":[{"Data":"YW\\/j"}]}',
      '{"DeliveryStreamName":"s\\u0041"}',
      '{"DeliveryStreamName":"s","Records":[{"Data":"YWJj","PartitionKey":"x"}]}',
      '{"DeliveryStreamName":"s","Records":[{"Data":null}]}',
      '{"DeliveryStreamName":"s","Records":[{"data":"YWJj"}]}',
      '{"DeliveryStreamName":"s","Records":{}}',
      '{"DeliveryStreamName":5}',
      '{"DeliveryStreamName":"s","Other":1}',
      '{"DeliveryStreamName":"s"} x',
      '{"DeliveryStreamName":"s",}',
      '{"Records":[{"Data":"YWJj"},]}',
      '{"DeliveryStreamName":"a\tb"}',
      '[]',
      '',
      '{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"}',
      '{"DeliveryStreamName":"unterminated',
    ];
    for (const b of bodies) expect(scan(b), b).toBeUndefined();
  });
});
