/**
 * Rewrites that need the engine's types, applied once a query's tables are registered: decimal division and avg() of
 * decimals keep Trino's decimal types, a floating-point division by zero gives Infinity or NaN, `array || element`
 * appends (DuckDB's `||` joins two lists only), date arithmetic and date_trunc on a date column stay dates, sign()
 * has its argument's type, a subscript past an array's end or of a missing map key fails, and a DOUBLE or REAL cast
 * to an integer type rounds half away from zero.
 *
 * The translation cannot type column references, so the engine is asked: a probe copy of the statement has each
 * operand `e` in question replaced by `list_extract(list_value(e, $p), 1)`, which binds like `e`, and preparing it
 * (nothing runs) infers parameter `$p` as the type of `e`. Equal operands share one parameter, so a GROUP BY
 * expression still matches its select item. A `||` is replaced in the probe by its typed left side, since the
 * engine would refuse to bind `array || element`. A probe that does not bind leaves the query as translated.
 */
import { castNode, children, clone, constant, functionCall, isNode, rewrite, text, type AstNode, type AstValue } from './ast.js';
import { nonZeroLiteral } from './expressions.js';
import type { SqlParserPort } from './parser-port.js';
import { unnestArrayColumns, type ColumnTypes } from './unnest-arrays.js';
import { LOCAL_TIME_ARGUMENT, localTime } from './zoned-functions.js';

/** What the engine tells about a statement without running it: its parameters' types by name (e.g. `DECIMAL(10,2)`). */
export interface TypeOracle {
  parameterTypes(sql: string): Promise<ReadonlyMap<string, string>>;
}

interface Decimal {
  readonly precision: number;
  readonly scale: number;
}

/** Trino's decimal form of an exact integer type, for decimal arithmetic mixing the two. */
const INTEGER_DECIMALS: Readonly<Record<string, Decimal>> = {
  TINYINT: { precision: 3, scale: 0 },
  SMALLINT: { precision: 5, scale: 0 },
  INTEGER: { precision: 10, scale: 0 },
  BIGINT: { precision: 19, scale: 0 },
  // DuckDB's type for sums of integers; Trino's is bigint.
  HUGEINT: { precision: 19, scale: 0 },
};

const FLOATING = new Set(['DOUBLE', 'FLOAT']);

function decimalOf(type: string | undefined): Decimal | undefined {
  const m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type ?? '');
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/**
 * Which operands of `node` the rewrites need typed: both sides of `/` and `||`, the argument of avg(), sign() and a
 * subscript, the date side of date arithmetic, the value of a cast to an integer type; in queries that make zoned
 * values also differences, field functions and casts to a date or a timestamp.
 */
function operandSlots(node: AstNode, zoned: boolean): number[] {
  const name = text(node['function_name']).toLowerCase();
  const n = children(node).length;
  if (node['class'] === 'FUNCTION' && node['is_operator'] === true && name === '/' && n === 2) return [0, 1];
  // Decided by the node alone, never by its (by then rewritten) operands: both walks must pick the same nodes.
  if (node['class'] === 'FUNCTION' && name === '||' && n === 2) return [0, 1];
  if ((node['class'] === 'FUNCTION' || node['class'] === 'WINDOW') && node['is_operator'] !== true && name === 'avg' && n === 1) return [0];
  // date ± whole days/weeks/months/years (the translation's date_add and INTERVAL forms) and date_trunc(unit, date):
  // the date side. The interval side is a to_days(…)-style call, which no rewrite touches.
  if (node['class'] === 'FUNCTION' && node['is_operator'] === true && (name === '+' || name === '-') && n === 2) {
    const k = children(node).findIndex((c) => DAY_INTERVALS.has(text(c['function_name']).toLowerCase()) && c['class'] === 'FUNCTION');
    if (k >= 0) return [1 - k];
  }
  if (node['class'] === 'FUNCTION' && node['is_operator'] !== true && name === 'date_trunc' && n === 2) return [1];
  if (node['class'] === 'FUNCTION' && node['is_operator'] !== true && name === 'sign' && n === 1) return [0];
  if (node['class'] === 'FUNCTION' && node['is_operator'] !== true && name === 'lb_subscript' && n === 2) return [0];
  // A cast to an integer type: a floating-point value is rounded half away from zero first, as Trino rounds.
  if (isIntegerCast(node)) return [0];
  // The rest only where the query makes zoned values (zoned-timestamps.ts).
  if (!zoned) return [];
  // Differences of zoned values: date_diff (date_sub here) and `a - b` measure instants, without the zone codes.
  if (node['class'] === 'FUNCTION' && node['is_operator'] !== true && name === 'date_sub' && n === 3) return [1, 2];
  if (node['class'] === 'FUNCTION' && node['is_operator'] === true && name === '-' && n === 2) return [0, 1];
  // A zoned value's fields and casts to a date or a timestamp read its wall-clock time in its zone.
  const local = node['class'] === 'FUNCTION' && node['is_operator'] !== true ? LOCAL_TIME_ARGUMENT.get(name) : undefined;
  if (local !== undefined && n > local) return [local];
  if (node['class'] === 'CAST' && node['try_cast'] !== true && isNode(node['cast_type']) && ['DATE', 'TIMESTAMP'].includes(text(node['cast_type']['id']))) return [0];
  return [];
}

