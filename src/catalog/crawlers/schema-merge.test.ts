import { describe, expect, it } from 'vitest';
import { mergeFields, mergeTypes, primitive, renderType, similarity, UNKNOWN, type Field } from './schema-merge.js';

const f = (name: string, type: string): Field => ({ name, type: primitive(type) });

describe('schema merge', () => {
  it('widens numbers and falls back to string', () => {
    const m = (a: string, b: string) => renderType(mergeTypes(primitive(a), primitive(b)));
    expect(m('int', 'bigint')).toBe('bigint');
    expect(m('bigint', 'double')).toBe('double');
    expect(m('float', 'bigint')).toBe('double');
    expect(m('boolean', 'int')).toBe('string');
    expect(m('date', 'timestamp')).toBe('timestamp');
    expect(renderType(mergeTypes(UNKNOWN, primitive('int')))).toBe('int');
    expect(renderType(mergeTypes({ kind: 'array', element: primitive('int') }, primitive('int')))).toBe('string');
  });

  it('unions fields case-insensitively, in first-seen order, merging nested structs', () => {
    const a: Field[] = [f('id', 'int'), { name: 's', type: { kind: 'struct', fields: [f('x', 'int')] } }];
    const b: Field[] = [f('ID', 'bigint'), f('extra', 'string'), { name: 's', type: { kind: 'struct', fields: [f('y', 'string')] } }];
    expect(mergeFields(a, b).map((x) => `${x.name}:${renderType(x.type)}`)).toEqual(['id:bigint', 's:struct<x:int,y:string>', 'extra:string']);
    expect(mergeFields(a, a)).toBe(a);
  });

  it('measures similarity on shared column names', () => {
    expect(similarity([f('a', 'int'), f('b', 'int')], [f('c', 'int'), f('d', 'int')])).toBe(0);
    expect(similarity([f('a', 'int'), f('b', 'int')], [f('a', 'int'), f('b', 'int'), f('c', 'int')])).toBe(1);
  });
});
