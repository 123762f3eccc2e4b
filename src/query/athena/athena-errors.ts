/** Typed Athena errors: synchronous API exceptions (InvalidRequestException + AthenaErrorCode…) and engine failures that turn a query FAILED. */
import { functionPosition, identifierPosition } from './source-positions.js';
import { ServiceError } from '../../shared/service-error.js';
import type { AthenaErrorInfo } from './model.js';
import type { StringComparison } from '../dialect/string-comparisons.js';
import { trinoTypeName } from '../ddl/type-names.js';
import { splitTop } from '../writes/hive-types.js';

export class AthenaApiError extends ServiceError {}

export const ATHENA_ERROR_STATUS: Readonly<Record<string, number>> = {
  InvalidRequestException: 400,
  TooManyRequestsException: 400,
  ResourceNotFoundException: 400,
  MetadataException: 400,
  InternalServerException: 500,
};

const invalid = (code: string, message: string): AthenaApiError =>
  new AthenaApiError('InvalidRequestException', message, { AthenaErrorCode: code, ErrorCode: code });

export const AthenaErrors = {
  invalidInput: (message: string) => invalid('INVALID_INPUT', message),
  malformedQuery: (message: string) => invalid('MALFORMED_QUERY', message),
  idempotentMismatch: () => invalid('IDEMPOTENT_PARAMETER_MISMATCH', 'Idempotent parameters do not match'),
  queryNotFound: (id: string) => invalid('QUERY_EXECUTION_NOT_FOUND', `QueryExecution ${id} was not found`),
  notFinished: (state: string) => invalid('INVALID_QUERY_EXECUTION_STATE', `Query has not yet finished. Current state: ${state}`),
  didNotSucceed: (state: string) => invalid('INVALID_QUERY_EXECUTION_STATE', `Query did not finish successfully. Final query state: ${state}`),
  resultNotFound: () => invalid('RESULT_NOT_FOUND', 'Could not find results'),
  workGroupNotFound: () => invalid('INVALID_INPUT', 'WorkGroup is not found.'),
  noOutputLocation: () =>
    invalid('INVALID_INPUT', 'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.'),
  resourceNotFound: (message: string, name?: string) =>
    new AthenaApiError('ResourceNotFoundException', message, name === undefined ? {} : { ResourceName: name }),
  metadata: (message: string) => new AthenaApiError('MetadataException', message),
  /** The active (running + queued) query quota is used up. */
  tooManyQueries: () =>
    new AthenaApiError(
      'TooManyRequestsException',
      'You have exceeded the limit for the number of queries you can run concurrently. Please reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.',
      { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' },
    ),
  unknownOperation: (op: string) => new AthenaApiError('InvalidRequestException', `Operation ${op} is not supported by Lakebox's Athena.`, { AthenaErrorCode: 'INVALID_INPUT' }),
} as const;

/** Measured engine error names → AthenaError ErrorType (category 2 USER unless stated; docs §A.10). */
const ERROR_TYPES: Readonly<Record<string, number>> = {
  DIVISION_BY_ZERO: 1001,
  TYPE_MISMATCH: 1002,
  SYNTAX_ERROR: 1006,
  COLUMN_NOT_FOUND: 1006,
  CATALOG_NOT_FOUND: 1006,
  INVALID_CAST_ARGUMENT: 1100,
  NUMERIC_VALUE_OUT_OF_RANGE: 1100,
  INVALID_PARAMETER_USAGE: 1100,
  INVALID_FUNCTION_ARGUMENT: 1106,
  TABLE_ALREADY_EXISTS: 1110,
  NOT_SUPPORTED: 1200,
  TABLE_NOT_FOUND: 1301,
  SCHEMA_NOT_FOUND: 1301,
  FUNCTION_NOT_FOUND: 1303,
  USER_CANCELED: 1011,
  EXCEEDED_SCAN_LIMIT: 1008,
  GENERIC_USER_ERROR: 1000,
  HIVE_BAD_DATA: 1001,
  HIVE_CURSOR_ERROR: 1001,
  GENERIC_INTERNAL_ERROR: 200,
};

/** A query that ran (or was routed) and failed: `name: message` becomes StateChangeReason and AthenaError. */
export class QueryFailure extends Error {
  constructor(
    readonly errorName: string,
    readonly detail: string,
    /** Hive DDL failures are reported as `FAILED: …` and write a `.txt` result. */
    readonly hive = false,
  ) {
    super(hive ? detail : `${errorName}: ${detail}`);
    this.name = 'QueryFailure';
  }

  get athenaError(): AthenaErrorInfo {
    const type = ERROR_TYPES[this.errorName] ?? (this.hive ? 1003 : 1000);
    const system = this.errorName === 'GENERIC_INTERNAL_ERROR';
    return { ErrorCategory: system ? 1 : 2, ErrorType: type, Retryable: false, ErrorMessage: this.message };
  }
}

export const QueryFailures = {
  tableNotFound: (catalog: string, db: string, table: string, pos = '1:15') =>
    new QueryFailure('TABLE_NOT_FOUND', `line ${pos}: Table '${catalog.toLowerCase()}.${db}.${table}' does not exist`),
  schemaNotFound: (db: string, pos = '1:15') =>
    new QueryFailure('SCHEMA_NOT_FOUND', `line ${pos}: Schema '${db}' does not exist`),
  columnNotFound: (name: string, pos = '1:8') =>
    new QueryFailure('COLUMN_NOT_FOUND', `line ${pos}: Column '${name}' cannot be resolved or requester is not authorized to access requested resources`),
  scanLimit: () => new QueryFailure('EXCEEDED_SCAN_LIMIT', 'Bytes scanned limit was exceeded'),
  parameterCount: (expected: number, found: number) =>
    new QueryFailure('INVALID_PARAMETER_USAGE', `Incorrect number of parameters: expected ${expected} but found ${found}`),
  notSupported: (message: string) => new QueryFailure('NOT_SUPPORTED', message),
  internal: (message: string) => new QueryFailure('GENERIC_INTERNAL_ERROR', message),
} as const;

/**
 * A varchar or number guard's refusal (see dialect/string-comparisons.ts) in Trino's words for the comparison it
 * stands for. DuckDB names only the other type, so a query with several guarded comparisons is worded after its first.
 */
function stringComparisonFailure(message: string, comparisons: readonly StringComparison[]): QueryFailure | undefined {
  // The numericOnly guard: `x + TINYINT` has no match when x is not a number.
  const n = /No function matches the given name and argument types '\+\((.+), TINYINT\)'/.exec(message);
  const numeric = comparisons.find((c) => c.numberType !== undefined);
  if (n && numeric) return comparisonFailure(trinoTypeName(n[1]!), numeric.numberType!, numeric);
  const m = /Cannot compare values of type (.+?) and type VARCHAR - an explicit cast is required/.exec(message);
  const c = comparisons.find((x) => x.numberType === undefined);
  if (!m || !c) return undefined;
  return comparisonFailure(trinoTypeName(m[1]!), `varchar(${c.length})`, c);
}

/** Trino's TYPE_MISMATCH for `c` between an expression of type `type` and a literal of type `literal`. */
function comparisonFailure(type: string, literal: string, c: StringComparison): QueryFailure {
  switch (c.operator) {
    case 'IN':
      return new QueryFailure(
        'TYPE_MISMATCH',
        `line 1:8: IN value and list items must be the same type or coercible to a common type. Cannot find common type between ${type} and ${literal}, all types (without duplicates): [${type}, ${literal}]`,
      );
    case 'BETWEEN':
      return new QueryFailure('TYPE_MISMATCH', `line 1:8: Cannot check if ${type} is BETWEEN ${literal} and ${literal}`);
    default: {
      const [left, right] = c.literalFirst ? [literal, type] : [type, literal];
      return new QueryFailure('TYPE_MISMATCH', `line 1:8: Cannot apply operator: ${left} ${c.operator} ${right}`);
    }
  }
}

/**
 * Maps a DuckDB error message to the closest Trino error name, keeping the engine's text as the detail;
 * `stringComparisons` (from the translation) words a refused string comparison as Trino does. `query` is the SQL the
 * user sent: names the engine complains about are located there for the `line L:C` prefix (DuckDB's own positions
 * are in the translated SQL).
 */
export function failureFromEngine(message: string, stringComparisons: readonly StringComparison[] = [], query?: string): QueryFailure {
  const m = message.replace(/\n+LINE \d+:[\s\S]*$/, '').trim();
  const comparison = stringComparisonFailure(m, stringComparisons);
  if (comparison) return comparison;
  // Errors raised on purpose by SerDe readers (DuckDB `error('HIVE_CURSOR_ERROR: …')`) and function templates.
  const raised = /\b(HIVE_[A-Z_]+|INVALID_FUNCTION_ARGUMENT|INVALID_CAST_ARGUMENT): ([\s\S]*)$/.exec(m);
  if (raised) return new QueryFailure(raised[1]!, raised[2]!);
  const at = (name: string, qualifier?: string): string => (query === undefined ? '1:8' : identifierPosition(query, name, qualifier));
  // `Table "t" does not have a column named "x"` (also for VALUES lists): Trino names the column qualified.
  const qualified = /^Binder Error: (?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"/i.exec(m);
  if (qualified) return QueryFailures.columnNotFound(`${qualified[1]}.${qualified[2]}`, at(qualified[2]!, qualified[1]));
  // The second form is DuckDB's answer when the translation named the select item after the missing column.
  const column = /Referenced column "([^"]+)" not found|^Binder Error: Column "([^"]+)" referenced that exists in the SELECT clause|column "?([^"\s]+)"? not found/i.exec(m);
  if (column) {
    const name = column[1] ?? column[2] ?? column[3] ?? '?';
    return QueryFailures.columnNotFound(name, at(name));
  }
  const ambiguous = /^Binder Error: Ambiguous reference to column name "([^"]+)"/i.exec(m);
  if (ambiguous) return new QueryFailure('AMBIGUOUS_NAME', `line ${at(ambiguous[1]!)}: Column '${ambiguous[1]}' is ambiguous`);
  // DuckDB quotes the name in the select-list form and not in the HAVING form (which it also gives for a name that is
  // no column at all; Trino would say COLUMN_NOT_FOUND there).
  const notAggregate = /^Binder Error: column (?:"([^"]+)"|([^\s"]+)) must appear in the GROUP BY clause/i.exec(m);
  if (notAggregate) {
    const name = notAggregate[1] ?? notAggregate[2]!;
    return new QueryFailure('EXPRESSION_NOT_AGGREGATE', `line ${at(name)}: '${name}' must be an aggregate expression or appear in GROUP BY clause`);
  }
  if (/Division by zero/i.test(m)) return new QueryFailure('DIVISION_BY_ZERO', 'Division by zero');
  if (/^Conversion Error/i.test(m)) return new QueryFailure('INVALID_CAST_ARGUMENT', m.replace(/^Conversion Error: /, ''));
  const missing = /^Catalog Error: (?:Scalar |Aggregate |Table )?Function with name "?([^"\s!]+)"? does not exist/i.exec(m);
  if (missing && query !== undefined && functionPosition(query, missing[1]!, '') !== '') {
    return new QueryFailure('FUNCTION_NOT_FOUND', `line ${functionPosition(query, missing[1]!)}: Function '${missing[1]}' not registered`);
  }
  if (/^Catalog Error: Scalar Function|^Catalog Error: .*Function with name/i.test(m)) {
    return new QueryFailure('FUNCTION_NOT_FOUND', `line 1:8: ${m.replace(/^Catalog Error: /, '')}`);
  }
  if (/^Catalog Error: Table with name/i.test(m)) return new QueryFailure('TABLE_NOT_FOUND', `line 1:15: ${m.replace(/^Catalog Error: /, '')}`);
  // A function the user called with arguments it has no signature for, in Trino's words and at the call.
  const call = /No function matches the given name and argument types '([A-Za-z_][\w]*)\((.*?)\)'|Could not choose a best candidate function for the function call "([A-Za-z_][\w]*)\((.*?)\)"/.exec(m);
  const called = call?.[1] ?? call?.[3];
  if (called !== undefined && query !== undefined && functionPosition(query, called, '') !== '') {
    const args = splitTop(call?.[2] ?? call?.[4] ?? '').map(argumentType);
    return new QueryFailure('TYPE_MISMATCH', `line ${functionPosition(query, called)}: Unexpected parameters (${args.join(', ')}) for function ${called.toLowerCase()}`);
  }
  if (/^Binder Error: No function matches|Cannot compare values|Cannot mix values of type|^Binder Error: .*type/i.test(m)) {
    // DuckDB's candidate lists name DuckDB's signatures, not Athena's: left out.
    return new QueryFailure('TYPE_MISMATCH', `line 1:8: ${m.replace(/^Binder Error: /, '').replace(/\.?\s*(In order to select one|You might need to add explicit type casts)[\s\S]*$/, '')}`);
  }
  if (/^Parser Error/i.test(m)) return new QueryFailure('SYNTAX_ERROR', `line 1:1: ${m.replace(/^Parser Error: /, '')}`);
  if (/^Out of Range Error/i.test(m)) return new QueryFailure('NUMERIC_VALUE_OUT_OF_RANGE', m.replace(/^Out of Range Error: /, ''));
  if (/^(Invalid Input|IO) Error/i.test(m)) return new QueryFailure('HIVE_BAD_DATA', m);
  return new QueryFailure('GENERIC_USER_ERROR', m);
}

/** A DuckDB argument type in Trino's name (literals as the type Trino gives them). */
function argumentType(duckType: string): string {
  const literal: Readonly<Record<string, string>> = { STRING_LITERAL: 'varchar', INTEGER_LITERAL: 'integer', NULL: 'unknown', '"NULL"': 'unknown' };
  if (literal[duckType] !== undefined) return literal[duckType];
  try {
    return trinoTypeName(duckType);
  } catch {
    return duckType.toLowerCase();
  }
}
