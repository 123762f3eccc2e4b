/** Token-level rewrites of Trino syntax DuckDB's parser rejects or reads differently (documented per rule). */
import { syntaxError, unsupported } from './errors.js';
import { isWord, quoteString, renderTokens, stringValue, tokenize, type Token } from './tokenizer.js';
import { TO_JSON_TYPE, translateTypeTokens } from './type-names.js';

/** Working view: all tokens (whitespace kept, so output stays readable) plus the indexes of significant ones. */
class TokenStream {
  readonly sig: number[];
  constructor(readonly tokens: Token[]) {
    this.sig = [];
    tokens.forEach((t, i) => {
      if (t.kind !== 'ws') this.sig.push(i);
    });
  }
  at(s: number): Token | undefined {
    const i = this.sig[s];
    return i === undefined ? undefined : this.tokens[i];
  }
  /** Index (into `sig`) of the `)` matching the `(` at `open`. */
  closing(open: number): number {
    let depth = 0;
    for (let s = open; s < this.sig.length; s++) {
      const text = this.at(s)!.text;
      if (text === '(') depth++;
      else if (text === ')' && --depth === 0) return s;
    }
    throw syntaxError("mismatched input: missing ')'");
  }
  /** Significant positions of the top-level commas between `open` and its closing paren. */
  topLevelCommas(open: number, close: number): number[] {
    const out: number[] = [];
    let depth = 0;
    for (let s = open + 1; s < close; s++) {
      const text = this.at(s)!.text;
      if (text === '(' || text === '[') depth++;
      else if (text === ')' || text === ']') depth--;
      else if (text === ',' && depth === 0) out.push(s);
    }
    return out;
  }
  /** Replaces significant tokens `from..to` (inclusive) by one token with `text`. */
  replace(from: number, to: number, text: string): void {
    this.at(from)!.text = text;
    this.at(from)!.kind = 'op'; // already translated: later rules must not touch it
    for (let s = from + 1; s <= to; s++) this.at(s)!.text = '';
    for (let i = this.sig[from]! + 1; i < this.sig[to]!; i++) if (this.tokens[i]!.kind === 'ws') this.tokens[i]!.text = '';
  }
}

const UNICODE_ESCAPE = /\\(\\|[0-9a-fA-F]{4}|\+[0-9a-fA-F]{6})/g;

function decodeUnicodeString(token: Token): string {
  return stringValue(token).replace(UNICODE_ESCAPE, (_m, code: string) =>
    code === '\\' ? '\\' : String.fromCodePoint(parseInt(code.replace('+', ''), 16)),
  );
}

/** `INTERVAL '1-2' YEAR TO MONTH` / `INTERVAL '1 02:03:04' DAY TO SECOND` → a DuckDB interval string cast. */
function intervalLiteral(value: string, yearToMonth: boolean): string {
  const trimmed = value.trim();
  const sign = trimmed.startsWith('-') ? '-' : '';
  const body = trimmed.replace(/^[-+]/, '');
  if (yearToMonth) {
    const m = /^(\d+)-(\d+)$/.exec(body);
    if (!m) throw syntaxError(`Invalid INTERVAL YEAR TO MONTH literal: '${value}'`);
    return `CAST(${quoteString(`${sign}${m[1]} years ${sign}${m[2]} months`)} AS INTERVAL)`;
  }
  const m = /^(\d+) (\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(body);
  if (!m) throw syntaxError(`Invalid INTERVAL DAY TO SECOND literal: '${value}'`);
  return `CAST(${quoteString(`${sign}${m[1]} days ${sign}${m[2]}:${m[3]}:${m[4]}`)} AS INTERVAL)`;
}

/** `DECIMAL '1.50'` is a decimal(3,2) in Trino; DuckDB's parser would make it a DECIMAL(18,3). */
function decimalLiteral(value: string): string {
  const m = /^\s*[-+]?(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m || (m[1] === '' && !m[2])) throw syntaxError(`'${value}' is not a valid decimal literal`);
  const integerDigits = m[1]!.replace(/^0+/, '').length;
  const scale = (m[2] ?? '').length;
  const precision = Math.max(1, integerDigits + scale);
  if (precision > 38) throw syntaxError(`Decimal literal '${value}' is too large`);
  return `CAST(${quoteString(value.trim())} AS DECIMAL(${precision}, ${scale}))`;
}

const VALUES_END = ['order', 'limit', 'offset', 'fetch', 'union', 'except', 'intersect'];

/** Trino's `VALUES 1, 2` (one-column rows without parentheses) → `VALUES (1), (2)`. */
function wrapValuesRows(ts: TokenStream, first: number): void {
  let k = first;
  while (ts.at(k)) {
    let depth = 0;
    let e = k;
    for (; e < ts.sig.length; e++) {
      const tok = ts.at(e)!;
      if (tok.text === '(' || tok.text === '[') depth++;
      else if (tok.text === ')' || tok.text === ']') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (tok.text === ',' || tok.text === ';' || isWord(tok, ...VALUES_END))) break;
    }
    if (e === k) return;
    if (ts.at(k)!.text !== '(' || ts.closing(k) !== e - 1) {
      ts.at(k - 1)!.text += ' (';
      const end = ts.at(e);
      if (end) end.text = `)${end.text}`;
      else ts.at(e - 1)!.text += ')';
    }
    if (ts.at(e)?.text !== ',' && ts.at(e)?.text !== '),') return;
    k = e + 1;
  }
}

