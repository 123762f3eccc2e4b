/**
 * Trino takes any non-reserved word as an alias without `AS` (`SELECT year(ts) year, count(*) value FROM t`);
 * DuckDB's grammar (PostgreSQL's) refuses many of its own keywords there (`year`, `value`, `name`, `ref`…). When
 * parsing fails at such a word right after an expression, `AS` is inserted before it and the text parsed again.
 */
import type { ParseResult, SqlParserPort } from './parser-port.js';

/** Trino's reserved keywords (trino.io/docs/current/language/reserved.html): never an alias without quotes. */
const TRINO_RESERVED: ReadonlySet<string> = new Set(
  (
    'alter and as between by case cast constraint create cross cube current_catalog current_date current_path current_role current_schema ' +
    'current_time current_timestamp current_user deallocate delete describe distinct drop else end escape except execute exists extract false ' +
    'for from full group grouping having in inner insert intersect into is join json_array json_exists json_object json_query json_table ' +
    'json_value left like listagg localtime localtimestamp natural normalize not null on or order outer prepare recursive right rollup select ' +
    'skip table then trim true uescape union unnest using values when where with'
  ).split(' '),
);

/** Retries after this many inserted `AS` stop (each fixes one alias). */
const MAX_INSERTIONS = 64;

/** Whether the word at code point `at` of `chars` could be a bare alias there: an unquoted non-reserved word after an expression. */
function bareAlias(chars: readonly string[], at: number): boolean {
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(chars.slice(at, at + 256).join(''))?.[0];
  if (!word || TRINO_RESERVED.has(word.toLowerCase())) return false;
  let i = at - 1;
  while (i >= 0 && /\s/.test(chars[i]!)) i--;
  // An expression ends in a name, a number, a literal's quote, or a closing bracket.
  return i >= 0 && i < at - 1 && /[A-Za-z0-9_)\]'"]/.test(chars[i]!);
}

/** Parses `sql`, adding `AS` before bare aliases DuckDB refuses; a failure reports the first error, as written. */
export async function parseWithBareAliases(parser: SqlParserPort, sql: string): Promise<{ result: ParseResult; sql: string }> {
  // DuckDB reports error positions in code points.
  let chars = Array.from(sql);
  let result = await parser.parse(sql);
  const first = result;
  for (let n = 0; !result.ok && n < MAX_INSERTIONS; n++) {
    const at = result.position;
    if (at === undefined || at <= 0 || at >= chars.length || !bareAlias(chars, at)) return { result: first, sql };
    chars = [...chars.slice(0, at), 'A', 'S', ' ', ...chars.slice(at)];
    result = await parser.parse(chars.join(''));
  }
  return result.ok ? { result, sql: chars.join('') } : { result: first, sql };
}
