/** Executed tests of Trino's URL functions (java.net.URI and URLDecoder semantics) on DuckDB. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectHarness } from './test-harness.js';

let h: DialectHarness;
beforeAll(async () => {
  h = await DialectHarness.create();
});
afterAll(() => h.close());

const URL = "'http://user@www.example.com:8080/p/a%20b?x=1&y=a+b%21&flag#frag%20x'";

describe('URL functions', () => {
  it.each([
    [`url_extract_protocol(${URL})`, 'http'],
    [`url_extract_host(${URL})`, 'www.example.com'],
    [`url_extract_port(${URL})`, 8080],
    // getPath / getQuery / getFragment are percent-decoded; `+` stays a plus outside form decoding.
    [`url_extract_path(${URL})`, '/p/a b'],
    [`url_extract_query(${URL})`, 'x=1&y=a+b!&flag'],
    [`url_extract_fragment(${URL})`, 'frag x'],
    [`url_extract_parameter(${URL}, 'x')`, '1'],
    [`url_extract_parameter(${URL}, 'y')`, 'a b!'],
    [`url_extract_parameter(${URL}, 'flag')`, ''],
    [`url_extract_parameter(${URL}, 'z')`, null],
    ["url_extract_parameter('http://a.com/p', 'x')", null],
    ["url_extract_port('http://a.com/p')", null],
    ["url_extract_query('http://a.com/p')", ''],
    ["url_extract_fragment('http://a.com/p')", ''],
    ["url_extract_host('http://[::1]:9000/x')", '[::1]'],
    ["url_extract_path('relative/path?q')", 'relative/path'],
    ["url_extract_protocol('relative/path')", ''],
    // URLs java.net.URI refuses answer NULL.
    ["url_extract_host('http://www.foo.com ')", null],
    ["url_extract_path('https://www.ucu.edu.uy/agenda/evento/%%UCUrlCompartir%%')", null],
    ['url_extract_host(CAST(NULL AS varchar))', null],
    ["url_encode('a b*~.-_/é')", 'a+b*%7E.-_%2F%C3%A9'],
    ["url_decode('a+b%20c%2Bd%C3%A9')", 'a b c+dé'],
  ])('%s = %j', async (expr, expected) => {
    expect(await h.value(`SELECT ${expr}`)).toEqual(expected);
  });

  it('extracts from a column, row by row', async () => {
    const r = await h.run(
      "SELECT url_extract_host(u), url_extract_parameter(u, k) FROM (VALUES ('https://a.org/?id=7', 'id'), ('https://b.net/x?q=z&id=9', 'q')) AS t(u, k) ORDER BY 1",
    );
    expect(r.rows).toEqual([
      ['a.org', '7'],
      ['b.net', 'z'],
    ]);
  });

  it('refuses a malformed escape in url_decode as Trino does', async () => {
    await expect(h.value("SELECT url_decode('100%zz')")).rejects.toThrow(/INVALID_FUNCTION_ARGUMENT: URLDecoder: Illegal hex characters/);
  });
});
