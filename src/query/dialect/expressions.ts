/** Expression and table-reference rewrites: literals, casts, functions, UNNEST and TABLESAMPLE. */
import { castNode, children, constant, functionCall, isNode, isNullConstant, stringConstant, type AstNode, type Visitor, text } from './ast.js';
import { currentTimestamp, zonedAt, zonedLiteral } from './zoned-functions.js';
import { unsupported } from './errors.js';
import { nullConcatenation, rewriteFunction } from './function-map.js';
import { hint, staticType } from './static-types.js';
import type { Templates } from './templates.js';
import { TO_JSON_TYPE } from './type-names.js';
import { rewriteUnnest } from './unnest.js';
import { guardNumericComparison, guardStringComparison, type StringComparison } from './string-comparisons.js';
import { rewriteTry } from './try-expressions.js';


/** Trino's `array || element` and `element || array` (DuckDB's `||` joins two lists only), when the types are known. */
function elementConcatenation(args: readonly AstNode[]): AstNode | undefined {
  if (args.length !== 2) return undefined;
  const [a, b] = args as [AstNode, AstNode];
  const [ta, tb] = [staticType(a), staticType(b)];
  if (ta === 'array' && tb !== undefined && tb !== 'array') return hint(functionCall('list_append', [a, b]), 'array');
  if (tb === 'array' && ta !== undefined && ta !== 'array') return hint(functionCall('list_prepend', [a, b]), 'array');
  return undefined;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);
/** How Trino's cast errors name the integer types. */
const TRINO_INTEGER_NAMES: Readonly<Record<string, string>> = { TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INT', BIGINT: 'BIGINT' };

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/**
 * An integer literal in arithmetic is an `integer` in Trino, so `tinyint_col + 127` is an integer; DuckDB narrows the
 * literal to the other operand's type and overflows. The literal is given its type explicitly.
 */
function typeIntegerLiterals(node: AstNode): void {
  if (node['is_operator'] !== true || !ARITHMETIC.has(text(node['function_name']))) return;
  const args = node['children'];
  if (!Array.isArray(args) || args.length !== 2) return;
  args.forEach((a, i) => {
    if (isNode(a) && a['class'] === 'CONSTANT' && isNode(a['value']) && isNode(a['value']['type']) && a['value']['type']['id'] === 'INTEGER') args[i] = castNode(a, 'INTEGER');
  });
}

function rewriteCast(node: AstNode, t: Templates, zoned: boolean, inTry: boolean): AstNode {
  const type = node['cast_type'];
  const child = node['child'];
  if (!isNode(type) || !isNode(child)) return node;
  const id = text(type['id']);
  const info = type['type_info'];
  if (id === 'UNBOUND' && isNode(info) && text(info['name']).toLowerCase() === TO_JSON_TYPE) {
    return hint(functionCall('to_json', [child]), 'json');
  }
  if (id === 'TIMESTAMP WITH TIME ZONE') {
    // A literal's zone is the one written (UTC without one); other text is read as an instant, in UTC.
    const literal = stringConstant(child);
    return (literal === undefined ? undefined : zonedLiteral(literal)) ?? zonedAt(node, constant('UTC'));
  }
  const from = staticType(child);
  if (id === 'VARCHAR' && from === 'json') return hint(t.build('jsonToVarchar', child), 'varchar');
  if ((id === 'STRUCT' || id === 'LIST') && from === 'json') {
    // Trino's JSON → ROW cast ignores keys the row lacks and leaves absent fields NULL; DuckDB's cast refuses both.
    const structure = jsonStructure(type);
    if (structure !== undefined) return hint(functionCall('json_transform', [child, constant(JSON.stringify(structure))]), id === 'LIST' ? 'array' : undefined);
  }
  // A NULL needs no formatting; kept a plain cast, `'a' || CAST(NULL AS varchar)` stays a varchar.
  if (id === 'VARCHAR' && isNullConstant(child)) return hint(node, 'varchar');
  if (id === 'VARCHAR' && (from === undefined || from === 'double' || from === 'timestamp')) return hint(t.build(zoned && from !== 'double' ? 'trinoVarcharZoned' : 'trinoVarchar', child), 'varchar');
  // Trino rounds half away from zero when casting DOUBLE to an integer type; DuckDB rounds half to even.
  if (INTEGER_TYPES.has(id) && from === 'double') node['child'] = functionCall('round', [child]);
  // Text is checked as Trino parses it (see lb_int_text); error() cannot run inside TRY, where the cast gives NULL.
  const lenient = node['try_cast'] === true || inTry;
  // A literal that passes needs no check (and DuckDB's parser writes TRUE as CAST('t' AS BOOLEAN), which must stay a constant).
  const literal = stringConstant(child);
  if (literal !== undefined && (INTEGER_TYPES.has(id) ? /^\s*[+-]?[0-9]+\s*$/.test(literal) : ['t', 'true', '1', 'f', 'false', '0'].includes(literal.toLowerCase()))) return node;
  if (INTEGER_TYPES.has(id) && (from === undefined || from === 'varchar')) {
    node['child'] = lenient ? functionCall('lb_int_text_or_null', [child]) : functionCall('lb_int_text', [child, constant(TRINO_INTEGER_NAMES[id]!)]);
    if (inTry) node['try_cast'] = true;
  }
  if (id === 'BOOLEAN' && (from === undefined || from === 'varchar')) {
    node['child'] = functionCall(lenient ? 'lb_bool_text_or_null' : 'lb_bool_text', [child]);
    if (inTry) node['try_cast'] = true;
  }
  return node;
}

/** A cast type as json_transform's structure argument (`{"a": "INTEGER", "b": ["VARCHAR"]}`); undefined if unknown. */
function jsonStructure(type: AstNode): unknown {
  const id = text(type['id']);
  const info = isNode(type['type_info']) ? type['type_info'] : undefined;
  if (id === 'STRUCT') {
    const fields = Array.isArray(info?.['child_types']) ? info['child_types'] : [];
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!isNode(f) || !isNode(f['second'])) return undefined;
      const inner = jsonStructure(f['second']);
      if (inner === undefined) return undefined;
      out[text(f['first'])] = inner;
    }
    return out;
  }
  if (id === 'LIST') {
    const inner = isNode(info?.['child_type']) ? jsonStructure(info['child_type']) : undefined;
    return inner === undefined ? undefined : [inner];
  }
  if (id === 'DECIMAL') return isNode(info) ? `DECIMAL(${text(info['width'])},${text(info['scale'])})` : undefined;
  return /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|VARCHAR|DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE|JSON)$/.test(id) && info === undefined ? id : undefined;
}

