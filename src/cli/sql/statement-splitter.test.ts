/** Unit tests of the SQL statement splitter: quotes, identifiers, comments, meta-commands, incremental input. */
import { describe, expect, it } from 'vitest';
import { parseMeta, splitStatements, StatementSplitter, type ScriptItem } from './statement-splitter.js';

const sql = (items: ScriptItem[]): string[] => items.map((i) => (i.kind === 'sql' ? i.text : `META ${i.text}`));

describe('splitStatements', () => {
  it('splits on semicolons and trims', () => {
    expect(sql(splitStatements('SELECT 1;  SELECT 2 ;\nSELECT 3'))).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('ignores semicolons inside strings, identifiers and comments', () => {
    const text = [
      "SELECT 'a;b', 'it''s;' AS \"x;y\", `c;d` -- trailing; comment",
      'FROM t /* block; comment',
      'still; comment */ WHERE s = \'\';',
      'SELECT 2',
    ].join('\n');
    expect(sql(splitStatements(text))).toEqual([
      "SELECT 'a;b', 'it''s;' AS \"x;y\", `c;d` -- trailing; comment\nFROM t /* block; comment\nstill; comment */ WHERE s = ''",
      'SELECT 2',
    ]);
  });

  it('drops empty statements and statements holding only comments', () => {
    expect(sql(splitStatements(';;  ; -- nothing\n/* at all */ ;\nSELECT 1;\n-- tail comment\n'))).toEqual(['SELECT 1']);
  });

  it('keeps a leading comment attached to its statement', () => {
    expect(sql(splitStatements('-- count rows\nSELECT count(*) FROM t;'))).toEqual(['-- count rows\nSELECT count(*) FROM t']);
  });

  it('returns an unterminated statement (even an open quote) at end of input', () => {
    expect(sql(splitStatements("SELECT 'open"))).toEqual(["SELECT 'open"]);
  });

  it('treats lines starting with a backslash as meta-commands', () => {
    const items = splitStatements('\\c logs\nSELECT 1;\n  \\d  events ;\n\\timing\n\\q');
    expect(items).toEqual([
      { kind: 'meta', command: 'c', args: ['logs'], text: '\\c logs' },
      { kind: 'sql', text: 'SELECT 1' },
      { kind: 'meta', command: 'd', args: ['events'], text: '\\d  events' },
      { kind: 'meta', command: 'timing', args: [], text: '\\timing' },
      { kind: 'meta', command: 'q', args: [], text: '\\q' },
    ]);
  });

  it('does not treat a backslash inside a string or mid-line as a meta-command', () => {
    expect(sql(splitStatements("SELECT 'a\n\\d' AS x;\nSELECT 1 \\ 2;"))).toEqual(["SELECT 'a\n\\d' AS x", 'SELECT 1 \\ 2']);
  });
});

describe('StatementSplitter (incremental)', () => {
  it('reports pending input for the continuation prompt', () => {
    const s = new StatementSplitter();
    expect(s.push('SELECT 1,\n')).toEqual([]);
    expect(s.pending).toBe(true);
    expect(sql(s.push('2;\n'))).toEqual(['SELECT 1,\n2']);
    expect(s.pending).toBe(false);
    s.push("SELECT 'multi\n");
    expect(s.pending).toBe(true);
    expect(s.push("line;';\n")).toEqual([{ kind: 'sql', text: "SELECT 'multi\nline;'" }]);
    s.push('-- only a comment\n');
    expect(s.pending).toBe(false);
    s.push('/* open block\n');
    expect(s.pending).toBe(true);
  });

  it('handles comment markers split across chunks', () => {
    const s = new StatementSplitter();
    const out = [...s.push('SELECT 1 -'), ...s.push('- ; hidden\n; SELECT /'), ...s.push('* ; */ 2;')];
    expect(sql(out)).toEqual(['SELECT 1 -- ; hidden', 'SELECT /* ; */ 2']);
  });

  it('keeps the pending statement across a meta-command, and reset discards it', () => {
    const s = new StatementSplitter();
    expect(s.push('SELECT\n')).toEqual([]);
    expect(s.push('\\timing\n')).toEqual([{ kind: 'meta', command: 'timing', args: [], text: '\\timing' }]);
    expect(sql(s.push('1;\n'))).toEqual(['SELECT\n1']);
    s.push('SELECT 2\n');
    s.reset();
    expect(s.pending).toBe(false);
    expect(sql(s.push('SELECT 3;'))).toEqual(['SELECT 3']);
  });
});

describe('parseMeta', () => {
  it('parses command and arguments, ignoring a trailing semicolon', () => {
    expect(parseMeta('\\format csv;')).toEqual({ kind: 'meta', command: 'format', args: ['csv'], text: '\\format csv' });
    expect(parseMeta('\\?')).toEqual({ kind: 'meta', command: '?', args: [], text: '\\?' });
  });
});