const INTEGER_CASTS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);

const isIntegerCast = (node: AstNode): boolean => node['class'] === 'CAST' && isNode(node['cast_type']) && INTEGER_CASTS.has(text(node['cast_type']['id']));

/** DuckDB casts DOUBLE and REAL to integers rounding half to even; Trino rounds half away from zero (round() does). */
function roundedIntegerCast(node: AstNode, type: string | undefined): AstNode {
  if (!FLOATING.has(type ?? '') || !isNode(node['child'])) return node;
  return { ...node, child: functionCall('round', [node['child']]) };
}

/** DuckDB's interval constructors that keep a DATE a date in Trino (whole days and more). */
const DAY_INTERVALS = new Set(['to_days', 'to_weeks', 'to_months', 'to_years']);

/** The type of an operand the tree itself states (a cast, a literal), else undefined. */
function statedType(node: AstNode): string | undefined {
  if (node['class'] === 'CAST' && node['try_cast'] !== true && isNode(node['cast_type'])) {
    const type = node['cast_type'];
    const info = type['type_info'];
    if (type['id'] === 'DECIMAL' && isNode(info)) return `DECIMAL(${text(info['width'])},${text(info['scale'])})`;
    const id = text(type['id']);
    return id === 'UNBOUND' || id === 'DECIMAL' ? undefined : id;
  }
  if (node['class'] === 'CONSTANT' && isNode(node['value']) && isNode(node['value']['type'])) {
    const id = text(node['value']['type']['id']);
    return id === 'INTEGER' || id === 'BIGINT' || id === 'VARCHAR' || id === 'BOOLEAN' || id === 'NULL' ? id : undefined;
  }
  return undefined;
}

/** A node's text without positions or aliases, for recognising equal operands. */
function shape(node: AstNode): string {
  return JSON.stringify(node, (key, value: AstValue) => (key === 'query_location' || key === 'alias' ? undefined : value));
}

const ZONED_PRODUCERS = new Set(['lb_zoned', 'lb_zoned_at', 'lb_iso_zoned']);

/** Whether the statements call a function that makes zoned values (zoned-functions.ts). */
function makesZonedValues(value: AstValue): boolean {
  if (Array.isArray(value)) return value.some(makesZonedValues);
  if (!isNode(value)) return false;
  if (value['class'] === 'FUNCTION' && ZONED_PRODUCERS.has(text(value['function_name']))) return true;
  return Object.values(value).some(makesZonedValues);
}

/** The operands a rewrite looks at: a call's arguments, a cast's value (a copy of the list; write a CAST's back). */
function operandsOf(node: AstNode): AstNode[] {
  if (node['class'] === 'CAST') return isNode(node['child']) ? [node['child']] : [];
  return node['children'] as AstNode[];
}

function parameter(name: string): AstNode {
  return { class: 'PARAMETER', type: 'VALUE_PARAMETER', alias: '', query_location: 0, identifier: name };
}

/** `list_extract(list_value(e, $name), 1)`: binds as `e` does (e appears once) and makes the engine infer `$name` as e's type. */
function probeOf(e: AstNode, name: string): AstNode {
  return functionCall('list_extract', [functionCall('list_value', [e, parameter(name)]), constant(1)]);
}

