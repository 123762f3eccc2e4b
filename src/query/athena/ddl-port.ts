/** The DdlExecutor port: Hive DDL, SHOW, DESCRIBE, MSCK and CREATE/DROP DATABASE statements run against the Glue catalog (implemented in src/query/ddl/). */

export interface DdlContext {
  /** QueryExecutionContext.Database (or `default`). */
  readonly database: string;
  /** Catalog name as sent (`AwsDataCatalog` by default). */
  readonly catalog: string;
  readonly queryId: string;
  /** Where results go (`s3://bucket/prefix/`), e.g. for CTAS default locations. */
  readonly outputLocation: string;
}

export interface DdlResult {
  /** Result columns (Hive types such as `string`); absent for statements without output (CREATE, DROP…). */
  readonly columns?: readonly { readonly name: string; readonly type: string }[] | undefined;
  readonly rows: readonly (readonly string[])[];
}

/**
 * A failed DDL statement. `hive` failures are reported as Athena reports Hive DDL errors (`FAILED: …`, a `.txt`
 * result holding the message); `engine` failures use a Trino error name (`errorName: message`).
 */
export class DdlError extends Error {
  constructor(
    message: string,
    readonly kind: 'hive' | 'engine' = 'hive',
    readonly errorName = 'GENERIC_USER_ERROR',
  ) {
    super(message);
    this.name = 'DdlError';
  }
}

export interface DdlExecutor {
  executeDdl(sql: string, ctx: DdlContext): Promise<DdlResult>;
}
