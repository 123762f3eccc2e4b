/**
 * Partition pruning from a query's syntax tree (DuckDB's JSON AST, through the dialect's parser port).
 *
 * What is pruned: for each base table read directly in a SELECT's FROM (possibly through joins), the top-level
 * AND-ed conjuncts of that SELECT's WHERE of the form `col = lit`, `col IN (lit, …)`, `col <|<=|>|>= lit`
 * (either side) and `col BETWEEN lit AND lit`, where `col` is qualified by the table's alias/name, or
 * unqualified when the FROM has that single table. Literals may be wrapped in CAST (`DATE '…'`). Only conjuncts on
 * the table's partition keys with a literal of a compatible kind (string for string/date keys, number for numeric
 * keys, a whole number for integer keys; boolean keys are never pruned) are used; they become a Glue partition expression. Anything else (OR, functions, joins' ON, subqueries)
 * prunes nothing. A table referenced several times reads the union of what each reference needs.
 */
import type { AstNode, AstValue } from '../dialect/parser-port.js';

type Literal = string | number;
export type CompareOp = '=' | '<' | '<=' | '>' | '>=';

export type Conjunct =
  | { readonly column: string; readonly op: CompareOp; readonly value: Literal }
  | { readonly column: string; readonly op: 'IN'; readonly values: readonly Literal[] }
  | { readonly column: string; readonly op: 'BETWEEN'; readonly low: Literal; readonly high: Literal };

export interface TableReference {
  readonly catalog: string | undefined;
  readonly schema: string | undefined;
  readonly table: string;
  /** Conjuncts that constrain this reference (column names lower-cased, may include non-partition columns). */
  readonly conjuncts: readonly Conjunct[];
}

const isNode = (v: AstValue | undefined): v is AstNode => typeof v === 'object' && v !== null && !Array.isArray(v);

const FLIP: Readonly<Record<CompareOp, CompareOp>> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const COMPARE: Readonly<Record<string, CompareOp>> = {
  COMPARE_EQUAL: '=',
  COMPARE_LESSTHAN: '<',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHAN: '>',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};

/** The literal of a constant (or a CAST of one), else undefined. */
function literal(node: AstValue | undefined): Literal | undefined {
  if (!isNode(node)) return undefined;
  // A cast to BOOLEAN is how the parser writes TRUE/FALSE; boolean keys are not pruned (see lit()).
  if (node['class'] === 'CAST') return isNode(node['cast_type']) && node['cast_type']['id'] === 'BOOLEAN' ? undefined : literal(node['child']);
  if (node['class'] !== 'CONSTANT') return undefined;
  const v = node['value'];
  if (!isNode(v) || v['is_null'] === true) return undefined;
  const raw = v['value'];
  const type = isNode(v['type']) ? v['type'] : undefined;
  // A DECIMAL constant holds its unscaled value (2023.0 is 20230 with scale 1).
  if (type?.['id'] === 'DECIMAL' && typeof raw === 'number') {
    const info = type['type_info'];
    const scale = isNode(info) && typeof info['scale'] === 'number' ? info['scale'] : 0;
    return raw / 10 ** scale;
  }
  // Doubles (and big integers) arrive as the parser port's lossless-number marker text: `@@lbnum…:1.5`.
  if (typeof raw === 'string') {
    const marked = /^@@lbnum\w*:(-?[0-9.eE+-]+)$/.exec(raw);
    return marked ? Number(marked[1]) : raw;
  }
  if (typeof raw === 'number') return raw;
  return undefined;
}

function columnRef(node: AstValue | undefined): { qualifier: string | undefined; column: string } | undefined {
  if (!isNode(node) || node['class'] !== 'COLUMN_REF') return undefined;
  const names = node['column_names'];
  if (!Array.isArray(names) || names.length === 0 || names.length > 2 || !names.every((n) => typeof n === 'string')) return undefined;
  const parts = names;
  return parts.length === 1 ? { qualifier: undefined, column: parts[0]!.toLowerCase() } : { qualifier: parts[0]!.toLowerCase(), column: parts[1]!.toLowerCase() };
}

type Qualified = { qualifier: string | undefined; conjunct: Conjunct };

function conjunctOf(e: AstNode): Qualified | undefined {
  const type = typeof e['type'] === 'string' ? e['type'] : '';
  const op = COMPARE[type];
  if (op) {
    const l = columnRef(e['left']);
    const r = columnRef(e['right']);
    if (l && !r) {
      const value = literal(e['right']);
      return value === undefined ? undefined : { qualifier: l.qualifier, conjunct: { column: l.column, op, value } };
    }
    if (r && !l) {
      const value = literal(e['left']);
      return value === undefined ? undefined : { qualifier: r.qualifier, conjunct: { column: r.column, op: FLIP[op], value } };
    }
    return undefined;
  }
  if (type === 'COMPARE_IN') {
    const kids = Array.isArray(e['children']) ? e['children'] : [];
    const col = columnRef(kids[0]);
    const values = kids.slice(1).map(literal);
    if (!col || values.length === 0 || values.some((v) => v === undefined)) return undefined;
    return { qualifier: col.qualifier, conjunct: { column: col.column, op: 'IN', values: values as Literal[] } };
  }
  if (type === 'COMPARE_BETWEEN') {
    const col = columnRef(e['input']);
    const low = literal(e['lower']);
    const high = literal(e['upper']);
    if (!col || low === undefined || high === undefined) return undefined;
    return { qualifier: col.qualifier, conjunct: { column: col.column, op: 'BETWEEN', low, high } };
  }
  return undefined;
}

