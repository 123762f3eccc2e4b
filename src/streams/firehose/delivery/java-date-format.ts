/** Java DateTimeFormatter patterns (the subset Firehose prefixes use) rendered in a given IANA time zone. */

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  weekday: number; // 1 = Monday … 7 = Sunday
  dayOfYear: number;
  /** Offset from UTC at that instant, in minutes. */
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoned(date: Date, timeZone: string): Fields {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(date)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  const utcMidnight = Date.UTC(year, month - 1, day);
  const dow = new Date(utcMidnight).getUTCDay();
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millis: date.getUTCMilliseconds(),
    weekday: dow === 0 ? 7 : dow,
    dayOfYear: Math.round((utcMidnight - Date.UTC(year, 0, 1)) / 86_400_000) + 1,
    offset: Math.round((Date.UTC(year, month - 1, day, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0) - Math.floor(date.getTime() / 1000) * 1000) / 60_000),
  };
}

/**
 * Week-based year and week of it as java.time's WeekFields for Locale.US (the JVM default) count them: weeks start on
 * Sunday and week 1 is the one holding January 1.
 */
function usWeek(f: Fields): { year: number; week: number } {
  const sundayBased = f.weekday % 7; // 0 = Sunday
  const jan1 = (sundayBased - ((f.dayOfYear - 1) % 7) + 7) % 7; // weekday of January 1, Sunday-based
  const daysInYear = Date.UTC(f.year + 1, 0, 1) / 86_400_000 - Date.UTC(f.year, 0, 1) / 86_400_000;
  // The week holding next January 1 is week 1 of next year.
  const toNextJan1 = daysInYear - f.dayOfYear + 1;
  if (toNextJan1 <= 6 - sundayBased) return { year: f.year + 1, week: 1 };
  return { year: f.year, week: Math.floor((f.dayOfYear - 1 + jan1) / 7) + 1 };
}

const zoneNames = new Map<string, Intl.DateTimeFormat>();

/** The zone's name at that instant, short (`UTC`, `PST`) or long (`Pacific Standard Time`), as en-US spells it. */
function zoneName(date: Date, timeZone: string, style: 'short' | 'long'): string {
  let f = zoneNames.get(`${style}\0${timeZone}`);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: style });
    zoneNames.set(`${style}\0${timeZone}`, f);
  }
  return f.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** An offset as ±HH, ±HHMM or ±HH:MM (`width` 1, 2, 3). */
function offsetText(minutes: number, width: 1 | 2 | 3): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  const hh = pad(Math.floor(m / 60), 2);
  const mm = pad(m % 60, 2);
  return width === 1 ? `${sign}${hh}${m % 60 ? mm : ''}` : width === 2 ? `${sign}${hh}${mm}` : `${sign}${hh}:${mm}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const pad = (v: number, n: number): string => String(v).padStart(n, '0');

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

export class DateFormatError extends Error {}

/** Most repetitions of each letter java.time accepts (year letters take any count). */
const MAX_LETTERS: Readonly<Record<string, number>> = {
  G: 5, M: 5, L: 5, Q: 5, q: 5, E: 5, e: 5, Z: 5, X: 5, x: 5, z: 4, D: 3, d: 2, H: 2, h: 2, k: 2, K: 2, m: 2, s: 2, w: 2, a: 1, S: 9, n: 19,
};

/** Tokenizes a pattern; throws DateFormatError for letters Firehose would reject. */
export function parseJavaPattern(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new DateFormatError(`unterminated quote in date pattern "${pattern}"`);
      tokens.push({ kind: 'literal', text: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      if (!'yuMLdHhmsSaEeDkKQqGnwYZXxOzV'.includes(c) || (c === 'V' && n !== 2)) throw new DateFormatError(`unsupported date pattern letter "${c}" in "${pattern}"`);
      // DateTimeFormatter.ofPattern's limits (it throws "Too many pattern letters" past them).
      if (n > (MAX_LETTERS[c] ?? Infinity) || (c === 'O' && n !== 1 && n !== 4)) throw new DateFormatError(`Too many pattern letters: ${c} in "${pattern}"`);
      tokens.push({ kind: 'field', letter: c, count: n });
      i += n;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}


export function formatJavaDate(pattern: string | Token[], date: Date, timeZone = 'UTC'): string {
  const tokens = typeof pattern === 'string' ? parseJavaPattern(pattern) : pattern;
  const f = zoned(date, timeZone);
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'y':
      case 'u':
        out += n === 2 ? pad(f.year % 100, 2) : pad(f.year, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[f.month - 1]! : n === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, n);
        break;
      case 'd':
        out += pad(f.day, n);
        break;
      case 'D':
        out += pad(f.dayOfYear, n);
        break;
      case 'H':
        out += pad(f.hour, n);
        break;
      case 'k':
        out += pad(f.hour === 0 ? 24 : f.hour, n);
        break;
      case 'h':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
        break;
      case 'K':
        out += pad(f.hour % 12, n);
        break;
      case 'm':
        out += pad(f.minute, n);
        break;
      case 's':
        out += pad(f.second, n);
        break;
      case 'S':
        out += pad(f.millis, 3).slice(0, n).padEnd(n, '0');
        break;
      case 'a':
        out += f.hour < 12 ? 'AM' : 'PM';
        break;
      case 'E':
      case 'e':
        out += n >= 4 ? DAYS[f.weekday - 1]! : n === 3 || t.letter === 'E' ? DAYS[f.weekday - 1]!.slice(0, 3) : String(f.weekday);
        break;
      case 'Q':
      case 'q': {
        const q = Math.floor((f.month - 1) / 3) + 1;
        out += n >= 4 ? `${q}${['st', 'nd', 'rd', 'th'][q - 1]!} quarter` : n === 3 ? `Q${q}` : pad(q, n);
        break;
      }
      case 'G':
        out += n >= 4 ? 'Anno Domini' : 'AD';
        break;
      case 'n':
        out += pad(f.millis * 1_000_000, n);
        break;
      case 'w':
        out += pad(usWeek(f).week, n);
        break;
      case 'Y': {
        const year = usWeek(f).year;
        out += n === 2 ? pad(year % 100, 2) : pad(year, n);
        break;
      }
      case 'Z':
        out += n <= 3 ? offsetText(f.offset, 2) : n === 4 ? (f.offset === 0 ? 'GMT' : `GMT${offsetText(f.offset, 3)}`) : f.offset === 0 ? 'Z' : offsetText(f.offset, 3);
        break;
      case 'X':
        out += f.offset === 0 ? 'Z' : offsetText(f.offset, n === 1 ? 1 : n === 2 || n === 4 ? 2 : 3);
        break;
      case 'x':
        out += offsetText(f.offset, n === 1 ? 1 : n === 2 || n === 4 ? 2 : 3);
        break;
      case 'O':
        out += f.offset === 0 ? 'GMT' : n === 4 ? `GMT${offsetText(f.offset, 3)}` : `GMT${f.offset < 0 ? '-' : '+'}${Math.floor(Math.abs(f.offset) / 60)}${Math.abs(f.offset) % 60 ? `:${pad(Math.abs(f.offset) % 60, 2)}` : ''}`;
        break;
      case 'z':
        out += zoneName(date, timeZone, n >= 4 ? 'long' : 'short');
        break;
      case 'V':
        out += timeZone;
        break;
    }
  }
  return out;
}