/** `list_extract(list_value(a), CASE WHEN b IS NULL THEN 1 ELSE 1 END)`: `a`'s type, with `b` bound too (each once). */
function bothSides(a: AstNode, b: AstNode): AstNode {
  const isNull: AstNode = { class: 'OPERATOR', type: 'OPERATOR_IS_NULL', alias: '', query_location: 0, children: [b] };
  const one: AstNode = { class: 'CASE', type: 'CASE_EXPR', alias: '', query_location: 0, case_checks: [{ when_expr: isNull, then_expr: constant(1) }], else_expr: constant(1) };
  return functionCall('list_extract', [functionCall('list_value', [a]), one]);
}

const hasParameters = (v: AstValue): boolean =>
  Array.isArray(v) ? v.some(hasParameters) : isNode(v) && (v['class'] === 'PARAMETER' || Object.values(v).some(hasParameters));

/** One operand in question: its stated type, or the probe parameter that will tell it. */
type Slot = { readonly type: string } | { readonly parameter: string };

/**
 * Walks `statements` bottom-up, calling `visit` on each node with typed operands. Both passes (probe and rewrite) walk
 * the same tree shape in the same order, so the k-th call of one is the k-th call of the other.
 */
function walkOperands(statements: AstNode[], visit: (node: AstNode, operands: number[]) => AstNode): void {
  // The zoned-value rewrites look at field functions and casts only where a query makes zoned values.
  const zoned = makesZonedValues(statements);
  statements.forEach((s, i) => {
    statements[i] = rewrite(s, {
      expression(node) {
        const operands = operandSlots(node, zoned);
        return operands.length > 0 ? visit(node, operands) : node;
      },
    });
  });
}

/** The probe: a copy of the statements with parameters at the operands whose type is not stated; undefined when none. */
function buildProbe(statements: readonly AstNode[]): { probe: AstNode[]; slots: Slot[][] } | undefined {
  const probe = clone(statements as AstNode[]);
  const byShape = new Map<string, string>();
  const slots: Slot[][] = [];
  walkOperands(probe, (node, operands) => {
    const args = operandsOf(node);
    slots.push(
      operands.map((i) => {
        const e = args[i]!;
        const stated = statedType(e);
        if (stated !== undefined) return { type: stated };
        const key = shape(e);
        let name = byShape.get(key);
        if (name === undefined) {
          name = `lb_type${byShape.size + 1}`;
          byShape.set(key, name);
        }
        args[i] = probeOf(e, name);
        return { parameter: name };
      }),
    );
    if (node['class'] === 'CAST') node['child'] = args[0]!;
    // `array || element` does not bind: the probe has the left side in its place (typed as it, both sides probed).
    if (node['function_name'] === '||') return bothSides(args[0]!, args[1]!);
    return node;
  });
  if (slots.length === 0) return undefined;
  return { probe, slots };
}

const decimalType = (d: Decimal): AstValue => ({ type: 'DECIMAL_TYPE_INFO', alias: '', extension_info: null, width: d.precision, scale: d.scale });

/**
 * `CAST(round(CAST(x AS DECIMAL(38, k)), s) AS DECIMAL(p, s))` for a DOUBLE x: Trino's decimal result, rounded half
 * up at scale s. The first cast (k = s + 9 digits, as far as the integer digits allow) settles the binary noise of
 * the double, so 1.005 rounds to 1.01.
 */
function toDecimal(x: AstNode, d: Decimal): AstNode {
  const k = Math.min(d.scale + 9, 38 - (d.precision - d.scale));
  const wide = castNode(x, 'DECIMAL', decimalType({ precision: 38, scale: k }));
  return castNode(functionCall('round', [wide, constant(d.scale)]), 'DECIMAL', decimalType(d));
}

/** Trino's result type of a decimal division (DecimalOperators): scale max(s1, s2), precision p1 + s2 + max(0, s2 - s1). */
function decimalQuotient(a: Decimal, b: Decimal): Decimal {
  return { precision: Math.min(38, a.precision + b.scale + Math.max(0, b.scale - a.scale)), scale: Math.max(a.scale, b.scale) };
}

