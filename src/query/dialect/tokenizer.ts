/** A Trino SQL tokenizer that respects strings, quoted identifiers and comments (used for pre-parse rewrites). */
import { syntaxError } from './errors.js';

export type TokenKind =
  | 'ws'
  | 'comment'
  | 'string'
  | 'ustring'
  | 'xstring'
  | 'qident'
  | 'bident'
  | 'ident'
  | 'number'
  | 'param'
  | 'op';

export interface Token {
  kind: TokenKind;
  text: string;
}

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;
const MULTI_CHAR_OPS = ['->', '=>', '||', '<=', '>=', '<>', '!=', '::'];

function readQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    if (i >= sql.length) throw syntaxError(`line 1:${start + 1}: unterminated ${quote === "'" ? 'string literal' : 'quoted identifier'}`);
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1] ?? '';
    let end: number;
    let kind: TokenKind;
    if (/\s/.test(ch)) {
      end = i + 1;
      while (end < sql.length && /\s/.test(sql[end]!)) end++;
      kind = 'ws';
    } else if (ch === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      if (end < 0) end = sql.length;
      kind = 'comment';
    } else if (ch === '/' && next === '*') {
      end = sql.indexOf('*/', i + 2);
      if (end < 0) throw syntaxError('unterminated comment');
      end += 2;
      kind = 'comment';
    } else if (ch === "'") {
      end = readQuoted(sql, i, "'");
      kind = 'string';
    } else if ((ch === 'U' || ch === 'u') && next === '&' && sql[i + 2] === "'") {
      end = readQuoted(sql, i + 2, "'");
      kind = 'ustring';
    } else if ((ch === 'X' || ch === 'x') && next === "'") {
      end = readQuoted(sql, i + 1, "'");
      kind = 'xstring';
    } else if (ch === '"') {
      end = readQuoted(sql, i, '"');
      kind = 'qident';
    } else if (ch === '`') {
      end = readQuoted(sql, i, '`');
      kind = 'bident';
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next))) {
      end = i;
      while (end < sql.length && /[0-9]/.test(sql[end]!)) end++;
      if (sql[end] === '.') {
        end++;
        while (end < sql.length && /[0-9]/.test(sql[end]!)) end++;
      }
      if (/[eE]/.test(sql[end] ?? '') && /[0-9]/.test(sql[end + 1] === '+' || sql[end + 1] === '-' ? (sql[end + 2] ?? '') : (sql[end + 1] ?? ''))) {
        end += sql[end + 1] === '+' || sql[end + 1] === '-' ? 2 : 1;
        while (end < sql.length && /[0-9]/.test(sql[end]!)) end++;
      }
      kind = 'number';
    } else if (IDENT_START.test(ch)) {
      end = i + 1;
      while (end < sql.length && IDENT_PART.test(sql[end]!)) end++;
      kind = 'ident';
    } else if (ch === '?') {
      end = i + 1;
      kind = 'param';
    } else {
      const op = MULTI_CHAR_OPS.find((o) => sql.startsWith(o, i));
      end = i + (op ? op.length : 1);
      kind = 'op';
    }
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  return tokens;
}

export function renderTokens(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

/** The value of a `'...'` string token. */
export function stringValue(token: Token): string {
  const body = token.kind === 'ustring' ? token.text.slice(2) : token.kind === 'xstring' ? token.text.slice(1) : token.text;
  return body.slice(1, -1).replace(/''/g, "'");
}

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token !== undefined && token.kind === 'ident' && words.includes(token.text.toLowerCase());
}
