/** The typed error raised when an Athena (Trino) query cannot be translated to DuckDB SQL. */
export class SqlTranslationError extends Error {
  constructor(
    message: string,
    readonly kind: 'syntax' | 'unsupported',
    /** For parser errors: the SQL the parser read and the UTF-16 offset in it where it stopped. */
    readonly at?: { readonly sql: string; readonly offset: number },
  ) {
    super(message);
    this.name = 'SqlTranslationError';
  }
}

/** A construct Athena accepts that Lakebox refuses rather than answer differently. */
export function unsupported(message: string): SqlTranslationError {
  return new SqlTranslationError(message, 'unsupported');
}

export function syntaxError(message: string, at?: { sql: string; offset: number }): SqlTranslationError {
  return new SqlTranslationError(message, 'syntax', at);
}
