/**
 * Trino's scoping of select-list aliases: an alias is visible in ORDER BY only. DuckDB also resolves one in WHERE,
 * GROUP BY, HAVING and in later select items, so a query Athena rejects ("Column 'y' cannot be resolved") would run.
 *
 * A reference is suspect when it names an alias of its own SELECT and is written by the user (it has a source
 * location). It is an error only when no input of that SELECT (nor of an enclosing one, for correlated subqueries)
 * has a column of that name; the engine names those columns (`SELECT * FROM <the same FROM clause>`, bound, not run).
 */
import { isNode, text, type AstNode, type AstValue } from './ast.js';
import type { SqlParserPort } from './parser-port.js';

export interface ColumnOracle {
  /** Column names of a relation, without reading its rows. */
  columnNames(sql: string): Promise<string[]>;
}

export interface AliasMisuse {
  readonly name: string;
  /** Offset of the reference in the text the statement was parsed from. */
  readonly location: number;
}

interface Scope {
  readonly select: AstNode;
  readonly parent: Scope | undefined;
}

/** The first reference to a select-list alias where Trino does not see aliases, if any (the engine decides columns). */
export async function findAliasMisuse(statements: readonly AstNode[], oracle: ColumnOracle, parser: Pick<SqlParserPort, 'render'>): Promise<AliasMisuse | undefined> {
  for (const statement of statements) {
    const ctes = isNode(statement['node']) ? statement['node']['cte_map'] : undefined;
    const scopes: Scope[] = [];
    collectSelects(statement, undefined, scopes);
    for (const scope of scopes) {
      const suspects = suspectReferences(scope.select);
      if (suspects.length === 0) continue;
      const known = new Set<string>();
      for (let s: Scope | undefined = scope; s; s = s.parent) {
        for (const c of await inputColumns(s.select, ctes ?? null, oracle, parser)) known.add(c.toLowerCase());
      }
      const misuse = suspects.find((r) => !known.has(r.name));
      if (misuse) return misuse;
    }
  }
  return undefined;
}

/** Every SELECT_NODE under `value`, with the SELECT it is nested in. */
function collectSelects(value: AstValue | undefined, parent: Scope | undefined, out: Scope[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectSelects(v, parent, out);
    return;
  }
  if (!isNode(value)) return;
  let scope = parent;
  if (value['type'] === 'SELECT_NODE') {
    scope = { select: value, parent };
    out.push(scope);
  }
  for (const v of Object.values(value)) collectSelects(v, scope, out);
}

/** Lower-cased aliases of a SELECT's items (an item `x AS x` names its own column, not an alias). */
function aliasesOf(select: AstNode): Set<string> {
  const out = new Set<string>();
  const items = select['select_list'];
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    if (!isNode(item)) continue;
    const alias = text(item['alias']).toLowerCase();
    if (alias === '') continue;
    if (item['class'] === 'COLUMN_REF' && Array.isArray(item['column_names']) && text(item['column_names'].at(-1)).toLowerCase() === alias) continue;
    out.add(alias);
  }
  return out;
}

/** User-written unqualified references to the SELECT's aliases in WHERE, GROUP BY, HAVING and the select items. */
function suspectReferences(select: AstNode): AliasMisuse[] {
  const aliases = aliasesOf(select);
  if (aliases.size === 0) return [];
  const out: AliasMisuse[] = [];
  const visit = (value: AstValue | undefined, bound: ReadonlySet<string>, own: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, bound, own);
      return;
    }
    if (!isNode(value)) return;
    // A subquery is its own scope (it is checked on its own); a lambda binds its parameters.
    if (value['class'] === 'SUBQUERY' || value['type'] === 'SELECT_NODE') return;
    if (value['class'] === 'LAMBDA') {
      const params = new Set(bound);
      collectRefs(value['lhs'], params);
      visit(value['expr'], params, own);
      return;
    }
    if (value['class'] === 'COLUMN_REF' && Array.isArray(value['column_names']) && value['column_names'].length === 1) {
      const name = text(value['column_names'][0]).toLowerCase();
      const location = typeof value['query_location'] === 'number' ? value['query_location'] : 0;
      if (aliases.has(name) && name !== own && !bound.has(name) && location > 0) out.push({ name, location });
      return;
    }
    for (const v of Object.values(value)) visit(v, bound, own);
  };
  const none = new Set<string>();
  visit(select['where_clause'], none, '');
  visit(select['group_expressions'], none, '');
  visit(select['having'], none, '');
  const items = select['select_list'];
  if (Array.isArray(items)) for (const item of items) if (isNode(item)) visit(item, none, text(item['alias']).toLowerCase());
  return out;
}

function collectRefs(value: AstValue | undefined, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
    return;
  }
  if (!isNode(value)) return;
  if (value['class'] === 'COLUMN_REF' && Array.isArray(value['column_names'])) into.add(text(value['column_names'].at(-1)).toLowerCase());
  for (const v of Object.values(value)) collectRefs(v, into);
}

/** Column names the SELECT's FROM clause provides, from the engine (none without a FROM clause). */
async function inputColumns(select: AstNode, ctes: AstValue, oracle: ColumnOracle, parser: Pick<SqlParserPort, 'render'>): Promise<string[]> {
  const from = select['from_table'];
  if (!isNode(from) || from['type'] === 'EMPTY') return [];
  const probe: AstNode = {
    node: {
      type: 'SELECT_NODE',
      modifiers: [],
      cte_map: ctes ?? { map: [] },
      select_list: [
        { class: 'STAR', type: 'STAR', alias: '', query_location: 0, relation_name: '', exclude_list: [], replace_list: [], columns: false, expr: null, qualified_exclude_list: [], rename_list: [] },
      ],
      from_table: from,
      where_clause: null,
      group_expressions: [],
      group_sets: [],
      aggregate_handling: 'STANDARD_HANDLING',
      having: null,
      sample: null,
      qualify: null,
    },
    named_param_map: [],
  };
  try {
    return await oracle.columnNames(await parser.render([probe]));
  } catch {
    // A FROM clause that does not bind alone (e.g. a LATERAL reference to an outer query): nothing is claimed.
    return [...aliasesOf(select)];
  }
}

/**
 * `line:column` of a reference in the user's query text, when the parsed offset points at that name there (the
 * translation may have reshaped the text the offset counts in); else Athena's usual `1:8`.
 */
export function sourcePosition(query: string, ref: AliasMisuse): string {
  const at = [...query].slice(0, ref.location).join('').length;
  const word = /^"?([A-Za-z_][A-Za-z0-9_]*)"?/.exec(query.slice(at));
  if (word?.[1]?.toLowerCase() !== ref.name) return '1:8';
  const before = query.slice(0, at).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}
