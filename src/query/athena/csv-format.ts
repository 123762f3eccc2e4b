/** Athena's result-file formats: `<id>.csv` lines (every value quoted, NULL an empty unquoted field) and `<id>.txt` (tabs, no trailing newline), and a CSV reader for paging. */

/** One CSV line (with `\n`): values quoted with `"` doubled, NULL (undefined/null) as an empty unquoted field. */
export function csvLine(values: readonly (string | null | undefined)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v !== null && v !== undefined) out += `"${v.includes('"') ? v.replaceAll('"', '""') : v}"`;
  }
  return `${out}\n`;
}

/** `.txt` body of a UTILITY/DDL result: rows joined by `\n` without a trailing newline, columns by `\t`, NULL as empty. */
export function txtBody(rows: readonly (readonly (string | null)[])[]): string {
  return rows.map((r) => r.map((v) => v ?? '').join('\t')).join('\n');
}

/**
 * Incremental reader of Athena CSV: feed it text, take complete rows. A quoted field is a value (possibly empty),
 * an empty unquoted field is NULL. Tracks the byte offset after each complete row so a page can resume there.
 */
export class CsvRowReader {
  #buf = '';
  #consumedBytes = 0;

  constructor(readonly startOffset = 0) {}

  push(text: string): void {
    this.#buf += text;
  }

  /** Byte offset (in the file) just after the last row returned by `next`. */
  get offset(): number {
    return this.startOffset + this.#consumedBytes;
  }

  /** The next complete row, or undefined if the buffer holds none (call with `final` at end of input). */
  next(final = false): (string | null)[] | undefined {
    const buf = this.#buf;
    if (buf.length === 0) return undefined;
    const row: (string | null)[] = [];
    let i = 0;
    for (;;) {
      if (buf[i] === '"') {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q < 0) return undefined;
          if (buf[q + 1] === '"') {
            value += buf.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 >= buf.length && !final) return undefined;
          value += buf.slice(j, q);
          i = q + 1;
          break;
        }
        row.push(value);
      } else {
        let j = i;
        while (j < buf.length && buf[j] !== ',' && buf[j] !== '\n') j++;
        if (j >= buf.length && !final) return undefined;
        const raw = buf.slice(i, j);
        row.push(raw === '' ? null : raw);
        i = j;
      }
      if (buf[i] === ',') {
        i++;
        continue;
      }
      if (buf[i] === '\n' || i >= buf.length) {
        const end = buf[i] === '\n' ? i + 1 : i;
        this.#consumedBytes += Buffer.byteLength(buf.slice(0, end));
        this.#buf = buf.slice(end);
        return row;
      }
      return undefined;
    }
  }
}
