import { describe, expect, it } from 'vitest';
import { deaggregate, MAX_SUB_RECORDS, splitDelimited, splitJsonObjects } from './record-deaggregator.js';

const texts = (parts: Buffer[] | undefined): string[] | undefined => parts?.map((p) => p.toString('utf8'));

describe('record de-aggregation', () => {
  it('splits concatenated and newline-separated JSON objects, respecting strings and nesting', () => {
    expect(texts(splitJsonObjects(Buffer.from('{"a":1}{"b":"}{"}\n  {"c":{"d":[1,{"e":2}]}}\r\n')))).toEqual(['{"a":1}', '{"b":"}{"}', '{"c":{"d":[1,{"e":2}]}}']);
    expect(texts(splitJsonObjects(Buffer.from('{"q":"a\\"}b"}{"x":1}')))).toEqual(['{"q":"a\\"}b"}', '{"x":1}']);
  });

  it('refuses top-level arrays, scalars and unbalanced input (the record stays whole)', () => {
    expect(splitJsonObjects(Buffer.from('[{"a":1},{"b":2}]'))).toBeUndefined();
    expect(splitJsonObjects(Buffer.from('{"a":1} 42'))).toBeUndefined();
    expect(splitJsonObjects(Buffer.from('{"a":1}{"b":'))).toBeUndefined();
    expect(texts(deaggregate(Buffer.from('[1]'), { type: 'JSON' }))).toEqual(['[1]']);
  });

  it('splits on a multi-byte delimiter and drops empty pieces', () => {
    expect(texts(splitDelimited(Buffer.from('a##b####c##'), Buffer.from('##')))).toEqual(['a', 'b', 'c']);
    expect(texts(deaggregate(Buffer.from('no-delimiter'), { type: 'DELIMITED', delimiter: Buffer.from('|') }))).toEqual(['no-delimiter']);
  });

  it('caps a record at 500 sub-records, passing the remainder on as the last one', () => {
    const record = Buffer.from(Array.from({ length: MAX_SUB_RECORDS + 3 }, (_, i) => `{"i":${i}}`).join(''));
    const parts = texts(deaggregate(record, { type: 'JSON' }))!;
    expect(parts).toHaveLength(MAX_SUB_RECORDS);
    expect(parts[MAX_SUB_RECORDS - 2]).toBe(`{"i":${MAX_SUB_RECORDS - 2}}`);
    expect(parts[MAX_SUB_RECORDS - 1]).toBe(`{"i":${MAX_SUB_RECORDS - 1}}{"i":${MAX_SUB_RECORDS}}{"i":${MAX_SUB_RECORDS + 1}}{"i":${MAX_SUB_RECORDS + 2}}`);
  });
});
