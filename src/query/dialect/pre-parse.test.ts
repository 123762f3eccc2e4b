/** Unit tests of the tokenizer-level rewrites applied before DuckDB's parser. */
import { describe, expect, it } from 'vitest';
import { SqlTranslationError } from './errors.js';
import { preParse } from './pre-parse.js';
import { tokenize } from './tokenizer.js';

const pre = (sql: string): string => preParse(sql).sql.replace(/\s+/g, ' ').trim();

describe('tokenize', () => {
  it('keeps strings, quoted identifiers and comments whole', () => {
    const kinds = tokenize(`SELECT 'it''s -- no', "a""b", x -- c\n/* d */`).filter((t) => t.kind !== 'ws');
    expect(kinds.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'SELECT'],
      ['string', "'it''s -- no'"],
      ['op', ','],
      ['qident', '"a""b"'],
      ['op', ','],
      ['ident', 'x'],
      ['comment', '-- c'],
      ['comment', '/* d */'],
    ]);
  });

  it('reads numbers, arrows and parameters', () => {
    expect(tokenize('1.5e-3 .5 x->x ?').filter((t) => t.kind !== 'ws').map((t) => t.text)).toEqual(['1.5e-3', '.5', 'x', '->', 'x', '?']);
  });
});

describe('preParse', () => {
  it('lower-cases unquoted identifiers only', () => {
    expect(pre(`SELECT Foo AS Bar, "Baz", 'Qux' FROM T`)).toBe(`select foo as bar, "Baz", 'Qux' from t`);
  });

  it('translates CAST and TRY_CAST types', () => {
    expect(pre('SELECT CAST(x AS array(row(a integer, "B" map(varchar, array(double)))))')).toBe(
      'select cast(x as STRUCT("a" INTEGER, "B" MAP(VARCHAR, DOUBLE[]))[])',
    );
    expect(pre('SELECT try_cast(x AS timestamp(3) with time zone), CAST(y AS varchar(10)), CAST(z AS varbinary)')).toBe(
      'select try_cast(x as TIMESTAMPTZ), cast(y as VARCHAR), cast(z as BLOB)',
    );
    expect(pre('SELECT CAST(x AS json)')).toBe('select cast(x as lakebox_to_json)');
  });

  it('refuses anonymous row fields', () => {
    expect(() => pre('SELECT CAST(x AS row(integer, varchar))')).toThrow(/unnamed fields/);
  });

  it('completes two-argument IF and moves IGNORE NULLS', () => {
    expect(pre('SELECT IF(a, 1), if(a, 1, 2)')).toBe('select if(a, 1, null), if(a, 1, 2)');
    expect(pre('SELECT lag(x, 1) IGNORE NULLS OVER (ORDER BY y)')).toBe('select lag(x, 1 ignore nulls) over (order by y)');
  });

  it('rewrites listagg, VALUES without parentheses, binary and Unicode literals', () => {
    expect(pre("SELECT listagg(x, ',') WITHIN GROUP (ORDER BY y DESC) FROM t")).toBe("select string_agg(x, ',' order by y desc) from t");
    expect(pre('VALUES 1, 2')).toBe('values ( 1), ( 2)');
    expect(pre("SELECT X'0A ff', U&'\\0041\\+01F600'")).toBe("select unhex('0Aff'), 'A😀'");
  });

  it('rewrites interval qualifiers and zoned timestamp literals', () => {
    expect(pre("SELECT INTERVAL '1-2' YEAR TO MONTH, INTERVAL '3 04:05:06' DAY TO SECOND")).toBe(
      "select CAST('1 years 2 months' AS INTERVAL), CAST('3 days 04:05:06' AS INTERVAL)",
    );
    expect(pre("SELECT TIMESTAMP '2020-01-01 00:00:00 UTC'")).toBe("select timestamptz '2020-01-01 00:00:00 UTC'");
  });

  it('refuses backticks and time travel', () => {
    expect(() => pre('SELECT `a` FROM t')).toThrow(SqlTranslationError);
    expect(() => pre("SELECT * FROM t FOR TIMESTAMP AS OF TIMESTAMP '2020-01-01'")).toThrow(/Time travel/);
  });
});
