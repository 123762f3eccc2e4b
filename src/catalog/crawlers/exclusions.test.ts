import { describe, expect, it } from 'vitest';
import { ExclusionMatcher, globToRegExp } from './exclusions.js';

const ex = (glob: string, key: string) => new ExclusionMatcher([glob]).excludes(key);

describe('Glue exclude patterns', () => {
  it('follows the documented examples', () => {
    expect(ex('*.csv', 'a.csv')).toBe(true);
    expect(ex('*.csv', 'dir/a.csv')).toBe(false);
    expect(ex('**.csv', 'dir/a.csv')).toBe(true);
    expect(ex('*.*', 'noext')).toBe(false);
    expect(ex('*.{csv,avro}', 'x.avro')).toBe(true);
    expect(ex('foo.?', 'foo.1')).toBe(true);
    expect(ex('foo.?', 'foo.12')).toBe(false);
    expect(ex('myfolder/*', 'myfolder/mysource')).toBe(true);
    expect(ex('myfolder/*', 'myfolder/mysource/data.json')).toBe(true);
    expect(ex('myfolder/*/*', 'myfolder/a/b')).toBe(true);
    expect(ex('myfolder/**', 'myfolder/a/b/c.json')).toBe(true);
    expect(ex('myfolder**', 'myfolder/data.txt')).toBe(true);
    expect(ex('departments/**', 'employees/x.json')).toBe(false);
    expect(ex('2015/0[2-9]/**', '2015/03/x')).toBe(true);
    expect(ex('2015/0[!2-9]/**', '2015/03/x')).toBe(false);
    expect(ex('\\*.json', '*.json')).toBe(true);
    expect(ex('\\*.json', 'a.json')).toBe(false);
  });

  it('rejects malformed globs', () => {
    expect(() => globToRegExp('a[b')).toThrow();
    expect(() => globToRegExp('{a,b')).toThrow();
  });
});
