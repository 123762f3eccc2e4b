import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialectTranslator } from './sql-translator.js';

let translator: DialectTranslator;

/** A tree without its source positions (they index the text that was parsed, which differs). */
const shape = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'query_location' ? undefined : x)));
let parses = 0;

beforeAll(async () => {
  translator = await DialectTranslator.create();
  const parse = translator.parser.parse.bind(translator.parser);
  translator.parser.parse = (sql) => {
    parses++;
    return parse(sql);
  };
});
afterAll(() => translator.close());

describe('DialectTranslator', () => {
  it('hands back the syntax tree of the SQL it rendered', async () => {
    const t = await translator.translate("SELECT date_format(ts, '%Y') AS y, 7 / 2 FROM events WHERE dt = '2024-01-01'", 'logs');
    const reparsed = await translator.parse(t.sql);
    expect(shape(t.statements)).toEqual(shape(reparsed));
    expect(t.columnNames).toEqual(['y', '_col1']);
  });

  it('translates a query text once per default schema, and each caller gets its own tree', async () => {
    const sql = 'SELECT count(*) FROM cached_events WHERE kind = 1';
    const before = parses;
    const first = await translator.translate(sql, 'db1');
    expect(parses).toBe(before + 1);
    // The caller may rewrite its tree (views are qualified in place); the cached translation must not change.
    (first.statements[0] as Record<string, unknown>)['node'] = null;
    const second = await translator.translate(sql, 'db1');
    expect(parses).toBe(before + 1);
    expect(second.sql).toBe(first.sql);
    expect(shape(second.statements)).toEqual(shape(await translator.parse(second.sql)));
    await translator.translate(sql, 'db2');
    expect(parses).toBe(before + 3);
  });

  it('does not cache a query that fails to translate', async () => {
    const before = parses;
    await expect(translator.translate('SELECT FROM WHERE', 'db1')).rejects.toThrow();
    await expect(translator.translate('SELECT FROM WHERE', 'db1')).rejects.toThrow();
    expect(parses).toBe(before + 2);
  });
});
