/** JSON parse/stringify keeping DuckDB's number texts: integers beyond 2^53 (uint64/hugeint) and doubles (`1.0` must stay a double). */

const KEEP_TEXT = /^-?\d{16,}$|[.eE]/;

/** Parses JSON, turning big integers and non-integer numbers into marker strings that `stringifyLossless` restores. */
export function parseLossless(text: string, marker: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += text.slice(start, i);
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const start = i;
      i++;
      while (i < text.length && /[0-9eE+\-.]/.test(text[i]!)) i++;
      const num = text.slice(start, i);
      out += KEEP_TEXT.test(num) ? `"${marker}${num}"` : num;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

export function stringifyLossless(value: unknown, marker: string): string {
  const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return JSON.stringify(value).replace(new RegExp(`"${escaped}(-?[0-9.eE+-]+)"`, 'g'), '$1');
}
