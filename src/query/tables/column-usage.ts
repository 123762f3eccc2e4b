/** Which table columns a query can reach by name: lets a table's view leave out partition columns nobody reads. */
import { isNode, text, type AstNode, type AstValue } from '../dialect/ast.js';

/** What the syntax trees say about column use, collected once per query. */
export interface ColumnUsage {
  /** True when any column may be read without being named: `*`, `t.*`, `COLUMNS(…)`, NATURAL joins, column aliases of a table. */
  readonly all: boolean;
  /** Every name part of every column reference and USING list, lower-cased (`t.dt` gives `t` and `dt`). */
  readonly names: ReadonlySet<string>;
}

export function columnUsage(statements: readonly AstNode[]): ColumnUsage {
  const names = new Set<string>();
  let all = false;
  const visit = (value: AstValue): void => {
    if (all) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    if (value['class'] === 'STAR') {
      all = true;
      return;
    }
    if (value['class'] === 'COLUMN_REF') {
      const parts = value['column_names'];
      if (Array.isArray(parts)) for (const p of parts) names.add(text(p).toLowerCase());
    }
    if (value['type'] === 'JOIN') {
      if (value['ref_type'] === 'NATURAL') all = true;
      const using = value['using_columns'];
      if (Array.isArray(using)) for (const u of using) names.add(text(u).toLowerCase());
    }
    // `FROM t AS x(a, b, c)` names the table's columns by position, partition columns included.
    const aliases = value['column_name_alias'];
    if (Array.isArray(aliases) && aliases.length > 0) all = true;
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) visit(child);
  };
  for (const s of statements) visit(s);
  return { all, names };
}

/** Whether a query with this usage may read any of `columns` (names compared case-insensitively). */
export function mayRead(usage: ColumnUsage, columns: readonly string[]): boolean {
  return usage.all || columns.some((c) => usage.names.has(c.toLowerCase()));
}
