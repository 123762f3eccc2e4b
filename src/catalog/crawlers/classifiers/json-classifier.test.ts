import { describe, expect, it } from 'vitest';
import { renderType } from '../schema-merge.js';
import { classifyJson, inferJsonType } from './json-classifier.js';
import type { TextSample } from './classification.js';

const sample = (text: string, complete = true): TextSample => ({ text, complete, compression: 'none', storedBytesRead: text.length, storedSize: complete ? text.length : text.length * 4 });
const cols = (text: string, complete = true) => classifyJson(sample(text, complete))?.schema.columns.map((c) => `${c.name}:${renderType(c.type)}`);

describe('JSON classifier', () => {
  it('infers Glue types from the text', () => {
    expect(renderType(inferJsonType('{"a":1,"b":3000000000,"c":1.5,"d":"x","e":true,"f":null,"g":[1,2],"h":{"x":1},"i":[]}'))).toBe(
      'struct<a:int,b:bigint,c:double,d:string,e:boolean,f:string,g:array<int>,h:struct<x:int>,i:array<string>>',
    );
    expect(renderType(inferJsonType('1.0'))).toBe('double');
    expect(renderType(inferJsonType('-12'))).toBe('int');
    expect(renderType(inferJsonType('99999999999999999999999'))).toBe('double');
  });

  it('merges JSON lines: union of fields, widened types', () => {
    const text = '{"id":1,"name":"a","tags":["x"]}\n{"id":5000000000,"score":2}\n{"id":2.5,"name":null,"nested":{"a":1}}\n{"nested":{"b":"s"},"tags":[1]}\n';
    expect(cols(text)).toEqual(['id:double', 'name:string', 'tags:array<string>', 'score:int', 'nested:struct<a:int,b:string>']);
    expect(classifyJson(sample(text))?.records).toBe(4);
  });

  it('accepts pretty-printed concatenated objects and a BOM', () => {
    expect(cols('\ufeff{\n  "a": 1\n}\n{\n  "a": 2,\n  "b": false\n}')).toEqual(['a:int', 'b:boolean']);
  });

  it('gives a top-level array document the single column `array`', () => {
    expect(cols('[{"a":1},{"a":2,"b":"x"}]')).toEqual(['array:array<struct<a:int,b:string>>']);
  });

  it('ignores a truncated last record of a partial sample and extrapolates the count', () => {
    const r = classifyJson(sample('{"a":1}\n{"a":2}\n{"a":', false));
    expect(r?.schema.columns.map((c) => c.name)).toEqual(['a']);
    expect(r?.records).toBe(8);
  });

  it('rejects what is not JSON records', () => {
    expect(classifyJson(sample('a,b\n1,2\n'))).toBeUndefined();
    expect(classifyJson(sample('{"a":1}\n{"a":'))).toBeUndefined();
    expect(classifyJson(sample('{"a":1}\n42\n'))).toBeUndefined();
    expect(classifyJson(sample(''))).toBeUndefined();
  });
});
