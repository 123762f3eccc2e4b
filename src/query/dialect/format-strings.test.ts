/** Unit tests of the MySQL / Joda / regex-replacement / JSONPath translators. */
import { describe, expect, it } from 'vitest';
import { SqlTranslationError } from './errors.js';
import { javaReplacementToRe2, jodaToStrftime, mysqlToStrftime, trinoJsonPathToDuckDb } from './format-strings.js';

describe('mysqlToStrftime', () => {
  it.each([
    ['%Y-%m-%d %H:%i:%s', '%Y-%m-%d %H:%M:%S'],
    ['%Y-%m-%d %H:%i:%S.%f', '%Y-%m-%d %H:%M:%S.%f'],
    ['%M %e, %Y', '%B %-d, %Y'],
    ['%c/%e/%y', '%-m/%-d/%y'],
    ['%h:%i %p', '%I:%M %p'],
    ['%k:%l', '%-H:%-I'],
    ['%T', '%H:%M:%S'],
    ['%r', '%I:%M:%S %p'],
    ['%W %a %b %j', '%A %a %b %j'],
    ['100%%', '100%%'],
    ['%Q', 'Q'],
    ['%x-%v', '%G-%V'],
  ])('%s → %s', (mysql, strftime) => {
    expect(mysqlToStrftime(mysql)).toBe(strftime);
  });

  it.each(['%D', '%U', '%u', '%V', '%w', '%X'])('refuses %s like Trino', (spec) => {
    expect(() => mysqlToStrftime(spec)).toThrow(SqlTranslationError);
  });
});

describe('jodaToStrftime', () => {
  it.each([
    ['yyyy-MM-dd HH:mm:ss', '%Y-%m-%d %H:%M:%S'],
    ['yyyy-MM-dd HH:mm:ss.SSS', '%Y-%m-%d %H:%M:%S.%g'],
    ['yy/M/d', '%y/%-m/%-d'],
    ['MMM dd, yyyy hh:mm a', '%b %d, %Y %I:%M %p'],
    ['EEEE, MMMM d', '%A, %B %-d'],
    ['EEE', '%a'],
    ["yyyy-MM-dd'T'HH:mm:ssZ", '%Y-%m-%dT%H:%M:%S%z'],
    ["h 'o''clock'", "%-I o'clock"],
    // An unterminated quote runs to the end of the pattern, as Joda reads it (the ALB guide's 'Z).
    ["yyyy-MM-dd'T'HH:mm:ss'Z", '%Y-%m-%dT%H:%M:%SZ'],
    ['DDD', '%j'],
    ['100%', '100%%'],
  ])('%s → %s', (joda, strftime) => {
    expect(jodaToStrftime(joda)).toBe(strftime);
  });

  it('refuses letters without a strftime equivalent', () => {
    expect(() => jodaToStrftime('G')).toThrow(/not supported/);
    expect(() => jodaToStrftime('K')).toThrow(/not supported/);
  });
});

describe('javaReplacementToRe2', () => {
  it.each([
    ['[$1]', '[\\1]'],
    ['$2-$1', '\\2-\\1'],
    ['\\$1', '$1'],
    ['a\\\\b', 'a\\\\b'],
    ['plain', 'plain'],
  ])('%s → %s', (java, re2) => {
    expect(javaReplacementToRe2(java)).toBe(re2);
  });

  it('refuses named groups', () => {
    expect(() => javaReplacementToRe2('${name}')).toThrow(/Named group/);
  });
});

describe('trinoJsonPathToDuckDb', () => {
  it.each([
    ['$', '$'],
    ['$.a', '$."a"'],
    ['$.a.b[0]', '$."a"."b"[0]'],
    ['$["a b"].c', '$."a b"."c"'],
    ["$['x']", '$."x"'],
    ['$[2][0]', '$[2][0]'],
  ])('%s → %s', (trino, duck) => {
    expect(trinoJsonPathToDuckDb(trino)).toBe(duck);
  });

  it.each(['a.b', '$..a', '$.a[*]'])('refuses %s', (path) => {
    expect(() => trinoJsonPathToDuckDb(path)).toThrow(SqlTranslationError);
  });
});
