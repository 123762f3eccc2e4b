"""Firehose Lambda transforms through boto3: a Python and a Node.js function created with the Lambda API transform,
drop and fail records, feed partitionKeyFromLambda, and failing functions (throwing, timing out, returning garbage)
send the batch to processing-failed error output in AWS's record shape."""

from __future__ import annotations

import base64
import gzip
import io
import json
import uuid

import boto3
import pyarrow.parquet as pq
import pytest
from botocore.config import Config

from lakebox_helpers import make_zip
from test_firehose import create_active, delivered, flush

ROLE = 'arn:aws:iam::000000000000:role/lambda-role'


def client(lakebox, service: str, **config):
    session = boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region)
    return session.client(service, endpoint_url=lakebox.endpoint, config=Config(**config))


@pytest.fixture(scope='module')
def firehose(lakebox):
    return client(lakebox, 'firehose')


@pytest.fixture(scope='module')
def lam(lakebox):
    return client(lakebox, 'lambda', retries={'total_max_attempts': 1})


def create_function(lam, runtime: str, handler: str, files: dict[str, str], timeout: int = 10) -> str:
    name = f'fh-{uuid.uuid4().hex[:8]}'
    arn = lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Timeout=timeout,
                              Code={'ZipFile': make_zip(files)})['FunctionArn']
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 20})
    return arn


PY_TRANSFORM = '''
import base64, json

def handler(event, context):
    assert event["deliveryStreamArn"].startswith("arn:aws:firehose:")
    out = []
    for r in event["records"]:
        doc = json.loads(base64.b64decode(r["data"]))
        if doc.get("drop"):
            out.append({"recordId": r["recordId"], "result": "Dropped"})
        elif doc.get("fail"):
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        else:
            doc["name"] = doc["name"].upper()
            doc["arrival"] = r["approximateArrivalTimestamp"]
            out.append({"recordId": r["recordId"], "result": "Ok",
                        "data": base64.b64encode((json.dumps(doc) + "\\n").encode()).decode()})
    return {"records": out}
'''

NODE_PARTITIONER = '''
export const handler = async (event) => ({
  records: event.records.map((r) => {
    const doc = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    return {
      recordId: r.recordId,
      result: 'Ok',
      data: Buffer.from(JSON.stringify({ ...doc, via: 'node' }) + '\\n').toString('base64'),
      metadata: { partitionKeys: { type: doc.type, shard: String(doc.n % 2) } },
    };
  }),
});
'''


def lambda_processor(arn: str, retries: int = 3) -> dict:
    return {'Type': 'Lambda', 'Parameters': [
        {'ParameterName': 'LambdaArn', 'ParameterValue': arn},
        {'ParameterName': 'NumberOfRetries', 'ParameterValue': str(retries)},
        {'ParameterName': 'BufferSizeInMBs', 'ParameterValue': '1'},
        {'ParameterName': 'BufferIntervalInSeconds', 'ParameterValue': '60'},
    ]}


def put_all(firehose, stream: str, docs: list) -> None:
    records = [{'Data': (d if isinstance(d, bytes) else json.dumps(d).encode())} for d in docs]
    for start in range(0, len(records), 500):
        assert firehose.put_record_batch(DeliveryStreamName=stream, Records=records[start:start + 500])['FailedPutCount'] == 0


def error_documents(objects, error_type: str) -> list[dict]:
    docs = []
    for key, _, body in objects:
        if key.startswith(f'errors/{error_type}/'):
            data = gzip.decompress(body) if key.endswith('.gz') else body
            docs += [json.loads(line) for line in data.decode().splitlines()]
    return docs


