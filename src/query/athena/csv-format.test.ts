import { describe, expect, it } from 'vitest';
import { csvLine, CsvRowReader, txtBody } from './csv-format.js';

describe('Athena result CSV', () => {
  it('quotes every value, doubles quotes, leaves NULL empty and unquoted', () => {
    expect(csvLine(['1', "it's", 'a"b', null, '', '[1, 2]', '01 02'])).toBe('"1","it\'s","a""b",,"","[1, 2]","01 02"\n');
    expect(csvLine(['line\nbreak'])).toBe('"line\nbreak"\n');
  });

  it('reads back what it writes, across chunk boundaries, with resumable offsets', () => {
    const rows = [['i', 's'], ['1', 'x,"y"\nz'], [null, ''], ['é', null]];
    const text = rows.map(csvLine).join('');
    for (let cut = 1; cut < text.length; cut++) {
      const reader = new CsvRowReader();
      const out: (string | null)[][] = [];
      reader.push(text.slice(0, cut));
      for (let r = reader.next(); r; r = reader.next()) out.push(r);
      reader.push(text.slice(cut));
      for (let r = reader.next(true); r; r = reader.next(true)) out.push(r);
      expect(out).toEqual(rows);
    }
    const reader = new CsvRowReader();
    reader.push(text);
    reader.next();
    reader.next();
    const resumed = new CsvRowReader(reader.offset);
    resumed.push(Buffer.from(text).subarray(reader.offset).toString());
    expect(resumed.next(true)).toEqual([null, '']);
  });

  it('writes .txt results with tabs and no trailing newline', () => {
    expect(txtBody([['a', 'b'], ['c', null]])).toBe('a\tb\nc\t');
    expect(txtBody([])).toBe('');
  });
});
