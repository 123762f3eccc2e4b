/** Best-effort static typing of (already rewritten) expressions, for rewrites whose DuckDB form depends on the type. */
import { children, functionName, isNode, type AstNode, text } from './ast.js';

/** `day_interval`: an interval of whole days, weeks, months or years (DATE + it stays a DATE in Trino). */
export type StaticType = 'date' | 'timestamp' | 'day_interval' | 'array' | 'map' | 'json' | 'double' | 'varchar' | 'integer' | 'boolean';

/** Types recorded by rewrites for the nodes they produce (e.g. `json_parse` → json, `date_add` on a date → date). */
const hints = new WeakMap<AstNode, StaticType>();

export function hint<T extends AstNode>(node: T, type: StaticType | undefined): T {
  if (type) hints.set(node, type);
  return node;
}

const TYPE_IDS: Readonly<Record<string, StaticType>> = {
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  LIST: 'array',
  MAP: 'map',
  DOUBLE: 'double',
  FLOAT: 'double',
  VARCHAR: 'varchar',
  TINYINT: 'integer',
  SMALLINT: 'integer',
  INTEGER: 'integer',
  BIGINT: 'integer',
  HUGEINT: 'integer',
  BOOLEAN: 'boolean',
};

const FUNCTION_TYPES: Readonly<Record<string, StaticType>> = {
  list_value: 'array',
  string_split: 'array',
  split: 'array',
  regexp_extract_all: 'array',
  string_split_regex: 'array',
  array_agg: 'array',
  list: 'array',
  list_transform: 'array',
  list_filter: 'array',
  list_sort: 'array',
  list_reverse: 'array',
  list_slice: 'array',
  list_zip: 'array',
  list_distinct: 'array',
  map_keys: 'array',
  map_values: 'array',
  map_entries: 'array',
  flatten: 'array',
  generate_series: 'array',
  range: 'array',
  map: 'map',
  map_from_entries: 'map',
  map_concat: 'map',
  histogram: 'map',
  to_days: 'day_interval',
  to_weeks: 'day_interval',
  to_months: 'day_interval',
  to_quarters: 'day_interval',
  to_years: 'day_interval',
  current_date: 'date',
  today: 'date',
  last_day: 'date',
  now: 'timestamp',
  get_current_timestamp: 'timestamp',
  strptime: 'timestamp',
  to_timestamp: 'timestamp',
  json_extract: 'json',
  json: 'json',
  to_json: 'json',
  random: 'double',
  epoch: 'double',
  strftime: 'varchar',
  json_extract_string: 'varchar',
  concat: 'varchar',
  lower: 'varchar',
  upper: 'varchar',
};

const ARITHMETIC = new Set(['+', '-', '*', '/', '//', '%']);

export function staticType(node: AstNode | undefined): StaticType | undefined {
  if (!node) return undefined;
  const hinted = hints.get(node);
  if (hinted) return hinted;
  switch (node['class']) {
    case 'CAST': {
      const type = node['cast_type'];
      if (!isNode(type)) return undefined;
      if (type['id'] === 'UNBOUND') {
        const info = type['type_info'];
        return isNode(info) && text(info['name']).toLowerCase() === 'json' ? 'json' : undefined;
      }
      return TYPE_IDS[text(type['id'])];
    }
    case 'CONSTANT': {
      const value = node['value'];
      const type = isNode(value) ? value['type'] : undefined;
      return isNode(type) ? TYPE_IDS[text(type['id'])] : undefined;
    }
    case 'COLUMN_REF': {
      const names = node['column_names'];
      if (Array.isArray(names) && names.length === 1) {
        if (names[0] === 'current_date') return 'date';
        if (names[0] === 'current_timestamp' || names[0] === 'localtimestamp') return 'timestamp';
      }
      return undefined;
    }
    case 'OPERATOR':
      return node['type'] === 'ARRAY_CONSTRUCTOR' ? 'array' : undefined;
    case 'CASE': {
      const checks = node['case_checks'];
      const first = Array.isArray(checks) && isNode(checks[0]) ? checks[0]['then_expr'] : undefined;
      return isNode(first) ? staticType(first) : undefined;
    }
    case 'FUNCTION': {
      const name = text(node['function_name']).toLowerCase();
      if (node['is_operator'] === true && ARITHMETIC.has(name)) {
        const types = children(node).map(staticType);
        if (types.includes('double')) return 'double';
        if (types.every((t) => t === 'integer')) return 'integer';
        if (name === '-' && types.length === 2 && types.every((t) => t === 'date')) return 'integer';
        if ((name === '+' || name === '-') && types[0] === 'date' && types[1] === 'day_interval') return 'date';
        return undefined;
      }
      if (name === 'list_value' || (node['schema'] === 'main' && name === 'list_value')) return 'array';
      const plain = functionName(node);
      return plain ? FUNCTION_TYPES[plain] : undefined;
    }
    default:
      return undefined;
  }
}
