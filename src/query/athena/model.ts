/** Athena domain model: query executions as stored, result column metadata, statement kinds and AWS limits. */

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type StatementType = 'DML' | 'DDL' | 'UTILITY';

/** One result column as GetQueryResults' `ResultSetMetadata.ColumnInfo` reports it. */
export interface ColumnInfo {
  readonly CatalogName: string;
  readonly SchemaName: string;
  readonly TableName: string;
  readonly Name: string;
  readonly Label: string;
  readonly Type: string;
  readonly Precision: number;
  readonly Scale: number;
  readonly Nullable: 'NOT_NULL' | 'NULLABLE' | 'UNKNOWN';
  readonly CaseSensitive: boolean;
}

export interface AthenaErrorInfo {
  readonly ErrorCategory: number;
  readonly ErrorType: number;
  readonly Retryable: boolean;
  readonly ErrorMessage: string;
}

export interface ResultConfiguration {
  readonly OutputLocation?: string | undefined;
  readonly EncryptionConfiguration?: { EncryptionOption: string; KmsKey?: string } | undefined;
  readonly ExpectedBucketOwner?: string | undefined;
  readonly AclConfiguration?: { S3AclOption: string } | undefined;
}

/** How the result of a finished execution is kept: a CSV object (DML rows) or rows held in the record (UTILITY/DDL). */
export type ResultKind = 'csv' | 'txt' | 'none';

/** A query execution as persisted (SQLite, one JSON document per id). Times are epoch milliseconds. */
export interface QueryExecutionRecord {
  readonly id: string;
  readonly query: string;
  readonly workGroup: string;
  readonly database?: string | undefined;
  readonly catalog?: string | undefined;
  /** QueryExecutionContext as sent (echoed back as is). */
  readonly context: Readonly<Record<string, string>>;
  readonly executionParameters?: readonly string[] | undefined;
  readonly clientRequestToken?: string | undefined;
  readonly statementType: StatementType;
  readonly substatementType: string;
  /** The output prefix, ending in `/`. */
  readonly outputPrefix: string;
  readonly resultConfiguration: ResultConfiguration;
  state: QueryState;
  stateChangeReason?: string | undefined;
  athenaError?: AthenaErrorInfo | undefined;
  readonly submittedAt: number;
  startedAt?: number | undefined;
  completedAt?: number | undefined;
  engineMillis?: number | undefined;
  planningMillis?: number | undefined;
  dataScannedBytes?: number | undefined;
  /** Object key (without bucket) of the result file, once written. */
  resultKind?: ResultKind | undefined;
  columns?: ColumnInfo[] | undefined;
  /** Rows of UTILITY/DDL statements (small), kept for GetQueryResults. */
  textRows?: (string | null)[][] | undefined;
  rowCount?: number | undefined;
  updateCount?: number | undefined;
}

/** Athena quotas and page sizes used here (service model + docs; see docs §E). */
export const ATHENA_LIMITS = {
  queryStringBytes: 262_144,
  getResultsPage: 1000,
  listPage: 50,
  batchGet: 50,
  bytesScannedCutoffMin: 10_000_000,
  historyDays: 45,
} as const;

export const DEFAULT_CATALOG = 'AwsDataCatalog';
export const PRIMARY_WORKGROUP = 'primary';
export const ENGINE_VERSION = { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' } as const;
