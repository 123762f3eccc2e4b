import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from './duckdb-engine.js';
import { EngineInterrupted } from './query-engine.js';

const engine = new DuckDbEngine({ poolSize: 2, threads: 1 });
afterAll(() => engine.close());

async function collect(session: Awaited<ReturnType<DuckDbEngine['session']>>, sql: string) {
  const result = await session.query(sql);
  const rows: (string | null)[][] = [];
  for await (const batch of result.batches()) rows.push(...batch);
  return { columns: result.columns, rows };
}

describe('DuckDbEngine', () => {
  it('resolves 1-, 2- and 3-part names to per-query views and forgets them on release', async () => {
    const s = await engine.session();
    await s.prepare(['db'], 'db');
    await s.createView('db', 't', 'SELECT 1 AS a UNION ALL SELECT 2');
    const r = await collect(s, 'SELECT (SELECT sum(a) FROM t) + (SELECT sum(a) FROM db.t) + (SELECT sum(a) FROM awsdatacatalog.db.t) AS x, 7/2 AS d');
    expect(r.rows).toEqual([['9', '3']]);
    expect(r.columns.map((c) => c.Type)).toEqual(['bigint', 'integer']);
    await s.release();
    const again = await engine.session();
    await again.prepare([], undefined);
    await expect(again.query('SELECT * FROM db.t')).rejects.toThrow();
    await again.release();
  });

  it('keeps views between queries only while they are asked for: same SQL reused, changed SQL replaced, others dropped', async () => {
    const solo = new DuckDbEngine({ poolSize: 1, threads: 1 });
    try {
      const use = async (schema: string, views: [string, string][], sql: string): Promise<(string | null)[][] | Error> => {
        const s = await solo.session();
        try {
          await s.prepare([...new Set(views.map(([n]) => n.split('.')[0]!))], schema);
          for (const [n, body] of views) await s.createView(n.split('.')[0]!, n.split('.')[1]!, body);
          return (await collect(s, sql)).rows;
        } catch (err) {
          return err as Error;
        } finally {
          await s.release();
        }
      };
      expect(await use('a', [['a.t', 'SELECT 1 AS x'], ['b.t', 'SELECT 10 AS x']], 'SELECT (SELECT x FROM t) + (SELECT x FROM b.t)')).toEqual([['11']]);
      // Same SQL for a.t (kept), b.t not asked for: it must not be found, and the default schema moves to b.
      expect(await use('b', [['a.t', 'SELECT 1 AS x']], 'SELECT x FROM a.t')).toEqual([['1']]);
      expect(await use('b', [['a.t', 'SELECT 1 AS x']], 'SELECT x FROM t')).toBeInstanceOf(Error);
      expect(await use('b', [['a.t', 'SELECT 1 AS x']], 'SELECT x FROM b.t')).toBeInstanceOf(Error);
      // Changed SQL replaces the view.
      expect(await use('a', [['a.t', 'SELECT 2 AS x']], 'SELECT x FROM t')).toEqual([['2']]);
      // A setup that fails resets the catalog; the next query sets it up again from nothing.
      expect(await use('a', [['a.t', 'SELECT 3 AS x'], ['a.u', 'SELECT nope']], 'SELECT x FROM t')).toBeInstanceOf(Error);
      expect(await use('a', [['a.t', 'SELECT 3 AS x']], 'SELECT x FROM t')).toEqual([['3']]);
    } finally {
      await solo.close();
    }
  });

  it('reports a view that cannot be created when the query that needs it runs, and the session stays usable', async () => {
    const s = await engine.session();
    await s.prepare(['db'], 'db');
    await s.createView('db', 'good', 'SELECT 41 AS a');
    await s.createView('db', 'bad', 'SELECT no_such_column FROM (SELECT 1 AS a)');
    await expect(s.query('SELECT a + 1 FROM good')).rejects.toThrow(/no_such_column/);
    await s.release();
    const next = await engine.session();
    await next.prepare(['db'], 'db');
    await next.createView('db', 'good', 'SELECT 41 AS a');
    expect((await collect(next, 'SELECT a + 1 FROM good')).rows).toEqual([['42']]);
    await next.release();
  });

  it('keeps every field of anonymous structs (ROW, zip), named field0… so they render as unnamed rows', async () => {
    const s = await engine.session();
    await s.prepare([], undefined);
    const r = await collect(s, "SELECT ROW(1, 'a') AS r, [ROW(2, 'b')] AS l, list_zip([1, 2], ['x']) AS z, MAP(['k'], [ROW(1.5, DATE '2024-01-01')]) AS m, 7 AS n ORDER BY n");
    expect(r.columns.map((c) => c.Name)).toEqual(['r', 'l', 'z', 'm', 'n']);
    expect(r.rows).toEqual([['{1, a}', '[{2, b}]', '[{1, x}, {2, null}]', '{k={1.5, 2024-01-01}}', '7']]);
    await s.release();
  });

  it('interrupts a running query', async () => {
    const s = await engine.session();
    await s.prepare([], undefined);
    const running = collect(s, 'SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range < 0');
    setTimeout(() => s.interrupt(), 200);
    await expect(running).rejects.toBeInstanceOf(EngineInterrupted);
    await s.release();
    const next = await engine.session();
    await next.prepare([], undefined);
    expect((await collect(next, 'SELECT 1')).rows).toEqual([['1']]);
    await next.release();
  });

  it('honours an interrupt that arrives before the statement starts', async () => {
    const s = await engine.session();
    await s.prepare([], undefined);
    s.interrupt();
    await expect(collect(s, 'SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range < 0')).rejects.toBeInstanceOf(EngineInterrupted);
    await s.release();
    const next = await engine.session();
    await next.prepare([], undefined);
    expect((await collect(next, 'SELECT 1')).rows).toEqual([['1']]);
    await next.release();
  });

  it('honours an interrupt that arrives while the statement is being submitted', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await engine.session();
      await s.prepare([], undefined);
      const running = collect(s, 'SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range < 0');
      s.interrupt();
      const timeout = new Promise((r) => setTimeout(() => r('still running'), 5000));
      const outcome = await Promise.race([running.then(() => 'finished', (err: unknown) => err), timeout]);
      s.interrupt(); // stops the statement should the first interrupt have been lost (the test then fails above)
      await running.catch(() => undefined);
      expect(outcome).toBeInstanceOf(EngineInterrupted);
      await s.release();
    }
    const next = await engine.session();
    await next.prepare([], undefined);
    expect((await collect(next, 'SELECT 1')).rows).toEqual([['1']]);
    await next.release();
  });

  it('queues sessions beyond the pool size', async () => {
    const a = await engine.session();
    const b = await engine.session();
    let third = false;
    const c = engine.session().then((s) => {
      third = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(third).toBe(false);
    await a.release();
    await (await c).release();
    await b.release();
    expect(third).toBe(true);
  });
});
