/** The Trino → DuckDB function table: renames, templates and custom rewrites, applied bottom-up to FUNCTION nodes. */
import { castNode, children, columnRef, constant, functionCall, integerConstant, isNode, isNullConstant, stringConstant, type AstNode, text } from './ast.js';
import { unsupported } from './errors.js';
import { javaReplacementToRe2, jodaToStrftime, mysqlToStrftime } from './format-strings.js';
import { formatCall } from './java-format.js';
import { hint, staticType } from './static-types.js';
import type { TemplateName, Templates } from './templates.js';
import { applyLambda, arity, constantArg, jsonPathArg, rename, template, transferAggregate, type Rewriter } from './function-rewriters.js';
import { EXTRA_FUNCTIONS } from './function-map-extra.js';
import { ZONED_FUNCTIONS, zonedAt, zoneField } from './zoned-functions.js';

const DATE_UNITS: Readonly<Record<string, string>> = {
  millisecond: 'to_milliseconds',
  second: 'to_seconds',
  minute: 'to_minutes',
  hour: 'to_hours',
  day: 'to_days',
  week: 'to_weeks',
  month: 'to_months',
  quarter: 'to_quarters',
  year: 'to_years',
};
const DATE_ONLY_UNITS = new Set(['day', 'week', 'month', 'quarter', 'year']);

function unitArg(fn: string, node: AstNode | undefined): string {
  const unit = constantArg(fn, 'unit', node).toLowerCase();
  if (!(unit in DATE_UNITS)) throw unsupported(`'${unit}' is not a valid ${unit === '' ? '' : 'time '}unit for ${fn}`);
  return unit;
}

function dateFormat(to: 'strftime' | 'strptime', translate: (f: string) => string): Rewriter {
  return (args, node) => {
    const fn = text(node['function_name']);
    arity(fn, args, 2);
    const format = translate(constantArg(fn, 'format', args[1]));
    return hint(functionCall(to, [args[0]!, constant(format)]), to === 'strptime' ? 'timestamp' : 'varchar');
  };
}

/** `__lb_x.key` and the like: a field of the lambda parameter the templates bind. */
const lambdaField = (field: string): AstNode => ({ ...columnRef('__lb_x'), column_names: ['__lb_x', field] });

/** A (key, value) lambda over a map's entries, as a template's body over `__lb_x`. */
const entryLambda = (name: TemplateName, fn: string): Rewriter => (args, _node, t) => {
  arity(fn, args, 2);
  return t.build(name, args[0]!, applyLambda(fn, args[1], [lambdaField('key'), lambdaField('value')]));
};

/** Trino: start 0, or a negative start before the beginning, gives ''; DuckDB clamps instead. */
const substrRewrite: Rewriter = (args, node, t) => {
  arity('substr', args, 2, 3);
  const start = integerConstant(args[1]);
  if (start !== undefined && start > 0) return node;
  return args.length === 2 ? t.build('substrFrom', args[0]!, args[1]!) : t.build('substrFromFor', args[0]!, args[1]!, args[2]!);
};

/**
 * `concat(…)` or `||` with a NULL literal among string arguments: a NULL varchar, as in Trino (DuckDB 1.5 folds
 * `'a' || NULL` to an INTEGER NULL). Undefined otherwise, and for arrays, which keep their own type.
 */
export function nullConcatenation(args: readonly AstNode[], t: Templates): AstNode | undefined {
  const nullArg = args.find((a) => isNullConstant(a) || (a['class'] === 'CAST' && isNode(a['child']) && isNullConstant(a['child'])));
  if (nullArg === undefined || args.some((a) => staticType(a) === 'array')) return undefined;
  return t.build('varchar', nullArg);
}

