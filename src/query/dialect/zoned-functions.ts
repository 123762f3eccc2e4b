/**
 * Trino's functions of `timestamp with time zone` values over the zone-carrying TIMESTAMPTZ of zoned-timestamps.ts:
 * the producers (from_iso8601_timestamp, AT TIME ZONE / at_timezone, with_timezone, from_unixtime, parse_datetime,
 * current_timestamp, zoned literals) give each value its zone, and the field functions and casts read the wall-clock
 * time in that zone.
 */
import { castNode, constant, functionCall, integerConstant, isNode, stringConstant, text, type AstNode, type AstValue } from './ast.js';
import { unsupported } from './errors.js';
import { arity, type Rewriter } from './function-rewriters.js';
import { hint } from './static-types.js';
import { zoneCode } from './zoned-timestamps.js';

/** `instant` (a TIMESTAMPTZ) in `zone`: the code is found now for a constant zone, else at run time. */
export function zonedAt(instant: AstNode, zone: AstNode): AstNode {
  const name = stringConstant(zone);
  const code = name === undefined ? undefined : zoneCode(name);
  const out = code === undefined ? functionCall('lb_zoned', [instant, zone]) : functionCall('lb_zoned_at', [instant, constant(code)]);
  return hint(out, 'timestamp');
}

/**
 * DuckDB functions (as the translation leaves them) whose argument at the index given is read as wall-clock time: for
 * a zoned value, its time in its zone (typed-rewrites.ts applies this once the engine has typed the argument).
 */
export const LOCAL_TIME_ARGUMENT: ReadonlyMap<string, number> = new Map([
  ...['year', 'quarter', 'month', 'week', 'weekofyear', 'day', 'dayofmonth', 'isodow', 'dayofweek', 'dayofyear', 'isoyear', 'yearweek'].map((n) => [n, 0] as const),
  ...['hour', 'minute', 'second', 'millisecond', 'microsecond', 'last_day', 'strftime'].map((n) => [n, 0] as const),
  ['date_part', 1],
  ['datepart', 1],
]);

/** A zoned value read as its wall-clock time in its zone (a TIMESTAMP). */
export const localTime = (x: AstNode): AstNode => functionCall('lb_local', [x]);

export const ZONED_FUNCTIONS: Readonly<Record<string, Rewriter>> = {
  from_iso8601_timestamp: (args) => (arity('from_iso8601_timestamp', args, 1), hint(functionCall('lb_iso_zoned', [args[0]!]), 'timestamp')),
  at_timezone: (args) => (arity('at_timezone', args, 2), zonedAt(functionCall('lb_tz_instant', [args[0]!]), args[1]!)),
  with_timezone: (args) => (arity('with_timezone', args, 2), zonedAt(functionCall('lb_from_local', [args[0]!, args[1]!]), args[1]!)),
  from_unixtime: (args) => {
    arity('from_unixtime', args, 1, 2, 3);
    const instant = functionCall('to_timestamp', [args[0]!]);
    if (args.length === 1) return zonedAt(instant, constant('UTC'));
    if (args.length === 2) return zonedAt(instant, args[1]!);
    // from_unixtime(x, hours, minutes): a fixed offset.
    const [h, m] = [integerConstant(args[1]), integerConstant(args[2])];
    if (h === undefined || m === undefined) throw unsupported('from_unixtime(x, hours, minutes) needs constant hours and minutes in Lakebox');
    // As Trino computes it: hours × 60 + minutes (-5, 30 is -04:30).
    const total = h * 60 + m;
    const a = Math.abs(total);
    return zonedAt(instant, constant(`${total < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`));
  },
  now: (args) => (arity('now', args, 0), zonedAt(functionCall('now', []), constant('UTC'))),
  to_unixtime: (args) => (arity('to_unixtime', args, 1), hint(functionCall('epoch', [functionCall('lb_tz_instant', [args[0]!])]), 'double')),
  timezone_hour: (args) => (arity('timezone_hour', args, 1), functionCall('lb_tz_hour', [args[0]!])),
  timezone_minute: (args) => (arity('timezone_minute', args, 1), functionCall('lb_tz_minute', [args[0]!])),
};

/** extract(TIMEZONE_HOUR FROM x) / extract(TIMEZONE_MINUTE FROM x), or undefined for other fields. */
export function zoneField(field: string, x: AstNode): AstNode | undefined {
  if (field === 'timezone_hour') return functionCall('lb_tz_hour', [x]);
  if (field === 'timezone_minute') return functionCall('lb_tz_minute', [x]);
  return undefined;
}

/** `current_timestamp`: now, in UTC, at Trino's millisecond precision (a code of 0). */
export const currentTimestamp = (): AstNode => zonedAt(functionCall('now', []), constant('UTC'));

/** A `TIMESTAMP '… zone'` literal: the wall-clock time in that zone. Undefined when `text` has no zone. */
export function zonedLiteral(value: string): AstNode | undefined {
  const m = /^(.*\d)\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_/+-]*)$/.exec(value.trim());
  if (!m) return undefined;
  const zone = constant(m[2]!);
  return zonedAt(functionCall('lb_from_local', [castNode(constant(m[1]!.replace('T', ' ')), 'TIMESTAMP'), zone]), zone);
}

/** Trino calls (and forms) that make zoned values other than UTC ones. */
const ZONED_SOURCES = new Set(['from_iso8601_timestamp', 'at_timezone', 'with_timezone', 'from_unixtime', 'timezone']);

/**
 * Whether an untranslated query makes zoned values in a zone other than UTC (AT TIME ZONE arrives as main.timezone,
 * zoned literals as casts to TIMESTAMP WITH TIME ZONE). Where none can appear, casts to varchar skip the zoned
 * rendering, which costs the engine some milliseconds to bind.
 */
export function writesZonedValues(value: AstValue): boolean {
  if (Array.isArray(value)) return value.some(writesZonedValues);
  if (!isNode(value)) return false;
  if (value['class'] === 'FUNCTION' && ZONED_SOURCES.has(text(value['function_name']).toLowerCase())) return true;
  if (value['class'] === 'CAST' && isNode(value['cast_type']) && value['cast_type']['id'] === 'TIMESTAMP WITH TIME ZONE') return true;
  return Object.values(value).some(writesZonedValues);
}
