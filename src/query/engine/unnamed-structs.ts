/**
 * DuckDB's anonymous structs (`ROW(1, 'a')`, `list_zip`) have empty field names, and a value read from a result keys
 * its fields by name, so all but one would be lost. A result with such a column is read through a projection that
 * casts it to the same struct with fields named `field0`, `field1`… (a positional cast), which Athena's rendering
 * of unnamed rows (`{1, a}`) recognises.
 */
import { DuckDBArrayType, DuckDBListType, DuckDBMapType, DuckDBStructType, type DuckDBType } from '@duckdb/node-api';

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

/** The query wrapped so that its anonymous struct fields come out named, or undefined when it has none. */
export function nameAnonymousStructs(sql: string, columns: readonly { name: string; type: DuckDBType }[]): string | undefined {
  if (!columns.some((c) => hasUnnamed(c.type))) return undefined;
  const inner = columns.map((_c, i) => `__lb_c${i}`);
  const select = columns.map((c, i) => (hasUnnamed(c.type) ? `CAST(__lb_q.${inner[i]} AS ${named(c.type)})` : `__lb_q.${inner[i]}`) + ` AS ${quoteIdent(c.name)}`);
  return `SELECT ${select.join(', ')} FROM (${sql}) AS __lb_q(${inner.join(', ')})`;
}