const FUNCTIONS: Readonly<Record<string, Rewriter>> = {
  ...EXTRA_FUNCTIONS,
  // NULL semantics
  concat: (args, _node, t) => {
    if (args.length === 0) return constant('');
    const nulled = nullConcatenation(args, t);
    if (nulled) return nulled;
    return args.slice(1).reduce((acc, a) => t.build('concat', acc, a), args[0]!);
  },
  greatest: (args, node, t) => args.reduceRight((acc, a) => t.build('nullGuard', a, acc), node),
  least: (args, node, t) => args.reduceRight((acc, a) => t.build('nullGuard', a, acc), node),
  // dates and times
  date_format: dateFormat('strftime', mysqlToStrftime),
  date_parse: dateFormat('strptime', mysqlToStrftime),
  format_datetime: dateFormat('strftime', jodaToStrftime),
  // Trino's parse_datetime gives a timestamp with time zone (UTC, as Lakebox reads no zone from the text).
  parse_datetime: (args, node, t) => zonedAt(castNode(dateFormat('strptime', jodaToStrftime)(args, node, t), 'TIMESTAMP WITH TIME ZONE'), constant('UTC')),
  to_iso8601: (args, _node, t) => (arity('to_iso8601', args, 1), hint(t.build('toIso8601', args[0]!), 'varchar')),
  date_add: (args) => {
    arity('date_add', args, 3);
    const unit = unitArg('date_add', args[0]);
    const sum = functionCall('+', [args[2]!, functionCall(DATE_UNITS[unit]!, [args[1]!])]);
    sum['is_operator'] = true;
    const isDate = staticType(args[2]) === 'date' && DATE_ONLY_UNITS.has(unit);
    return isDate ? hint(castNode(sum, 'DATE'), 'date') : hint(sum, 'timestamp');
  },
  date_diff: (args, node) => {
    arity('date_diff', args, 3);
    node['children'] = [constant(unitArg('date_diff', args[0])), args[1]!, args[2]!];
    node['function_name'] = 'date_sub';
    return hint(node, 'integer');
  },
  date_trunc: (args, node) => {
    arity('date_trunc', args, 2);
    node['children'] = [constant(unitArg('date_trunc', args[0])), args[1]!];
    return staticType(args[1]) === 'date' ? hint(castNode(node, 'DATE'), 'date') : hint(node, 'timestamp');
  },
  date: (args, _node, t) => (arity('date', args, 1), hint(t.build('date', args[0]!), 'date')),
  from_iso8601_date: (args, _node, t) => (arity('from_iso8601_date', args, 1), hint(t.build('date', args[0]!), 'date')),
  day_of_week: rename('isodow', 1),
  dow: rename('isodow', 1),
  day_of_year: rename('dayofyear', 1),
  doy: rename('dayofyear', 1),
  day_of_month: rename('day', 1),
  week_of_year: rename('week', 1),
  year_of_week: rename('isoyear', 1),
  yow: rename('isoyear', 1),
  millisecond: template('millisecond', 1),
  last_day_of_month: (args, node) => (arity('last_day_of_month', args, 1), (node['function_name'] = 'last_day'), hint(node, 'date')),
  current_timezone: template('currentTimezone', 0),
  // JSON
  json_extract: (args, node) => {
    arity('json_extract', args, 2);
    node['children'] = [args[0]!, jsonPathArg(args[1]!)];
    return hint(node, 'json');
  },
  json_extract_scalar: (args, _node, t) => (arity('json_extract_scalar', args, 2), t.build('jsonExtractScalar', args[0]!, jsonPathArg(args[1]!))),
  json_parse: (args, node) => (arity('json_parse', args, 1), (node['function_name'] = 'json'), hint(node, 'json')),
  json_format: template('varchar', 1),
  json_array_length: template('jsonArrayLength', 1),
  json_array_contains: template('jsonArrayContains', 2),
  json_size: (args, _node, t) => (arity('json_size', args, 2), t.build('jsonSize', args[0]!, jsonPathArg(args[1]!))),
  // aggregates
  approx_distinct: (args, node) => (arity('approx_distinct', args, 1, 2), (node['children'] = [args[0]!]), (node['function_name'] = 'approx_count_distinct'), node),
  approx_percentile: (args, node) => {
    if (args.length !== 2) throw unsupported('approx_percentile with weights or accuracy is not supported by Lakebox');
    node['function_name'] = 'quantile_disc';
    return node;
  },
  arbitrary: rename('any_value', 1),
  any_value: rename('any_value', 1),
  every: rename('bool_and', 1),
  count_if: (args, node, t) => (arity('count_if', args, 1), transferAggregate(node, t.build('countIf', args[0]!), 'count_if')),
  map_agg: (args, node, t) => (arity('map_agg', args, 2), hint(transferAggregate(node, t.build('mapAgg', args[0]!, args[1]!), 'list'), 'map')),
  // arrays and maps
  cardinality: (args, _node, t) => {
    arity('cardinality', args, 1);
    const type = staticType(args[0]);
    return t.build(type === 'array' ? 'cardinalityArray' : type === 'map' ? 'cardinalityMap' : 'cardinalityAny', args[0]!);
  },
  element_at: template('subscript', 2),
  contains: template('arrayContains', 2),
  array_join: (args, node, t) => {
    arity('array_join', args, 2, 3);
    if (args.length === 3) return t.build('arrayJoinNull', args[0]!, args[1]!, args[2]!);
    node['function_name'] = 'array_to_string';
    return node;
  },
  transform: rename('list_transform', 2),
  filter: rename('list_filter', 2),
  reduce: (args) => {
    arity('reduce', args, 4);
    const reduced = functionCall('list_reduce', [args[0]!, args[2]!, args[1]!]);
    return applyLambda('reduce', args[3], [reduced]);
  },
  // Without a step Trino counts down when start > stop (by one, or by one day for dates).
  sequence: (args, node, t) => {
    arity('sequence', args, 2, 3);
    const isDate = staticType(args[0]) === 'date';
    if (args.length === 2) return hint(t.build(isDate ? 'dateSequence2' : 'sequence2', args[0]!, args[1]!), 'array');
    node['function_name'] = 'generate_series';
    return hint(isDate ? t.build('dateList', node) : node, 'array');
  },
  slice: template('slice', 3),
  array_distinct: template('arrayDistinct', 1),
  array_max: template('arrayMax', 1),
  array_min: template('arrayMin', 1),
  array_position: template('arrayPosition', 2),
  array_remove: template('arrayRemove', 2),
  array_sort: (args, _node, t) => {
    arity('array_sort', args, 1, 2);
    if (args.length === 1) return t.build('arraySort', args[0]!);
    const element = (index: string): AstNode => t.build('subscript', args[0]!, columnRef(index));
    return hint(t.build('arraySortBy', args[0]!, applyLambda('array_sort', args[1], [element('__lb_j'), element('__lb_i')])), 'array');
  },
  any_match: template('anyMatch', 2),
  all_match: template('allMatch', 2),
  none_match: template('noneMatch', 2),
  transform_values: entryLambda('transformValues', 'transform_values'),
  transform_keys: entryLambda('transformKeys', 'transform_keys'),
  map_filter: entryLambda('mapFilter', 'map_filter'),
  zip_with: (args, _node, t) => {
    arity('zip_with', args, 3);
    const element = (i: number): AstNode => functionCall('struct_extract', [columnRef('__lb_x'), constant(i)]);
    return t.build('zipWith', args[0]!, args[1]!, applyLambda('zip_with', args[2], [element(1), element(2)]));
  },
  split_to_map: template('splitToMap', 3),
  regexp_count: template('regexpCount', 2),
  regexp_position: (args, _node, t) => {
    arity('regexp_position', args, 2, 3, 4);
    if (args.length === 2) return t.build('regexpPosition', ...args);
    return t.build('regexpPositionFrom', args[0]!, args[1]!, args[2]!, args[3] ?? constant(1));
  },
  e: template('eulerNumber', 0),
  to_milliseconds: template('intervalMillis', 1),
  array_average: rename('list_avg', 1),
  url_extract_protocol: template('urlProtocol', 1),
  url_extract_host: template('urlHost', 1),
  url_extract_port: template('urlPort', 1),
  url_extract_path: template('urlPath', 1),
  url_extract_query: template('urlQuery', 1),
  url_extract_fragment: template('urlFragment', 1),
  url_extract_parameter: template('urlParameter', 2),
  url_encode: template('urlEncode', 1),
  url_decode: template('urlDecode', 1),
  arrays_overlap: rename('list_has_any', 2),
  zip: rename('list_zip'),
  repeat: template('repeat', 2),
  reverse: (args, node) => (arity('reverse', args, 1), staticType(args[0]) === 'array' ? ((node['function_name'] = 'list_reverse'), hint(node, 'array')) : node),
  // regular expressions
  regexp_like: rename('regexp_matches', 2),
  regexp_extract: (args, _node, t) => (arity('regexp_extract', args, 2, 3), t.build('regexpExtract', args[0]!, args[1]!, args[2] ?? constant(0))),
  regexp_extract_all: rename('regexp_extract_all', 2, 3),
  regexp_replace: (args, _node, t) => {
    arity('regexp_replace', args, 2, 3);
    const replacement = args.length === 2 ? '' : javaReplacementToRe2(constantArg('regexp_replace', 'replacement', args[2]));
    return t.build('regexpReplace', args[0]!, args[1]!, constant(replacement));
  },
  regexp_split: rename('string_split_regex', 2),
  // strings and binary
  strpos: (args, node, t) => (arity('strpos', args, 2, 3), args.length === 2 ? node : t.build('strposInstance', args[0]!, args[1]!, args[2]!)),
  substring: (args, node, t) => substrRewrite(args, node, t),
  substr: (args, node, t) => substrRewrite(args, node, t),
  split: (args, node, t) => (arity('split', args, 2, 3), args.length === 3 ? t.build('splitLimit', args[0]!, args[1]!, args[2]!) : ((node['function_name'] = 'string_split'), node)),
  format: (args, _node, t) => formatCall(args, t),
  typeof: (args, _node, t) => {
    arity('typeof', args, 1);
    const literal = stringConstant(args[0]);
    // Trino types a string literal varchar(n).
    return literal === undefined ? hint(t.build('trinoTypeof', args[0]!), 'varchar') : constant(`varchar(${[...literal].length})`);
  },
  split_part: template('splitPart', 3),
  replace: (args, node, t) => (arity('replace', args, 2, 3), args.length === 2 ? t.build('replace2', args[0]!, args[1]!) : node),
  to_utf8: rename('encode', 1),
  from_utf8: rename('decode', 1),
  codepoint: rename('unicode', 1),
  levenshtein_distance: rename('levenshtein', 2),
  hamming_distance: rename('hamming', 2),
  char_length: rename('length', 1),
  normalize: (args) => {
    arity('normalize', args, 1, 2);
    // The form is a bare keyword (NFC, NFD, NFKC, NFKD), which parses as a column name.
    const names = args[1]?.['column_names'];
    const form = args.length === 1 ? 'nfc' : Array.isArray(names) && names.length === 1 ? text(names[0]).toLowerCase() : '';
    if (form !== 'nfc') throw unsupported('normalize: only the NFC form is supported by Lakebox');
    return hint(functionCall('nfc_normalize', [args[0]!]), 'varchar');
  },
  length: (args, node, t) => (arity('length', args, 1), staticType(args[0]) === 'array' || staticType(args[0]) === 'varchar' ? node : t.build('lengthAny', args[0]!)),
  md5: (args, node, t) => (arity('md5', args, 1), t.build('hashBinary', node)),
  sha1: (args, node, t) => (arity('sha1', args, 1), t.build('hashBinary', node)),
  sha256: (args, node, t) => (arity('sha256', args, 1), t.build('hashBinary', node)),
  to_hex: template('toHex', 1),
  from_hex: rename('unhex', 1),
  // math
  nan: template('nan', 0),
  infinity: template('infinity', 0),
  is_nan: rename('isnan', 1),
  is_finite: rename('isfinite', 1),
  is_infinite: rename('isinf', 1),
  rand: (args, node, t) => (args.length === 0 ? ((node['function_name'] = 'random'), node) : t.build('randomN', args[0]!)),
  random: (args, node, t) => (args.length === 0 ? node : t.build('randomN', args[0]!)),
  truncate: rename('trunc', 1),
  bitwise_and: template('bitAnd', 2),
  bitwise_or: template('bitOr', 2),
  bitwise_xor: template('bitXor', 2),
  bitwise_not: template('bitNot', 1),
  ...ZONED_FUNCTIONS,
};

