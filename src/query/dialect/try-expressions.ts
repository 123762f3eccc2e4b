/** Trino's try(…) on DuckDB: no error() inside it (DuckDB refuses volatile calls there), and unwrapped around aggregates and random(). */
import { children, constant, isNode, rewrite, text, type AstNode } from './ast.js';

/** Aggregates DuckDB may see inside a try() (after translation). */
const AGGREGATES = new Set([
  'sum', 'count', 'count_star', 'avg', 'min', 'max', 'count_if', 'any_value', 'arbitrary', 'array_agg', 'list', 'bool_and', 'bool_or',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'corr', 'covar_samp', 'covar_pop', 'max_by', 'min_by',
  'arg_max', 'arg_min', 'histogram', 'string_agg', 'approx_count_distinct', 'approx_quantile', 'quantile_disc', 'quantile_cont',
  'geometric_mean', 'geomean', 'kurtosis', 'skewness', 'regr_slope', 'regr_intercept', 'bit_and', 'bit_or', 'bit_xor', 'product',
]);

/** Volatile functions, which DuckDB refuses inside TRY too; they raise no error, so the try can go. */
const VOLATILE = new Set(['random', 'uuid', 'gen_random_uuid']);

/** Whether `node` holds an aggregate, window or volatile call at its own query level (not inside a subquery). */
function hasAggregate(node: AstNode): boolean {
  if (node['class'] === 'SUBQUERY') return false;
  if (node['class'] === 'WINDOW') return true;
  const name = text(node['function_name']).toLowerCase();
  if (node['class'] === 'FUNCTION' && node['is_operator'] !== true && (AGGREGATES.has(name) || VOLATILE.has(name))) return true;
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some((x) => isNode(x) && hasAggregate(x)) : isNode(v) && hasAggregate(v)));
}

/** Marks the casts of `node` TRY_CAST, except inside aggregate arguments (where a NULL would change the aggregate). */
function tryCasts(node: AstNode): void {
  if (node['class'] === 'SUBQUERY' || node['class'] === 'WINDOW') return;
  if (node['class'] === 'FUNCTION' && AGGREGATES.has(text(node['function_name']).toLowerCase())) return;
  if (node['class'] === 'CAST') node['try_cast'] = true;
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) for (const x of v) if (isNode(x)) tryCasts(x);
    if (isNode(v)) tryCasts(v);
  }
}

/**
 * Rewrites a translated `try(expr)`:
 * - the error() calls of Lakebox's guards (url_decode, split_to_map, strpos…) become NULL, try's answer for them;
 * - around aggregates, which DuckDB refuses inside TRY, the try goes and the casts outside the aggregates become
 *   TRY_CASTs; divisions inside were left unguarded, so a division by zero is NULL there too.
 */
export function rewriteTry(node: AstNode): AstNode {
  const [child] = children(node);
  if (!child) return node;
  const cleared = rewrite(child, {
    expression: (n) => (n['class'] === 'FUNCTION' && text(n['function_name']) === 'error' ? constant(null) : n),
  });
  if (!hasAggregate(cleared)) {
    node['children'] = [cleared];
    return node;
  }
  tryCasts(cleared);
  return cleared;
}
