/** Athena's result column names (`_col0`, lower-cased identifiers), written into the query as explicit aliases. */
import { columnRef, isNode, stringConstant, type AstNode, text } from './ast.js';

/** The SELECT node whose select list names the result (leftmost branch of set operations). */
function outputSelect(node: AstNode): AstNode | undefined {
  if (node['type'] === 'SELECT_NODE') return node;
  if (node['type'] === 'SET_OPERATION_NODE') {
    const left = node['left'];
    return isNode(left) ? outputSelect(left) : undefined;
  }
  return undefined;
}

/** Trino's special datetime functions: written without parentheses, parsed as names, but not columns (`_colN`). */
const SPECIAL_FUNCTIONS: ReadonlySet<string> = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp']);

function implicitName(item: AstNode): string | undefined {
  if (item['class'] === 'COLUMN_REF') {
    const names = item['column_names'];
    if (!Array.isArray(names) || names.length === 0) return undefined;
    const name = text(names[names.length - 1]).toLowerCase();
    return names.length === 1 && SPECIAL_FUNCTIONS.has(name) ? undefined : name;
  }
  if (item['type'] === 'STRUCT_EXTRACT' && Array.isArray(item['children'])) {
    const field = stringConstant(item['children'][1] as AstNode | undefined);
    return field?.toLowerCase();
  }
  return undefined;
}

/**
 * Names the output columns as Athena does and aliases the select items accordingly, so DuckDB's result columns
 * carry the same names. Returns undefined when the list contains `*` (names depend on the tables).
 */
export function nameOutputColumns(queryNode: AstNode): string[] | undefined {
  const select = outputSelect(queryNode);
  if (!select) return undefined;
  const list = select['select_list'];
  if (!Array.isArray(list)) return undefined;
  const from = select['from_table'];
  if (list.length === 1 && isNode(list[0]) && list[0]['class'] === 'STAR' && isNode(from) && from['type'] === 'EXPRESSION_LIST' && from['alias'] === 'valueslist') {
    const rows = from['values'];
    const width = Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0].length : 0;
    const names = Array.from({ length: width }, (_v, i) => `_col${i}`);
    select['select_list'] = names.map((name, i) => ({ ...columnRef(`col${i}`), alias: name }));
    return names;
  }
  if (list.some((item) => isNode(item) && item['class'] === 'STAR')) return undefined;
  return list.map((item, i) => {
    const node = item as AstNode;
    const alias = text(node['alias']);
    const name = alias || implicitName(node) || `_col${i}`;
    node['alias'] = name;
    return name;
  });
}
