import { describe, expect, it } from 'vitest';
import { renderType } from '../schema-merge.js';
import { classifyCsv, parseCsv } from './csv-classifier.js';
import type { TextSample } from './classification.js';

const sample = (text: string, complete = true): TextSample => ({ text, complete, compression: 'none', storedBytesRead: text.length, storedSize: text.length });
const describeCsv = (text: string) => {
  const r = classifyCsv(sample(text));
  return r && { columns: r.schema.columns.map((c) => `${c.name}:${renderType(c.type)}`), csv: r.schema.csv, records: r.records };
};

describe('CSV classifier', () => {
  it('detects a header and infers bigint/double/boolean/string', () => {
    expect(describeCsv('id,price,ok,name\n1,2.5,true,a\n2,3,false,b\n')).toEqual({
      columns: ['id:bigint', 'price:double', 'ok:boolean', 'name:string'],
      csv: { delimiter: ',', header: true, quoted: false },
      records: 2,
    });
  });

  it('sniffs the delimiter among , | tab ;', () => {
    expect(describeCsv('a|b|c\n1|x,y|2\n3|z|4\n')?.csv?.delimiter).toBe('|');
    expect(describeCsv('a\tb\n1\t2\n')?.csv?.delimiter).toBe('\t');
    expect(describeCsv('a;b\n1;2\n')?.csv?.delimiter).toBe(';');
  });

  it('uses col0… names when every column is a string (no header detectable)', () => {
    expect(describeCsv('name,city\nann,paris\nbob,rome\n')).toMatchObject({ columns: ['col0:string', 'col1:string'], csv: { header: false }, records: 3 });
  });

  it('uses col0… and includes the first row when it is data', () => {
    expect(describeCsv('1,2\n3,4.5\n')?.columns).toEqual(['col0:bigint', 'col1:double']);
  });

  it('refuses a header with a too long cell', () => {
    expect(describeCsv(`${'h'.repeat(150)},b\n1,2\n`)?.csv?.header).toBe(false);
  });

  it('handles quoted cells (OpenCSV) and empty cells', () => {
    const r = describeCsv('a,b\n"x, y",1\n,2\n');
    expect(r).toMatchObject({ columns: ['a:string', 'b:bigint'], csv: { quoted: true, header: true } });
    expect(parseCsv('"a""b",c\r\nd,e', ',', 10, true).rows).toEqual([['a"b', 'c'], ['d', 'e']]);
  });

  it('needs two columns and two rows', () => {
    expect(describeCsv('justone\nvalue\n')).toBeUndefined();
    expect(describeCsv('a,b\n')).toBeUndefined();
    expect(describeCsv('a,b\n1,2,3\n')).toBeUndefined();
  });
});
