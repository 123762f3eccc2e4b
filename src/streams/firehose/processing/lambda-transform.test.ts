import { describe, expect, it } from 'vitest';
import { transformRecords, type FunctionInvoker } from './lambda-transform.js';
import type { LambdaPlan } from './pipeline-plan.js';

interface Event {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: { recordId: string; approximateArrivalTimestamp: number; data: string }[];
}

/** An invoker that runs `fn` on the decoded event, recording every event it saw. */
function invoker(fn: (e: Event, call: number) => unknown, functionError = (_: number) => false): FunctionInvoker & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    invoke(_arn, payload) {
      const e = JSON.parse(payload.toString('utf8')) as Event;
      events.push(e);
      const call = events.length;
      const out = fn(e, call);
      return Promise.resolve({ functionError: functionError(call) ? 'Unhandled' : undefined, payload: Buffer.from(typeof out === 'string' ? out : JSON.stringify(out)) });
    },
  };
}

const plan = (over: Partial<LambdaPlan> = {}): LambdaPlan => ({
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:t',
  qualifiedArn: 'arn:aws:lambda:us-east-1:000000000000:function:t:$LATEST',
  retries: 3,
  bufferBytes: 1024 * 1024,
  intervalMs: 60_000,
  ...over,
});
const ctx = (inv: FunctionInvoker) => ({ streamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/s', region: 'us-east-1', invoker: inv, now: () => 5000 });
const records = (...texts: string[]) => texts.map((t, i) => ({ data: Buffer.from(t), arrival: 1000 + i }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Firehose Lambda processor', () => {
  it('sends the Firehose event shape and honours Ok, Dropped, ProcessingFailed and partition keys', async () => {
    const inv = invoker((e) => ({
      records: e.records.map((r, i) => {
        const text = Buffer.from(r.data, 'base64').toString();
        if (i === 1) return { recordId: r.recordId, result: 'Dropped' };
        if (i === 2) return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
        return { recordId: r.recordId, result: 'Ok', data: b64(text.toUpperCase()), metadata: { partitionKeys: { k: text, n: 7 } } };
      }),
    }));
    const out = await transformRecords(plan(), ctx(inv), records('a', 'b', 'c'));
    expect(inv.events).toHaveLength(1);
    const e = inv.events[0]!;
    expect(e.deliveryStreamArn).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/s');
    expect(e.region).toBe('us-east-1');
    expect(e.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.records.map((r) => [Buffer.from(r.data, 'base64').toString(), r.approximateArrivalTimestamp])).toEqual([['a', 1000], ['b', 1001], ['c', 1002]]);
    expect(new Set(e.records.map((r) => r.recordId)).size).toBe(3);
    expect(out[0]).toEqual({ result: 'Ok', data: Buffer.from('A'), partitionKeys: { k: 'a', n: '7' } });
    expect(out[1]).toEqual({ result: 'Dropped' });
    expect(out[2]).toMatchObject({ result: 'ProcessingFailed', errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'ProcessingFailed status set for record', attemptsMade: 1 });
  });

  it('retries function errors NumberOfRetries times with the same record ids, then fails the batch', async () => {
    const inv = invoker(() => ({ errorType: 'Error', errorMessage: 'boom' }), () => true);
    const out = await transformRecords(plan({ retries: 2 }), ctx(inv), records('x', 'y'));
    expect(inv.events).toHaveLength(3);
    expect(inv.events[0]!.records.map((r) => r.recordId)).toEqual(inv.events[2]!.records.map((r) => r.recordId));
    expect(new Set(inv.events.map((e) => e.invocationId)).size).toBe(3);
    for (const o of out) {
      expect(o).toEqual({
        result: 'ProcessingFailed',
        errorCode: 'Lambda.FunctionError',
        errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
        attemptsMade: 3,
        attemptEndingTimestamp: 5000,
      });
    }
  });

  it('succeeds when a retry succeeds', async () => {
    const inv = invoker((e) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) }), (call) => call === 1);
    const out = await transformRecords(plan(), ctx(inv), records('x'));
    expect(inv.events).toHaveLength(2);
    expect(out).toEqual([{ result: 'Ok', data: Buffer.from('x'), partitionKeys: undefined }]);
  });

  it.each([
    ['garbage JSON', () => 'not json', 'Lambda.JsonProcessingException'],
    ['no records array', () => ({ result: 'Ok' }), 'Lambda.JsonProcessingException'],
    ['an unknown record id', (e: Event) => ({ records: e.records.map(() => ({ recordId: 'other', result: 'Ok', data: '' })) }), 'Lambda.MissingRecordId'],
    ['a missing record', (e: Event) => ({ records: e.records.slice(1).map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) }), 'Lambda.MissingRecordId'],
    ['a duplicated record id', (e: Event) => ({ records: [...e.records, e.records[0]!].map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) }), 'Lambda.DuplicatedRecordId'],
    ['invalid base64', (e: Event) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: '***' })) }), 'Lambda.FunctionError'],
    ['an invalid result', (e: Event) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Maybe', data: r.data })) }), 'Lambda.FunctionError'],
  ])('fails the batch after retries when the function returns %s', async (_, fn, code) => {
    const inv = invoker(fn);
    const out = await transformRecords(plan({ retries: 1 }), ctx(inv), records('a', 'b'));
    expect(inv.events).toHaveLength(2);
    expect(out.map((o) => (o.result === 'ProcessingFailed' ? [o.errorCode, o.attemptsMade] : o.result))).toEqual([
      [code, 2],
      [code, 2],
    ]);
  });

  it('maps invoke failures (unknown function) to Lambda.ResourceNotFound', async () => {
    const inv: FunctionInvoker = { invoke: () => Promise.reject(Object.assign(new Error('Function not found'), { code: 'ResourceNotFoundException' })) };
    const out = await transformRecords(plan({ retries: 0 }), ctx(inv), records('a'));
    expect(out[0]).toMatchObject({ result: 'ProcessingFailed', errorCode: 'Lambda.ResourceNotFound', attemptsMade: 1 });
  });

  it('splits the buffer into invocations of at most BufferSizeInMBs', async () => {
    const inv = invoker((e) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) }));
    const big = 'z'.repeat(400_000);
    const out = await transformRecords(plan({ bufferBytes: 1024 * 1024 }), ctx(inv), records(big, big, big, big, big));
    expect(inv.events.map((e) => e.records.length)).toEqual([2, 2, 1]);
    expect(out.every((o) => o.result === 'Ok' && o.data.length === 400_000)).toBe(true);
  });
});
