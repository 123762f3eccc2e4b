/** Timestamp and date parsing for the JSON SerDes: OpenX's formats, java.sql.Timestamp.valueOf, epochs and Joda patterns. */

/** Normalized timestamps are `YYYY-MM-DD HH:MM:SS.ffffff` (UTC wall clock, microseconds); dates `YYYY-MM-DD`. */
export type TimestampParser = (text: string) => string | undefined;

const pad2 = (n: number): string => (n < 10 ? '0' : '') + String(n);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(y: number, mo: number, d: number): boolean {
  return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function formatDate(y: number, mo: number, d: number): string {
  return String(y).padStart(4, '0') + '-' + pad2(mo) + '-' + pad2(d);
}

/** `fraction` is the digits after the decimal point (any length; truncated to microseconds). */
function formatTimestamp(y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string): string {
  return formatDate(y, mo, d) + ' ' + pad2(h) + ':' + pad2(mi) + ':' + pad2(s) + '.' + fraction.slice(0, 6).padEnd(6, '0');
}

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDate: string | undefined;

/** `YYYY-MM-DD` of a UTC epoch day (cached: consecutive records usually share the day); undefined outside years 1..9999. */
function epochDayDate(day: number): string | undefined {
  if (day !== cachedDay) {
    const date = new Date(day * DAY_MS);
    const y = date.getUTCFullYear();
    cachedDate = Number.isNaN(y) || y < 1 || y > 9999 ? undefined : formatDate(y, date.getUTCMonth() + 1, date.getUTCDate());
    cachedDay = day;
  }
  return cachedDate;
}

/** Timestamp from UTC epoch milliseconds plus extra microseconds (0..999); undefined outside years 1..9999. */
function fromEpochMillis(ms: number, extraMicros = 0): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const day = Math.floor(ms / DAY_MS);
  const date = epochDayDate(day);
  if (date === undefined) return undefined;
  let rem = ms - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const micros = (rem - sec * 1000) * 1000 + extraMicros;
  return date + ' ' + pad2(h) + ':' + pad2(mi) + ':' + pad2(sec) + '.' + String(micros).padStart(6, '0');
}

const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** java.sql.Date.valueOf: `yyyy-[m]m-[d]d`, validated against the calendar. */
export function parseDate(text: string): string | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  return validDate(y, mo, d) ? formatDate(y, mo, d) : undefined;
}

const SQL_TS_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})([ T])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z?)$/;

