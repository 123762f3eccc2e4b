/**
 * Trino's `timestamp(3) with time zone` keeps its zone per value (`2020-05-11 11:15:05.055 +01:00`); DuckDB's
 * TIMESTAMPTZ is an instant only. Values carry their zone in the microseconds below Trino's millisecond precision:
 * a TIMESTAMPTZ's `epoch_us % 1000` is an index into ZONES (0 is UTC, so plain UTC instants need no change). The code
 * lives only inside a query: rendering, casts and field functions decode it (the session macros below), and written
 * values drop it.
 */
import { REGION_ZONES } from './zone-names.js';

/** Fixed offsets by quarter hour (±14:00), as Trino writes them; +00:00 is UTC. */
function quarterHourOffsets(): string[] {
  const out: string[] = [];
  for (let m = -14 * 60; m <= 14 * 60; m += 15) {
    if (m === 0) continue;
    const a = Math.abs(m);
    out.push(`${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`);
  }
  return out;
}

/** Code → zone name. Fewer than 1000 entries (the codes are microseconds). */
export const ZONES: readonly string[] = (() => {
  const all: string[] = [];
  const seen = new Set<string>();
  // Unique case-insensitively: names are looked up in lower case.
  for (const z of ['UTC', ...quarterHourOffsets(), ...REGION_ZONES]) {
    if (seen.has(z.toLowerCase())) continue;
    seen.add(z.toLowerCase());
    all.push(z);
  }
  if (all.length > 1000) throw new Error(`too many time zones to encode (${all.length})`);
  return all;
})();

/** Codes 1…OFFSET_CODES are fixed offsets; above are region IDs. */
export const OFFSET_CODES = quarterHourOffsets().length;

const LOWER = new Map(ZONES.map((z, i) => [z.toLowerCase(), i]));

/** A zone's code as lb_zone_code finds it (Z, ±HH, ±HHMM, ±HH:MM, names in any case); UTC for offsets off the quarter hour; undefined if unknown. */
export function zoneCode(zone: string): number | undefined {
  const z = zone.trim();
  if (['Z', 'UTC', '+00:00', '-00:00', '+0000', '+00', 'GMT', 'ETC/UTC', 'ETC/GMT'].includes(z.toUpperCase())) return 0;
  const key = z.replace(/^([+-]\d{2})$/, '$1:00').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2').toLowerCase();
  const code = LOWER.get(key);
  if (code !== undefined) return code;
  return /^[+-]\d{2}(:?\d{2})?$/.test(z) ? 0 : undefined;
}

const sqlList = (items: readonly string[]): string => `[${items.map((z) => `'${z.replaceAll("'", "''")}'`).join(', ')}]`;

/** Zone of a TIMESTAMPTZ's code and its offset from UTC in minutes at that instant (JS side, for rendering). */
export function zoneOfMicros(micros: bigint): { zone: string; instantMs: number; offsetMinutes: number } {
  const code = Number(((micros % 1000n) + 1000n) % 1000n);
  const instantMs = Number((micros - BigInt(code)) / 1000n);
  const zone = ZONES[code] ?? 'UTC';
  if (code === 0) return { zone, instantMs, offsetMinutes: 0 };
  if (code <= OFFSET_CODES) return { zone, instantMs, offsetMinutes: offsetMinutesOf(zone) };
  return { zone, instantMs, offsetMinutes: regionOffsetMinutes(zone, instantMs) };
}