/** IEEE division: x / 0 is ±Infinity, or NaN for 0 / 0 (DuckDB answers NULL). */
function ieeeDivision(node: AstNode, a: AstNode, b: AstNode, type: 'DOUBLE' | 'FLOAT'): AstNode {
  const special = (value: string): AstNode => castNode(constant(value), type);
  const compare = (left: AstNode, op: string): AstNode => ({ class: 'COMPARISON', type: op, alias: '', query_location: 0, left: clone(left), right: constant(0) });
  const isNull: AstNode = { class: 'OPERATOR', type: 'OPERATOR_IS_NULL', alias: '', query_location: 0, children: [clone(a)] };
  const byZero: AstNode = {
    class: 'CASE',
    type: 'CASE_EXPR',
    alias: '',
    query_location: 0,
    case_checks: [
      { when_expr: isNull, then_expr: castNode(constant(null), type) },
      { when_expr: compare(a, 'COMPARE_GREATERTHAN'), then_expr: special('Infinity') },
      { when_expr: compare(a, 'COMPARE_LESSTHAN'), then_expr: special('-Infinity') },
    ],
    else_expr: special('NaN'),
  };
  return { class: 'CASE', type: 'CASE_EXPR', alias: '', query_location: 0, case_checks: [{ when_expr: compare(b, 'COMPARE_EQUAL'), then_expr: byZero }], else_expr: node };
}

/** The typed form of a division, or the node as it is. */
function typedDivision(node: AstNode, [ta, tb]: (string | undefined)[]): AstNode {
  if (ta === undefined || tb === undefined) return node;
  const [a, b] = children(node) as [AstNode, AstNode];
  if (FLOATING.has(ta) || FLOATING.has(tb)) {
    if (nonZeroLiteral(b)) return node;
    return ieeeDivision(node, a, b, ta === 'DOUBLE' || tb === 'DOUBLE' ? 'DOUBLE' : 'FLOAT');
  }
  const [da, db] = [decimalOf(ta), decimalOf(tb)];
  if (da === undefined && db === undefined) return node;
  const [xa, xb] = [da ?? INTEGER_DECIMALS[ta], db ?? INTEGER_DECIMALS[tb]];
  if (xa === undefined || xb === undefined) return node;
  return toDecimal(node, decimalQuotient(xa, xb));
}

/** Trino's `array || element` and `element || array`; DuckDB's `||` joins strings and two lists. */
function typedConcatenation(node: AstNode, [ta, tb]: (string | undefined)[]): AstNode {
  if (ta === undefined || tb === undefined) return node;
  const [la, lb] = [ta.endsWith('[]'), tb.endsWith('[]')];
  const [a, b] = children(node) as [AstNode, AstNode];
  if (la && !lb) return functionCall('list_append', [a, b]);
  if (lb && !la) return functionCall('list_prepend', [a, b]);
  return node;
}

const ZONED = 'TIMESTAMP WITH TIME ZONE';

/** The operand at `index` of a field function or cast, read as wall-clock time when it is a zoned value. */
function zonedLocal(node: AstNode, index: number, type: string | undefined): AstNode {
  if (type !== ZONED) return node;
  if (node['class'] === 'CAST') node['child'] = localTime(node['child'] as AstNode);
  else {
    const args = node['children'] as AstNode[];
    args[index] = localTime(args[index]!);
  }
  return { ...node };
}

/** Two points in time of which one at least is zoned (not a zoned value and an interval, which keeps its zone). */
const isZonedDifference = (types: readonly (string | undefined)[]): boolean =>
  types.includes(ZONED) && types.every((t) => t === ZONED || t === 'TIMESTAMP' || t === 'DATE');

/** The zoned operands (at `indexes`) as their instants: a difference of zoned values must not see the zone codes. */
function zonedInstants(node: AstNode, indexes: readonly number[], types: readonly (string | undefined)[]): AstNode {
  const args = node['children'] as AstNode[];
  indexes.forEach((index, i) => {
    if (types[i] === ZONED) args[index] = functionCall('lb_instant', [args[index]!]);
  });
  return { ...node };
}

/** date_trunc of a zoned value: truncated in its zone, and kept in it. */
function zonedTrunc(node: AstNode): AstNode {
  const [unit, x] = children(node) as [AstNode, AstNode];
  const truncated = functionCall('date_trunc', [unit, localTime(clone(x))]);
  return functionCall('lb_zoned_at', [functionCall('lb_from_local', [truncated, functionCall('lb_zone', [clone(x)])]), functionCall('lb_code', [x])]);
}

