"""Functions (Lambda) through boto3 and the AWS CLI: create with waiters, invoke (sync, tail logs),
update with the function_updated_v2 waiter, the AWS CLI `lambda invoke`, and AWS error codes."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from lakebox_helpers import make_zip, raw_request

ROLE = 'arn:aws:iam::000000000000:role/lambda-role'


@pytest.fixture(scope='module')
def lam(lakebox):
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region
    )
    return session.client('lambda', endpoint_url=lakebox.endpoint, config=Config(retries={'total_max_attempts': 1}))


PY_HANDLER = '''
import os
calls = 0
def handler(event, context):
    global calls
    calls += 1
    print("got", event)
    return {"calls": calls, "event": event, "request_id": context.aws_request_id,
            "memory": context.memory_limit_in_mb, "greeting": os.environ.get("GREETING")}
'''


def create_python(lam, name: str, code: str = PY_HANDLER, **extra) -> dict:
    return lam.create_function(FunctionName=name, Runtime='python3.12', Role=ROLE, Handler='app.handler',
                               Code={'ZipFile': make_zip({'app.py': code})}, **extra)


def test_create_wait_invoke_update(lam, unique):
    name = unique('py')
    zipped = make_zip({'app.py': PY_HANDLER})
    created = lam.create_function(FunctionName=name, Runtime='python3.12', Role=ROLE, Handler='app.handler',
                                  Code={'ZipFile': zipped}, Environment={'Variables': {'GREETING': 'hi'}})
    assert created['ResponseMetadata']['HTTPStatusCode'] == 201
    assert created['State'] == 'Pending'
    assert created['CodeSha256'] == base64.b64encode(hashlib.sha256(zipped).digest()).decode()
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    conf = lam.get_function(FunctionName=name)['Configuration']
    assert conf['State'] == 'Active' and conf['LastUpdateStatus'] == 'Successful'

    resp = lam.invoke(FunctionName=name, Payload=json.dumps({'x': 1}).encode(), LogType='Tail')
    assert resp['StatusCode'] == 200
    assert 'FunctionError' not in resp
    body = json.loads(resp['Payload'].read())
    assert body == {'calls': 1, 'event': {'x': 1}, 'request_id': resp['ResponseMetadata']['RequestId'],
                    'memory': '128', 'greeting': 'hi'}
    log = base64.b64decode(resp['LogResult']).decode()
    assert f"START RequestId: {body['request_id']} Version: $LATEST" in log
    assert "got {'x': 1}" in log
    assert f"END RequestId: {body['request_id']}" in log and 'REPORT RequestId: ' in log

    updated = lam.update_function_configuration(FunctionName=name, Environment={'Variables': {'GREETING': 'hello'}})
    assert updated['LastUpdateStatus'] == 'InProgress'
    lam.get_waiter('function_updated_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    body = json.loads(lam.invoke(FunctionName=name)['Payload'].read())
    # New configuration → fresh environment (module state reset), empty payload → {}.
    assert body['greeting'] == 'hello' and body['calls'] == 1 and body['event'] == {}
    lam.delete_function(FunctionName=name)


def test_function_uses_boto3_against_lakebox(lam, unique, s3):
    name = unique('boto')
    bucket = unique('fn-bucket')
    code = ('import boto3\n'
            'def handler(event, context):\n'
            '    s3 = boto3.client("s3")\n'
            '    s3.create_bucket(Bucket=event["bucket"])\n'
            '    s3.put_object(Bucket=event["bucket"], Key="k", Body=b"from lambda")\n'
            '    return "ok"\n')
    create_python(lam, name, code, Timeout=30)
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    resp = lam.invoke(FunctionName=name, Payload=json.dumps({'bucket': bucket}).encode())
    assert 'FunctionError' not in resp, resp['Payload'].read()
    assert s3.get_object(Bucket=bucket, Key='k')['Body'].read() == b'from lambda'
    s3.delete_object(Bucket=bucket, Key='k')
    s3.delete_bucket(Bucket=bucket)


def test_reserved_concurrency_throttles_sync_invokes_and_holds_events(lam, unique, s3):
    """Terraform's reserved_concurrent_executions: 0 disables the function; N caps running executions."""
    import concurrent.futures
    import time

    name = unique('conc')
    bucket = unique('conc-bucket')
    s3.create_bucket(Bucket=bucket)
    code = ('import boto3, time\n'
            'def handler(event, context):\n'
            '    time.sleep(event.get("sleep", 0))\n'
            '    if "key" in event:\n'
            '        boto3.client("s3").put_object(Bucket=event["bucket"], Key=event["key"], Body=b"ran")\n'
            '    return "ok"\n')
    create_python(lam, name, code, Timeout=30)
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    assert 'ReservedConcurrentExecutions' not in lam.get_function_concurrency(FunctionName=name)
    assert lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)['ReservedConcurrentExecutions'] == 0
    assert lam.get_function(FunctionName=name)['Concurrency'] == {'ReservedConcurrentExecutions': 0}
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, Payload=b'{}')
    assert info.value.response['Error']['Code'] == 'TooManyRequestsException'
    assert info.value.response['ResponseMetadata']['HTTPStatusCode'] == 429
    assert info.value.response['Reason'] == 'ReservedFunctionConcurrentInvocationLimitExceeded'
    # An event is accepted and waits while the function is throttled; it runs once the reservation is removed.
    assert lam.invoke(FunctionName=name, InvocationType='Event', Payload=json.dumps({'bucket': bucket, 'key': 'event'}).encode())['StatusCode'] == 202
    time.sleep(1.5)
    assert s3.list_objects_v2(Bucket=bucket).get('KeyCount') == 0
    lam.delete_function_concurrency(FunctionName=name)
    for _ in range(100):
        if s3.list_objects_v2(Bucket=bucket).get('KeyCount') == 1:
            break
        time.sleep(0.2)
    assert s3.get_object(Bucket=bucket, Key='event')['Body'].read() == b'ran'
    # With 1 reserved, a second invoke while the first runs is throttled.
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(lam.invoke, FunctionName=name, Payload=b'{"sleep": 2}')
        time.sleep(0.7)
        with pytest.raises(ClientError) as info:
            lam.invoke(FunctionName=name, Payload=b'{}')
        assert info.value.response['Error']['Code'] == 'TooManyRequestsException'
        assert 'FunctionError' not in slow.result()
    assert 'FunctionError' not in lam.invoke(FunctionName=name, Payload=b'{}')
    # The account keeps 100 unreserved; versions and aliases cannot be reserved.
    with pytest.raises(ClientError) as info:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=901)
    assert info.value.response['Error']['Code'] == 'InvalidParameterValueException'
    assert 'below its minimum value of [100]' in info.value.response['Error']['Message']
    with pytest.raises(ClientError) as info:
        lam.put_function_concurrency(FunctionName=f'{name}:$LATEST', ReservedConcurrentExecutions=5)
    assert info.value.response['Error']['Code'] == 'InvalidParameterValueException'
    # GetAccountSettings counts every function, its code and the reservations.
    functions = [f for page in lam.get_paginator('list_functions').paginate() for f in page['Functions']]
    reserved = sum(lam.get_function_concurrency(FunctionName=f['FunctionName']).get('ReservedConcurrentExecutions', 0) for f in functions)
    settings = lam.get_account_settings()
    assert settings['AccountLimit']['ConcurrentExecutions'] == 1000 and reserved >= 1
    assert settings['AccountLimit']['UnreservedConcurrentExecutions'] == 1000 - reserved
    assert settings['AccountLimit']['CodeSizeZipped'] == 52428800 and settings['AccountLimit']['CodeSizeUnzipped'] == 262144000
    assert settings['AccountUsage'] == {'FunctionCount': len(functions), 'TotalCodeSize': sum(f['CodeSize'] for f in functions)}


