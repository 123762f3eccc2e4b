/**
 * More of Trino's functions for the function table: array set functions, the SQL/JSON path functions (with their
 * `lax`/`strict` mode), `extract` fields, `concat_ws` over an array, bases, shifts, `width_bucket`, array slicing helpers
 * and Java's math at 0 and below.
 */
import { columnRef, constant, stringConstant, type AstNode } from './ast.js';
import { applyLambda, arity, constantArg, jsonPathArg, rename, template, transferAggregate, type Rewriter } from './function-rewriters.js';
import { unsupported } from './errors.js';
import { hint, staticType } from './static-types.js';

/**
 * A SQL/JSON path (`lax $.a`, `strict $.a[0]`): the mode is dropped (lax and strict agree on paths that match) and the
 * path translated; filters and methods (`?(…)`, `.size()`) are refused rather than answered differently.
 */
function sqlJsonPath(fn: string, node: AstNode | undefined): AstNode {
  const raw = constantArg(fn, 'JSON path', node).trim();
  const path = raw.replace(/^(lax|strict)\s+/i, '');
  if (/\?\s*\(|\.\w+\(\)|\blast\b| to /i.test(path)) throw unsupported(`${fn}: the JSON path '${raw}' uses filters, methods or ranges, which Lakebox does not support`);
  return jsonPathArg(constant(path));
}

/** Trino's `extract` fields that DuckDB spells differently (DOW is ISO: Monday 1 … Sunday 7). */
const EXTRACT_FIELDS: Readonly<Record<string, string>> = {
  dow: 'isodow',
  day_of_week: 'isodow',
  day_of_month: 'day',
  doy: 'doy',
  day_of_year: 'doy',
  yow: 'isoyear',
  year_of_week: 'isoyear',
};

export const EXTRA_FUNCTIONS: Readonly<Record<string, Rewriter>> = {
  array_union: (args, _node, t) => (arity('array_union', args, 2), hint(t.build('arrayUnion', args[0]!, args[1]!), 'array')),
  array_intersect: (args, _node, t) => (arity('array_intersect', args, 2), hint(t.build('arrayIntersect', args[0]!, args[1]!), 'array')),
  array_except: (args, _node, t) => (arity('array_except', args, 2), hint(t.build('arrayExcept', args[0]!, args[1]!), 'array')),
  trim_array: (args, _node, t) => (arity('trim_array', args, 2), hint(t.build('trimArray', args[0]!, args[1]!), 'array')),
  ngrams: (args, _node, t) => (arity('ngrams', args, 2), hint(t.build('ngrams', args[0]!, args[1]!), 'array')),
  contains_sequence: template('containsSequence', 2),
  // concat_ws(separator, array) joins the array's non-NULL elements.
  concat_ws: (args, node, t) => (args.length === 2 && staticType(args[1]) === 'array' ? hint(t.build('arrayToString', args[0]!, args[1]!), 'varchar') : node),
  json_value: (args, _node, t) => (arity('json_value', args, 2), hint(t.build('jsonExtractScalar', args[0]!, sqlJsonPath('json_value', args[1])), 'varchar')),
  json_query: (args, _node, t) => (arity('json_query', args, 2), hint(t.build('jsonQuery', args[0]!, sqlJsonPath('json_query', args[1])), 'varchar')),
  json_exists: (args, _node, t) => (arity('json_exists', args, 2), t.build('jsonExists', args[0]!, sqlJsonPath('json_exists', args[1]))),
  // `extract(field FROM x)` arrives as date_part('field', x).
  date_part: (args, node) => {
    const field = stringConstant(args[0])?.toLowerCase();
    const to = field === undefined ? undefined : EXTRACT_FIELDS[field];
    if (to !== undefined) node['children'] = [constant(to), args[1]!];
    return node;
  },
  mod: template('modulo', 2),
  to_base: template('toBase', 2),
  from_base: template('fromBase', 2),
  width_bucket: (args, _node, t) => {
    if (args.length === 2) throw unsupported('width_bucket(x, bins) is not supported by Lakebox (width_bucket(x, bound1, bound2, n) is)');
    arity('width_bucket', args, 4);
    return t.build('widthBucket', args[0]!, args[1]!, args[2]!, args[3]!);
  },
  to_base64url: template('toBase64Url', 1),
  from_base64url: template('fromBase64Url', 1),
  bitwise_and_agg: rename('bit_and', 1),
  bitwise_or_agg: rename('bit_or', 1),
  bitwise_xor_agg: rename('bit_xor', 1),
  bitwise_left_shift: template('shiftLeft', 2),
  bitwise_right_shift_arithmetic: template('shiftRightArithmetic', 2),
  bitwise_right_shift: template('shiftRightLogical', 2),
  ln: template('ln', 1),
  log2: template('log2', 1),
  log10: template('log10', 1),
  sqrt: template('sqrt', 1),
  cbrt: template('cbrt', 1),
  json_array_get: (args, _node, t) => (arity('json_array_get', args, 2), hint(t.build('jsonArrayGet', args[0]!, args[1]!), 'json')),
  is_json_scalar: template('isJsonScalar', 1),
  bit_count: (args, node, t) => (arity('bit_count', args, 1, 2), args.length === 2 ? t.build('bitCount', args[0]!, args[1]!) : node),
  array_histogram: (args, _node, t) => (arity('array_histogram', args, 1), hint(t.build('arrayHistogram', args[0]!), 'map')),
  multimap_from_entries: (args, _node, t) => (arity('multimap_from_entries', args, 1), hint(t.build('multimapFromEntries', args[0]!), 'map')),
  split_to_multimap: (args, _node, t) => (arity('split_to_multimap', args, 3), hint(t.build('splitToMultimap', args[0]!, args[1]!, args[2]!), 'map')),
  map_zip_with: (args, _node, t) => {
    arity('map_zip_with', args, 3);
    const field = (name: string): AstNode => ({ ...columnRef('__lb_w'), column_names: ['__lb_w', name] });
    return hint(t.build('mapZipWith', args[0]!, args[1]!, applyLambda('map_zip_with', args[2], [columnRef('__lb_k'), field('a'), field('b')])), 'map');
  },
  multimap_agg: (args, node, t) => (arity('multimap_agg', args, 2), hint(transferAggregate(node, t.build('multimapAgg', args[0]!, args[1]!), 'list'), 'map')),
  parse_data_size: template('parseDataSize', 1),
  luhn_check: template('luhnCheck', 1),
  format_number: (args, _node, t) => (arity('format_number', args, 1), hint(t.build('formatNumber', args[0]!), 'varchar')),
};
