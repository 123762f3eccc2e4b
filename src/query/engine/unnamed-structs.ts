/**
 * DuckDB's anonymous structs (`ROW(1, 'a')`, `list_zip`) have empty field names, and a value read from a result keys
 * its fields by name, so all but one would be lost. A result with such a column is read through a projection that
 * casts it to the same struct with fields named `field0`, `field1`… (a positional cast), which Athena's rendering
 * of unnamed rows (`{1, a}`) recognises.
 */
import { DuckDBArrayType, DuckDBListType, DuckDBMapType, DuckDBStructType, DuckDBTypeId, type DuckDBPreparedStatement, type DuckDBType } from '@duckdb/node-api';

/** Column types that can hold a struct; only these are inspected further. */
const NESTED: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.STRUCT, DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP]);

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function hasUnnamed(t: DuckDBType): boolean {
  if (t instanceof DuckDBStructType) return t.entryNames.some((n) => n === '') || t.entryTypes.some(hasUnnamed);
  if (t instanceof DuckDBListType || t instanceof DuckDBArrayType) return hasUnnamed(t.valueType);
  if (t instanceof DuckDBMapType) return hasUnnamed(t.keyType) || hasUnnamed(t.valueType);
  return false;
}

/** `t` as SQL, with empty struct field names replaced by `field<i>`. */
function named(t: DuckDBType): string {
  if (t instanceof DuckDBStructType) {
    return `STRUCT(${t.entryNames.map((n, i) => `${quoteIdent(n === '' ? `field${i}` : n)} ${named(t.entryTypes[i]!)}`).join(', ')})`;
  }
  if (t instanceof DuckDBListType) return `${named(t.valueType)}[]`;
  if (t instanceof DuckDBArrayType) return `${named(t.valueType)}[${t.length}]`;
  if (t instanceof DuckDBMapType) return `MAP(${named(t.keyType)}, ${named(t.valueType)})`;
  return t.toString();
}

/**
 * The prepared query wrapped so that its anonymous struct fields come out named, or undefined when it has none. Only
 * the type ids of flat columns are read, so a query without nested columns costs one cheap call per column.
 */
export function nameAnonymousStructs(sql: string, prepared: DuckDBPreparedStatement): string | undefined {
  const count = prepared.columnCount;
  const nested = Array.from({ length: count }, (_v, i) => NESTED.has(prepared.columnTypeId(i)) && hasUnnamed(prepared.columnType(i)));
  if (!nested.includes(true)) return undefined;
  const select = nested.map((rename, i) => {
    const value = rename ? `CAST(__lb_q.__lb_c${i} AS ${named(prepared.columnType(i))})` : `__lb_q.__lb_c${i}`;
    return `${value} AS ${quoteIdent(prepared.columnName(i))}`;
  });
  return `SELECT ${select.join(', ')} FROM (${sql}) AS __lb_q(${nested.map((_r, i) => `__lb_c${i}`).join(', ')})`;
}