export interface PreParsed {
  readonly sql: string;
}

/**
 * Rules, each needed because DuckDB's parser rejects the Trino form or would silently read it differently:
 * - comments dropped; unquoted identifiers and keywords lower-cased (Trino lower-cases them, DuckDB keeps the
 *   case of aliases, which would change result column names);
 * - backtick identifiers refused (Athena accepts them only in Hive DDL);
 * - `U&'\0041'` strings decoded (DuckDB: not implemented); `X'0a'` → `unhex('0a')` (DuckDB reads it as text);
 * - the type of `CAST`/`TRY_CAST` translated (`array(T)`, `map(K,V)`, `row(a T)`, `varbinary`, `timestamp(3)`…);
 * - `if(c, a)` → `if(c, a, null)` (DuckDB's parser needs 3 arguments);
 * - `f(x) IGNORE NULLS OVER (…)` → `f(x IGNORE NULLS) OVER (…)` (DuckDB's placement);
 * - `listagg(x, s) WITHIN GROUP (ORDER BY y)` → `string_agg(x, s ORDER BY y)`;
 * - `VALUES 1, 2` → `VALUES (1), (2)`;
 * - `INTERVAL '…' YEAR TO MONTH|DAY TO SECOND` → interval string casts;
 * - `DECIMAL '1.50'` → `CAST('1.50' AS DECIMAL(3, 2))` (DuckDB would use DECIMAL(18,3));
 * - `TIMESTAMP '… UTC'` (zone in the literal) → `TIMESTAMPTZ '…'`;
 * - `FOR TIMESTAMP|VERSION AS OF` (Iceberg time travel) refused.
 */