function offsetMinutesOf(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The region's UTC offset at an instant, from Node's ICU. */
function regionOffsetMinutes(zone: string, instantMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instantMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((local - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

/**
 * Session macros (DuckDB), all over TIMESTAMPTZ values `ts`:
 * - lb_zone_code(z): a zone's code (`Z`, `+0100`, `+01` and region IDs in any case accepted; other offsets are UTC);
 * - lb_code(ts), lb_zone(ts): the value's code and zone; lb_instant(ts): the instant without the code;
 * - lb_zoned(instant, zone): the instant (any TIMESTAMPTZ, truncated to milliseconds) in that zone;
 * - lb_local(ts): its wall-clock time in its zone (a TIMESTAMP); lb_offset_minutes(ts): its zone's UTC offset then;
 * - lb_from_local(t, zone): the instant whose wall-clock time in `zone` is the TIMESTAMP t;
 * - lb_tz_local(x), lb_tz_instant(x): for an argument of any type, the wall-clock time / instant of a TIMESTAMPTZ (x
 *   itself otherwise; a plain timestamp is a UTC instant). typeof() is folded when a query is bound.
 */
export function zonedSessionMacros(): string[] {
  // The names live in two ENUM types (code = enum index), so no expression carries the list itself.
  const names = 'NULL::memory.main.lb_zones';
  const offsetKey =
    "regexp_replace(regexp_replace(z, '^([+-]\\d{2})$', '\\1:00'), '^([+-]\\d{2})(\\d{2})$', '\\1:\\2')";
  // Each argument is bound once (a lambda over a one-element list): macros expand inline, and nesting them with their
  // arguments repeated would grow the expression exponentially.
  const bind = (value: string, name: string, body: string): string => `list_transform([${value}], ${name} -> ${body})[1]`;
  const N = OFFSET_CODES;
  return [
    `CREATE TYPE memory.main.lb_zones AS ENUM (${sqlList(ZONES).slice(1, -1)})`,
    `CREATE TYPE memory.main.lb_zones_lower AS ENUM (${sqlList(ZONES.map((z) => z.toLowerCase())).slice(1, -1)})`,
    `CREATE OR REPLACE TEMP MACRO lb_zone_name(c) AS CAST(enum_range(${names})[c + 1] AS VARCHAR)`,
    `CREATE OR REPLACE TEMP MACRO lb_zone_key(z) AS ${bind('z', '__z', `CASE WHEN upper(__z) IN ('Z', 'UTC', '+00:00', '-00:00', '+0000', '+00', 'GMT', 'ETC/UTC', 'ETC/GMT') THEN 'utc' ELSE lower(${offsetKey.replaceAll('z,', '__z,')}) END`)}`,
    `CREATE OR REPLACE TEMP MACRO lb_zone_code(z) AS ${bind('z', '__z', bind('enum_code(TRY_CAST(lb_zone_key(__z) AS memory.main.lb_zones_lower))', '__p',
      `CASE WHEN __z IS NULL THEN NULL WHEN __p IS NOT NULL THEN CAST(__p AS INTEGER) WHEN regexp_full_match(__z, '[+-]\\d{2}(:?\\d{2})?') THEN 0 ` +
        `ELSE error('INVALID_FUNCTION_ARGUMENT: Time zone not supported: ' || __z) END`))}`,
    'CREATE OR REPLACE TEMP MACRO lb_code(ts) AS CAST(((epoch_us(ts) % 1000) + 1000) % 1000 AS INTEGER)',
    'CREATE OR REPLACE TEMP MACRO lb_zone(ts) AS lb_zone_name(lb_code(ts))',
    `CREATE OR REPLACE TEMP MACRO lb_instant(ts) AS ${bind('epoch_us(ts)', '__u', 'CAST(make_timestamp(__u - (((__u % 1000) + 1000) % 1000)) AS TIMESTAMPTZ)')}`,
    // A constant zone's code is found by the translation (zoneCode), so the expression stays foldable.
    `CREATE OR REPLACE TEMP MACRO lb_zoned_at(i, code) AS ${bind('epoch_us(i)', '__u', 'CAST(make_timestamp(__u - (((__u % 1000) + 1000) % 1000) + code) AS TIMESTAMPTZ)')}`,
    'CREATE OR REPLACE TEMP MACRO lb_zoned(i, z) AS lb_zoned_at(i, lb_zone_code(z))',
    `CREATE OR REPLACE TEMP MACRO lb_offset_of(name) AS ${bind('name', '__n', "(CASE WHEN starts_with(__n, '-') THEN -1 ELSE 1 END) * (CAST(substr(__n, 2, 2) AS INTEGER) * 60 + CAST(substr(__n, 5, 2) AS INTEGER))")}`,
    `CREATE OR REPLACE TEMP MACRO lb_local(ts) AS ${bind('ts', '__t', bind('lb_code(__t)', '__c', bind('lb_instant(__t)', '__i',
      `CASE WHEN __c = 0 THEN CAST(__i AS TIMESTAMP) WHEN __c <= ${N} THEN CAST(__i AS TIMESTAMP) + to_minutes(lb_offset_of(lb_zone_name(__c))) ` +
        `ELSE timezone(CASE WHEN __c > ${N} THEN lb_zone_name(__c) ELSE 'UTC' END, __i) END`)))}`,
    `CREATE OR REPLACE TEMP MACRO lb_offset_minutes(ts) AS ${bind('ts', '__t', 'CAST((epoch_ms(lb_local(__t)) - epoch_ms(lb_instant(__t))) // 60000 AS BIGINT)')}`,
    `CREATE OR REPLACE TEMP MACRO lb_from_local(t, z) AS ${bind('t', '__t', bind('lb_zone_code(z)', '__c',
      `CASE WHEN __c = 0 THEN CAST(__t AS TIMESTAMPTZ) WHEN __c <= ${N} THEN CAST(__t AS TIMESTAMPTZ) - to_minutes(lb_offset_of(lb_zone_name(__c))) ` +
        `ELSE timezone(CASE WHEN __c > ${N} THEN lb_zone_name(__c) ELSE 'UTC' END, CAST(__t AS TIMESTAMP)) END`))}`,
    `CREATE OR REPLACE TEMP MACRO lb_tz_local(x) AS ${bind('x', '__x', "CASE WHEN typeof(__x) = 'TIMESTAMP WITH TIME ZONE' THEN lb_local(CAST(__x AS TIMESTAMPTZ)) ELSE __x END")}`,
    `CREATE OR REPLACE TEMP MACRO lb_tz_offset_minutes(x) AS ${bind('x', '__x', "CASE WHEN typeof(__x) = 'TIMESTAMP WITH TIME ZONE' THEN lb_offset_minutes(CAST(__x AS TIMESTAMPTZ)) ELSE CAST(0 AS BIGINT) END")}`,
    // Trino truncates toward zero: -05:30 is hour -5, minute -30.
    'CREATE OR REPLACE TEMP MACRO lb_tz_hour(x) AS CAST(trunc(lb_tz_offset_minutes(x) / 60.0) AS BIGINT)',
    'CREATE OR REPLACE TEMP MACRO lb_tz_minute(x) AS CAST(lb_tz_offset_minutes(x) % 60 AS BIGINT)',
    // from_iso8601_timestamp: the offset written after the time (Z is UTC; none is the session zone, UTC).
    `CREATE OR REPLACE TEMP MACRO lb_iso_zoned(s) AS ${bind('s', '__s', "lb_zoned(CAST(__s AS TIMESTAMPTZ), coalesce(nullif(regexp_extract(__s, '[T ][0-9:.,]+([Zz]|[+-]\\d{2}(:?\\d{2})?)$', 1), ''), 'UTC'))")}`,
    `CREATE OR REPLACE TEMP MACRO lb_tz_instant(x) AS ${bind('x', '__x', "CASE WHEN typeof(__x) = 'TIMESTAMP WITH TIME ZONE' THEN lb_instant(CAST(__x AS TIMESTAMPTZ)) ELSE CAST(__x AS TIMESTAMPTZ) END")}`,
  ];
}
