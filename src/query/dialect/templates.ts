/** DuckDB SQL expression templates (`$0`, `$1` = arguments), parsed once per parser through the same port. */
import { isNode, substitute, type AstNode } from './ast.js';
import type { SqlParserPort } from './parser-port.js';

/** RFC 2396's URI regex (appendix B): 2 scheme, 4 authority, 5 path, 7 query, 9 fragment. */
const URI_PARTS = "'^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?'";
/** What java.net.URI refuses (Trino's URL functions then answer NULL): blanks, unsafe characters, bad escapes, a second `#`. */
const URI_INVALID = "'[\\x00-\\x20\"<>\\\\^`{|}]|%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)|#.*#'";
/** A bad `%` escape, which Java's URLDecoder refuses. */
const BAD_ESCAPE = "'%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)'";
const uriPart = (group: number): string => `regexp_extract($0, ${URI_PARTS}, ${group})`;
/** A URL function's answer: NULL for a URL java.net.URI cannot parse, else `value` (an absent part is ''). */
const ifValidUri = (value: string): string => `CASE WHEN regexp_matches($0, ${URI_INVALID}) THEN NULL ELSE ${value} END`;

/**
 * CAST(x AS varchar) as Trino writes it. A double as Java's Double.toString: plain for 1e-3 <= |x| < 1e7, else
 * d.dddEn (DuckDB's text has the same shortest digits in another layout). A timestamp with milliseconds, a zoned one
 * as `zoneBranch` writes it. Every branch works on DuckDB's text, so it binds for any type; typeof() is folded when bound.
 */
const trinoVarcharOf = (zoneBranch: string): string =>
    "CASE WHEN typeof($0) IN ('TIMESTAMP', 'TIMESTAMP_MS', 'TIMESTAMP_S', 'TIMESTAMP_NS') THEN (CASE WHEN contains(CAST($0 AS VARCHAR), '.') THEN rpad(left(CAST($0 AS VARCHAR), 23), 23, '0') ELSE CAST($0 AS VARCHAR) || '.000' END) " +
    zoneBranch +
    "WHEN typeof($0) <> 'DOUBLE' THEN CAST($0 AS VARCHAR) WHEN CAST($0 AS VARCHAR) IN ('inf', '-inf', 'nan') THEN " +
    "(CASE CAST($0 AS VARCHAR) WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' ELSE 'NaN' END) " +
    "WHEN NOT contains(CAST($0 AS VARCHAR), 'e') AND length(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1)) <= 7 AND (split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1) <> '0' OR NOT starts_with(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2), '000') OR split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2) = '0') THEN CAST($0 AS VARCHAR) " +
    "ELSE (CASE WHEN starts_with(CAST($0 AS VARCHAR), '-') THEN '-' ELSE '' END) || (CASE " +
    "WHEN contains(CAST($0 AS VARCHAR), 'e') THEN regexp_replace(regexp_replace(ltrim(CAST($0 AS VARCHAR), '-'), '^(\\d+)e', '\\1.0e'), 'e\\+?(-?)0*(\\d+)$', 'E\\1\\2') " +
    "WHEN split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1) <> '0' THEN left(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1), 1) || '.' || coalesce(nullif(rtrim(substr(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1), 2) || split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2), '0'), ''), '0') || 'E' || CAST(length(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 1)) - 1 AS VARCHAR) " +
    "ELSE left(ltrim(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2), '0'), 1) || '.' || coalesce(nullif(substr(ltrim(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2), '0'), 2), ''), '0') " +
    "|| 'E-' || CAST(length(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2)) - length(ltrim(split_part(ltrim(CAST($0 AS VARCHAR), '-'), '.', 2), '0')) + 1 AS VARCHAR) END) END";

/** A zoned value's text when the query makes only UTC ones: DuckDB's UTC text at milliseconds, ' UTC'. */
const UTC_TEXT =
    "WHEN typeof($0) = 'TIMESTAMP WITH TIME ZONE' THEN (CASE WHEN contains(regexp_replace(CAST($0 AS VARCHAR), '\\+00(:00)?$', ''), '.') THEN rpad(left(regexp_replace(CAST($0 AS VARCHAR), '\\+00(:00)?$', ''), 23), 23, '0') ELSE regexp_replace(CAST($0 AS VARCHAR), '\\+00(:00)?$', '') || '.000' END) || ' UTC' ";

/** A zoned value's wall-clock time in its zone and the zone's name (zoned-timestamps.ts). */
const ZONED_TEXT =
    "WHEN typeof($0) = 'TIMESTAMP WITH TIME ZONE' THEN strftime(lb_local(CAST($0 AS TIMESTAMPTZ)), '%Y-%m-%d %H:%M:%S.%g') || ' ' || lb_zone(CAST($0 AS TIMESTAMPTZ)) ";