def test_function_error_shape(lam, unique):
    name = unique('pyerr')
    create_python(lam, name, 'def handler(event, context):\n    raise ValueError("bad input")\n')
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    resp = lam.invoke(FunctionName=name, Payload=b'{}')
    assert resp['StatusCode'] == 200 and resp['FunctionError'] == 'Unhandled'
    err = json.loads(resp['Payload'].read())
    assert list(err) == ['errorMessage', 'errorType', 'requestId', 'stackTrace']
    assert err['errorMessage'] == 'bad input' and err['errorType'] == 'ValueError'


def test_nodejs24_refuses_callback_handlers_that_older_node_runtimes_run(lam, unique):
    """AWS removed callback-style handlers from nodejs24.x: such a function fails at init; async ones still work."""
    callback = 'exports.handler = function (event, context, callback) { callback(null, { ok: event.n }); };\n'
    results = {}
    for runtime in ('nodejs22.x', 'nodejs24.x'):
        name = unique('cb')
        lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler='index.handler',
                            Code={'ZipFile': make_zip({'index.js': callback})})
        lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
        resp = lam.invoke(FunctionName=name, Payload=b'{"n": 7}')
        results[runtime] = (resp.get('FunctionError'), json.loads(resp['Payload'].read()))
    assert results['nodejs22.x'] == (None, {'ok': 7})
    error, body = results['nodejs24.x']
    assert error == 'Unhandled' and body['errorType'] == 'Runtime.CallbackHandlerDeprecated'
    assert 'removed support for callback-based function handlers starting with Node.js 24' in body['errorMessage']
    name = unique('async24')
    lam.create_function(FunctionName=name, Runtime='nodejs24.x', Role=ROLE, Handler='index.handler',
                        Code={'ZipFile': make_zip({'index.js': 'exports.handler = async (event, context) => ({ ok: event.n });\n'})})
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    resp = lam.invoke(FunctionName=name, Payload=b'{"n": 8}')
    assert 'FunctionError' not in resp and json.loads(resp['Payload'].read()) == {'ok': 8}


