/** Where in the user's SQL an error is: Athena's `line L:C` positions, found in the text the user sent (not the translation DuckDB saw). */
import { tokenize, type Token } from '../dialect/tokenizer.js';

/** 1-based `line:column` of a UTF-16 offset; columns count code points, as Trino's parser does. */
export function lineColumn(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, Math.min(offset, sql.length))).split('\n');
  return `${before.length}:${[...before.at(-1)!].length + 1}`;
}

interface Located extends Token {
  readonly offset: number;
}

function located(sql: string): Located[] | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return undefined;
  }
  let offset = 0;
  return tokens.map((t) => {
    const out = { ...t, offset };
    offset += t.text.length;
    return out;
  });
}

/** An identifier token's name as the engine compares it: unquoted lower-cased, quoted as written. */
function identifierName(t: Token): string | undefined {
  if (t.kind === 'ident') return t.text.toLowerCase();
  if (t.kind === 'qident') return t.text.slice(1, -1).replaceAll('""', '"').toLowerCase();
  if (t.kind === 'bident') return t.text.slice(1, -1).toLowerCase();
  return undefined;
}

/**
 * Position of the first reference to column `name` (optionally `qualifier.name`) in `sql`, skipping strings and
 * comments; `fallback` when it is not found (the translation may have introduced it).
 */
export function identifierPosition(sql: string, name: string, qualifier?: string, fallback = '1:8'): string {
  const tokens = located(sql)?.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  if (!tokens) return fallback;
  const want = name.toLowerCase();
  for (let i = 0; i < tokens.length; i++) {
    if (identifierName(tokens[i]!) !== want) continue;
    const dot = tokens[i - 1];
    const prev = tokens[i - 2];
    const next = tokens[i + 1];
    // A function name (`f(`) is not a column; `x.name` is a column of x, not an unqualified reference.
    if (qualifier === undefined && (next?.text === '(' || dot?.text === '.')) continue;
    if (qualifier !== undefined) {
      if (dot?.text !== '.' || prev === undefined || identifierName(prev) !== qualifier.toLowerCase()) continue;
      return lineColumn(sql, prev.offset);
    }
    return lineColumn(sql, tokens[i]!.offset);
  }
  return fallback;
}

/** Position of the first call of function `name` in `sql` (`name(`), or `fallback`. */
export function functionPosition(sql: string, name: string, fallback = '1:8'): string {
  const tokens = located(sql)?.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  if (!tokens) return fallback;
  const want = name.toLowerCase();
  const i = tokens.findIndex((t, k) => identifierName(t) === want && tokens[k + 1]?.text === '(');
  return i < 0 ? fallback : lineColumn(sql, tokens[i]!.offset);
}

/** Where the input ends, as Trino reports `<EOF>`: just after the last character that is not blank or a comment. */
export function endPosition(sql: string): string {
  const tokens = located(sql)?.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  const last = tokens?.at(-1);
  return lineColumn(sql, last ? last.offset + last.text.length : sql.trimEnd().length);
}

/**
 * Maps a character offset in `derived` (a rewrite of `original` that keeps its words) to the same token in
 * `original`: the n-th occurrence of the token's text there. Returns the offset and the token as the user wrote it.
 */
export function mapToken(original: string, derived: string, offset: number): { offset: number; text: string } | undefined {
  const from = located(derived)?.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  const to = located(original)?.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  if (!from || !to) return undefined;
  const at = from.findIndex((t) => offset >= t.offset && offset < t.offset + t.text.length);
  if (at < 0) return undefined;
  const text = from[at]!.text.toLowerCase();
  const nth = from.slice(0, at).filter((t) => t.text.toLowerCase() === text).length;
  const match = to.filter((t) => t.text.toLowerCase() === text)[nth];
  return match ? { offset: match.offset, text: match.text } : undefined;
}
