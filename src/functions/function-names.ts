/** FunctionName / ARN / partial ARN / qualifier parsing (digest §1.3) and the ARNs Lakebox prints. */
import { LambdaError, LambdaErrors } from './errors.js';

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

export interface FunctionRef {
  readonly name: string;
  /** `$LATEST`, a version or an alias; undefined when the caller gave none. */
  readonly qualifier: string | undefined;
}

const NAME = /^[a-zA-Z0-9_-]+$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]+)$/;
const PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

function invalid(value: string, member: string): LambdaError {
  return LambdaErrors.validation(value, member, `satisfy regular expression pattern: ${PATTERN}`);
}

/**
 * Parses any accepted FunctionName form and merges the `Qualifier` query parameter.
 * `maxLength` is 140 for Create/Update and 256 for Invoke/Get/Delete.
 */
export function parseFunctionRef(input: string, queryQualifier: string | undefined, ctx: ArnContext, maxLength = 256): FunctionRef {
  const member = 'functionName';
  if (input === '') throw LambdaErrors.validation(input, member, 'have length greater than or equal to 1');
  if (input.length > maxLength) throw LambdaErrors.validation(input, member, `have length less than or equal to ${maxLength}`);
  let name: string;
  let derived: string | undefined;
  const parts = input.split(':');
  if (input.startsWith('arn:')) {
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.length < 7 || parts.length > 8 || parts[2] !== 'lambda' || parts[5] !== 'function' || !/^aws[a-zA-Z-]*$/.test(parts[1]!)) {
      throw invalid(input, member);
    }
    const [, , , region, account] = parts as [string, string, string, string, string];
    if (!/^\d{12}$/.test(account)) throw invalid(input, member);
    if (region !== ctx.region) throw LambdaErrors.regionUnreachable(region, ctx.region);
    if (account !== ctx.accountId) throw LambdaErrors.functionNotFound(input);
    name = parts[6]!;
    derived = parts[7];
  } else if (parts.length >= 3 && parts[1] === 'function') {
    // <account>:function:<name>[:<qualifier>]
    if (parts.length > 4 || !/^\d{12}$/.test(parts[0]!)) throw invalid(input, member);
    if (parts[0] !== ctx.accountId) throw LambdaErrors.functionNotFound(input);
    name = parts[2]!;
    derived = parts[3];
  } else if (parts.length <= 2) {
    name = parts[0]!;
    derived = parts[1];
  } else {
    throw invalid(input, member);
  }
  if (!NAME.test(name) || name.length > 64) throw invalid(input, member);
  if (derived !== undefined && !QUALIFIER.test(derived)) throw invalid(input, member);
  if (queryQualifier !== undefined) {
    if (!QUALIFIER.test(queryQualifier) || queryQualifier.length > 128) {
      throw LambdaErrors.validation(queryQualifier, 'qualifier', 'satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
    }
    if (derived !== undefined && derived !== queryQualifier) {
      throw LambdaErrors.invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
  }
  return { name, qualifier: derived ?? queryQualifier };
}

/** Unqualified function ARN. */
export function functionArn(name: string, ctx: ArnContext): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
}

/** ARN with `:$LATEST` (or the given qualifier), as Invoke errors and Firehose records print it. */
export function qualifiedArn(name: string, ctx: ArnContext, qualifier = '$LATEST'): string {
  return `${functionArn(name, ctx)}:${qualifier}`;
}
