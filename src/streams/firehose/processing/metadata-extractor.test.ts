import { afterAll, describe, expect, it } from 'vitest';
import { JqEvaluator } from './jq-evaluator.js';
import { MetadataExtractor } from './metadata-extractor.js';

const jq = new JqEvaluator(2000);
afterAll(() => jq.close());

const run = (query: string, records: string[]) => new MetadataExtractor(jq, query).extract(records.map((r) => Buffer.from(r)));

describe('MetadataExtraction with jq', () => {
  it('evaluates real jq per record: paths, pipes, builtins, numbers as strings', async () => {
    const out = await run('{customer_id: .customer.id, device: .type.device, year: (.ts | strftime("%Y")), n: .n, up: (.name | ascii_upcase)}', [
      JSON.stringify({ customer: { id: 'c-1' }, type: { device: 'phone' }, ts: 1700000000, n: 42, name: 'ab' }),
      JSON.stringify({ customer: { id: 'c-2' }, type: { device: 'tv' }, ts: 0, n: 1.5, name: 'x' }),
    ]);
    expect(out).toEqual([
      { ok: true, keys: { customer_id: 'c-1', device: 'phone', year: '2023', n: '42', up: 'AB' } },
      { ok: true, keys: { customer_id: 'c-2', device: 'tv', year: '1970', n: '1.5', up: 'X' } },
    ]);
  });

  it('fails records that are not JSON, have null or empty keys, or make jq raise', async () => {
    const out = await run('{k: .a.b}', ['nope', '{"a":{"b":null}}', '{"a":{"b":""}}', '{"a":5}', '{"a":{"b":"ok"}}', '[1]']);
    expect(out[0]).toEqual({ ok: false, message: 'Non JSON record provided' });
    expect(out[1]).toEqual({ ok: false, message: 'partitionKeys values must not be null or empty' });
    expect(out[2]).toEqual({ ok: false, message: 'partitionKeys values must not be null or empty' });
    expect(out[3]).toMatchObject({ ok: false });
    expect((out[3] as { message: string }).message).toMatch(/Cannot index number/);
    expect(out[4]).toEqual({ ok: true, keys: { k: 'ok' } });
    // Any JSON value goes through jq, which decides (here: an array cannot be indexed by name).
    expect((out[5] as { message: string }).message).toMatch(/Cannot index array/);
  });

  it('reports compile errors and stops a runaway query with a timeout', async () => {
    expect(await jq.compileError('{a: .a')).toMatch(/syntax error|compile error/);
    expect(await jq.compileError('{a: .a}')).toBeUndefined();
    await expect(new JqEvaluator(300).run('def f: f; f', 'null').catch((e: Error) => Promise.reject(e))).rejects.toThrow(/did not finish/);
    // The shared evaluator still works after another one was stopped.
    expect(await run('{k: .k}', ['{"k":"v"}'])).toEqual([{ ok: true, keys: { k: 'v' } }]);
  });
});