def test_python_transform_keeps_drops_and_fails_records(lakebox, firehose, lam, s3, bucket):
    arn = create_function(lam, 'python3.12', 'transform.handler', {'transform.py': PY_TRANSFORM})
    stream = f'py-lambda-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='out/dt=!{timestamp:yyyy-MM-dd-HH}/',
                  ErrorOutputPrefix='errors/!{firehose:error-output-type}/', CompressionFormat='GZIP',
                  ProcessingConfiguration={'Enabled': True, 'Processors': [lambda_processor(arn)]})
    docs = [{'name': f'n{i}', 'i': i, 'drop': i % 10 == 3, 'fail': i % 10 == 7} for i in range(700)]
    put_all(firehose, stream, docs)
    assert delivered(s3, bucket) == []
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    out = [json.loads(line) for key, enc, body in objects if key.startswith('out/') for line in gzip.decompress(body).decode().splitlines()]
    assert sorted(d['i'] for d in out) == [i for i in range(700) if i % 10 not in (3, 7)]
    assert all(d['name'] == f"N{d['i']}" and d['arrival'] > 1_600_000_000_000 for d in out)
    failed = error_documents(objects, 'processing-failed')
    assert sorted(json.loads(base64.b64decode(d['rawData']))['i'] for d in failed) == [i for i in range(700) if i % 10 == 7]
    for d in failed:
        assert d['errorCode'] == 'Lambda.ProcessingFailedStatus'
        assert d['errorMessage'] == 'ProcessingFailed status set for record'
        assert d['attemptsMade'] == 1
        assert d['lambdaARN'] == f'{arn}:$LATEST'
        assert d['attemptEndingTimestamp'] >= d['arrivalTimestamp']


def test_node_transform_partitions_by_lambda_keys(lakebox, firehose, lam, s3, bucket):
    arn = create_function(lam, 'nodejs20.x', 'index.handler', {'index.mjs': NODE_PARTITIONER})
    stream = f'py-lambda-dp-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='by/type=!{partitionKeyFromLambda:type}/shard=!{partitionKeyFromLambda:shard}/',
                  ErrorOutputPrefix='errors/!{firehose:error-output-type}/',
                  BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 60},
                  DynamicPartitioningConfiguration={'Enabled': True},
                  ProcessingConfiguration={'Enabled': True, 'Processors': [lambda_processor(arn)]})
    docs = [{'type': ['click', 'view', 'buy'][i % 3], 'n': i} for i in range(300)]
    put_all(firehose, stream, docs)
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    assert len(objects) == 6
    seen = []
    for key, _, body in objects:
        part = key.split('/')
        for line in body.decode().splitlines():
            d = json.loads(line)
            assert part[1] == f"type={d['type']}" and part[2] == f"shard={d['n'] % 2}" and d['via'] == 'node'
            seen.append(d['n'])
    assert sorted(seen) == list(range(300))


@pytest.mark.parametrize('case', ['throws', 'times-out', 'garbage'])
def test_failing_functions_send_the_batch_to_processing_failed(lakebox, firehose, lam, s3, bucket, case):
    code = {
        'throws': "def handler(event, context):\n    raise ValueError('broken transform')\n",
        'times-out': "import time\ndef handler(event, context):\n    time.sleep(5)\n",
        'garbage': "def handler(event, context):\n    return {'unexpected': True}\n",
    }[case]
    arn = create_function(lam, 'python3.12', 'bad.handler', {'bad.py': code}, timeout=1)
    stream = f'py-lambda-bad-{uuid.uuid4().hex[:6]}'
    retries = 1 if case == 'throws' else 0
    create_active(firehose, stream, bucket, Prefix='out/', ErrorOutputPrefix='errors/!{firehose:error-output-type}/',
                  ProcessingConfiguration={'Enabled': True, 'Processors': [lambda_processor(arn, retries)]})
    docs = [{'i': i} for i in range(20)]
    put_all(firehose, stream, docs)
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    assert not [k for k, _, _ in objects if k.startswith('out/')]
    failed = error_documents(objects, 'processing-failed')
    assert sorted(json.loads(base64.b64decode(d['rawData']))['i'] for d in failed) == list(range(20))
    expected_code = 'Lambda.JsonProcessingException' if case == 'garbage' else 'Lambda.FunctionError'
    assert {d['errorCode'] for d in failed} == {expected_code}
    assert {d['attemptsMade'] for d in failed} == {retries + 1}
    assert {d['lambdaARN'] for d in failed} == {f'{arn}:$LATEST'}


