/**
 * `UNNEST(x) AS t(a, b)` of an array of rows: the translation cannot tell an array of rows from a map (both give
 * several columns) and reads x as a map (`map_entries(x)`); once the tables are known, a column that every table
 * declares as an array is unnested as the array it is, and so is a struct field path (`t.payload.items`) that leads to
 * an array in every table that has the column.
 */
import { parseHiveType } from '../../streams/firehose/conversion/hive-type.js';
import type { HiveType } from '../../streams/firehose/conversion/model.js';
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
        if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) return node;
        if (!isArrayPath(names, columns)) return node;
        changed = true;
        return arg;
      },
    });
  });
  return changed;
}

/**
 * Whether a column reference (`col`, `t.col`, `col.field.field`, `t.col.field`) is an array: the first name that is a
 * column starts the path, the names after it are struct fields, and the path must end at an array in every table.
 */
function isArrayPath(names: readonly string[], columns: ColumnTypes): boolean {
  for (let k = 0; k < names.length; k++) {
    const types = columns.get(names[k]!.toLowerCase());
    if (!types || types.length === 0) continue;
    const fields = names.slice(k + 1).map((n) => n.toLowerCase());
    return types.every((t) => fieldType(t, fields)?.kind === 'array');
  }
  return false;
}

function fieldType(hiveType: string, fields: readonly string[]): HiveType | undefined {
  let t: HiveType;
  try {
    t = parseHiveType(hiveType);
  } catch {
    return undefined;
  }
  for (const f of fields) {
    if (t.kind !== 'struct') return undefined;
    const next = t.fields.find((x) => x.name === f);
    if (!next) return undefined;
    t = next.type;
  }
  return t;
}
