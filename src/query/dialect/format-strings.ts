/** Translators of Trino format strings: MySQL and Joda date patterns → strftime, Java regex replacements → RE2, JSONPath. */
import { unsupported } from './errors.js';

const MYSQL_SPECIFIERS: Readonly<Record<string, string>> = {
  a: '%a',
  b: '%b',
  c: '%-m',
  d: '%d',
  e: '%-d',
  f: '%f',
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M',
  j: '%j',
  k: '%-H',
  l: '%-I',
  M: '%B',
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  // ISO week (Monday first) and the year it belongs to.
  v: '%V',
  x: '%G',
  W: '%A',
  Y: '%Y',
  y: '%y',
  '%': '%%',
};
/** The specifiers Trino's date_format does not support either. */
const MYSQL_UNSUPPORTED = new Set(['D', 'U', 'u', 'V', 'w', 'X']);

/** MySQL `date_format`/`date_parse` pattern → DuckDB strftime/strptime pattern. */
export function mysqlToStrftime(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const spec = format[++i];
    if (spec === undefined) break; // a trailing lone '%' prints nothing in Trino
    if (MYSQL_UNSUPPORTED.has(spec)) throw unsupported(`%${spec} not supported in date format string`);
    out += MYSQL_SPECIFIERS[spec] ?? (spec === '%' ? '%%' : spec);
  }
  return out;
}

function jodaField(letter: string, count: number): string {
  const pick = (options: Record<number, string>, fallback?: string): string => {
    const value = options[count] ?? fallback;
    if (value === undefined) throw unsupported(`Joda pattern '${letter.repeat(count)}' is not supported by Lakebox`);
    return value;
  };
  switch (letter) {
    case 'y':
    case 'Y':
      return pick({ 2: '%y' }, '%Y');
    case 'x':
      return pick({ 2: '%g' }, '%G');
    case 'M':
      return pick({ 1: '%-m', 2: '%m', 3: '%b' }, '%B');
    case 'd':
      return pick({ 1: '%-d', 2: '%d' });
    case 'D':
      return pick({ 1: '%-j', 3: '%j' });
    case 'H':
      return pick({ 1: '%-H', 2: '%H' });
    case 'h':
      return pick({ 1: '%-I', 2: '%I' });
    case 'm':
      return pick({ 1: '%-M', 2: '%M' });
    case 's':
      return pick({ 1: '%-S', 2: '%S' });
    case 'S':
      return pick({ 3: '%g', 6: '%f', 9: '%n' });
    case 'a':
      return '%p';
    case 'E':
      return count >= 4 ? '%A' : '%a';
    case 'e':
      return pick({ 1: '%u' });
    case 'w':
      return pick({ 1: '%-V', 2: '%V' });
    case 'Z':
      return pick({ 1: '%z' });
    case 'z':
      return pick({ 1: '%Z', 2: '%Z', 3: '%Z' });
    default:
      throw unsupported(`Joda pattern letter '${letter}' is not supported by Lakebox`);
  }
}

/** Joda `format_datetime`/`parse_datetime` pattern → DuckDB strftime/strptime pattern. */
export function jodaToStrftime(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      let literal = '';
      for (;;) {
        // Joda reads an unterminated quote as literal text to the end of the pattern (AWS's ALB example ends in 'Z).
        if (j >= pattern.length) break;
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          j++;
        }
        literal += pattern[j];
        j++;
      }
      out += literal.replace(/%/g, '%%');
      i = j + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let count = 1;
      while (pattern[i + count] === ch) count++;
      out += jodaField(ch, count);
      i += count;
    } else {
      out += ch === '%' ? '%%' : ch;
      i++;
    }
  }
  return out;
}

/** Java `Matcher.replaceAll` replacement (`$1`, `\$`) → RE2 rewrite string (`\1`, `$`). */
export function javaReplacementToRe2(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\') {
      const next = replacement[++i];
      if (next === undefined) throw unsupported('character to be escaped is missing');
      out += next === '\\' ? '\\\\' : next;
    } else if (ch === '$') {
      const next = replacement[i + 1];
      if (next === '{') throw unsupported('Named group references (${name}) in regexp_replace are not supported by Lakebox');
      if (next === undefined || !/[0-9]/.test(next)) throw unsupported('Illegal group reference in regexp_replace replacement');
      out += `\\${next}`;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Trino JSONPath (`$.a.b[0]`, `$["a b"]`) → DuckDB JSON path with quoted keys (`$."a"."b"[0]`). */
export function trinoJsonPathToDuckDb(path: string): string {
  const invalid = (): never => {
    throw unsupported(`Invalid JSON path: '${path}'`);
  };
  const p = path.trim();
  if (!p.startsWith('$')) invalid();
  let out = '$';
  let i = 1;
  const key = (name: string): string => {
    if (name.includes('"')) throw unsupported(`JSON path keys containing '"' are not supported by Lakebox: '${path}'`);
    return `."${name}"`;
  };
  while (i < p.length) {
    const ch = p[i]!;
    if (ch === '.') {
      const m = /^[^.[\]\s"'*]+/.exec(p.slice(i + 1));
      if (!m) invalid();
      out += key(m![0]);
      i += 1 + m![0].length;
    } else if (ch === '[') {
      const rest = p.slice(i);
      const index = /^\[\s*(\d+)\s*\]/.exec(rest);
      const quoted = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest) ?? /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest);
      if (index) {
        out += `[${index[1]}]`;
        i += index[0].length;
      } else if (quoted) {
        out += key(quoted[1]!.replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        invalid();
      }
    } else {
      invalid();
    }
  }
  return out;
}
