/** A function's resource-based policy (AddPermission / GetPolicy / RemovePermission): statements built as Lambda writes them. */
import { LambdaError, LambdaErrors } from './errors.js';

/** One statement of the policy document, as GetPolicy returns it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: string | Readonly<Record<string, string>>;
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const SID = /^[a-zA-Z0-9-_.]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const PRINCIPAL = /^[^\s]+$/;
const ACCOUNT = /^\d{12}$/;

type Input = Record<string, unknown>;

function optionalString(input: Input, member: string, field: string, max: number): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length < 1 || v.length > max) throw LambdaErrors.validation(v, field, `have length between 1 and ${max}`);
  return v;
}

/** The principal as Lambda writes it: a service, an account (as its root ARN), `*`, or an ARN. */
function principalOf(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (ACCOUNT.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

/** The statement an AddPermission request adds to the policy of the function `resource` (its ARN). */
export function statementOf(input: Input, resource: string): PolicyStatement {
  const sid = input.StatementId;
  if (typeof sid !== 'string' || sid.length < 1 || sid.length > 100 || !SID.test(sid)) {
    throw LambdaErrors.validation(sid, 'statementId', 'satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)');
  }
  const action = input.Action;
  if (typeof action !== 'string' || !ACTION.test(action)) throw LambdaErrors.validation(action, 'action', 'satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])');
  const principal = input.Principal;
  if (typeof principal !== 'string' || !PRINCIPAL.test(principal)) throw LambdaErrors.validation(principal, 'principal', 'satisfy regular expression pattern: [^\\s]+');
  const sourceArn = optionalString(input, 'SourceArn', 'sourceArn', 1024);
  const sourceAccount = optionalString(input, 'SourceAccount', 'sourceAccount', 12);
  const orgId = optionalString(input, 'PrincipalOrgID', 'principalOrgID', 34);
  const token = optionalString(input, 'EventSourceToken', 'eventSourceToken', 256);
  const urlAuth = optionalString(input, 'FunctionUrlAuthType', 'functionUrlAuthType', 16);
  if (urlAuth !== undefined && urlAuth !== 'NONE' && urlAuth !== 'AWS_IAM') throw LambdaErrors.validation(urlAuth, 'functionUrlAuthType', 'satisfy enum value set: [NONE, AWS_IAM]');
  const condition: Record<string, Record<string, string>> = {};
  const add = (op: string, key: string, value: string | undefined): void => {
    if (value !== undefined) condition[op] = { ...condition[op], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', sourceAccount);
  add('StringEquals', 'aws:PrincipalOrgID', orgId);
  add('StringEquals', 'lambda:EventSourceToken', token);
  add('StringEquals', 'lambda:FunctionUrlAuthType', urlAuth);
  add('ArnLike', 'AWS:SourceArn', sourceArn);
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principalOf(principal),
    Action: action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** The policy with `statement` added; a statement id already present is a conflict, as in Lambda. */
export function withStatement(policy: readonly PolicyStatement[] | undefined, statement: PolicyStatement): PolicyStatement[] {
  const current = policy ?? [];
  if (current.some((s) => s.Sid === statement.Sid)) {
    throw new LambdaError(
      'ResourceConflictException',
      `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  return [...current, statement];
}

/** The policy without statement `sid`; an unknown id is not found. */
export function withoutStatement(policy: readonly PolicyStatement[] | undefined, sid: string): PolicyStatement[] {
  const current = policy ?? [];
  if (!current.some((s) => s.Sid === sid)) throw new LambdaError('ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`);
  return current.filter((s) => s.Sid !== sid);
}

/** GetPolicy's `Policy` text; a function without statements has no policy (not found, as in Lambda). */
export function policyDocument(policy: readonly PolicyStatement[] | undefined): string {
  if (!policy || policy.length === 0) throw new LambdaError('ResourceNotFoundException', 'The resource you requested does not exist.');
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: policy });
}