/**
 * Trino (Athena) types unsuffixed decimal literals such as `1.5` as DOUBLE; DuckDB as DECIMAL. DOUBLE literals
 * (`1e0`) need the cast too: DuckDB renders them as `1.0`, which it would read back as a DECIMAL.
 */
function rewriteConstant(node: AstNode): AstNode {
  const value = node['value'];
  const type = isNode(value) ? value['type'] : undefined;
  if (isNode(type) && (type['id'] === 'DECIMAL' || type['id'] === 'DOUBLE')) return hint(castNode(node, 'DOUBLE'), 'double');
  return node;
}

/** Trino's `TABLESAMPLE BERNOULLI (10)` is a percentage; DuckDB's parser reads the bare number as a row count. */
function fixSample(ref: AstNode): void {
  const sample = ref['sample'];
  if (isNode(sample)) {
    const method = text(sample['method']).toLowerCase();
    if (method !== 'bernoulli' && method !== 'system') throw unsupported(`TABLESAMPLE ${method} is not supported by Lakebox`);
    sample['is_percentage'] = true;
  }
}

const NUMERIC_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'DECIMAL', 'FLOAT', 'DOUBLE']);

/** A numeric literal other than zero (possibly cast, as decimal literals become): dividing by it needs no guard. */
export function nonZeroLiteral(node: AstNode): boolean {
  if (node['class'] === 'CAST' && isNode(node['child'])) return nonZeroLiteral(node['child']);
  const value = node['class'] === 'CONSTANT' ? node['value'] : undefined;
  if (!isNode(value) || value['is_null'] === true || !isNode(value['type']) || !NUMERIC_TYPES.has(text(value['type']['id']))) return false;
  // Lossless numbers arrive as `<marker>:<digits>`.
  const digits = text(value['value']).split(':').pop() ?? '';
  return /^[-+]?[0-9.eE+-]+$/.test(digits) && /[1-9]/.test(digits.replace(/[eE].*$/, ''));
}

