/** Building blocks of the function table: the rewriter type, arity checks, renames, templates and constant arguments. */
import { constant, stringConstant, text, type AstNode } from './ast.js';
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

