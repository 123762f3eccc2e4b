/** The subset of Java DateTimeFormatter patterns partition projection uses (y, M, d, H, m, s, S, quoted literals), formatting and parsing in UTC. */

type Part = { readonly field: string; readonly width: number } | { readonly literal: string };

function compile(pattern: string): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = pattern.slice(i + 1, end < 0 ? pattern.length : end);
      parts.push({ literal: text === '' ? "'" : text });
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (/[yMdHmsS]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      parts.push({ field: ch, width: j - i });
      i = j;
      continue;
    }
    parts.push({ literal: ch });
    i++;
  }
  return parts;
}

const get = (d: Date, f: string): number =>
  f === 'y' ? d.getUTCFullYear() : f === 'M' ? d.getUTCMonth() + 1 : f === 'd' ? d.getUTCDate() : f === 'H' ? d.getUTCHours() : f === 'm' ? d.getUTCMinutes() : f === 's' ? d.getUTCSeconds() : d.getUTCMilliseconds();

export function formatJavaDate(d: Date, pattern: string): string {
  return compile(pattern)
    .map((p) => {
      if ('literal' in p) return p.literal;
      const v = get(d, p.field);
      if (p.field === 'y' && p.width === 2) return String(v % 100).padStart(2, '0');
      if (p.field === 'S') return String(v).padStart(3, '0').slice(0, p.width);
      return String(v).padStart(p.width, '0');
    })
    .join('');
}

/** Parses `text` with `pattern` (undefined if it does not match). */
export function parseJavaDate(text: string, pattern: string): Date | undefined {
  const parts = compile(pattern);
  const re = new RegExp(`^${parts.map((p) => ('literal' in p ? p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.width >= 2 && p.field !== 'y' ? `(\\d{${p.width}})` : '(\\d+)')).join('')}$`);
  const m = re.exec(text.trim());
  if (!m) return undefined;
  const f: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  let g = 1;
  for (const p of parts) if (!('literal' in p)) f[p.field] = Number(m[g++]);
  if (parts.some((p) => 'field' in p && p.field === 'y' && p.width === 2)) f.y = 2000 + f.y!;
  return new Date(Date.UTC(f.y!, f.M! - 1, f.d, f.H, f.m, f.s, f.S));
}

/** The finest unit a pattern shows (the default projection interval unit). */
export function finestUnit(pattern: string): string {
  const fields = new Set(compile(pattern).flatMap((p) => ('field' in p ? [p.field] : [])));
  for (const [f, unit] of [['S', 'MILLISECONDS'], ['s', 'SECONDS'], ['m', 'MINUTES'], ['H', 'HOURS'], ['d', 'DAYS'], ['M', 'MONTHS']] as const) if (fields.has(f)) return unit;
  return 'YEARS';
}

/** `d` plus `n` units (Java ChronoUnit names, singular or plural), in UTC. */
export function addUnits(d: Date, n: number, unit: string): Date {
  const u = unit.toUpperCase().replace(/S$/, '');
  const out = new Date(d.getTime());
  if (u === 'YEAR') out.setUTCFullYear(out.getUTCFullYear() + n);
  else if (u === 'MONTH') out.setUTCMonth(out.getUTCMonth() + n);
  else {
    const ms: Record<string, number> = { WEEK: 604_800_000, DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000, MILLISECOND: 1 };
    out.setTime(out.getTime() + n * (ms[u] ?? 86_400_000));
  }
  return out;
}
