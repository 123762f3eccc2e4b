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
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

export class DateFormatError extends Error {}

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
      if (!'yuMLdHhmsSaEeDkK'.includes(c)) throw new DateFormatError(`unsupported date pattern letter "${c}" in "${pattern}"`);
      tokens.push({ kind: 'field', letter: c, count: n });
      i += n;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

const pad = (v: number, n: number): string => String(v).padStart(n, '0');

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
    }
  }
  return out;
}
