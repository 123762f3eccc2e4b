/**
 * `UNNEST(x) AS t(a, b)` of an array of rows: the translation cannot tell an array of rows from a map (both give
 * several columns) and reads x as a map (`map_entries(x)`); once the tables are known, a column that every table
 * declares as an array is unnested as the array it is.
 */
import { children, rewrite, type AstNode } from './ast.js';

/** Hive types of the columns of the tables and views a query reads, by lower-cased column name. */
export type ColumnTypes = ReadonlyMap<string, readonly string[]>;

/** Rewrites `map_entries(column)` to `column` where the column is an array in every table that has it; true when changed. */
export function unnestArrayColumns(statements: AstNode[], columns: ColumnTypes): boolean {
  let changed = false;
  statements.forEach((s, i) => {
    statements[i] = rewrite(s, {
      expression(node) {
        if (node['class'] !== 'FUNCTION' || node['function_name'] !== 'map_entries') return node;
        const [arg, ...rest] = children(node);
        if (!arg || rest.length > 0 || arg['class'] !== 'COLUMN_REF') return node;
        const names = arg['column_names'];
        const name = Array.isArray(names) ? names[names.length - 1] : undefined;
        const types = typeof name === 'string' ? columns.get(name.toLowerCase()) : undefined;
        if (!types || types.length === 0 || !types.every((t) => /^array\s*</i.test(t))) return node;
        changed = true;
        return arg;
      },
    });
  });
  return changed;
}
