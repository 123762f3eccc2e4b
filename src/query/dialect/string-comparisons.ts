/**
 * Trino's rules for literals in comparisons: a varchar compares only with a varchar (no implicit cast to timestamp,
 * date or numbers; trinodb/trino#7334), and a number only with a number. DuckDB casts a string literal to whatever
 * it meets and a varchar to the number it is compared with, so `ts > '2024-01-01'` and `year = 2024` (a string key)
 * would run here and fail on Athena. Each comparison of a bare literal with another expression gets a type guard
 * that DuckDB's binder rejects unless that expression has a type Trino would compare with the literal.
 */
import { children, isNode, text, type AstNode, type AstValue } from './ast.js';
import type { Templates } from './templates.js';

/** A guarded comparison, to word the type error as Trino does. */
export interface StringComparison {
  /** Trino's operator text: `=`, `<`, `IN`, `BETWEEN`… */
  readonly operator: string;
  /** Characters of the (first) string literal: Trino types it `varchar(n)`. */
  readonly length: number;
  /** Whether the literal is the left operand (`'2024-01-01' <= d`), as Trino's message orders the types. */
  readonly literalFirst: boolean;
  /** Set for a number literal's comparison (numericOnly guard): the literal's Trino type (`integer`, `bigint`, `double`). */
  readonly numberType?: string | undefined;
}

const OPERATORS: Readonly<Record<string, string>> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
  COMPARE_IN: 'IN',
  COMPARE_NOT_IN: 'IN',
  COMPARE_BETWEEN: 'BETWEEN',
  COMPARE_NOT_BETWEEN: 'BETWEEN',
};

/** A string literal as written (`'x'`, not `DATE 'x'` or a cast). */
function stringLiteral(node: AstValue | undefined): string | undefined {
  if (!isNode(node) || node['class'] !== 'CONSTANT') return undefined;
  const value = node['value'];
  if (!isNode(value) || value['is_null'] === true) return undefined;
  const type = value['type'];
  return isNode(type) && type['id'] === 'VARCHAR' ? text(value['value']) : undefined;
}

const isNullLiteral = (node: AstNode): boolean => node['class'] === 'CONSTANT' && isNode(node['value']) && node['value']['is_null'] === true;

/** The comparison's operands: the one compared (left, IN's needle, BETWEEN's input) and the others. */
function operands(node: AstNode): { subject: AstNode; others: AstNode[] } | undefined {
  switch (node['class']) {
    case 'COMPARISON': {
      const { left, right } = node;
      return isNode(left) && isNode(right) ? { subject: left, others: [right] } : undefined;
    }
    case 'OPERATOR': {
      const [subject, ...others] = children(node);
      return subject ? { subject, others } : undefined;
    }
    case 'BETWEEN': {
      const { input, lower, upper } = node;
      return isNode(input) && isNode(lower) && isNode(upper) ? { subject: input, others: [lower, upper] } : undefined;
    }
    default:
      return undefined;
  }
}

/** A comparison's Trino operator and all its operands (compared one first), or undefined for other nodes. */
function comparison(node: AstNode): { operator: string; all: AstNode[] } | undefined {
  const operator = OPERATORS[text(node['type'])];
  const parts = operator === undefined ? undefined : operands(node);
  return parts && operator !== undefined ? { operator, all: [parts.subject, ...parts.others] } : undefined;
}

/** `node` with its varchar guard, or undefined when it compares no string literal with anything but strings and NULL. */
export function guardStringComparison(node: AstNode, t: Templates, seen: StringComparison[]): AstNode | undefined {
  const c = comparison(node);
  if (!c) return undefined;
  const { operator, all } = c;
  const literals = all.map(stringLiteral);
  const first = literals.find((l) => l !== undefined);
  if (first === undefined) return undefined;
  // The expression to check: one that is neither a string literal nor NULL (`'a' = x`, `x IN ('a', 'b')`).
  const typed = all.find((n, i) => literals[i] === undefined && !isNullLiteral(n));
  if (!typed) return undefined;
  seen.push({ operator, length: [...first].length, literalFirst: literals[0] !== undefined });
  return t.build('varcharOnly', typed, node);
}

/** Trino's type of a number literal as written (Athena types decimal literals as double), else undefined. */
function numberLiteral(node: AstValue | undefined): string | undefined {
  // Decimal literals arrive as CAST(literal AS DOUBLE) (see expressions.ts).
  if (isNode(node) && node['class'] === 'CAST' && isNode(node['cast_type']) && node['cast_type']['id'] === 'DOUBLE') return numberLiteral(node['child']) && 'double';
  if (!isNode(node) || node['class'] !== 'CONSTANT') return undefined;
  const value = node['value'];
  if (!isNode(value) || value['is_null'] === true) return undefined;
  const type = value['type'];
  const id = isNode(type) ? text(type['id']) : '';
  if (id === 'INTEGER') return 'integer';
  if (id === 'BIGINT' || id === 'HUGEINT') return 'bigint';
  if (id === 'DECIMAL' || id === 'DOUBLE' || id === 'FLOAT') return 'double';
  return undefined;
}

const hasSubquery = (node: AstNode): boolean => JSON.stringify(node).includes('"SUBQUERY"');

/**
 * `node` with a numeric guard when it compares a number literal with an expression (`year = 2024`): Trino refuses a
 * varchar (or boolean, timestamp…) there with TYPE_MISMATCH, where DuckDB would cast the varchar. Undefined otherwise.
 */
export function guardNumericComparison(node: AstNode, t: Templates, seen: StringComparison[]): AstNode | undefined {
  const c = comparison(node);
  if (!c) return undefined;
  const { operator, all } = c;
  const numbers = all.map(numberLiteral);
  const first = numbers.find((n) => n !== undefined);
  if (first === undefined) return undefined;
  const typed = all.find((n, i) => numbers[i] === undefined && !isNullLiteral(n) && stringLiteral(n) === undefined);
  if (!typed || hasSubquery(typed)) return undefined;
  seen.push({ operator, length: 0, literalFirst: numbers[0] !== undefined, numberType: first });
  return t.build('numericOnly', typed, node);
}