/** Whether `path` (the node's ancestors) holds a `try(…)`, under which an error becomes NULL (as DuckDB's division by zero already is). */
const insideTry = (path: readonly AstNode[]): boolean => path.some((n) => n['type'] === 'OPERATOR_TRY');

/** The rewrite of one expression node (see dialectVisitor); `path` holds its ancestors, not yet rewritten. */
function rewriteExpression(node: AstNode, t: Templates, comparisons: StringComparison[], path: readonly AstNode[], zoned: boolean): AstNode {
  switch (node['class']) {
    case 'OPERATOR':
      if (node['type'] === 'OPERATOR_TRY') return rewriteTry(node);
      // a[i] (not under try(), where DuckDB refuses error() and Trino's NULL is DuckDB's): checked once typed.
      if (node['type'] === 'ARRAY_EXTRACT' && children(node).length === 2 && !insideTry(path)) return functionCall('lb_subscript', children(node));
      return guardStringComparison(node, t, comparisons) ?? guardNumericComparison(node, t, comparisons) ?? node;
    case 'COMPARISON':
    case 'BETWEEN':
      return guardStringComparison(node, t, comparisons) ?? guardNumericComparison(node, t, comparisons) ?? node;
    case 'CONSTANT':
      return rewriteConstant(node);
    case 'COLUMN_REF': {
      const names = node['column_names'];
      return Array.isArray(names) && names.length === 1 && text(names[0]).toLowerCase() === 'current_timestamp' ? currentTimestamp() : node;
    }
    case 'CAST':
      return rewriteCast(node, t, zoned, insideTry(path));
    case 'FUNCTION':
      typeIntegerLiterals(node);
      // DATE ± INTERVAL '1' DAY is a DATE in Trino, a TIMESTAMP in DuckDB.
      if (node['is_operator'] === true && staticType(node) === 'date') return hint(castNode(node, 'DATE'), 'date');
      if (node['function_name'] === '||') return elementConcatenation(children(node)) ?? nullConcatenation(children(node), t) ?? node;
      // `x AT TIME ZONE z` (DuckDB's parser gives main.timezone(z, x)): as at_timezone(x, z).
      if (node['function_name'] === 'timezone' && node['schema'] === 'main' && children(node).length === 2) {
        const [zone, value] = children(node) as [AstNode, AstNode];
        return zonedAt(functionCall('lb_tz_instant', [value]), zone);
      }
      // DuckDB refuses a volatile error() inside TRY; there the NULL it gives for a division by zero is try's answer.
      if (node['is_operator'] === true && (node['function_name'] === '/' || node['function_name'] === '%') && children(node).length === 2 && !insideTry(path)) {
        const [a, b] = children(node) as [AstNode, AstNode];
        // `x / 100` keeps its plain form: the guard makes an expression volatile, which blocks constant folding and pushdown.
        if (!nonZeroLiteral(b)) return t.build(node['function_name'] === '/' ? 'divide' : 'modulo', a, b);
      }
      return rewriteFunction(node, t);
    case 'WINDOW':
      return rewriteFunction(node, t);
    default:
      return node;
  }
}

/** The dialect rewrite; `comparisons` collects the string comparisons given a varchar guard. */
export function dialectVisitor(t: Templates, comparisons: StringComparison[] = [], options: { zoned?: boolean } = {}): Visitor {
  return {
    expression(node, path) {
      const out = rewriteExpression(node, t, comparisons, path, options.zoned ?? true);
      // A select item's alias (`date_format(ts, '%Y') AS y`) belongs to whatever replaced the expression.
      const alias = text(node['alias']);
      if (out !== node && alias !== '' && text(out['alias']) === '') out['alias'] = alias;
      return out;
    },
    tableRef(ref) {
      fixSample(ref);
      return rewriteUnnest(ref, t);
    },
  };
}