function conjuncts(where: AstValue | undefined): Qualified[] {
  if (!isNode(where)) return [];
  if (where['type'] === 'CONJUNCTION_AND' && Array.isArray(where['children'])) return where['children'].filter(isNode).flatMap(conjuncts);
  const c = conjunctOf(where);
  return c ? [c] : [];
}

/** Base tables reachable from a FROM clause through joins only. */
function fromTables(from: AstValue | undefined, out: AstNode[]): boolean {
  if (!isNode(from)) return true;
  if (from['type'] === 'BASE_TABLE') out.push(from);
  else if (from['type'] === 'JOIN') return fromTables(from['left'], out) && fromTables(from['right'], out);
  else if (from['type'] !== 'EMPTY') return false;
  return true;
}

const nameOf = (t: AstNode): string => (typeof t['table_name'] === 'string' ? t['table_name'].toLowerCase() : '');

function cteNames(node: AstNode, into: Set<string>): void {
  const map = isNode(node['cte_map']) ? node['cte_map']['map'] : undefined;
  if (Array.isArray(map)) for (const e of map) if (isNode(e) && typeof e['key'] === 'string') into.add(e['key'].toLowerCase());
}

/** Every base table the statements read (CTE references excluded), each with the conjuncts that constrain it. */
export function tableReferences(statements: readonly AstNode[]): TableReference[] {
  const constrained = new Map<AstNode, Conjunct[]>();
  const ctes = new Set<string>();
  const tables: AstNode[] = [];
  const visit = (v: AstValue | undefined): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) return;
    if (v['type'] === 'SELECT_NODE' || isNode(v['cte_map'])) cteNames(v, ctes);
    if (v['type'] === 'SELECT_NODE') {
      const direct: AstNode[] = [];
      const onlyTables = fromTables(v['from_table'], direct);
      for (const { qualifier, conjunct } of conjuncts(v['where_clause'])) {
        for (const t of direct) {
          const alias = typeof t['alias'] === 'string' && t['alias'] !== '' ? t['alias'].toLowerCase() : nameOf(t);
          const matches = qualifier === undefined ? direct.length === 1 && onlyTables : qualifier === alias;
          if (matches) constrained.set(t, [...(constrained.get(t) ?? []), conjunct]);
        }
      }
    }
    if (v['type'] === 'BASE_TABLE') tables.push(v);
    for (const x of Object.values(v)) visit(x);
  };
  visit(statements as unknown as AstValue[]);
  const out: TableReference[] = [];
  for (const t of tables) {
    const schema = typeof t['schema_name'] === 'string' && t['schema_name'] !== '' ? t['schema_name'].toLowerCase() : undefined;
    const catalog = typeof t['catalog_name'] === 'string' && t['catalog_name'] !== '' ? t['catalog_name'].toLowerCase() : undefined;
    const table = nameOf(t);
    if (schema === undefined && catalog === undefined && ctes.has(table)) continue;
    out.push({ catalog, schema, table, conjuncts: constrained.get(t) ?? [] });
  }
  return out;
}

const NUMERIC = /^(tinyint|smallint|int|integer|bigint|float|double|decimal)/i;
const DATELIKE = /^(date|timestamp)/i;
const INTEGER_KEY = /^(tinyint|smallint|int|integer|bigint)\b/i;

function lit(value: Literal, keyType: string): string | undefined {
  if (NUMERIC.test(keyType)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    // A fraction against an integer key prunes nothing rather than risk the expression's integer reading of it.
    if (INTEGER_KEY.test(keyType) && !Number.isInteger(value)) return undefined;
    return String(value);
  }
  if (/^boolean/i.test(keyType)) return undefined;
  if (typeof value !== 'string') return undefined;
  if (DATELIKE.test(keyType) && !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A Glue GetPartitions expression for the conjuncts on partition keys (undefined: nothing to prune on).
 * `keys` are the table's partition keys (lower-case name, Hive type).
 */
export function partitionExpression(conj: readonly Conjunct[], keys: readonly { name: string; type: string }[]): string | undefined {
  const types = new Map(keys.map((k) => [k.name.toLowerCase(), k.type]));
  const parts: string[] = [];
  for (const c of conj) {
    const type = types.get(c.column);
    if (type === undefined) continue;
    // Quoted: a key may be named like a keyword of the expression syntax (`date`, `timestamp`).
    const col = `\`${c.column.replaceAll("`", "``")}\``;
    if (c.op === 'IN') {
      const values = c.values.map((v) => lit(v, type));
      if (values.every((v) => v !== undefined)) parts.push(`${col} IN (${values.join(', ')})`);
    } else if (c.op === 'BETWEEN') {
      const low = lit(c.low, type);
      const high = lit(c.high, type);
      if (low !== undefined && high !== undefined) parts.push(`${col} BETWEEN ${low} AND ${high}`);
    } else {
      const v = lit(c.value, type);
      if (v !== undefined) parts.push(`${col} ${c.op} ${v}`);
    }
  }
  return parts.length === 0 ? undefined : parts.join(' AND ');
}
