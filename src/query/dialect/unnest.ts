/** Rewrites Trino UNNEST table forms DuckDB lacks: several arrays (zipped), maps and arrays of rows (k, v columns). */
import { children, clone, functionCall, isNode, type AstNode, text } from './ast.js';
import { unsupported } from './errors.js';
import { staticType } from './static-types.js';
import type { Templates } from './templates.js';

function aliasesOf(ref: AstNode): string[] {
  const a = ref['column_name_alias'];
  return Array.isArray(a) ? a.map(String) : [];
}

/** A FROM-clause subquery table reference built from a scalar-subquery template. */
function subqueryRef(scalarSubquery: AstNode, alias: string, columns: string[]): AstNode {
  return {
    type: 'SUBQUERY',
    alias,
    sample: null,
    query_location: 0,
    subquery: scalarSubquery['subquery'] ?? null,
    column_name_alias: columns,
  };
}

function selectNodeOf(subqueryExpression: AstNode): AstNode {
  const statement = subqueryExpression['subquery'];
  const node = isNode(statement) ? statement['node'] : undefined;
  if (!isNode(node)) throw new Error('unexpected template shape');
  return node;
}

/**
 * `UNNEST(a, b) [WITH ORDINALITY] AS t(x, y[, n])` → `(SELECT unnest(a) AS x, unnest(b) AS y[, ordinal]) AS t(x, y[, n])`
 * (DuckDB pads the shorter list with NULLs, as Trino does); `UNNEST(m) AS t(k, v)` → rows of `map_entries(m)`
 * expanded into columns; arrays of rows likewise when statically known to be arrays.
 */
export function rewriteUnnest(ref: AstNode, t: Templates): AstNode {
  const fn = ref['function'];
  if (ref['type'] !== 'TABLE_FUNCTION' || !isNode(fn) || text(fn['function_name']).toLowerCase() !== 'unnest' || fn['schema'] !== '') return ref;
  const args = children(fn);
  const aliases = aliasesOf(ref);
  const ordinality = ref['with_ordinality'] === 'WITH_ORDINALITY';
  const alias = text(ref['alias']);
  const valueColumns = aliases.length - (ordinality ? 1 : 0);
  if (args.length === 1 && (aliases.length === 0 || valueColumns === 1)) {
    if (staticType(args[0]) === 'map') throw unsupported('UNNEST of a map needs two column aliases, e.g. UNNEST(m) AS t(k, v)');
    return ref;
  }
  if (args.length === 1) {
    if (ordinality) {
      const list = staticType(args[0]) === 'array' ? args[0]! : t.build('mapEntries', args[0]!);
      return subqueryRef(t.build('unnestRowsOrdinal', list), alias, aliases);
    }
    const expanded = staticType(args[0]) === 'array' ? t.build('unnestItem', args[0]!) : t.build('unnestEntries', args[0]!);
    const sub = t.build('unnestRows', expanded);
    return subqueryRef(sub, alias, aliases);
  }
  if (aliases.length > 0 && valueColumns !== args.length) {
    throw unsupported('UNNEST of several arguments where some are maps or arrays of rows is not supported by Lakebox');
  }
  for (const arg of args) if (staticType(arg) === 'map') throw unsupported('UNNEST of several arguments including a map is not supported by Lakebox');
  const sub = t.build('lateralZip');
  const select = selectNodeOf(sub);
  const items: AstNode[] = args.map((arg, i) => {
    const item = t.build('unnestItem', arg);
    item['alias'] = aliases[i] ?? `_u${i}`;
    return item;
  });
  if (ordinality) {
    const lengths = args.map((a) => functionCall('len', [clone(a)]));
    const longest = lengths.length === 1 ? lengths[0]! : functionCall('greatest', lengths);
    const item = t.build('ordinality', longest);
    item['alias'] = aliases[aliases.length - 1] ?? 'ordinality';
    items.push(item);
  }
  select['select_list'] = items;
  return subqueryRef(sub, alias, aliases);
}