def test_resource_policy_add_get_remove_as_terraform_and_cdk_call_it(lam, unique):
    name = unique('perm')
    create_python(lam, name)
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    arn = lam.get_function(FunctionName=name)['Configuration']['FunctionArn']
    with pytest.raises(ClientError) as info:
        lam.get_policy(FunctionName=name)
    assert info.value.response['Error']['Code'] == 'ResourceNotFoundException'
    before = lam.get_function(FunctionName=name)['Configuration']['RevisionId']
    resp = lam.add_permission(FunctionName=name, StatementId='s3-invoke', Action='lambda:InvokeFunction', Principal='s3.amazonaws.com',
                              SourceArn='arn:aws:s3:::lake', SourceAccount='123456789012')
    assert resp['ResponseMetadata']['HTTPStatusCode'] == 201
    statement = json.loads(resp['Statement'])
    assert statement == {'Sid': 's3-invoke', 'Effect': 'Allow', 'Principal': {'Service': 's3.amazonaws.com'}, 'Action': 'lambda:InvokeFunction',
                         'Resource': arn, 'Condition': {'StringEquals': {'AWS:SourceAccount': '123456789012'}, 'ArnLike': {'AWS:SourceArn': 'arn:aws:s3:::lake'}}}
    lam.add_permission(FunctionName=arn, StatementId='acct', Action='lambda:*', Principal='210987654321')
    with pytest.raises(ClientError) as info:
        lam.add_permission(FunctionName=name, StatementId='acct', Action='lambda:InvokeFunction', Principal='*')
    assert info.value.response['Error']['Code'] == 'ResourceConflictException'
    with pytest.raises(ClientError) as info:
        lam.add_permission(FunctionName=name, StatementId='bad sid', Action='lambda:InvokeFunction', Principal='*')
    assert info.value.response['Error']['Code'] == 'ValidationException'
    with pytest.raises(ClientError) as info:
        lam.add_permission(FunctionName=name, StatementId='stale', Action='lambda:InvokeFunction', Principal='*', RevisionId=before)
    assert info.value.response['Error']['Code'] == 'PreconditionFailedException'
    policy = lam.get_policy(FunctionName=name)
    doc = json.loads(policy['Policy'])
    assert doc['Version'] == '2012-10-17' and [s['Sid'] for s in doc['Statement']] == ['s3-invoke', 'acct']
    assert doc['Statement'][1]['Principal'] == {'AWS': 'arn:aws:iam::210987654321:root'}
    assert policy['RevisionId'] == lam.get_function(FunctionName=name)['Configuration']['RevisionId'] != before
    assert lam.remove_permission(FunctionName=name, StatementId='s3-invoke')['ResponseMetadata']['HTTPStatusCode'] == 204
    with pytest.raises(ClientError) as info:
        lam.remove_permission(FunctionName=name, StatementId='s3-invoke')
    assert info.value.response['Error']['Code'] == 'ResourceNotFoundException'
    assert [s['Sid'] for s in json.loads(lam.get_policy(FunctionName=name)['Policy'])['Statement']] == ['acct']
    lam.remove_permission(FunctionName=name, StatementId='acct')
    with pytest.raises(ClientError) as info:
        lam.get_policy(FunctionName=name)
    assert info.value.response['Error']['Code'] == 'ResourceNotFoundException'