JQ_AFTER_LAMBDA = """
import base64, json

def handler(event, context):
    out = []
    for r in event["records"]:
        doc = json.loads(base64.b64decode(r["data"]))
        doc = {"wrapped": doc, "tenant": doc.get("tenant")}
        out.append({"recordId": r["recordId"], "result": "Ok", "data": base64.b64encode((json.dumps(doc) + "\\n").encode()).decode()})
    return {"records": out}
"""


def test_partitioning_after_a_transform_reports_the_original_record_as_raw_data(lakebox, firehose, lam, s3, bucket):
    """jq reads the transformed record; when it fails, the error document's rawData is the record as it was put."""
    arn = create_function(lam, 'python3.12', 'wrap.handler', {'wrap.py': JQ_AFTER_LAMBDA})
    stream = f'py-lambda-jq-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='by/tenant=!{partitionKeyFromQuery:tenant}/',
                  ErrorOutputPrefix='errors/!{firehose:error-output-type}/',
                  BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 60},
                  DynamicPartitioningConfiguration={'Enabled': True},
                  ProcessingConfiguration={'Enabled': True, 'Processors': [
                      lambda_processor(arn),
                      {'Type': 'MetadataExtraction', 'Parameters': [
                          {'ParameterName': 'MetadataExtractionQuery', 'ParameterValue': '{tenant: .tenant}'},
                          {'ParameterName': 'JsonParsingEngine', 'ParameterValue': 'JQ-1.6'}]}]})
    docs = [{'tenant': f't{i % 2}', 'i': i} for i in range(20)] + [{'i': 20}, {'i': 21, 'tenant': None}]
    put_all(firehose, stream, docs)
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    good = [json.loads(l) for key, _, body in objects if key.startswith('by/') for l in body.decode().splitlines()]
    assert sorted(d['wrapped']['i'] for d in good) == list(range(20))
    failed = error_documents(objects, 'metadata-extraction-failed')
    assert sorted(base64.b64decode(d['rawData']) for d in failed) == sorted(json.dumps(d).encode() for d in docs[20:])


def test_conversion_after_a_transform_reports_the_original_record_as_raw_data(lakebox, firehose, lam, s3, bucket):
    """A transformed record that does not convert to Parquet goes to format-conversion-failed with the record as put."""
    from test_firehose_parquet import conversion

    glue = client(lakebox, 'glue')
    db = f'fhl_{uuid.uuid4().hex[:8]}'
    glue.create_database(DatabaseInput={'Name': db})
    glue.create_table(DatabaseName=db, TableInput={'Name': 'ev', 'TableType': 'EXTERNAL_TABLE', 'StorageDescriptor': {
        'Columns': [{'Name': 'wrapped', 'Type': 'struct<i:int>'}, {'Name': 'tenant', 'Type': 'string'}], 'Location': f's3://{bucket}/pq/'}})
    arn = create_function(lam, 'python3.12', 'wrap.handler', {'wrap.py': JQ_AFTER_LAMBDA})
    stream = f'py-lambda-pq-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='pq/', ErrorOutputPrefix='errors/!{firehose:error-output-type}/',
                  BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 60},
                  ProcessingConfiguration={'Enabled': True, 'Processors': [lambda_processor(arn)]},
                  DataFormatConversionConfiguration=conversion(db, 'ev', {'OpenXJsonSerDe': {}}))
    docs = [{'i': i, 'tenant': 't'} for i in range(10)] + [{'i': 'not a number', 'tenant': 'x'}, {'i': {'deep': 1}}]
    put_all(firehose, stream, docs)
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    parquet = [pq.read_table(io.BytesIO(body)).to_pylist() for key, _, body in objects if key.startswith('pq/')]
    assert sorted(r['wrapped']['i'] for t in parquet for r in t) == list(range(10))
    failed = error_documents(objects, 'format-conversion-failed')
    assert sorted(base64.b64decode(d['rawData']) for d in failed) == sorted(json.dumps(d).encode() for d in docs[10:])
    assert {d['lastErrorCode'] for d in failed} <= {'DataFormatConversion.MalformedData', 'DataFormatConversion.ParseError'}
