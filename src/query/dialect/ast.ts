/** Helpers over DuckDB's JSON syntax tree: node tests, builders and a bottom-up rewriting walk. */
import type { AstNode, AstValue } from './parser-port.js';

export type { AstNode, AstValue };

export function isNode(value: AstValue | undefined): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An expression node (ParsedExpression): it has a `class`. */
export function isExpression(value: AstValue | undefined): value is AstNode {
  return isNode(value) && typeof value['class'] === 'string';
}

/** A table reference node (BASE_TABLE, JOIN, SUBQUERY, TABLE_FUNCTION, EXPRESSION_LIST, EMPTY…). */
export function isTableRef(value: AstValue | undefined): value is AstNode {
  return isNode(value) && !('class' in value) && 'sample' in value && typeof value['type'] === 'string' && 'alias' in value;
}

/** A string or number field as text ('' for anything else). */
export function text(value: AstValue | undefined): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export function children(node: AstNode): AstNode[] {
  const c = node['children'];
  return Array.isArray(c) ? c.filter(isNode) : [];
}

/** Lower-case name of a plain (unqualified) function call, else undefined. */
export function functionName(node: AstNode): string | undefined {
  if (node['class'] !== 'FUNCTION' || node['is_operator'] === true) return undefined;
  if (node['schema'] !== '' || (node['catalog'] !== '' && node['catalog'] !== undefined)) return undefined;
  return text(node['function_name']).toLowerCase();
}

export function clone<T extends AstValue>(value: T): T {
  return structuredClone(value);
}

const NO_LOCATION = 0;

export function constant(value: string | number | boolean | null): AstNode {
  const id = value === null ? 'NULL' : typeof value === 'string' ? 'VARCHAR' : typeof value === 'boolean' ? 'BOOLEAN' : Number.isInteger(value) ? 'INTEGER' : 'DOUBLE';
  return {
    class: 'CONSTANT',
    type: 'VALUE_CONSTANT',
    alias: '',
    query_location: NO_LOCATION,
    value: { type: { id, type_info: null }, is_null: value === null, ...(value === null ? {} : { value }) },
  };
}

export function columnRef(...names: string[]): AstNode {
  return { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', query_location: NO_LOCATION, column_names: names };
}

export function functionCall(name: string, args: AstNode[]): AstNode {
  return {
    class: 'FUNCTION',
    type: 'FUNCTION',
    alias: '',
    query_location: NO_LOCATION,
    function_name: name,
    schema: '',
    children: args,
    filter: null,
    order_bys: { type: 'ORDER_MODIFIER', orders: [] },
    distinct: false,
    is_operator: false,
    export_state: false,
    catalog: '',
  };
}

export function castNode(child: AstNode, typeId: string, typeInfo: AstValue = null): AstNode {
  return { class: 'CAST', type: 'OPERATOR_CAST', alias: '', query_location: NO_LOCATION, child, cast_type: { id: typeId, type_info: typeInfo }, try_cast: false };
}

/** True for an untyped NULL literal. */
export function isNullConstant(node: AstNode | undefined): boolean {
  const value = node?.['class'] === 'CONSTANT' ? node['value'] : undefined;
  return isNode(value) && value['is_null'] === true;
}

/** The string value of a VARCHAR constant, else undefined. */
export function stringConstant(node: AstNode | undefined): string | undefined {
  if (!node || node['class'] !== 'CONSTANT') return undefined;
  const value = node['value'];
  if (!isNode(value) || value['is_null'] === true) return undefined;
  const type = value['type'];
  return isNode(type) && type['id'] === 'VARCHAR' && typeof value['value'] === 'string' ? value['value'] : undefined;
}

export function integerConstant(node: AstNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node['class'] === 'FUNCTION' && node['function_name'] === '-' && children(node).length === 1) {
    const inner = integerConstant(children(node)[0]);
    return inner === undefined ? undefined : -inner;
  }
  if (node['class'] !== 'CONSTANT') return undefined;
  const value = node['value'];
  if (!isNode(value) || value['is_null'] === true) return undefined;
  const type = value['type'];
  return isNode(type) && ['INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT'].includes(text(type['id'])) && typeof value['value'] === 'number'
    ? value['value']
    : undefined;
}

export interface Visitor {
  /** Called bottom-up on every expression; returns its replacement (or the node itself). */
  expression?(node: AstNode, path: readonly AstNode[]): AstNode;
  /** Called bottom-up on every table reference. */
  tableRef?(node: AstNode, path: readonly AstNode[]): AstNode;
}

/** Rewrites the tree bottom-up in place (returns the possibly replaced root). */
export function rewrite(root: AstNode, visitor: Visitor, path: AstNode[] = []): AstNode {
  path.push(root);
  // Arrays of arrays too: a VALUES list is `values: [[expr, …], …]`.
  const walk = (list: AstValue[]): void => {
    list.forEach((item, i) => {
      if (isNode(item)) list[i] = rewrite(item, visitor, path);
      else if (Array.isArray(item)) walk(item);
    });
  };
  for (const [key, value] of Object.entries(root)) {
    if (Array.isArray(value)) {
      walk(value);
    } else if (isNode(value)) {
      root[key] = rewrite(value, visitor, path);
    }
  }
  path.pop();
  if (isExpression(root) && visitor.expression) return visitor.expression(root, path);
  if (isTableRef(root) && visitor.tableRef) return visitor.tableRef(root, path);
  return root;
}

/** Replaces column references named `placeholder(i)` by clones of `args[i]`. */
export function substitute(template: AstNode, args: readonly AstNode[]): AstNode {
  return rewrite(clone(template), {
    expression(node) {
      const names = node['column_names'];
      if (node['class'] === 'COLUMN_REF' && Array.isArray(names) && names.length === 1) {
        const m = /^__lb_arg(\d+)$/.exec(text(names[0]));
        if (m) {
          const arg = args[Number(m[1])];
          if (!arg) throw new Error(`template argument ${m[1]} missing`);
          const copy = clone(arg);
          if (node['alias']) copy['alias'] = node['alias'];
          return copy;
        }
      }
      return node;
    },
  });
}
