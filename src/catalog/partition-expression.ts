/** Parser for GetPartitions `Expression` (SQL-WHERE subset over partition keys: comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL) into an Expr tree; evaluation is in partition-filter.ts. */
import { CatalogErrors } from './errors.js';

export type Literal = { readonly kind: 'string'; readonly text: string } | { readonly kind: 'number'; readonly text: string };
export type Operand = { readonly kind: 'column'; readonly name: string } | { readonly kind: 'literal'; readonly value: Literal };
export type CompareOp = '=' | '<>' | '<' | '>' | '<=' | '>=';

export type Expr =
  | { readonly type: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'not'; readonly expr: Expr }
  | { readonly type: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | { readonly type: 'in'; readonly column: string; readonly values: readonly Literal[]; readonly negated: boolean }
  | { readonly type: 'between'; readonly column: string; readonly low: Literal; readonly high: Literal; readonly negated: boolean }
  | { readonly type: 'like'; readonly column: string; readonly pattern: string; readonly negated: boolean }
  | { readonly type: 'isNull'; readonly column: string; readonly negated: boolean };

type Token =
  | { readonly t: 'ident'; readonly v: string; readonly pos: number }
  | { readonly t: 'kw'; readonly v: string; readonly pos: number }
  | { readonly t: 'str' | 'num' | 'op' | 'punct'; readonly v: string; readonly pos: number }
  | { readonly t: 'eof'; readonly v: ''; readonly pos: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'LIKE', 'IS', 'NULL', 'DATE', 'TIMESTAMP']);

function fail(message: string, pos: number): never {
  throw CatalogErrors.invalidInput(`Unsupported expression: ${message} at position ${pos + 1}.`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unterminated string literal', start);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += src[i++];
      }
      out.push({ t: 'str', v: text, pos: start });
    } else if (c === '`' || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail('unterminated quoted identifier', start);
      out.push({ t: 'ident', v: src.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(src[i + 1] ?? ''))) {
      const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) fail('invalid number', start);
      out.push({ t: 'num', v: m[0], pos: start });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      const upper = m[0].toUpperCase();
      out.push(KEYWORDS.has(upper) ? { t: 'kw', v: upper, pos: start } : { t: 'ident', v: m[0], pos: start });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two === '!=' ? '<>' : two, pos: start });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        out.push({ t: 'op', v: c, pos: start });
        i++;
      } else if (c === '(' || c === ')' || c === ',') {
        out.push({ t: 'punct', v: c, pos: start });
        i++;
      } else fail(`unexpected character '${c}'`, start);
    }
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}

class Parser {
  #i = 0;
  constructor(private readonly tokens: Token[]) {}

  get #peek(): Token {
    return this.tokens[this.#i]!;
  }

  #next(): Token {
    return this.tokens[this.#i++]!;
  }

  #acceptKw(kw: string): boolean {
    const t = this.#peek;
    if (t.t === 'kw' && t.v === kw) {
      this.#i++;
      return true;
    }
    return false;
  }

  #expectPunct(p: string): void {
    const t = this.#next();
    if (t.t !== 'punct' || t.v !== p) fail(`expected '${p}'`, t.pos);
  }

  parse(): Expr {
    const e = this.#or();
    const t = this.#peek;
    if (t.t !== 'eof') fail(`unexpected '${t.v}'`, t.pos);
    return e;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#acceptKw('OR')) left = { type: 'or', left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#acceptKw('AND')) left = { type: 'and', left, right: this.#not() };
    return left;
  }

  #not(): Expr {
    if (this.#acceptKw('NOT')) return { type: 'not', expr: this.#not() };
    return this.#predicate();
  }

  #literal(): Literal {
    const t = this.#next();
    if (t.t === 'str') return { kind: 'string', text: t.v };
    if (t.t === 'num') return { kind: 'number', text: t.v };
    if (t.t === 'kw' && (t.v === 'DATE' || t.v === 'TIMESTAMP')) {
      const s = this.#next();
      if (s.t !== 'str') fail(`expected a string after ${t.v}`, s.pos);
      return { kind: 'string', text: s.v };
    }
    return fail('expected a literal', t.pos);
  }

  #operand(): Operand {
    const t = this.#peek;
    if (t.t === 'ident') {
      this.#i++;
      return { kind: 'column', name: t.v.toLowerCase() };
    }
    return { kind: 'literal', value: this.#literal() };
  }

  #predicate(): Expr {
    const t = this.#peek;
    if (t.t === 'punct' && t.v === '(') {
      this.#i++;
      const e = this.#or();
      this.#expectPunct(')');
      return e;
    }
    const left = this.#operand();
    const op = this.#peek;
    if (op.t === 'op') {
      this.#i++;
      const right = this.#operand();
      if (left.kind === 'literal' && right.kind === 'literal') fail('a comparison needs a partition key', op.pos);
      if (left.kind === 'column' && right.kind === 'column') fail('comparing two partition keys is not supported', op.pos);
      return { type: 'compare', op: op.v as CompareOp, left, right };
    }
    if (left.kind !== 'column') fail('expected a partition key', t.pos);
    const column = left.name;
    if (this.#acceptKw('IS')) {
      const negated = this.#acceptKw('NOT');
      if (!this.#acceptKw('NULL')) fail('expected NULL', this.#peek.pos);
      return { type: 'isNull', column, negated };
    }
    const negated = this.#acceptKw('NOT');
    if (this.#acceptKw('IN')) {
      this.#expectPunct('(');
      const values = [this.#literal()];
      while (this.#peek.t === 'punct' && this.#peek.v === ',') {
        this.#i++;
        values.push(this.#literal());
      }
      this.#expectPunct(')');
      return { type: 'in', column, values, negated };
    }
    if (this.#acceptKw('BETWEEN')) {
      const low = this.#literal();
      if (!this.#acceptKw('AND')) fail('expected AND in BETWEEN', this.#peek.pos);
      return { type: 'between', column, low, high: this.#literal(), negated };
    }
    if (this.#acceptKw('LIKE')) {
      const p = this.#literal();
      if (p.kind !== 'string') fail('LIKE needs a string pattern', t.pos);
      return { type: 'like', column, pattern: p.text, negated };
    }
    return fail(`expected an operator after ${column}`, this.#peek.pos);
  }
}

/** Parses an expression; throws InvalidInputException on syntax errors. */
export function parsePartitionExpression(src: string): Expr {
  return new Parser(tokenize(src)).parse();
}