/** The elements of `list` (an SQL list expression) that are first of their value and satisfy `keep`, in order. */
const firstSeen = (list: string, keep = 'true'): string => `list_filter(${list}, (__lb_e, __lb_i) -> list_position(${list}, __lb_e) = __lb_i AND ${keep})`;

/** A map of the (k, v) structs of `pairs` grouped by key: keys in first-seen order, each key's values in order. */
const groupedByKey = (pairs: string): string =>
  `map_from_entries(list_transform(${firstSeen(`list_transform(${pairs}, __lb_x -> __lb_x.k)`)}, ` +
  `__lb_k -> struct_pack(key := __lb_k, value := list_transform(list_filter(${pairs}, __lb_x -> __lb_x.k = __lb_k), __lb_x -> __lb_x.v))))`;

/** Lambda parameters use `__lb_` names so they cannot capture user columns. */
export const TEMPLATES = {
  concat: '($0 || $1)',
  nullGuard: 'CASE WHEN $0 IS NULL THEN NULL ELSE $1 END',
  subscript: '$0[$1]',
  date: 'CAST($0 AS DATE)',
  dateList: 'CAST($0 AS DATE[])',
  varchar: 'CAST($0 AS VARCHAR)',
  double: 'CAST($0 AS DOUBLE)',
  nan: "CAST('nan' AS DOUBLE)",
  infinity: "CAST('infinity' AS DOUBLE)",
  jsonExtractScalar: "CASE WHEN json_type($0, $1) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string($0, $1) END",
  jsonArrayLength: "CASE WHEN json_type($0) = 'ARRAY' THEN CAST(json_array_length($0) AS BIGINT) END",
  jsonSize:
    "CASE WHEN json_type($0, $1) IS NULL THEN NULL WHEN json_type($0, $1) = 'ARRAY' THEN CAST(json_array_length($0, $1) AS BIGINT) WHEN json_type($0, $1) = 'OBJECT' THEN CAST(len(json_keys($0, $1)) AS BIGINT) ELSE CAST(0 AS BIGINT) END",
  jsonArrayContains: "CASE WHEN json_type($0) = 'ARRAY' THEN list_contains(CAST(json_extract($0, '$[*]') AS VARCHAR[]), CAST(to_json($1) AS VARCHAR)) END",
  jsonToVarchar: "json_extract_string($0, '$')",
  cardinalityArray: 'CAST(len($0) AS BIGINT)',
  cardinalityMap: 'CAST(cardinality($0) AS BIGINT)',
  cardinalityAny:
    "CASE json_type(to_json($0)) WHEN 'ARRAY' THEN CAST(json_array_length(to_json($0)) AS BIGINT) ELSE CAST(len(json_keys(to_json($0))) AS BIGINT) END",
  arrayJoinNull: 'array_to_string(list_transform($0, __lb_e -> coalesce(CAST(__lb_e AS VARCHAR), $2)), $1)',
  sequence2: 'generate_series($0, $1, CASE WHEN $0 <= $1 THEN 1 ELSE -1 END)',
  dateSequence2: 'CAST(generate_series($0, $1, CASE WHEN $0 <= $1 THEN to_days(1) ELSE to_days(-1) END) AS DATE[])',
  slice: 'CASE WHEN $1 > 0 THEN list_slice($0, $1, $1 + $2 - 1) ELSE list_slice($0, len($0) + $1 + 1, len($0) + $1 + $2) END',
  arrayDistinct: firstSeen('$0'),
  arrayMax: 'CASE WHEN len(list_filter($0, __lb_e -> __lb_e IS NULL)) > 0 THEN NULL ELSE list_max($0) END',
  arrayMin: 'CASE WHEN len(list_filter($0, __lb_e -> __lb_e IS NULL)) > 0 THEN NULL ELSE list_min($0) END',
  arrayPosition: 'CASE WHEN $0 IS NULL THEN NULL ELSE CAST(coalesce(list_position($0, $1), 0) AS BIGINT) END',
  arrayRemove: 'list_filter($0, __lb_e -> __lb_e IS DISTINCT FROM $1)',
  // Trino's contains: true when found, else NULL if the array holds a NULL (the element might be it), else false.
  arrayContains: 'CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL WHEN list_contains($0, $1) THEN true WHEN list_contains(list_transform($0, __lb_e -> __lb_e IS NULL), true) THEN NULL ELSE false END',
  arraySort: "list_sort($0, 'ASC', 'NULLS LAST')",
  // array_sort(a, (x, y) -> …): each element's rank is how many sort before it (ties by position), then a sort by
  // rank. $1 is the comparator's body with x as $0[__lb_j] and y as $0[__lb_i]. Quadratic: for arrays of modest size.
  arraySortBy:
    'CASE WHEN $0 IS NULL THEN NULL ELSE list_transform(list_sort(list_transform(range(1, len($0) + 1), __lb_i -> struct_pack(r := ' +
    'len(list_filter(range(1, len($0) + 1), __lb_j -> ($1) < 0 OR (($1) = 0 AND __lb_j < __lb_i))), v := $0[__lb_i]))), __lb_e -> __lb_e.v) END',
  // Trino's length: characters of a varchar, bytes of a varbinary (DuckDB's length takes no BLOB). typeof() is folded
  // when the query is bound, so only one branch remains.
  lengthAny: "CASE WHEN typeof($0) = 'BLOB' THEN octet_length(CAST($0 AS BLOB)) ELSE length(CAST($0 AS VARCHAR)) END",
  // Trino's three-valued array predicates: a decisive element wins, else any NULL makes the answer NULL.
  anyMatch:
    'CASE WHEN $0 IS NULL THEN NULL WHEN len(list_filter(list_transform($0, $1), __lb_e -> __lb_e)) > 0 THEN true ' +
    'WHEN len(list_filter(list_transform($0, $1), __lb_e -> __lb_e IS NULL)) > 0 THEN NULL ELSE false END',
  allMatch:
    'CASE WHEN $0 IS NULL THEN NULL WHEN len(list_filter(list_transform($0, $1), __lb_e -> NOT __lb_e)) > 0 THEN false ' +
    'WHEN len(list_filter(list_transform($0, $1), __lb_e -> __lb_e IS NULL)) > 0 THEN NULL ELSE true END',
  noneMatch:
    'CASE WHEN $0 IS NULL THEN NULL WHEN len(list_filter(list_transform($0, $1), __lb_e -> __lb_e)) > 0 THEN false ' +
    'WHEN len(list_filter(list_transform($0, $1), __lb_e -> __lb_e IS NULL)) > 0 THEN NULL ELSE true END',
  repeat: 'list_transform(range(CAST($1 AS BIGINT)), __lb_e -> $0)',
  mapAgg:
    'map_from_entries(list_filter(list(struct_pack(key := $0, value := $1)) FILTER (WHERE $0 IS NOT NULL), (__lb_e, __lb_i) -> list_position(list_transform(list(struct_pack(key := $0, value := $1)) FILTER (WHERE $0 IS NOT NULL), __lb_x -> __lb_x.key), __lb_e.key) = __lb_i))',
  countIf: 'CAST(count_if($0) AS BIGINT)',
  regexpExtract: 'CASE WHEN regexp_matches($0, $1) THEN regexp_extract($0, $1, $2) END',
  regexpReplace: "regexp_replace($0, $1, $2, 'g')",
  substrFrom: "CASE WHEN $1 = 0 THEN '' WHEN $1 < 0 AND -$1 > length($0) THEN '' ELSE substr($0, $1) END",
  substrFromFor: "CASE WHEN $1 = 0 THEN '' WHEN $1 < 0 AND -$1 > length($0) THEN '' ELSE substr($0, $1, $2) END",
  splitPart: 'CASE WHEN $2 > len(string_split($0, $1)) THEN NULL ELSE split_part($0, $1, $2) END',
  replace2: "replace($0, $1, '')",
  hashBinary: 'unhex($0)',
  toHex: 'upper(hex($0))',
  millisecond: 'millisecond($0) % 1000',
  randomN: 'CAST(floor(random() * $0) AS BIGINT)',
  bitAnd: '($0 & $1)',
  bitOr: '($0 | $1)',
  bitXor: 'xor($0, $1)',
  bitNot: '(~$0)',
  // Trino's to_iso8601: a date as yyyy-MM-dd; a timestamp with milliseconds; a zoned one in its zone, with its offset (Z for 0).
  toIso8601:
    "CASE typeof($0) WHEN 'DATE' THEN strftime(CAST($0 AS DATE), '%Y-%m-%d') " +
    "WHEN 'TIMESTAMP WITH TIME ZONE' THEN strftime(lb_local(CAST($0 AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%g') || (CASE WHEN lb_offset_minutes(CAST($0 AS TIMESTAMPTZ)) = 0 THEN 'Z' ELSE " +
    "(CASE WHEN lb_offset_minutes(CAST($0 AS TIMESTAMPTZ)) < 0 THEN '-' ELSE '+' END) || lpad(CAST(abs(lb_offset_minutes(CAST($0 AS TIMESTAMPTZ))) // 60 AS VARCHAR), 2, '0') || ':' || " +
    "lpad(CAST(abs(lb_offset_minutes(CAST($0 AS TIMESTAMPTZ))) % 60 AS VARCHAR), 2, '0') END) " +
    "ELSE strftime(CAST($0 AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END",
  currentTimezone: "current_setting('TimeZone')",
  ordinality: 'unnest(range(1, $0 + 1))',
  unnestItem: 'unnest($0)',
  unnestEntries: 'unnest(map_entries($0))',
  // unnest() of a struct expands its fields, named or not (`__lb_u.*` refuses a ROW(…) without field names).
  unnestRows: '(SELECT unnest(__lb_u) FROM (SELECT $0 AS __lb_u))',
  // The rows of a list ($0: an array of rows, or a map's entries) with their 1-based position: two unnests of the same
  // length in one select list advance together.
  unnestRowsOrdinal: '(SELECT unnest(__lb_u), __lb_o FROM (SELECT unnest($0) AS __lb_u, unnest(range(1, len($0) + 1)) AS __lb_o))',
  mapEntries: 'map_entries($0)',
  lateralZip: '(SELECT 1)',
  // Map and array functions taking (key, value) / (x, y) lambdas; $1 is the lambda body over __lb_x's fields.
  transformValues: 'map_from_entries(list_transform(map_entries($0), __lb_x -> struct_pack(key := __lb_x.key, value := $1)))',
  transformKeys: 'map_from_entries(list_transform(map_entries($0), __lb_x -> struct_pack(key := $1, value := __lb_x.value)))',
  mapFilter: 'map_from_entries(list_filter(map_entries($0), __lb_x -> $1))',
  zipWith: 'CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE list_transform(list_zip($0, $1), __lb_x -> $2) END',
  // Trino's split_to_map: a trailing entry delimiter ends the string; every entry needs exactly one key-value delimiter.
  splitToMap:
    "CASE WHEN $0 IS NULL THEN NULL WHEN $0 = '' THEN map_from_entries(CAST([] AS STRUCT(key VARCHAR, value VARCHAR)[])) ELSE " +
    "map_from_entries(list_transform(string_split(CASE WHEN ends_with($0, $1) THEN left($0, length($0) - length($1)) ELSE $0 END, $1), " +
    "__lb_e -> CASE WHEN len(string_split(__lb_e, $2)) <> 2 THEN error('INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. Bad input: ''' || __lb_e || '''') " +
    'ELSE struct_pack(key := split_part(__lb_e, $2, 1), value := split_part(__lb_e, $2, 2)) END)) END',
  // CAST(x AS varchar) as Trino writes it (see trinoVarcharOf); the zoned form binds its zone macros, which costs
  // the engine milliseconds, so it is used only by queries that make zoned values.
  trinoVarchar: trinoVarcharOf(UTC_TEXT),
  trinoVarcharZoned: trinoVarcharOf(ZONED_TEXT),
  // format()'s %s: Java prints a null argument as "null".
  javaString: "coalesce(CAST($0 AS VARCHAR), 'null')",
  // format()'s %b: false for NULL and for the boolean false, true for anything else.
  javaBoolean: "CASE WHEN $0 IS NULL OR CAST($0 AS VARCHAR) = 'false' THEN 'false' ELSE 'true' END",
  // Trino's typeof: DuckDB's type name in Trino's spelling (row, array(…), real, varbinary, timestamp(3), unknown);
  // HUGEINT is bigint, as the results of integer sums (DuckDB's type for them) are reported.
  trinoTypeof:
    "regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(lower(replace(replace(replace(replace(replace(replace(typeof($0), 'HUGEINT', 'BIGINT'), " +
    "'TIMESTAMP WITH TIME ZONE', '__lb_tstz'), 'STRUCT(', 'row('), 'FLOAT', 'real'), 'BLOB', 'varbinary'), 'INTERVAL', 'interval day to second')), " +
    "'\\btimestamp(_ms|_s|_ns)?\\b', 'timestamp(3)', 'g'), '\\btime\\b', 'time(3)', 'g'), '__lb_tstz', 'timestamp(3) with time zone', 'g'), '^\"?null\"?$', 'unknown'), " +
    "'([a-z0-9_]+(\\([^()]*\\))?)\\[\\]', 'array(\\1)', 'g'), '([a-z0-9_]+(\\([^()]*\\))?)\\[\\]', 'array(\\1)', 'g'), '([a-z0-9_]+(\\([^()]*\\))?)\\[\\]', 'array(\\1)', 'g')",
  // strpos(s, sub, n): the n-th (overlapping) occurrence, from the end when n < 0; 0 when there is none.
  strposInstance:
    "CASE WHEN $0 IS NULL OR $1 IS NULL OR $2 IS NULL THEN NULL WHEN $2 = 0 THEN error('INVALID_FUNCTION_ARGUMENT: ''instance'' must be a positive or negative number.') " +
    'WHEN length($1) = 0 THEN CAST(1 AS BIGINT) ' +
    'ELSE CAST(coalesce(list_filter(range(1, length($0) + 1), __lb_i -> substr($0, __lb_i, length($1)) = $1)[$2], 0) AS BIGINT) END',
  // split(s, d, limit): at most `limit` pieces, the last holding the rest of the string.
  splitLimit:
    "CASE WHEN $2 <= 0 THEN error('INVALID_FUNCTION_ARGUMENT: Limit must be positive') WHEN len(string_split($0, $1)) <= $2 THEN string_split($0, $1) " +
    'ELSE list_append(string_split($0, $1)[1:$2 - 1], array_to_string(string_split($0, $1)[$2:], $1)) END',
  regexpCount: 'CAST(len(regexp_extract_all($0, $1)) AS BIGINT)',
  // 1-based character position of the leftmost match (an anchored lazy prefix finds it), -1 without one.
  // From 1-based position $2, the $3-th match: the text before it is the lazy prefix holding $3 - 1 matches.
  regexpPositionFrom:
    "CASE WHEN $2 < 1 THEN error('INVALID_FUNCTION_ARGUMENT: start position cannot be smaller than 1') " +
    "WHEN $3 < 1 THEN error('INVALID_FUNCTION_ARGUMENT: occurrence cannot be smaller than 1') " +
    "WHEN regexp_matches(substr($0, $2), '^(?s:((?:.*?(?:' || $1 || ')){' || ($3 - 1) || '}.*?))(?:' || $1 || ')') " +
    "THEN CAST($2 + length(regexp_extract(substr($0, $2), '^(?s:((?:.*?(?:' || $1 || ')){' || ($3 - 1) || '}.*?))(?:' || $1 || ')', 1)) AS INTEGER) " +
    'ELSE CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE -1 END END',
  regexpPosition: "CASE WHEN regexp_matches($0, $1) THEN CAST(length(regexp_extract($0, '^(?s:(.*?))(?:' || $1 || ')', 1)) + 1 AS INTEGER) ELSE CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE -1 END END",
  eulerNumber: 'exp(1)',
  // Trino fails an exact division or modulus by zero (DIVISION_BY_ZERO); DuckDB answers NULL. typeof() is folded at
  // bind time, so the result keeps the division's type, and a floating-point one is left as it is.
  divide: "CASE WHEN $1 = 0 AND typeof($0 / $1) NOT IN ('DOUBLE', 'FLOAT') THEN error('Division by zero') ELSE $0 / $1 END",
  modulo: "CASE WHEN $1 = 0 AND typeof($0 % $1) NOT IN ('DOUBLE', 'FLOAT') THEN error('Division by zero') ELSE $0 % $1 END",
  intervalMillis: 'CAST(round(epoch($0) * 1000) AS BIGINT)',
  // Trino's URL functions (java.net.URI): path, query and fragment come percent-decoded, the protocol and host as
  // written; the port is NULL when absent; a parameter's value is form-decoded (`+` is a space), '' without `=`.
  urlProtocol: ifValidUri(uriPart(2)),
  urlHost: ifValidUri(`regexp_extract(${uriPart(4)}, '^([^@]*@)?(\\[[^\\]]*\\]|[^:]*)', 2)`),
  urlPort: ifValidUri(`TRY_CAST(NULLIF(regexp_extract(${uriPart(4)}, ':([0-9]+)$', 1), '') AS BIGINT)`),
  urlPath: ifValidUri(`url_decode(${uriPart(5)})`),
  urlQuery: ifValidUri(`url_decode(${uriPart(7)})`),
  urlFragment: ifValidUri(`url_decode(${uriPart(9)})`),
  urlParameter: ifValidUri(
    `list_transform(list_filter(string_split(${uriPart(7)}, '&'), __lb_e -> split_part(__lb_e, '=', 1) = $1), ` +
      `__lb_e -> CASE WHEN contains(__lb_e, '=') THEN url_decode(replace(substr(__lb_e, strpos(__lb_e, '=') + 1), '+', ' ')) ELSE '' END)[1]`,
  ),
  // Guava's form escaper (Trino): `+` for a space, `*` kept, `~` escaped; DuckDB's url_encode differs in those three.
  urlEncode: "replace(replace(replace(url_encode($0), '%20', '+'), '%2A', '*'), '~', '%7E')",
  urlDecode: `CASE WHEN regexp_matches($0, ${BAD_ESCAPE}) THEN error('INVALID_FUNCTION_ARGUMENT: URLDecoder: Illegal hex characters in escape (%) pattern') ELSE url_decode(replace($0, '+', ' ')) END`,
  // Trino's set functions: distinct elements, in first-seen order (x's, then y's for a union); NULL is an element.
  arrayUnion: `CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE ${firstSeen('list_concat($0, $1)')} END`,
  arrayIntersect: `CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE ${firstSeen('$0', 'coalesce(list_position($1, __lb_e), 0) > 0')} END`,
  arrayExcept: `CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE ${firstSeen('$0', 'coalesce(list_position($1, __lb_e), 0) = 0')} END`,
  arrayToString: 'array_to_string($1, $0)',
  // json_value: a scalar's text (NULL for an object, an array or no match); json_query: the item as JSON text.
  jsonQuery: 'CAST(json_extract($0, $1) AS VARCHAR)',
  jsonExists: 'json_exists($0, $1)',
  // Java's Long.toString(v, radix): lower-case digits, a sign for negatives; Long.parseLong(s, radix) back.
  toBase: "CASE WHEN $0 < 0 THEN '-' || lower(to_base(-$0, $1)) ELSE lower(to_base($0, $1)) END",
  fromBase:
    "CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL WHEN $1 < 2 OR $1 > 36 THEN error('INVALID_FUNCTION_ARGUMENT: Radix must be between 2 and 36') " +
    "WHEN NOT regexp_full_match(lower($0), '[+-]?[0-9a-z]+') OR len(list_filter(string_split(ltrim(lower($0), '+-'), ''), __lb_e -> strpos('0123456789abcdefghijklmnopqrstuvwxyz', __lb_e) > $1)) > 0 " +
    "THEN error('INVALID_FUNCTION_ARGUMENT: Not a valid base-' || $1 || ' number: ' || $0) " +
    "ELSE (CASE WHEN starts_with($0, '-') THEN -1 ELSE 1 END) * list_reduce(list_prepend(CAST(0 AS BIGINT), list_transform(string_split(ltrim(lower($0), '+-'), ''), __lb_e -> CAST(strpos('0123456789abcdefghijklmnopqrstuvwxyz', __lb_e) - 1 AS BIGINT))), (__lb_a, __lb_b) -> __lb_a * $1 + __lb_b) END",
  // width_bucket(x, bound1, bound2, n): 0 below the range, n + 1 above it (bounds may be descending).
  widthBucket:
    "CASE WHEN $3 <= 0 THEN error('INVALID_FUNCTION_ARGUMENT: bucketCount must be greater than 0') WHEN $1 = $2 THEN error('INVALID_FUNCTION_ARGUMENT: bounds cannot equal each other') " +
    'WHEN $1 < $2 THEN (CASE WHEN $0 < $1 THEN CAST(0 AS BIGINT) WHEN $0 >= $2 THEN CAST($3 + 1 AS BIGINT) ELSE CAST(floor(($0 - $1) * $3 / ($2 - $1)) + 1 AS BIGINT) END) ' +
    'ELSE (CASE WHEN $0 > $1 THEN CAST(0 AS BIGINT) WHEN $0 <= $2 THEN CAST($3 + 1 AS BIGINT) ELSE CAST(floor(($1 - $0) * $3 / ($1 - $2)) + 1 AS BIGINT) END) END',
  trimArray:
    "CASE WHEN $1 < 0 OR $1 > len($0) THEN error('INVALID_FUNCTION_ARGUMENT: size must not be negative or exceed the array length') ELSE list_slice($0, 1, len($0) - $1) END",
  ngrams:
    "CASE WHEN $1 <= 0 THEN error('INVALID_FUNCTION_ARGUMENT: N must be positive') WHEN $1 >= len($0) THEN [$0] " +
    'ELSE list_transform(range(1, len($0) - $1 + 2), __lb_i -> list_slice($0, __lb_i, __lb_i + $1 - 1)) END',
  containsSequence:
    'CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL WHEN len($1) = 0 THEN true ' +
    'ELSE len(list_filter(range(1, len($0) - len($1) + 2), __lb_i -> list_slice($0, __lb_i, __lb_i + len($1) - 1) IS NOT DISTINCT FROM $1)) > 0 END',
  toBase64Url: "replace(replace(to_base64($0), '+', '-'), '/', '_')",
  fromBase64Url: "from_base64(rpad(replace(replace($0, '-', '+'), '_', '/'), CAST((length($0) + 3) // 4 * 4 AS INTEGER), '='))",
  shiftLeft: '($0 << $1)',
  shiftRightArithmetic: '($0 >> $1)',
  // Logical: zeros shifted in from the left, on a 64-bit value (Trino's bigint form; DuckDB's >> is arithmetic).
  shiftRightLogical: 'CASE WHEN $1 = 0 THEN CAST($0 AS BIGINT) WHEN $1 >= 64 THEN CAST(0 AS BIGINT) ELSE CAST(((CAST($0 AS HUGEINT) + 18446744073709551616) % 18446744073709551616) >> $1 AS BIGINT) END',
  // Trino's ln/log2/log10/sqrt follow Java's Math: -Infinity at 0, NaN below (DuckDB raises an error).
  ln: "CASE WHEN $0 = 0 THEN CAST('-infinity' AS DOUBLE) WHEN $0 < 0 THEN CAST('nan' AS DOUBLE) ELSE ln($0) END",
  log2: "CASE WHEN $0 = 0 THEN CAST('-infinity' AS DOUBLE) WHEN $0 < 0 THEN CAST('nan' AS DOUBLE) ELSE log2($0) END",
  log10: "CASE WHEN $0 = 0 THEN CAST('-infinity' AS DOUBLE) WHEN $0 < 0 THEN CAST('nan' AS DOUBLE) ELSE log10($0) END",
  sqrt: "CASE WHEN $0 < 0 THEN CAST('nan' AS DOUBLE) ELSE sqrt($0) END",
  // Trino's format_number: the value truncated to a whole number, divided by 1000 up to five times (K M B T Q), shown
  // with up to 2, 1 or 0 decimals (below 10, below 100, else), rounded half up. Lambdas over one-element lists name
  // the intermediate values.
  formatNumber:
    "list_transform([CAST(trunc(CAST($0 AS DOUBLE)) AS DOUBLE)], __lb_a -> list_transform([CASE WHEN abs(__lb_a) >= 1e15 THEN 5 WHEN abs(__lb_a) >= 1e12 THEN 4 " +
    'WHEN abs(__lb_a) >= 1e9 THEN 3 WHEN abs(__lb_a) >= 1e6 THEN 2 WHEN abs(__lb_a) >= 1e3 THEN 1 ELSE 0 END], __lb_k -> list_transform([__lb_a / pow(1000, __lb_k)], ' +
    "__lb_v -> list_transform([printf(CASE WHEN __lb_v < 10 THEN '%.2f' WHEN __lb_v < 100 THEN '%.1f' ELSE '%.0f' END, round(__lb_v, CASE WHEN __lb_v < 10 THEN 2 WHEN __lb_v < 100 THEN 1 ELSE 0 END))], " +
    "__lb_s -> (CASE WHEN contains(__lb_s, '.') THEN rtrim(rtrim(__lb_s, '0'), '.') ELSE __lb_s END) || ['', 'K', 'M', 'B', 'T', 'Q'][__lb_k + 1])[1])[1])[1])[1]",
  // json_array_get(json, i): the i-th element (0-based; negative from the end), NULL past either end or for a non-array.
  jsonArrayGet:
    "CASE WHEN json_type($0) <> 'ARRAY' THEN NULL ELSE json_extract($0, '$[' || (CASE WHEN $1 >= 0 THEN '' ELSE '#' END) || CAST($1 AS VARCHAR) || ']') END",
  isJsonScalar: "json_type(json($0)) NOT IN ('OBJECT', 'ARRAY')",
  // bit_count(x, bits): set bits of x's two's complement in `bits` bits (2–64), x required to fit.
  bitCount:
    "CASE WHEN $1 < 2 OR $1 > 64 THEN error('INVALID_FUNCTION_ARGUMENT: Bits specified in bit_count must be between 2 and 64, got ' || $1) " +
    "WHEN $1 < 64 AND ($0 >= (CAST(1 AS HUGEINT) << ($1 - 1)) OR $0 < -(CAST(1 AS HUGEINT) << ($1 - 1))) THEN error('INVALID_FUNCTION_ARGUMENT: Number must be representable with the bits specified. ' || $0 || ' cannot be represented with ' || $1 || ' bits') " +
    'WHEN $1 = 64 THEN CAST(bit_count(CAST($0 AS BIGINT)) AS BIGINT) ELSE CAST(bit_count(CAST($0 AS BIGINT) & ((CAST(1 AS BIGINT) << $1) - 1)) AS BIGINT) END',
  // array_histogram(a): each non-NULL element's count, in first-seen order.
  arrayHistogram: `map_from_entries(list_transform(${firstSeen('$0', '__lb_e IS NOT NULL')}, __lb_e -> struct_pack(key := __lb_e, value := CAST(len(list_filter($0, __lb_x -> __lb_x = __lb_e)) AS BIGINT))))`,
  // multimap_from_entries(array of (k, v) rows): keys in first-seen order, each key's values in order; a NULL key fails.
  multimapFromEntries:
    "CASE WHEN list_bool_or(list_transform($0, __lb_e -> __lb_e[1] IS NULL)) THEN error('INVALID_FUNCTION_ARGUMENT: map key cannot be null') ELSE " +
    `list_transform([list_transform($0, __lb_r -> struct_pack(k := __lb_r[1], v := __lb_r[2]))], __lb_p -> ${groupedByKey('__lb_p')})[1] END`,
  // split_to_multimap(s, entryDelimiter, keyValueDelimiter): each key's values in order of appearance.
  splitToMultimap:
    "CASE WHEN $0 IS NULL THEN NULL WHEN $0 = '' THEN map_from_entries(CAST([] AS STRUCT(key VARCHAR, value VARCHAR[])[])) ELSE " +
    "list_transform([list_transform(string_split(CASE WHEN ends_with($0, $1) THEN left($0, length($0) - length($1)) ELSE $0 END, $1), " +
    "__lb_e -> CASE WHEN len(string_split(__lb_e, $2)) <> 2 THEN error('INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. Bad input: ''' || __lb_e || '''') " +
    `ELSE struct_pack(k := split_part(__lb_e, $2, 1), v := split_part(__lb_e, $2, 2)) END)], __lb_p -> ${groupedByKey('__lb_p')})[1] END`,
  // map_zip_with(m1, m2, (k, v1, v2) -> …) over the union of keys ($2 is the body over __lb_k and __lb_w.a / __lb_w.b).
  mapZipWith:
    `CASE WHEN $0 IS NULL OR $1 IS NULL THEN NULL ELSE map_from_entries(list_transform(${firstSeen('list_concat(map_keys($0), map_keys($1))')}, ` +
    '__lb_k -> struct_pack(key := __lb_k, value := list_transform([struct_pack(a := $0[__lb_k], b := $1[__lb_k])], __lb_w -> $2)[1]))) END',
  // multimap_agg(k, v): the aggregate's (k, v) pairs grouped by key, values in input order (NULL keys skipped).
  multimapAgg:
    `list_transform([list(struct_pack(k := $0, v := $1)) FILTER (WHERE $0 IS NOT NULL)], __lb_p -> ${groupedByKey('__lb_p')})[1]`,
  // parse_data_size('2.3MB'): bytes as decimal(38,0), units B kB MB … YB in powers of 1024, truncated.
  parseDataSize:
    "CASE WHEN NOT regexp_full_match(trim($0), '\\d+(\\.\\d+)?\\s*(B|kB|MB|GB|TB|PB|EB|ZB|YB)') THEN error('INVALID_FUNCTION_ARGUMENT: Invalid data size: ''' || $0 || '''') " +
    "ELSE CAST(trunc(CAST(regexp_extract(trim($0), '^(\\d+(\\.\\d+)?)', 1) AS DECIMAL(38,10)) * CAST(pow(1024, list_position(['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'], " +
    "regexp_extract(trim($0), '(B|kB|MB|GB|TB|PB|EB|ZB|YB)$', 1)) - 1) AS DECIMAL(38,0))) AS DECIMAL(38,0)) END",
  // luhn_check(digits): the Luhn checksum of a string of digits (other characters fail as in Trino).
  luhnCheck:
    "CASE WHEN $0 IS NULL THEN NULL WHEN NOT regexp_full_match($0, '[0-9]+') THEN error('INVALID_FUNCTION_ARGUMENT: Input contains non-digit characters') " +
    "ELSE list_sum(list_transform(list_reverse(string_split($0, '')), (__lb_d, __lb_i) -> CASE WHEN __lb_i % 2 = 0 THEN " +
    '(CASE WHEN CAST(__lb_d AS INTEGER) * 2 > 9 THEN CAST(__lb_d AS INTEGER) * 2 - 9 ELSE CAST(__lb_d AS INTEGER) * 2 END) ELSE CAST(__lb_d AS INTEGER) END)) % 10 = 0 END',
  // Java's cbrt is exact for perfect cubes (DuckDB's cbrt(27) is 3.0000000000000004).
  cbrt: 'CASE WHEN round(cbrt($0)) * round(cbrt($0)) * round(cbrt($0)) = $0 THEN round(cbrt($0)) ELSE cbrt($0) END',
  // Trino compares a varchar only with a varchar (see string-comparisons.ts). The dead branch is bound, so DuckDB
  // rejects $0 of any other type, and then folded away, so the comparison $1 runs (and is pushed down) as before.
  varcharOnly: '((CASE WHEN false THEN $0 >= CAST(\'\' AS VARCHAR) ELSE true END) AND $1)',
  // Likewise a number compares only with a number: DuckDB has no `+` for VARCHAR, BOOLEAN, TIMESTAMP… and TINYINT.
  numericOnly: '((CASE WHEN false THEN ($0) + CAST(0 AS TINYINT) IS NULL ELSE true END) AND $1)',
} as const;

