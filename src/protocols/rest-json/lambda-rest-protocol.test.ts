/** Route table tests for the Lambda REST-JSON protocol: trailing slashes, encoded labels, unknown paths. */
import { describe, expect, it } from 'vitest';
import type { FunctionsService } from '../../functions/functions-service.js';
import { LambdaRestProtocol } from './lambda-rest-protocol.js';

const protocol = new LambdaRestProtocol({} as FunctionsService);

describe('LambdaRestProtocol.operationOf', () => {
  it('maps method and path, with or without a trailing slash', () => {
    expect(protocol.operationOf('POST', '/2015-03-31/functions')).toBe('CreateFunction');
    expect(protocol.operationOf('POST', '/2015-03-31/functions/')).toBe('CreateFunction');
    expect(protocol.operationOf('GET', '/2015-03-31/functions/')).toBe('ListFunctions');
    expect(protocol.operationOf('GET', '/2015-03-31/functions/f')).toBe('GetFunction');
    expect(protocol.operationOf('GET', '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/configuration')).toBe(
      'GetFunctionConfiguration',
    );
    expect(protocol.operationOf('PUT', '/2015-03-31/functions/f/code')).toBe('UpdateFunctionCode');
    expect(protocol.operationOf('POST', '/2015-03-31/functions/f/invocations')).toBe('Invoke');
    expect(protocol.operationOf('POST', '/2014-11-13/functions/f/invoke-async/')).toBe('InvokeAsync');
    expect(protocol.operationOf('DELETE', '/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af')).toBe('UntagResource');
  });

  it('returns Unknown for paths and methods it does not serve', () => {
    expect(protocol.operationOf('PATCH', '/2015-03-31/functions/f')).toBe('Unknown');
    expect(protocol.operationOf('GET', '/2015-03-31/functions/f/nothing')).toBe('Unknown');
    expect(protocol.operationOf('GET', '/2015-03-31/functions//configuration')).toBe('Unknown');
    expect(LambdaRestProtocol.isCodeDownload('GET', `/_lakebox/functions/code/${'a'.repeat(64)}.zip`)).toBe(true);
    expect(LambdaRestProtocol.isCodeDownload('GET', '/_lakebox/functions/code/x.zip')).toBe(false);
  });
});