/** Functions whose DuckDB namesake answers differently and that Lakebox does not translate. */
const REFUSED: Readonly<Record<string, string>> = {
  approx_set: 'HyperLogLog functions are not supported by Lakebox',
  merge: 'HyperLogLog functions are not supported by Lakebox',
};

/** Window-function form: only renames apply (the call keeps its OVER clause). */
const WINDOW_RENAMES: Readonly<Record<string, string>> = {
  arbitrary: 'any_value',
  every: 'bool_and',
  approx_distinct: 'approx_count_distinct',
  approx_percentile: 'quantile_disc',
};

export function rewriteFunction(node: AstNode, t: Templates): AstNode {
  if (node['class'] === 'WINDOW') {
    const name = text(node['function_name']).toLowerCase();
    if (REFUSED[name]) throw unsupported(REFUSED[name]);
    if (WINDOW_RENAMES[name]) node['function_name'] = WINDOW_RENAMES[name];
    if (name === 'count_if') return castNode(node, 'BIGINT');
    if (['map_agg', 'histogram', 'greatest', 'least'].includes(name)) throw unsupported(`${name} as a window function is not supported by Lakebox`);
    return node;
  }
  // `extract(f FROM x)` is parsed as main.date_part('f', x).
  const builtin = node['schema'] === '' || (node['schema'] === 'main' && node['function_name'] === 'date_part');
  const name = node['class'] === 'FUNCTION' && node['is_operator'] !== true && builtin ? text(node['function_name']).toLowerCase() : undefined;
  if (!name) return node;
  if (REFUSED[name]) throw unsupported(REFUSED[name]);
  const args = children(node);
  if (name === 'date_part') {
    const field = zoneField(stringConstant(args[0])?.toLowerCase() ?? '', args[1]!);
    if (field) return field;
  }
  const rewriter = FUNCTIONS[name];
  if (!rewriter) return node;
  node['function_name'] = name;
  return rewriter(children(node), node, t);
}