function wallClock(m: RegExpExecArray): string | undefined {
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const h = Number(m[5]), mi = Number(m[6]), s = Number(m[7]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  return formatTimestamp(y, mo, d, h, mi, s, m[8] ?? '');
}

/** java.sql.Timestamp.valueOf: `yyyy-[m]m-[d]d hh:mm:ss[.f…]` (up to 9 fraction digits), calendar-validated. */
export function parseSqlTimestamp(text: string): string | undefined {
  const m = SQL_TS_RE.exec(text);
  return m && m[4] === ' ' && m[9] === '' ? wallClock(m) : undefined;
}

/** Epoch seconds, or epoch milliseconds when the integer text has 13+ characters (OpenX's rule). */
function parseEpochInteger(text: string): string | undefined {
  if (!/^-?\d{1,19}$/.test(text)) return undefined;
  const n = Number(text);
  return text.length >= 13 ? fromEpochMillis(n) : fromEpochMillis(n * 1000);
}

/** Fractional epoch seconds, exact to the microsecond (OpenX truncates to milliseconds). */
function parseEpochFraction(text: string): string | undefined {
  const m = /^(-?)(\d{1,12})\.(\d*)$/.exec(text);
  if (!m) return undefined;
  const negative = m[1] === '-';
  const micros = Number(m[2]) * 1_000_000 + Number((m[3] ?? '').slice(0, 6).padEnd(6, '0'));
  const total = negative ? -micros : micros;
  const ms = Math.floor(total / 1000);
  return fromEpochMillis(ms, total - ms * 1000);
}

/**
 * OpenX JSON SerDe timestamps: `yyyy-MM-dd'T'HH:mm:ss[.S…]'Z'`, `yyyy-[M]M-[d]d HH:mm:ss[.S…]`
 * (up to 9 fraction digits), epoch seconds, epoch milliseconds (13+ digits) and fractional epoch seconds.
 * Also accepted (lenient): `T` without `Z` and space with `Z`.
 */
export function parseOpenXTimestamp(text: string): string | undefined {
  if (text.indexOf(':') > 0) {
    const m = SQL_TS_RE.exec(text);
    return m ? wallClock(m) : undefined;
  }
  if (text.indexOf('.') >= 0) return parseEpochFraction(text);
  return parseEpochInteger(text);
}

export class TimestampFormatError extends Error {
  override readonly name = 'TimestampFormatError';
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  pm: boolean | undefined;
  hourKind: string;
  offsetMinutes: number;
}

type Setter = (f: Fields, value: string) => boolean;

interface Token {
  regex: string;
  setter?: Setter;
  numeric: boolean;
  letter: string;
  count: number;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const namesRegex = (names: string[]): string => names.flatMap((n) => [n, n.slice(0, 3)]).sort((a, b) => b.length - a.length).join('|');
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function twoDigitYear(yy: number): number {
  const pivot = new Date().getUTCFullYear() - 30;
  const base = pivot - 50;
  let y = Math.floor(base / 100) * 100 + yy;
  if (y < base) y += 100;
  return y;
}

function numberField(letter: string, count: number, set: (f: Fields, n: number) => boolean): Omit<Token, 'regex'> & { max: number } {
  return { numeric: true, letter, count, max: 2, setter: (f, v) => set(f, Number(v)) };
}

function fieldToken(letter: string, count: number): Omit<Token, 'regex'> & { max: number } {
  switch (letter) {
    case 'y':
    case 'Y':
    case 'u':
      if (count === 2) return { ...numberField(letter, count, (f, n) => ((f.year = twoDigitYear(n)), true)), max: 2 };
      return { ...numberField(letter, count, (f, n) => ((f.year = n), true)), max: 9 };
    case 'M':
      if (count >= 3) return { numeric: false, letter, count, max: 0, setter: (f, v) => ((f.month = MONTHS.findIndex((n) => n.startsWith(v.toLowerCase())) + 1), true) };
      return numberField(letter, count, (f, n) => ((f.month = n), true));
    case 'd':
      return numberField(letter, count, (f, n) => ((f.day = n), true));
    case 'H':
    case 'k':
    case 'h':
    case 'K':
      return numberField(letter, count, (f, n) => ((f.hour = n), (f.hourKind = letter), true));
    case 'm':
      return numberField(letter, count, (f, n) => ((f.minute = n), true));
    case 's':
      return numberField(letter, count, (f, n) => ((f.second = n), true));
    case 'S':
      return { numeric: true, letter, count, max: 9, setter: (f, v) => ((f.fraction = v), true) };
    case 'a':
      return { numeric: false, letter, count, max: 0, setter: (f, v) => ((f.pm = v.toLowerCase() === 'pm'), true) };
    case 'E':
      return { numeric: false, letter, count, max: 0 };
    case 'Z':
      if (count > 2) break;
      return {
        numeric: false,
        letter,
        count,
        max: 0,
        setter: (f, v) => {
          if (v.toUpperCase() === 'Z') return (f.offsetMinutes = 0), true;
          const sign = v.startsWith('-') ? -1 : 1;
          const digits = v.slice(1).replace(':', '');
          f.offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
          return true;
        },
      };
  }
  throw new TimestampFormatError(`pattern letter '${letter.repeat(count)}' is not supported (supported: y Y u M d H k h K m s S a E Z ZZ and quoted literals)`);
}

function textRegex(letter: string): string {
  if (letter === 'M') return `(${namesRegex(MONTHS)})`;
  if (letter === 'E') return `(?:${namesRegex(DAYS)})`;
  if (letter === 'a') return '(am|pm)';
  return '(z|[+-]\\d{2}:?\\d{2})';
}

/** Compiles a Joda DateTimeFormat pattern into a whole-string parser (UTC unless the pattern has Z). */
export function compileJodaPattern(pattern: string): TimestampParser {
  const raw: (Omit<Token, 'regex'> & { max: number; literal?: string })[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern.charAt(i);
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new TimestampFormatError(`unterminated quote in pattern '${pattern}'`);
      const literal = end === i + 1 ? "'" : pattern.slice(i + 1, end);
      raw.push({ numeric: false, letter: '', count: 0, max: 0, literal });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern.charAt(j) === c) j++;
      raw.push(fieldToken(c, j - i));
      i = j;
    } else {
      raw.push({ numeric: false, letter: '', count: 0, max: 0, literal: c });
      i++;
    }
  }
  if (raw.length === 0) throw new TimestampFormatError('empty timestamp pattern');
  const setters: Setter[] = [];
  let source = '^';
  raw.forEach((t, i) => {
    if (t.literal !== undefined) {
      source += escapeRegex(t.literal);
      return;
    }
    if (t.numeric) {
      // Joda: a numeric field followed directly by another numeric field parses exactly `count` digits.
      const nextNumeric = raw[i + 1]?.numeric === true;
      source += t.letter === 'S' ? (nextNumeric ? `(\\d{${t.count}})` : '(\\d{1,9})') : nextNumeric ? `(\\d{${Math.max(t.count, 1)}})` : `(\\d{1,${Math.max(t.max, t.count)}})`;
    } else {
      source += textRegex(t.letter);
    }
    if (t.setter && !(t.letter === 'E')) setters.push(t.setter);
  });
  const re = new RegExp(source + '$', 'i');
  return (text) => {
    const m = re.exec(text);
    if (!m) return undefined;
    const f: Fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: '', pm: undefined, hourKind: 'H', offsetMinutes: 0 };
    for (let g = 0; g < setters.length; g++) setters[g]?.(f, m[g + 1] ?? '');
    let hour = f.hour;
    if (f.hourKind === 'k') hour = hour === 24 ? 0 : hour;
    if (f.hourKind === 'h' || f.hourKind === 'K') {
      if (hour > (f.hourKind === 'h' ? 12 : 11) || (f.hourKind === 'h' && hour === 0)) return undefined;
      hour = (hour % 12) + (f.pm === true ? 12 : 0);
    }
    if (!validDate(f.year, f.month, f.day) || hour > 23 || f.minute > 59 || f.second > 59) return undefined;
    if (f.offsetMinutes === 0) return formatTimestamp(f.year, f.month, f.day, hour, f.minute, f.second, f.fraction);
    const date = new Date(0);
    date.setUTCFullYear(f.year, f.month - 1, f.day);
    date.setUTCHours(hour, f.minute - f.offsetMinutes, f.second);
    const y = date.getUTCFullYear();
    if (y < 1 || y > 9999) return undefined;
    return formatTimestamp(y, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), f.fraction);
  };
}

/**
 * Hive JSON SerDe timestamps (Hive's TimestampParser): each TimestampFormats entry in turn — a Joda
 * pattern, or `millis` for integer epoch milliseconds — then java.sql.Timestamp.valueOf.
 */
export function hiveTimestampParser(formats: readonly string[]): TimestampParser {
  const parsers = formats.map((f) => (f === 'millis' ? (t: string) => (/^-?\d{1,19}$/.test(t) ? fromEpochMillis(Number(t)) : undefined) : compileJodaPattern(f)));
  return (text) => {
    for (const p of parsers) {
      const ts = p(text);
      if (ts !== undefined) return ts;
    }
    return parseSqlTimestamp(text);
  };
}