/** A user's `a[i]` on an array or a map: the checked form, which fails where Trino does (see DUCKDB_SESSION_SETTINGS). */
function checkedSubscript(node: AstNode, type: string | undefined): AstNode {
  const checked = type?.endsWith('[]') ? 'lb_array_at' : type?.startsWith('MAP(') ? 'lb_map_at' : undefined;
  return checked === undefined ? node : functionCall(checked, children(node));
}

/** Trino's sign() has its argument's type (decimal(1,0) for decimals); DuckDB's is always a TINYINT. */
function typedSign(node: AstNode, type: string | undefined): AstNode {
  if (type === undefined || type === 'TINYINT') return node;
  if (decimalOf(type)) return castNode(node, 'DECIMAL', decimalType({ precision: 1, scale: 0 }));
  if (type === 'HUGEINT') return castNode(node, 'BIGINT');
  return ['SMALLINT', 'INTEGER', 'BIGINT', 'DOUBLE', 'FLOAT'].includes(type) ? castNode(node, type) : node;
}

/**
 * The statements with the typed rewrites applied, rendered; undefined when nothing changed (or the probe did not bind,
 * in which case the query runs as translated).
 */
export async function applyEngineTypes(statements: readonly AstNode[], oracle: TypeOracle, parser: Pick<SqlParserPort, 'render'>): Promise<string | undefined> {
  if (hasParameters(statements as AstNode[])) return undefined;
  const built = buildProbe(statements);
  if (!built) return undefined;
  let types: ReadonlyMap<string, string> = new Map();
  if (built.slots.some((s) => s.some((slot) => 'parameter' in slot))) {
    try {
      types = await oracle.parameterTypes(await parser.render(built.probe));
    } catch {
      return undefined;
    }
  }
  const typed = clone(statements as AstNode[]);
  let k = 0;
  let changed = false;
  walkOperands(typed, (node, operands) => {
    const slots = built.slots[k++] ?? [];
    const operandTypes = operands.map((_, i) => {
      const slot = slots[i];
      return slot === undefined ? undefined : 'type' in slot ? slot.type : types.get(slot.parameter);
    });
    let out = node;
    const name = text(node['function_name']).toLowerCase();
    if (name === '||') out = typedConcatenation(node, operandTypes);
    else if (name === '/') out = typedDivision(node, operandTypes);
    else if (isIntegerCast(node)) out = roundedIntegerCast(node, operandTypes[0]);
    else if (node['class'] === 'CAST' || LOCAL_TIME_ARGUMENT.has(name)) out = zonedLocal(node, operands[0]!, operandTypes[0]);
    else if (name === 'date_trunc' && operandTypes[0] === ZONED) out = zonedTrunc(node);
    else if (name === 'date_sub' || (name === '-' && operands.length === 2)) {
      // Differences (slotted only in queries that make zoned values); other types stay as they are.
      if (isZonedDifference(operandTypes)) out = zonedInstants(node, operands, operandTypes);
    }
    else if (name === 'sign') out = typedSign(node, operandTypes[0]);
    else if (name === 'lb_subscript') out = checkedSubscript(node, operandTypes[0]);
    else if (name === 'avg') {
      const d = decimalOf(operandTypes[0]);
      if (d) out = toDecimal(node, d);
    } else if (operandTypes[0] === 'DATE') {
      // Trino keeps a date a date (DuckDB gives a timestamp).
      out = castNode(node, 'DATE');
    }
    if (out !== node) {
      changed = true;
      const alias = text(node['alias']);
      if (alias !== '') {
        node['alias'] = '';
        out['alias'] = alias;
      }
    }
    return out;
  });
  return changed ? parser.render(typed) : undefined;
}

/**
 * The SQL to run for translated `statements` (the caller's copy, rewritten in place) once the tables are registered:
 * UNNEST of array-of-rows columns (unnest-arrays.ts), then the typed rewrites; `translated` when nothing changed.
 */
export async function typedSql(statements: readonly AstNode[], translated: string, columns: ColumnTypes, oracle: TypeOracle, parser: Pick<SqlParserPort, 'render'>): Promise<string> {
  const copy = clone(statements as AstNode[]);
  const unnested = unnestArrayColumns(copy, columns);
  return (await applyEngineTypes(copy, oracle, parser)) ?? (unnested ? parser.render(copy) : translated);
}