export function preParse(sql: string): PreParsed {
  const tokens = tokenize(sql).map((t): Token => (t.kind === 'comment' ? { kind: 'ws', text: ' ' } : t));
  const ts = new TokenStream(tokens);
  for (let s = 0; s < ts.sig.length; s++) {
    const tok = ts.at(s)!;
    const next = ts.at(s + 1);
    switch (tok.kind) {
      case 'bident':
        throw syntaxError('backquoted identifiers are not supported; use double quotes to quote identifiers');
      case 'ustring':
        if (isWord(next, 'uescape')) throw unsupported('UESCAPE is not supported by Lakebox');
        tok.text = quoteString(decodeUnicodeString(tok));
        continue;
      case 'xstring':
        if (!/^[0-9a-fA-F\s]*$/.test(stringValue(tok))) throw syntaxError(`Binary literal can only contain hexadecimal digits: ${tok.text}`);
        tok.text = `unhex(${quoteString(stringValue(tok).replace(/\s/g, ''))})`;
        continue;
      case 'ident':
        break;
      default:
        continue;
    }
    const word = tok.text.toLowerCase();
    tok.text = word;
    if ((word === 'cast' || word === 'try_cast') && next?.text === '(') {
      const close = ts.closing(s + 1);
      let asPos = -1;
      let depth = 0;
      for (let k = s + 2; k < close; k++) {
        const text = ts.at(k)!.text;
        if (text === '(' || text === '[') depth++;
        else if (text === ')' || text === ']') depth--;
        else if (depth === 0 && isWord(ts.at(k), 'as')) asPos = k;
      }
      if (asPos < 0) throw syntaxError(`mismatched input: expected AS in ${word.toUpperCase()}`);
      const typeTokens: Token[] = [];
      for (let k = asPos + 1; k < close; k++) typeTokens.push(ts.at(k)!);
      const type = translateTypeTokens(typeTokens);
      ts.replace(asPos + 1, close - 1, type === 'JSON' ? TO_JSON_TYPE : type);
    } else if (word === 'if' && next?.text === '(' && ts.at(s - 1)?.text !== '.') {
      const close = ts.closing(s + 1);
      if (ts.topLevelCommas(s + 1, close).length === 1) ts.at(close)!.text = ', null)';
    } else if ((word === 'ignore' || word === 'respect') && isWord(next, 'nulls') && ts.at(s - 1)?.text === ')' && isWord(ts.at(s + 2), 'over')) {
      ts.at(s - 1)!.text = ` ${word} nulls)`;
      ts.replace(s, s + 1, '');
    } else if (word === 'listagg' && next?.text === '(') {
      const close = ts.closing(s + 1);
      for (let k = s + 2; k < close; k++) if (isWord(ts.at(k), 'overflow')) throw unsupported('listagg ... ON OVERFLOW is not supported by Lakebox');
      if (!(isWord(ts.at(close + 1), 'within') && isWord(ts.at(close + 2), 'group') && ts.at(close + 3)?.text === '(')) {
        throw syntaxError('listagg requires WITHIN GROUP (ORDER BY ...)');
      }
      const groupClose = ts.closing(close + 3);
      const orderTokens: Token[] = [];
      for (let k = close + 4; k < groupClose; k++) orderTokens.push(ts.at(k)!);
      const order = orderTokens.map((t) => (t.kind === 'ident' ? t.text.toLowerCase() : t.text)).join(' ');
      if (ts.topLevelCommas(s + 1, close).length === 0) ts.at(close)!.text = `, ''`;
      else ts.at(close)!.text = '';
      tok.text = 'string_agg';
      ts.replace(close, groupClose, `${ts.at(close)!.text} ${order})`);
    } else if (word === 'values') {
      wrapValuesRows(ts, s + 1);
    } else if (word === 'interval' && next?.kind === 'string' && isWord(ts.at(s + 3), 'to')) {
      const from = ts.at(s + 2)!.text.toLowerCase();
      const to = ts.at(s + 4)?.text.toLowerCase();
      if ((from === 'year' && to === 'month') || (from === 'day' && to === 'second')) {
        ts.replace(s, s + 4, intervalLiteral(stringValue(next), from === 'year'));
      }
    } else if (word === 'decimal' && next?.kind === 'string') {
      ts.replace(s, s + 1, decimalLiteral(stringValue(next)));
    } else if (word === 'timestamp' && next?.kind === 'string' && /\d\s*([A-Za-z]|[+-]\d\d(:?\d\d)?$)/.test(stringValue(next).trim())) {
      tok.text = 'timestamptz';
    } else if (word === 'for' && (isWord(next, 'timestamp') || isWord(next, 'version') || isWord(next, 'system_time') || isWord(next, 'system_version')) && isWord(ts.at(s + 2), 'as') && isWord(ts.at(s + 3), 'of')) {
      throw unsupported('Time travel (FOR TIMESTAMP/VERSION AS OF) is not supported by Lakebox');
    } else if (word === 'with' && isWord(next, 'ties') && (isWord(ts.at(s - 1), 'rows') || isWord(ts.at(s - 1), 'row'))) {
      throw unsupported('FETCH FIRST ... WITH TIES is not supported by Lakebox (FETCH FIRST ... ROWS ONLY and LIMIT are)');
    }
  }
  return { sql: renderTokens(tokens) };
}
