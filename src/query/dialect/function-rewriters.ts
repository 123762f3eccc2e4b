/** Building blocks of the function table: the rewriter type, arity checks, renames, templates and constant arguments. */
import { children, clone, constant, isExpression, isNode, rewrite, stringConstant, text, type AstNode } from './ast.js';
import { unsupported } from './errors.js';
import { trinoJsonPathToDuckDb } from './format-strings.js';
import type { TemplateName, Templates } from './templates.js';

export type Rewriter = (args: AstNode[], node: AstNode, t: Templates) => AstNode;

export function arity(name: string, args: readonly AstNode[], ...allowed: number[]): void {
  if (!allowed.includes(args.length)) {
    throw unsupported(`${name}(${args.length} arguments) is not supported by Lakebox (supported: ${allowed.join(' or ')} arguments)`);
  }
}

/** Same function under another DuckDB name (keeps DISTINCT / FILTER / ORDER BY of aggregates). */
export const rename = (to: string, ...allowed: number[]): Rewriter => (args, node) => {
  if (allowed.length) arity(text(node['function_name']), args, ...allowed);
  node['function_name'] = to;
  return node;
};

export const template = (name: TemplateName, ...allowed: number[]): Rewriter => (args, node, t) => {
  if (allowed.length) arity(text(node['function_name']), args, ...allowed);
  return t.build(name, ...args);
};

export function constantArg(fn: string, what: string, node: AstNode | undefined): string {
  const value = stringConstant(node);
  if (value === undefined) throw unsupported(`${fn}: the ${what} must be a constant string in Lakebox`);
  return value;
}

/** A constant Trino JSON path as DuckDB's; other arguments as they are. */
export function jsonPathArg(node: AstNode): AstNode {
  const path = stringConstant(node);
  return path === undefined ? node : constant(trinoJsonPathToDuckDb(path));
}


/** Moves DISTINCT / ORDER BY / FILTER of the original aggregate call onto the aggregate inside a template. */
export function transferAggregate(original: AstNode, built: AstNode, inner: string): AstNode {
  rewrite(built, {
    expression(node) {
      if (node['class'] === 'FUNCTION' && node['function_name'] === inner) {
        node['distinct'] = original['distinct'] ?? false;
        node['order_bys'] = clone(original['order_bys'] ?? { type: 'ORDER_MODIFIER', orders: [] });
        const filter = original['filter'];
        if (isExpression(filter)) {
          const own = node['filter'];
          node['filter'] = isExpression(own)
            ? { class: 'CONJUNCTION', type: 'CONJUNCTION_AND', alias: '', query_location: 0, children: [own, clone(filter)] }
            : clone(filter);
        }
      }
      return node;
    },
  });
  return built;
}

/** A lambda's parameter names (`x -> …` or `(k, v) -> …`), or undefined when `node` is not a lambda. */
function lambdaParams(node: AstNode | undefined): string[] | undefined {
  if (!node || node['class'] !== 'LAMBDA') return undefined;
  const lhs = node['lhs'];
  if (!isNode(lhs)) return undefined;
  const refs = lhs['class'] === 'COLUMN_REF' ? [lhs] : children(lhs);
  const names = refs.map((r) => (Array.isArray(r['column_names']) && r['column_names'].length === 1 ? r['column_names'][0] : undefined));
  return names.every((n): n is string => typeof n === 'string') ? names : undefined;
}

/** A lambda of `values.length` parameters applied to `values`: its body with each parameter replaced (`fn` names it in errors). */
export function applyLambda(fn: string, lambda: AstNode | undefined, values: readonly AstNode[]): AstNode {
  const params = lambdaParams(lambda);
  const body = lambda?.['expr'];
  if (!isNode(body) || params?.length !== values.length) throw unsupported(`${fn}: the function argument must be a ${values.length}-argument lambda`);
  return rewrite(clone(body), {
    expression(n) {
      const names = n['column_names'];
      const i = n['class'] === 'COLUMN_REF' && Array.isArray(names) && names.length === 1 ? params.indexOf(text(names[0])) : -1;
      return i >= 0 ? clone(values[i]!) : n;
    },
  });
}