export type TemplateName = keyof typeof TEMPLATES;

export class Templates {
  private constructor(private readonly parsed: ReadonlyMap<TemplateName, AstNode>) {}

  private static readonly cache = new WeakMap<SqlParserPort, Promise<Templates>>();

  static load(parser: SqlParserPort): Promise<Templates> {
    let loaded = Templates.cache.get(parser);
    if (!loaded) {
      loaded = Templates.parseAll(parser);
      Templates.cache.set(parser, loaded);
      loaded.catch(() => Templates.cache.delete(parser));
    }
    return loaded;
  }

  private static async parseAll(parser: SqlParserPort): Promise<Templates> {
    const names = Object.keys(TEMPLATES) as TemplateName[];
    const sql = `SELECT ${names.map((n) => TEMPLATES[n].replace(/\$(\d)/g, '__lb_arg$1')).join(',\n')}`;
    const result = await parser.parse(sql);
    if (!result.ok) throw new Error(`Lakebox SQL templates failed to parse: ${result.message}`);
    const node = result.statements[0]?.['node'];
    const list = isNode(node) ? node['select_list'] : undefined;
    if (!Array.isArray(list) || list.length !== names.length) throw new Error('Lakebox SQL templates: unexpected parse tree');
    const parsed = new Map<TemplateName, AstNode>();
    names.forEach((name, i) => parsed.set(name, list[i] as AstNode));
    return new Templates(parsed);
  }

  /** A fresh copy of template `name` with `$i` replaced by clones of `args[i]`. */
  build(name: TemplateName, ...args: AstNode[]): AstNode {
    const template = this.parsed.get(name);
    if (!template) throw new Error(`unknown template ${name}`);
    return substitute(template, args);
  }
}
