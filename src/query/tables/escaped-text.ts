/**
 * LazySimpleSerDe with `escape.delim` (`ROW FORMAT DELIMITED … ESCAPED BY '\\'`), as Hive reads it: the escape character
 * makes the next character data, so an escaped field, collection or map-key delimiter does not split; string values
 * then have each escape pair replaced by the escaped character (`\r` and `\n` by CR and LF, as Hive's
 * `copyAndEscapeStringDataToText`); a lone escape at the end of a field stays. The NULL token is compared with the raw
 * field, before unescaping; other types are parsed from the raw field, so a value with an escape in it is NULL.
 * Lines are still split on newlines (an escaped newline ends the record, as in Hive's TextInputFormat); empty lines
 * are skipped, as the unescaped reader does.
 *
 * In SQL: every escape pair `\X` becomes a marker character followed by X, escaped delimiters become placeholder
 * characters (Unicode noncharacters), the line is split on the field delimiter, and values are unescaped per column.
 */
import { lit, linesReader, type FileRef } from './serde-readers.js';

/** "The next character was escaped." */
const MARK = '\uFDD0';
/** Escaped field / collection / map-key delimiters, hidden from splitting. */
const HIDDEN = ['\uFDD1', '\uFDD2', '\uFDD3'] as const;

export interface EscapedTextOptions {
  /** Data column names, in file order. */
  readonly columns: readonly string[];
  readonly fieldDelim: string;
  readonly collectionDelim: string;
  readonly mapKeyDelim: string;
  /** The escape character (one character). */
  readonly escape: string;
  readonly nullFormat: string;
  /** Header lines skipped per file. */
  readonly skip: number;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const reChar = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** The delimiters whose escaped form must not split, each with its placeholder (duplicates dropped). */
function hiddenDelims(o: EscapedTextOptions): [string, string][] {
  const out: [string, string][] = [];
  [o.fieldDelim, o.collectionDelim, o.mapKeyDelim].forEach((d, i) => {
    if (!out.some(([x]) => x === d)) out.push([d, HIDDEN[i]!]);
  });
  return out;
}

/** The marked form of `text` (what the SQL below turns a raw line into), computed here for constants such as the NULL token. */
export function markText(text: string, o: EscapedTextOptions): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === o.escape && i + 1 < text.length && text[i + 1] !== '\n') {
      const next = text[++i]!;
      out += hiddenDelims(o).find(([d]) => d === next)?.[1] ?? `${MARK}${next}`;
    } else out += c;
  }
  return out;
}

/** SQL turning a raw line into its marked form. */
function markLine(line: string, o: EscapedTextOptions): string {
  let s = `regexp_replace(${line}, ${lit(`${reChar(o.escape)}(.)`)}, ${lit(`${MARK}\\1`)}, 'g')`;
  for (const [d, placeholder] of hiddenDelims(o)) s = `replace(${s}, ${lit(MARK + d)}, ${lit(placeholder)})`;
  return s;
}

/** SELECT producing `filename` and every data column as its raw marked text (NULL for the NULL token or a missing field). */
export function escapedTextRelation(files: readonly FileRef[], o: EscapedTextOptions): string {
  const nullToken = lit(markText(o.nullFormat, o));
  const cols = o.columns.map((c, i) => `CASE WHEN f[${i + 1}] = ${nullToken} THEN NULL ELSE f[${i + 1}] END AS ${q(c)}`);
  return (
    `(SELECT filename, ${cols.length > 0 ? cols.join(', ') : 'NULL AS _empty'} FROM (SELECT filename, string_split(${markLine('line', o)}, ${lit(o.fieldDelim)}) AS f ` +
    `FROM ${linesReader(files, o.skip)} WHERE line IS NOT NULL))`
  );
}

/** SQL turning a marked value (a whole field, or a collection element split from one) into its data: escapes removed. */
export function unescapeValue(expr: string, o: EscapedTextOptions): string {
  let s = expr;
  for (const [d, placeholder] of hiddenDelims(o)) s = `replace(${s}, ${lit(placeholder)}, ${lit(d)})`;
  s = `replace(replace(${s}, ${lit(`${MARK}r`)}, chr(13)), ${lit(`${MARK}n`)}, chr(10))`;
  return `replace(${s}, ${lit(MARK)}, '')`;
}
