/** Unit tests of the result formatters: table alignment, NULLs, widths and truncation, CSV quoting, TSV escaping, JSON typing. */
import { describe, expect, it } from 'vitest';
import {
  csvRow,
  displayWidth,
  formatBytes,
  formatTable,
  jsonRow,
  streamingFormatter,
  summaryLine,
  truncate,
  tsvRow,
  type ResultColumn,
} from './result-formatter.js';

const cols: ResultColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'varchar' },
  { name: 'score', type: 'double' },
];

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers and shows NULL', () => {
    const out = formatTable(cols, [
      ['1', 'alice', '1.5'],
      ['22', null, null],
      ['333', 'bo', '100.25'],
    ]);
    expect(out).toBe(
      [
        '  id | name  |  score',
        '-----+-------+--------',
        '   1 | alice |    1.5',
        '  22 | NULL  |   NULL',
        ' 333 | bo    | 100.25',
        '',
      ].join('\n'),
    );
  });

  it('measures CJK characters as two columns', () => {
    const out = formatTable(
      [
        { name: 'k', type: 'varchar' },
        { name: 'n', type: 'bigint' },
      ],
      [
        ['漢字', '1'],
        ['ab', '22'],
      ],
    );
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(' k    |  n');
    expect(lines[2]).toBe(' 漢字 |  1');
    expect(lines[3]).toBe(' ab   | 22');
    expect([lines[0], lines[2], lines[3]].map((l) => displayWidth(l!))).toEqual([10, 10, 10]);
  });

  it('truncates the widest column with … to fit the terminal width', () => {
    const long = 'x'.repeat(100);
    const out = formatTable(cols, [['1', long, '2.0']], { maxWidth: 40 });
    const lines = out.trimEnd().split('\n');
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    expect(lines[2]).toContain('…');
    expect(lines[2]).toMatch(/^ {2}1 \| x+… \| {3}2\.0$/);
  });

  it('does not truncate without a width, and renders newlines and tabs on one line', () => {
    const out = formatTable([{ name: 's', type: 'varchar' }], [['a\nb\tc']]);
    expect(out).toBe(' s\n-------\n a↵b c\n');
  });

  it('renders nothing for a result without columns', () => {
    expect(formatTable([], [])).toBe('');
  });
});

describe('display width and truncation', () => {
  it('counts wide, combining and ASCII characters', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('한글')).toBe(4);
  });

  it('never cuts a wide character in half', () => {
    expect(truncate('日本語テキスト', 6)).toBe('日本…');
    expect(displayWidth(truncate('日本語テキスト', 6))).toBeLessThanOrEqual(6);
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes only when needed, doubles quotes, distinguishes NULL from empty', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'multi\nline', null, ''])).toBe('plain,"a,b","say ""hi""","multi\nline",,""\n');
  });

  it('writes a header row', () => {
    const f = streamingFormatter('csv');
    expect(f.header(cols) + f.rows(cols, [['1', 'x', null]])).toBe('id,name,score\n1,x,\n');
  });
});

describe('TSV', () => {
  it('escapes tabs, newlines and backslashes; NULL is empty', () => {
    expect(tsvRow(['a\tb', 'c\nd', 'e\\f', null])).toBe('a\\tb\tc\\nd\te\\\\f\t\n');
  });
});

describe('JSON lines', () => {
  it('types integers, doubles and booleans; keeps decimals and others as strings; NULL is null', () => {
    const c: ResultColumn[] = [
      { name: 'i', type: 'bigint' },
      { name: 'd', type: 'double' },
      { name: 'n', type: 'double' },
      { name: 'dec', type: 'decimal' },
      { name: 'b', type: 'boolean' },
      { name: 's', type: 'varchar' },
      { name: 'a', type: 'array' },
      { name: 'z', type: 'varchar' },
    ];
    const line = jsonRow(c, ['12345678901234567890', '1.0E20', 'NaN', '3.10', 'true', 'x"y', '[1, 2]', null]);
    expect(line).toBe('{"i":12345678901234567890,"d":1.0E20,"n":"NaN","dec":"3.10","b":true,"s":"x\\"y","a":"[1, 2]","z":null}\n');
    expect(JSON.parse(line)).toMatchObject({ d: 1e20, b: true, z: null });
  });
});

describe('summary', () => {
  it('formats row counts, time and data scanned', () => {
    expect(summaryLine(3, { millis: 84, scannedBytes: 1.2 * 1024 * 1024 })).toBe('(3 rows, 0.084 s, 1.2 MB scanned)');
    expect(summaryLine(1, undefined)).toBe('(1 row)');
    expect(summaryLine(2, { millis: 5 }, 'row', ' affected')).toBe('(2 rows affected, 0.005 s)');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
  });
});
