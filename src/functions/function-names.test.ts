/** Unit tests for FunctionName / ARN / qualifier parsing. */
import { describe, expect, it } from 'vitest';
import { LambdaError } from './errors.js';
import { functionArn, parseFunctionRef, qualifiedArn } from './function-names.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };

function code(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof LambdaError ? err.code : String(err);
  }
}

describe('parseFunctionRef', () => {
  it('accepts a bare name, name:qualifier, full and partial ARNs', () => {
    expect(parseFunctionRef('my-fn', undefined, ctx)).toEqual({ name: 'my-fn', qualifier: undefined });
    expect(parseFunctionRef('my_fn:v1', undefined, ctx)).toEqual({ name: 'my_fn', qualifier: 'v1' });
    expect(parseFunctionRef('arn:aws:lambda:us-east-1:000000000000:function:f', undefined, ctx)).toEqual({ name: 'f', qualifier: undefined });
    expect(parseFunctionRef('arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST', undefined, ctx)).toEqual({
      name: 'f',
      qualifier: '$LATEST',
    });
    expect(parseFunctionRef('000000000000:function:g:7', undefined, ctx)).toEqual({ name: 'g', qualifier: '7' });
  });

  it('merges the query qualifier and rejects a conflicting one', () => {
    expect(parseFunctionRef('f', '$LATEST', ctx).qualifier).toBe('$LATEST');
    expect(parseFunctionRef('f:$LATEST', '$LATEST', ctx).qualifier).toBe('$LATEST');
    expect(code(() => parseFunctionRef('f:1', '2', ctx))).toBe('InvalidParameterValueException');
  });

  it('rejects other regions with 404 and malformed names with ValidationException', () => {
    const err = (() => {
      try {
        parseFunctionRef('arn:aws:lambda:eu-west-1:000000000000:function:f', undefined, ctx);
      } catch (e) {
        return e as LambdaError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('ResourceNotFoundException');
    expect(err?.message).toBe("Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
    expect(code(() => parseFunctionRef('bad name', undefined, ctx))).toBe('ValidationException');
    expect(code(() => parseFunctionRef('a:b:c', undefined, ctx))).toBe('ValidationException');
    expect(code(() => parseFunctionRef('x'.repeat(65), undefined, ctx))).toBe('ValidationException');
    expect(code(() => parseFunctionRef('', undefined, ctx))).toBe('ValidationException');
    expect(code(() => parseFunctionRef('arn:aws:s3:us-east-1:000000000000:function:f', undefined, ctx))).toBe('ValidationException');
  });

  it('prints unqualified and qualified ARNs', () => {
    expect(functionArn('f', ctx)).toBe('arn:aws:lambda:us-east-1:000000000000:function:f');
    expect(qualifiedArn('f', ctx)).toBe('arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST');
  });
});
