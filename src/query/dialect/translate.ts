/** Athena (Trino dialect) → DuckDB SQL: pre-parse token rewrites, DuckDB's parser, syntax-tree rewrites, render. */
import { isNode, rewrite } from './ast.js';
import { nameOutputColumns } from './column-names.js';
import { SqlTranslationError, syntaxError, unsupported } from './errors.js';
import { dialectVisitor } from './expressions.js';
import type { AstNode, SqlParserPort } from './parser-port.js';
import { parseWithBareAliases } from './bare-aliases.js';
import { preParse } from './pre-parse.js';
import type { StringComparison } from './string-comparisons.js';
import { collectTables, type TableReference } from './tables.js';
import { Templates } from './templates.js';
import { zonedSessionMacros } from './zoned-timestamps.js';
import { writesZonedValues } from './zoned-functions.js';

export { SqlTranslationError } from './errors.js';
export type { SqlParserPort } from './parser-port.js';

export interface TranslatedQuery {
  readonly sql: string;
  /** Athena's output column names, in order (e.g. `_col0`). */
  readonly columnNames: readonly string[] | undefined;
  readonly tables: readonly { catalog?: string; schema?: string; name: string }[];
  /** The rewritten syntax tree `sql` was rendered from (what parsing `sql` again would give). */
  readonly statements: readonly AstNode[];
  /** Comparisons of string literals that DuckDB checks are varchar comparisons (see string-comparisons.ts). */
  readonly stringComparisons: readonly StringComparison[];
}

/**
 * Session settings the translated SQL relies on; run them once on every DuckDB connection that executes it
 * (Trino divides integers with truncation, and Athena's session time zone is UTC).
 */
/** Text Trino's integer casts accept (Long.parseLong after trimming). */
const INTEGER_TEXT = '\\s*[+-]?[0-9]+\\s*';
const BOOLEAN_TEXT = "'t', 'true', '1', 'f', 'false', '0'";

export const DUCKDB_SESSION_SETTINGS: readonly string[] = [
  'SET integer_division = true',
  "SET TimeZone = 'UTC'",
  // A user's subscript `a[i]` is translated to lb_subscript(a, i); once the engine has typed `a`, the typed rewrites
  // (typed-rewrites.ts) call the checked forms, which fail as Trino does where DuckDB would answer NULL (or, for a
  // negative index, count from the end).
  'CREATE OR REPLACE TEMP MACRO lb_subscript(a, i) AS a[i]',
  "CREATE OR REPLACE TEMP MACRO lb_array_at(a, i) AS CASE WHEN i > len(a) THEN error('INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: ' || i || ' > ' || len(a)) " +
    "WHEN i = 0 THEN error('INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1') WHEN i < 0 THEN error('INVALID_FUNCTION_ARGUMENT: Array subscript is negative: ' || i) ELSE a[i] END",
  "CREATE OR REPLACE TEMP MACRO lb_map_at(m, k) AS CASE WHEN NOT map_contains(m, k) THEN error('INVALID_FUNCTION_ARGUMENT: Key not present in map: ' || k) ELSE m[k] END",
  // Casts from varchar to integers and booleans take only what Trino's parsers take (digits with a sign; t/f/1/0/true/
  // false): DuckDB's casts also read '1.5', '1e2', '0x1F' and 'yes'. The check folds away for operands of other types.
  `CREATE OR REPLACE TEMP MACRO lb_int_text(x, target) AS CASE WHEN typeof(x) = 'VARCHAR' AND NOT regexp_full_match(CAST(x AS VARCHAR), '${INTEGER_TEXT}') ` +
    "THEN error('INVALID_CAST_ARGUMENT: Cannot cast ''' || CAST(x AS VARCHAR) || ''' to ' || target) ELSE x END",
  `CREATE OR REPLACE TEMP MACRO lb_int_text_or_null(x) AS CASE WHEN typeof(x) = 'VARCHAR' AND NOT regexp_full_match(CAST(x AS VARCHAR), '${INTEGER_TEXT}') THEN NULL ELSE x END`,
  `CREATE OR REPLACE TEMP MACRO lb_bool_text(x) AS CASE WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) NOT IN (${BOOLEAN_TEXT}) ` +
    "THEN error('INVALID_CAST_ARGUMENT: Cannot cast ''' || CAST(x AS VARCHAR) || ''' to BOOLEAN') ELSE x END",
  `CREATE OR REPLACE TEMP MACRO lb_bool_text_or_null(x) AS CASE WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) NOT IN (${BOOLEAN_TEXT}) THEN NULL ELSE x END`,
  // Zoned timestamps (zoned-timestamps.ts).
  ...zonedSessionMacros(),
];

export async function translateAthenaQuery(sql: string, options: { defaultSchema?: string; parser: SqlParserPort }): Promise<TranslatedQuery> {
  const { sql: prepared } = preParse(sql);
  const { result: parsed } = await parseWithBareAliases(options.parser, prepared);
  if (!parsed.ok) {
    if (/Only SELECT statements/i.test(parsed.message)) throw unsupported('Only queries (SELECT, WITH, VALUES, TABLE) can be translated to DuckDB');
    // DuckDB counts code points.
    const offset = parsed.position === undefined ? undefined : Array.from(prepared).slice(0, parsed.position).join('').length;
    throw syntaxError(parsed.message, offset === undefined ? undefined : { sql: prepared, offset });
  }
  if (parsed.statements.length !== 1) throw syntaxError('Only one SQL statement is allowed.');
  const statement = parsed.statements[0]!;
  const templates = await Templates.load(options.parser);
  const root = statement['node'];
  if (!isNode(root)) throw syntaxError('Unexpected statement');
  const stringComparisons: StringComparison[] = [];
  statement['node'] = rewrite(root, dialectVisitor(templates, stringComparisons, { zoned: writesZonedValues(root) }));
  const columnNames = nameOutputColumns(statement['node']);
  const tables: TableReference[] = collectTables(statement, options.defaultSchema);
  let out: string;
  try {
    out = await options.parser.render([statement]);
  } catch (err) {
    if (err instanceof SqlTranslationError) throw err;
    throw unsupported(`Lakebox could not render the translated query: ${(err as Error).message}`);
  }
  return { sql: out, columnNames, tables, statements: [statement], stringComparisons };
}
