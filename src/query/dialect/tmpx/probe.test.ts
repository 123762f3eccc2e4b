import { it } from 'vitest';
import { DialectHarness } from '../test-harness.js';
it('probe', async () => {
  const h = await DialectHarness.create();
  for (const q of (process.env.Q ?? '').split('\n').filter(Boolean)) {
    try { const r = await h.run(q); console.log(q + ' => ' + JSON.stringify(r.rows) + '   [' + r.translated.sql + ']'); } catch (e) { console.log(q + ' ERR ' + String((e as Error).message).split('\n')[0]); }
  }
  h.close();
});
