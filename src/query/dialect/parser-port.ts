/** The port the translator parses through: SQL text → DuckDB's JSON syntax tree, and back. */

/** A syntax tree node of DuckDB's `json_serialize_sql` format (kept loose: the format is DuckDB-internal). */
export type AstNode = { [key: string]: AstValue };
export type AstValue = string | number | boolean | null | AstNode | AstValue[];

export type ParseResult =
  | { readonly ok: true; readonly statements: readonly AstNode[] }
  | { readonly ok: false; readonly message: string; /** Code-point offset of the error, when the parser names one. */ readonly position?: number | undefined };

export interface SqlParserPort {
  /** Parses SELECT-like statements; never throws for bad SQL (returns `ok: false` with the parser's message). */
  parse(sql: string): Promise<ParseResult>;
  /** Turns statements (as returned by `parse`, possibly rewritten) back into DuckDB SQL text. */
  render(statements: readonly AstNode[]): Promise<string>;
}
