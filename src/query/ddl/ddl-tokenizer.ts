/** Tokenizer for Hive DDL: words, backtick identifiers, single/double-quoted strings (Hive escapes decoded), numbers, punctuation; skips line and block comments; tracks line and 0-based column like ANTLR. */

/** `query`: the SELECT of CREATE VIEW … AS, kept as one token (it is SQL, not Hive DDL: `/`, `||`, `%` and the like). */
export type TokenType = 'word' | 'quoted' | 'string' | 'dstring' | 'number' | 'punct' | 'query' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Source text of the token (with quotes). */
  readonly text: string;
  /** Decoded value: identifier without backticks, string with escapes decoded. */
  readonly value: string;
  readonly offset: number;
  readonly line: number;
  /** 0-based column (Hive's ParseException positions are ANTLR's). */
  readonly col: number;
}

export class DdlSyntaxError extends Error {
  override readonly name = 'DdlSyntaxError';
}

/** Hive's `unescapeSQLString` for the body of a string literal. */
export function unescapeHive(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const oct = /^[0-3][0-7][0-7]/.exec(body.slice(i + 1, i + 4));
    if (oct) {
      out += String.fromCharCode(parseInt(oct[0], 8));
      i += 3;
      continue;
    }
    const uni = /^u([0-9a-fA-F]{4})/.exec(body.slice(i + 1, i + 6));
    if (uni) {
      out += String.fromCharCode(parseInt(uni[1]!, 16));
      i += 5;
      continue;
    }
    const n = body[++i]!;
    const map: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\u001a', '%': '\\%', _: '\\_' };
    out += map[n] ?? n;
  }
  return out;
}

const PUNCT = new Set(['(', ')', ',', '.', '=', ';', '<', '>', ':', '*', '+', '-', '[', ']']);

/** Whether `tokens` are `CREATE [OR REPLACE] VIEW name AS` (what follows is the view's query). */
function isViewHeader(tokens: readonly Token[]): boolean {
  const w = (k: number, word: string): boolean => tokens[k]?.type === 'word' && tokens[k].value.toUpperCase() === word;
  if (!w(tokens.length - 1, 'AS') || !w(0, 'CREATE')) return false;
  let k = w(1, 'OR') && w(2, 'REPLACE') ? 3 : 1;
  if (!w(k++, 'VIEW')) return false;
  // A name: parts joined by dots.
  for (;;) {
    const part = tokens[k];
    if (part?.type !== 'word' && part?.type !== 'quoted' && part?.type !== 'dstring') return false;
    k++;
    if (tokens[k]?.type === 'punct' && tokens[k]!.value === '.') k++;
    else break;
  }
  return k === tokens.length - 1;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advanceLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
  };
  const push = (type: TokenType, start: number, end: number, value: string): void => {
    tokens.push({ type, text: sql.slice(start, end), value, offset: start, line, col: start - lineStart });
    advanceLines(start, end);
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      advanceLines(i, i + 1);
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      advanceLines(i, stop);
      i = stop;
      continue;
    }
    if (ch === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= sql.length) throw new DdlSyntaxError(`line ${line}:${i - lineStart} character '<EOF>' not supported here`);
        if (sql[j] === '`') {
          if (sql[j + 1] === '`') {
            value += '`';
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j++];
      }
      push('quoted', i, j + 1, value);
      i = j + 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== ch) j += sql[j] === '\\' ? 2 : 1;
      if (j >= sql.length) throw new DdlSyntaxError(`line ${line}:${i - lineStart} character '<EOF>' not supported here`);
      push(ch === "'" ? 'string' : 'dstring', i, j + 1, unescapeHive(sql.slice(i + 1, j)));
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_$@]+/.exec(sql.slice(i, i + 512));
    if (word) {
      const w = word[0];
      push(/^\d+$/.test(w) ? 'number' : 'word', i, i + w.length, w);
      i += w.length;
      if (isViewHeader(tokens)) {
        const start = i + (/^\s*/.exec(sql.slice(i))?.[0].length ?? 0);
        if (start < sql.length) push('query', start, sql.length, sql.slice(start));
        i = sql.length;
      }
      continue;
    }
    if (PUNCT.has(ch)) {
      push('punct', i, i + 1, ch);
      i++;
      continue;
    }
    throw new DdlSyntaxError(`line ${line}:${i - lineStart} character '${ch}' not supported here`);
  }
  tokens.push({ type: 'eof', text: '<EOF>', value: '', offset: sql.length, line, col: sql.length - lineStart });
  return tokens;
}
