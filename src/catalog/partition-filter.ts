/** Typed evaluation of parsed partition expressions: compiles an Expr against a table's partition keys into `matches(values)`, with SQL three-valued logic. */
import { CatalogErrors } from './errors.js';
import { parsePartitionExpression, type CompareOp, type Expr, type Literal } from './partition-expression.js';

/** A partition key as declared on the table (Name lower-cased, Hive Type). */
export interface KeySpec {
  readonly name: string;
  readonly type: string;
}

type Typed = string | number | bigint | null;
type Conv = (text: string) => Typed;

const INT = /^[+-]?\d+$/;
const DEC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(text: string): number | bigint | null {
  const s = text.trim();
  if (INT.test(s)) return BigInt(s);
  return DEC.test(s) ? Number(s) : null;
}

function toDate(text: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

function toTimestamp(text: string): number | null {
  const s = text.trim();
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(s)) return toDate(s);
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s);
  if (!m) return null;
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms);
}

/** How values of a Hive type are compared: numerically, as dates/timestamps, or as strings. */
function converter(type: string): Conv {
  const base = type.trim().toLowerCase().replace(/\(.*$/, '');
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'long':
    case 'decimal':
    case 'double':
    case 'float':
      return toNumber;
    case 'date':
      return toDate;
    case 'timestamp':
      return toTimestamp;
    default:
      return (s) => s;
  }
}

/** Hive's marker for a NULL partition value. */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

function compare(a: Typed, b: Typed): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'string' || typeof b === 'string') {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) re += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${re}$`, 'u');
}

/** Three-valued (SQL) logic: null means unknown. */
type Tri = boolean | null;
type Eval = (values: readonly string[]) => Tri;

const not = (v: Tri): Tri => (v === null ? null : !v);

/** A compiled filter: `matches(values)` is true when the partition (values ordered like the keys) satisfies the expression. */
export interface PartitionFilter {
  readonly expression: Expr;
  readonly keys: readonly KeySpec[];
  matches(values: readonly string[]): boolean;
}

/** Compiles an expression against a table's partition keys; unknown keys are InvalidInputException. */
export function compilePartitionFilter(source: string | Expr, keys: readonly KeySpec[]): PartitionFilter {
  const expression = typeof source === 'string' ? parsePartitionExpression(source) : source;
  const index = new Map(keys.map((k, i) => [k.name.toLowerCase(), i]));
  const column = (name: string): { i: number; conv: Conv } => {
    const i = index.get(name);
    if (i === undefined) throw CatalogErrors.invalidInput(`Unknown column '${name}' in partition expression: it is not a partition key of this table.`);
    return { i, conv: converter(keys[i]!.type) };
  };
  const raw = (values: readonly string[], i: number): string | null => {
    const v = values[i];
    return v === undefined || v === HIVE_NULL ? null : v;
  };
  const build = (e: Expr): Eval => {
    switch (e.type) {
      case 'and': {
        const l = build(e.left);
        const r = build(e.right);
        return (v) => {
          const a = l(v);
          if (a === false) return false;
          const b = r(v);
          return b === false ? false : a === null || b === null ? null : true;
        };
      }
      case 'or': {
        const l = build(e.left);
        const r = build(e.right);
        return (v) => {
          const a = l(v);
          if (a === true) return true;
          const b = r(v);
          return b === true ? true : a === null || b === null ? null : false;
        };
      }
      case 'not': {
        const inner = build(e.expr);
        return (v) => not(inner(v));
      }
      case 'compare': {
        const flipped = e.left.kind === 'literal';
        const col = (flipped ? e.right : e.left) as { kind: 'column'; name: string };
        const lit = ((flipped ? e.left : e.right) as { kind: 'literal'; value: Literal }).value;
        const { i, conv } = column(col.name);
        const target = conv(lit.text);
        const test = COMPARE[e.op];
        return (v) => {
          const s = raw(v, i);
          const c = s === null ? null : flipped ? compare(target, conv(s)) : compare(conv(s), target);
          return c === null ? null : test(c);
        };
      }
      case 'in': {
        const { i, conv } = column(e.column);
        const targets = e.values.map((l) => conv(l.text));
        return (v) => {
          const s = raw(v, i);
          if (s === null) return null;
          const x = conv(s);
          let unknown = false;
          for (const t of targets) {
            const c = compare(x, t);
            if (c === 0) return !e.negated;
            if (c === null) unknown = true;
          }
          return unknown ? null : e.negated;
        };
      }
      case 'between': {
        const { i, conv } = column(e.column);
        const low = conv(e.low.text);
        const high = conv(e.high.text);
        return (v) => {
          const s = raw(v, i);
          if (s === null) return null;
          const x = conv(s);
          const a = compare(x, low);
          const b = compare(x, high);
          const r: Tri = a === null || b === null ? null : a >= 0 && b <= 0;
          return e.negated ? not(r) : r;
        };
      }
      case 'like': {
        const { i } = column(e.column);
        const re = likeRegex(e.pattern);
        return (v) => {
          const s = raw(v, i);
          return s === null ? null : re.test(s) !== e.negated;
        };
      }
      case 'isNull': {
        const { i } = column(e.column);
        return (v) => (raw(v, i) === null) !== e.negated;
      }
    }
  };
  const evaluate = build(expression);
  return { expression, keys, matches: (values) => evaluate(values) === true };
}

/** Types whose values compare as plain strings (so equality is equality of the stored text). */
function isTextType(type: string): boolean {
  const probe = converter(type);
  return probe('01') === '01' && probe('2020-01-01') === '2020-01-01';
}

/**
 * Pushdown hint: the value the first partition key must equal for the filter to match (from a top-level AND chain of
 * `key = 'literal'` on a string-typed first key), or undefined. Stores may use it to narrow their scan to one key prefix.
 */
export function firstKeyEquality(filter: PartitionFilter): string | undefined {
  const first = filter.keys[0];
  if (!first || !isTextType(first.type)) return undefined;
  const name = first.name.toLowerCase();
  const find = (e: Expr): string | undefined => {
    if (e.type === 'and') return find(e.left) ?? find(e.right);
    if (e.type !== 'compare' || e.op !== '=') return undefined;
    if (e.left.kind === 'column' && e.left.name === name && e.right.kind === 'literal') return e.right.value.text;
    if (e.right.kind === 'column' && e.right.name === name && e.left.kind === 'literal') return e.left.value.text;
    return undefined;
  };
  return find(filter.expression);
}

const COMPARE: Readonly<Record<CompareOp, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '>': (c) => c > 0,
  '<=': (c) => c <= 0,
  '>=': (c) => c >= 0,
};