def test_aws_cli_invoke(lam, aws, unique, tmp_path):
    name = unique('cli')
    create_python(lam, name)
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    payload = tmp_path / 'payload.json'
    payload.write_text(json.dumps({'from': 'cli'}))
    out = tmp_path / 'out.json'
    meta = aws.json('lambda', 'invoke', '--function-name', name, '--payload', f'fileb://{payload}', str(out))
    assert meta['StatusCode'] == 200 and meta['ExecutedVersion'] == '$LATEST'
    assert json.loads(out.read_text())['event'] == {'from': 'cli'}
    listed = aws.json('lambda', 'list-functions')
    assert name in [f['FunctionName'] for f in listed['Functions']]
    assert all('State' not in f for f in listed['Functions'])


def test_errors(lam, unique, lakebox):
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName='does-not-exist-' + uuid.uuid4().hex[:6])
    assert exc.value.response['Error']['Code'] == 'ResourceNotFoundException'
    assert exc.value.response['ResponseMetadata']['HTTPStatusCode'] == 404
    assert exc.value.response['Error']['Message'].startswith('Function not found: arn:aws:lambda:us-east-1:000000000000:function:')

    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName=unique('rt'), Runtime='ruby3.3', Role=ROLE, Handler='a.b',
                            Code={'ZipFile': make_zip({'a.rb': ''})})
    assert exc.value.response['Error']['Code'] == 'InvalidParameterValueException'
    assert "at 'runtime' failed to satisfy constraint: Member must satisfy enum value set" in exc.value.response['Error']['Message']

    name = unique('json')
    create_python(lam, name)
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b'{"unterminated"')
    assert exc.value.response['Error']['Code'] == 'InvalidRequestContentException'
    assert exc.value.response['ResponseMetadata']['HTTPStatusCode'] == 400
    assert exc.value.response['Error']['Message'].startswith('Could not parse request body into json: Could not parse payload into json')


def test_dead_letter_queues_and_efs_are_refused_not_ignored(lam, unique):
    for extra, word in (({'DeadLetterConfig': {'TargetArn': 'arn:aws:sqs:us-east-1:000000000000:dlq'}}, 'Dead-letter'),
                        ({'FileSystemConfigs': [{'Arn': 'arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/fsap-1',
                                                 'LocalMountPath': '/mnt/efs'}]}, 'EFS')):
        name = unique('refused')
        with pytest.raises(ClientError) as exc:
            create_python(lam, name, **extra)
        assert exc.value.response['Error']['Code'] == 'InvalidParameterValueException'
        assert word in exc.value.response['Error']['Message']
        with pytest.raises(ClientError) as exc:
            lam.get_function(FunctionName=name)
        assert exc.value.response['Error']['Code'] == 'ResourceNotFoundException'
    # An empty DeadLetterConfig is how AWS clears one: accepted.
    name = unique('cleared')
    create_python(lam, name, DeadLetterConfig={})
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName=name, DeadLetterConfig={'TargetArn': 'arn:aws:sns:us-east-1:000000000000:t'})
    assert exc.value.response['Error']['Code'] == 'InvalidParameterValueException'


def test_trailing_slash_and_encoded_arn(lam, unique, lakebox):
    """Older SDKs send /2015-03-31/functions/ ; ARNs arrive percent-encoded in the path."""
    name = unique('raw')
    create_python(lam, name)
    creds = Credentials(lakebox.access_key, lakebox.secret_key)

    def signed_get(path: str):
        url = lakebox.endpoint + path
        req = AWSRequest(method='GET', url=url)
        SigV4Auth(creds, 'lambda', lakebox.region).add_auth(req)
        return raw_request('GET', url, headers=dict(req.headers.items()))

    status, headers, body = signed_get('/2015-03-31/functions/')
    assert status == 200, body
    assert name in [f['FunctionName'] for f in json.loads(body)['Functions']]
    assert headers.get('x-amzn-requestid')
    arn = f'arn:aws:lambda:us-east-1:000000000000:function:{name}'
    status, _, body = signed_get('/2015-03-31/functions/' + arn.replace(':', '%3A') + '/configuration')
    assert status == 200, body
    assert json.loads(body)['FunctionName'] == name
    status, headers, body = signed_get('/2015-03-31/functions/nope-' + uuid.uuid4().hex[:6])
    assert status == 404 and headers['x-amzn-errortype'] == 'ResourceNotFoundException'
    assert json.loads(body)['Type'] == 'User' and 'Message' in json.loads(body)
