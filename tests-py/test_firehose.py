"""Firehose through boto3: a JSON-event producer, every compression format checked with independent
readers (gzip, zipfile, cramjam snappy with the framing parsed here), flushed with `lakebox firehose flush`."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import struct
import subprocess
import time
import uuid
import zipfile
from datetime import datetime, timezone

import boto3
import cramjam
import pytest
from botocore.exceptions import ClientError

from conftest import BIN, empty_and_delete_bucket


@pytest.fixture(scope='module')
def firehose(lakebox):
    session = boto3.session.Session(
        aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region
    )
    return session.client('firehose', endpoint_url=lakebox.endpoint)


def flush(lakebox, stream: str) -> None:
    out = subprocess.run(
        ['node', str(BIN), 'firehose', 'flush', stream, '--port', str(lakebox.port)],
        env=lakebox.server_env(), capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {'flushed': stream}


def create_active(firehose, name: str, bucket: str, **extra) -> None:
    config = {'RoleARN': 'arn:aws:iam::000000000000:role/firehose', 'BucketARN': f'arn:aws:s3:::{bucket}', **extra}
    firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=config)
    for _ in range(100):
        status = firehose.describe_delivery_stream(DeliveryStreamName=name)['DeliveryStreamDescription']['DeliveryStreamStatus']
        if status == 'ACTIVE':
            return
        time.sleep(0.05)
    raise AssertionError(f'{name} never became ACTIVE')


def delivered(s3, bucket: str):
    out = []
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket):
        for obj in page.get('Contents', []):
            got = s3.get_object(Bucket=bucket, Key=obj['Key'])
            out.append((obj['Key'], got.get('ContentEncoding'), got['Body'].read()))
    return out


def unsnappy_java(body: bytes) -> bytes:
    assert body[:8] == b'\x82SNAPPY\x00', 'snappy-java magic header'
    assert struct.unpack('>ii', body[8:16]) == (1, 1)
    pos, out = 16, []
    while pos < len(body):
        (n,) = struct.unpack('>i', body[pos:pos + 4])
        out.append(bytes(cramjam.snappy.decompress_raw(body[pos + 4:pos + 4 + n])))
        pos += 4 + n
    return b''.join(out)


def unhadoop_snappy(body: bytes) -> bytes:
    pos, out = 0, []
    while pos < len(body):
        (raw_len,) = struct.unpack('>I', body[pos:pos + 4])
        pos += 4
        got = b''
        while len(got) < raw_len:
            (n,) = struct.unpack('>I', body[pos:pos + 4])
            got += bytes(cramjam.snappy.decompress_raw(body[pos + 4:pos + 4 + n]))
            pos += 4 + n
        out.append(got)
    return b''.join(out)


def unzip_single(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = z.namelist()
        assert len(names) == 1
        uuid.UUID(names[0])
        assert z.getinfo(names[0]).compress_type == zipfile.ZIP_DEFLATED
        return z.read(names[0])


DECODERS = {
    'UNCOMPRESSED': ('', None, lambda b: b),
    'GZIP': ('.gz', 'gzip', gzip.decompress),
    'ZIP': ('.zip', 'zip', unzip_single),
    'Snappy': ('.snappy', 'snappy-java', unsnappy_java),
    'HADOOP_SNAPPY': ('.snappy', 'hadoop-snappy', unhadoop_snappy),
}


@pytest.mark.parametrize('compression', list(DECODERS))
def test_json_events_arrive_once_in_every_compression_format(lakebox, firehose, s3, bucket, compression):
    stream = f'py-{compression.lower()}-{uuid.uuid4().hex[:6]}'
    create_active(
        firehose, stream, bucket,
        Prefix='events/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix='errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        CompressionFormat=compression,
        BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 900},
    )
    sent = []
    for batch in range(3):
        records = []
        for i in range(400):
            line = json.dumps({'batch': batch, 'i': i, 'payload': 'x' * (i % 50)}) + '\n'
            sent.append(line)
            records.append({'Data': line.encode()})
        resp = firehose.put_record_batch(DeliveryStreamName=stream, Records=records)
        assert resp['FailedPutCount'] == 0
        assert len(resp['RequestResponses']) == 400
    assert delivered(s3, bucket) == []
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    assert objects, 'nothing delivered'
    ext, encoding, decode = DECODERS[compression]
    today = datetime.now(timezone.utc).strftime('%Y-%m-%d')
    received = []
    for key, content_encoding, body in objects:
        assert key.startswith(f'events/dt={today}/{stream}-1-')
        assert key.endswith(ext) if ext else '.' not in key.rsplit('/', 1)[1]
        assert content_encoding == encoding
        received.extend(decode(body).decode().splitlines(keepends=True))
    assert sorted(received) == sorted(sent)
    firehose.delete_delivery_stream(DeliveryStreamName=stream)


def test_file_extension_replaces_the_default(lakebox, firehose, s3, bucket):
    stream = f'py-ext-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='x/', CompressionFormat='GZIP', FileExtension='.json.gz')
    firehose.put_record(DeliveryStreamName=stream, Record={'Data': b'{"a":1}'})
    flush(lakebox, stream)
    [(key, _, body)] = delivered(s3, bucket)
    assert key.endswith('.json.gz') and not key.endswith('.gz.json.gz')
    assert gzip.decompress(body) == b'{"a":1}'


def test_errors_match_aws(firehose, bucket):
    with pytest.raises(ClientError) as e:
        firehose.put_record(DeliveryStreamName='does-not-exist', Record={'Data': b'x'})
    assert e.value.response['Error']['Code'] == 'ResourceNotFoundException'
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(
            DeliveryStreamName='two-destinations',
            S3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'},
            ExtendedS3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'},
        )
    assert e.value.response['Error']['Code'] == 'InvalidArgumentException'
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(
            DeliveryStreamName='bad-prefix',
            ExtendedS3DestinationConfiguration={
                'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}',
                'Prefix': 'p/!{firehose:error-output-type}/', 'ErrorOutputPrefix': 'e/!{firehose:error-output-type}/',
            },
        )
    assert e.value.response['Error']['Code'] == 'InvalidArgumentException'
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(
            DeliveryStreamName='bad-timestamp-pattern',
            ExtendedS3DestinationConfiguration={
                'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}',
                'Prefix': 'p/!{timestamp:qqqqqq}/', 'ErrorOutputPrefix': 'e/!{firehose:error-output-type}/',
            },
        )
    assert e.value.response['Error']['Code'] == 'InvalidArgumentException' and 'Too many pattern letters: q' in e.value.response['Error']['Message']
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(
            DeliveryStreamName='a' * 65,
            ExtendedS3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'},
        )
    assert e.value.response['Error']['Code'] == 'ValidationException'
    assert e.value.response['Error']['Message'].startswith('1 validation error detected: ')
    # Model constraints (enums, patterns) are ValidationExceptions, checked before what the values mean.
    base = {'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'}
    for processor, where in (({'Type': 'Bogus'}, 'member.type'),
                             ({'Type': 'AppendDelimiterToRecord', 'Parameters': [{'ParameterName': 'Delimiter', 'ParameterValue': '  '}]}, 'member.parameterValue')):
        with pytest.raises(ClientError) as e:
            firehose.create_delivery_stream(DeliveryStreamName='bad-processor', ExtendedS3DestinationConfiguration={
                **base, 'ProcessingConfiguration': {'Enabled': True, 'Processors': [processor]}})
        assert e.value.response['Error']['Code'] == 'ValidationException' and where in e.value.response['Error']['Message']
    create_active(firehose, 'versioned', bucket)
    with pytest.raises(ClientError) as e:
        firehose.update_destination(DeliveryStreamName='versioned', CurrentDeliveryStreamVersionId='abc', DestinationId='destinationId-000000000001',
                                    ExtendedS3DestinationUpdate={'Prefix': 'x/'})
    assert e.value.response['Error']['Code'] == 'ValidationException'
    firehose.delete_delivery_stream(DeliveryStreamName='versioned')


def jq_partitioned(bucket: str, query: str, **extra) -> dict:
    return {
        'Prefix': 'events/customer=!{partitionKeyFromQuery:customer}/dt=!{timestamp:yyyy-MM-dd-HH}/',
        'ErrorOutputPrefix': 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd-HH}/',
        'CompressionFormat': 'GZIP',
        'BufferingHints': {'SizeInMBs': 64, 'IntervalInSeconds': 60},
        'DynamicPartitioningConfiguration': {'Enabled': True, 'RetryOptions': {'DurationInSeconds': 300}},
        'ProcessingConfiguration': {'Enabled': True, 'Processors': [
            {'Type': 'MetadataExtraction', 'Parameters': [
                {'ParameterName': 'MetadataExtractionQuery', 'ParameterValue': query},
                {'ParameterName': 'JsonParsingEngine', 'ParameterValue': 'JQ-1.6'},
            ]},
            {'Type': 'AppendDelimiterToRecord', 'Parameters': []},
        ]},
        **extra,
    }


def test_jq_partitioned_stream_writes_hourly_partitions_and_error_output(lakebox, firehose, s3, bucket):
    stream = f'py-dp-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, **jq_partitioned(bucket, '{customer: .customer.id | ascii_downcase}'))
    described = firehose.describe_delivery_stream(DeliveryStreamName=stream)['DeliveryStreamDescription']
    ext = described['Destinations'][0]['ExtendedS3DestinationDescription']
    assert ext['DynamicPartitioningConfiguration'] == {'Enabled': True, 'RetryOptions': {'DurationInSeconds': 300}}
    sent = {}
    for i in range(600):
        event = {'customer': {'id': f'CUST-{i % 4}'}, 'seq': i, 'ts': time.time()}
        sent[i] = event
    bad = [b'{"customer": {}}', b'<xml/>']
    records = [{'Data': json.dumps(e).encode()} for e in sent.values()] + [{'Data': b} for b in bad]
    hour_before = datetime.now(timezone.utc).strftime('%Y-%m-%d-%H')
    for start in range(0, len(records), 500):
        assert firehose.put_record_batch(DeliveryStreamName=stream, Records=records[start:start + 500])['FailedPutCount'] == 0
    flush(lakebox, stream)
    hour_after = datetime.now(timezone.utc).strftime('%Y-%m-%d-%H')
    objects = delivered(s3, bucket)
    got = {}
    error_docs = []
    for key, encoding, body in objects:
        assert encoding == 'gzip' and key.endswith('.gz')
        parts = key.split('/')
        if parts[0] == 'events':
            customer = parts[1].removeprefix('customer=')
            assert parts[2].removeprefix('dt=') in (hour_before, hour_after)
            for line in gzip.decompress(body).decode().split('\n'):
                event = json.loads(line)
                assert event['customer']['id'].lower() == customer
                assert event['seq'] not in got
                got[event['seq']] = event
        else:
            assert parts[0] == 'errors' and parts[1] == 'metadata-extraction-failed'
            error_docs += [json.loads(l) for l in gzip.decompress(body).decode().splitlines()]
    assert got == sent
    assert sorted(base64.b64decode(d['rawData']) for d in error_docs) == sorted(bad)
    assert {d['errorCode'] for d in error_docs} == {'DynamicPartitioning.MetadataExtractionFailed'}
    assert set(error_docs[0]) >= {'attemptsMade', 'arrivalTimestamp', 'errorCode', 'errorMessage', 'attemptEndingTimestamp', 'rawData'}


def test_dynamic_partitioning_rules(firehose, bucket):
    cases = [
        (jq_partitioned(bucket, '{customer: .c'), 'MetadataExtractionQuery'),
        (jq_partitioned(bucket, '{customer: .c}', BufferingHints={'SizeInMBs': 32, 'IntervalInSeconds': 60}), 'SizeInMBs must be at least 64'),
        (jq_partitioned(bucket, '{customer: .c}', BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 30}), 'IntervalInSeconds must be at least 60'),
        (jq_partitioned(bucket, '{customer: .c}', ErrorOutputPrefix=''), 'ErrorOutputPrefix'),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as e:
            firehose.create_delivery_stream(
                DeliveryStreamName=f'py-dp-bad-{uuid.uuid4().hex[:6]}',
                ExtendedS3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}', **extra},
            )
        assert e.value.response['Error']['Code'] == 'InvalidArgumentException'
        assert message in e.value.response['Error']['Message']


def test_prefixes_longer_than_512_characters_after_evaluation_are_refused(firehose, bucket):
    base = {'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'}
    long_static = 'p' * 500 + '/'
    cases = [
        # 501 characters plus the yyyy/MM/dd/HH/ Firehose appends to a prefix without expressions.
        ({'Prefix': long_static}, 'Prefix evaluates to 515 characters'),
        ({'Prefix': 'p' * 500 + '/!{timestamp:yyyy-MM-dd-HH}/', 'ErrorOutputPrefix': 'e/!{firehose:error-output-type}/'}, 'Prefix evaluates to 515'),
        ({'Prefix': 'x/!{timestamp:yyyy}/', 'ErrorOutputPrefix': 'e' * 500 + '/!{firehose:error-output-type}/'}, 'ErrorOutputPrefix evaluates to 519'),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as e:
            firehose.create_delivery_stream(DeliveryStreamName=f'py-long-{uuid.uuid4().hex[:6]}', ExtendedS3DestinationConfiguration={**base, **extra})
        assert e.value.response['Error']['Code'] == 'InvalidArgumentException', extra
        assert message in e.value.response['Error']['Message'] and '512' in e.value.response['Error']['Message']
    # At the limit: 498 + '/' + 13 = 512 characters.
    name = f'py-long-{uuid.uuid4().hex[:6]}'
    create_active(firehose, name, bucket, Prefix='p' * 498 + '/!{timestamp:yyyy-MM-dd-HH}', ErrorOutputPrefix='e/!{firehose:error-output-type}/')
    firehose.delete_delivery_stream(DeliveryStreamName=name)


def test_a_partition_key_that_makes_the_prefix_too_long_goes_to_error_output(lakebox, firehose, s3, bucket):
    stream = f'py-dp-long-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, **jq_partitioned(bucket, '{customer: .customer}'))
    fine = [{'customer': f'c{i % 2}', 'i': i} for i in range(10)]
    # events/customer=<key>/dt=yyyy-MM-dd-HH/ is 34 characters around the key: 478 fits, 479 does not.
    edge = {'customer': 'k' * 478, 'i': 10}
    too_long = {'customer': 'k' * 479, 'i': 11}
    records = [{'Data': json.dumps(e).encode()} for e in [*fine, edge, too_long]]
    assert firehose.put_record_batch(DeliveryStreamName=stream, Records=records)['FailedPutCount'] == 0
    flush(lakebox, stream)
    good, errors = [], []
    for key, _, body in delivered(s3, bucket):
        lines = [json.loads(l) for l in gzip.decompress(body).decode().splitlines()]
        if key.startswith('events/'):
            assert len(key.rsplit('/', 1)[0]) + 1 <= 512
            if lines[0]['i'] == 10:
                assert len(key.rsplit('/', 1)[0]) + 1 == 512
            good += [l['i'] for l in lines]
        else:
            assert key.startswith('errors/metadata-extraction-failed/')
            errors += lines
    assert sorted(good) == list(range(11))
    assert [json.loads(base64.b64decode(d['rawData'])) for d in errors] == [too_long]
    assert errors[0]['errorCode'] == 'DynamicPartitioning.MetadataExtractionFailed' and '512' in errors[0]['errorMessage']


@pytest.mark.parametrize('bad', ['ab!c', 'ab=c', '=abc', 'a===', 'YWJj YWJj'])
def test_invalid_base64_in_a_raw_batch_is_a_serialization_error(lakebox, firehose, s3, bucket, bad):
    """SDKs always encode blobs correctly, so this goes through a raw signed request: text outside the base64
    alphabet, or padding anywhere but at the end, must be refused (400 SerializationException) and nothing of the
    batch may be delivered."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from lakebox_helpers import raw_request

    stream = f'py-b64-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, Prefix='b64/')
    body = json.dumps({'DeliveryStreamName': stream, 'Records': [{'Data': base64.b64encode(b'good').decode()}, {'Data': bad}]}).encode()
    headers = {'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Firehose_20150804.PutRecordBatch'}
    req = AWSRequest(method='POST', url=lakebox.endpoint + '/', data=body, headers=headers)
    SigV4Auth(Credentials(lakebox.access_key, lakebox.secret_key), 'firehose', lakebox.region).add_auth(req)
    status, resp_headers, resp = raw_request('POST', lakebox.endpoint + '/', body=body, headers=dict(req.headers.items()))
    assert status == 400, resp
    assert json.loads(resp)['__type'] == 'SerializationException'
    assert "records.2.member.data" in json.loads(resp)['message']
    firehose.put_record(DeliveryStreamName=stream, Record={'Data': b'after'})
    flush(lakebox, stream)
    assert [b for _, _, b in delivered(s3, bucket)] == [b'after']


def test_default_layout_crawls_into_one_partitioned_table_athena_reads(lakebox, firehose, s3, bucket):
    """The pipeline with every default: Firehose's yyyy/MM/dd/HH/ keys at the bucket root, a crawler on the bucket, then
    Athena. Glue roots one table at the include path (named after the bucket) with partition_0…3, from the first hour."""
    session = boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region)
    glue = session.client('glue', endpoint_url=lakebox.endpoint)
    athena = session.client('athena', endpoint_url=lakebox.endpoint)
    stream = f'dflt-{uuid.uuid4().hex[:6]}'
    create_active(firehose, stream, bucket, CompressionFormat='GZIP')
    events = [{'id': i, 'kind': 'click' if i % 3 else 'view'} for i in range(250)]
    firehose.put_record_batch(DeliveryStreamName=stream, Records=[{'Data': (json.dumps(e) + '\n').encode()} for e in events])
    flush(lakebox, stream)
    keys = [k for k, _, _ in delivered(s3, bucket)]
    assert keys and all(re.fullmatch(r'\d{4}/\d{2}/\d{2}/\d{2}/' + stream + r'-1-.*\.gz', k) for k in keys), keys
    db = f'fh_{uuid.uuid4().hex[:8]}'
    glue.create_database(DatabaseInput={'Name': db})
    crawler = f'crawl-{stream}'
    glue.create_crawler(Name=crawler, Role='arn:aws:iam::000000000000:role/crawler', DatabaseName=db, Targets={'S3Targets': [{'Path': f's3://{bucket}/'}]})
    glue.start_crawler(Name=crawler)
    for _ in range(600):
        state = glue.get_crawler(Name=crawler)['Crawler']
        if state['State'] == 'READY' and 'LastCrawl' in state:
            break
        time.sleep(0.1)
    tables = glue.get_tables(DatabaseName=db)['TableList']
    assert [t['Name'] for t in tables] == [bucket.replace('-', '_')]
    table = tables[0]
    assert [k['Name'] for k in table['PartitionKeys']] == ['partition_0', 'partition_1', 'partition_2', 'partition_3']
    assert table['StorageDescriptor']['Location'] == f's3://{bucket}/'
    parts = glue.get_partitions(DatabaseName=db, TableName=table['Name'])['Partitions']
    assert sorted('/'.join(p['Values']) for p in parts) == sorted({k.rsplit('/', 1)[0] for k in keys})
    qid = athena.start_query_execution(QueryString=f'SELECT kind, count(*) FROM "{table["Name"]}" GROUP BY kind ORDER BY kind',
                                       QueryExecutionContext={'Database': db}, ResultConfiguration={'OutputLocation': f's3://{bucket}/athena-results/'})['QueryExecutionId']
    for _ in range(600):
        qe = athena.get_query_execution(QueryExecutionId=qid)['QueryExecution']
        if qe['Status']['State'] not in ('QUEUED', 'RUNNING'):
            break
        time.sleep(0.05)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    rows = athena.get_query_results(QueryExecutionId=qid)['ResultSet']['Rows'][1:]
    assert [[d['VarCharValue'] for d in r['Data']] for r in rows] == [['click', str(sum(1 for e in events if e['kind'] == 'click'))],
                                                                     ['view', str(sum(1 for e in events if e['kind'] == 'view'))]]


def test_flushing_every_stream_delivers_the_others_when_one_fails(lakebox, firehose, s3, bucket):
    """`lakebox firehose flush` without a stream: a stream whose delivery fails (its bucket is gone) is reported, and
    the other streams' records are still delivered."""
    good, bad = f'ok-{uuid.uuid4().hex[:6]}', f'bad-{uuid.uuid4().hex[:6]}'
    missing = f'gone-{uuid.uuid4().hex[:8]}'
    create_active(firehose, good, bucket)
    create_active(firehose, bad, missing)
    firehose.put_record_batch(DeliveryStreamName=bad, Records=[{'Data': b'{"x":1}\n'}])
    firehose.put_record_batch(DeliveryStreamName=good, Records=[{'Data': f'{{"i":{i}}}\n'.encode()} for i in range(20)])
    out = subprocess.run(['node', str(BIN), 'firehose', 'flush', '--port', str(lakebox.port)],
                         env=lakebox.server_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert bad in out.stderr + out.stdout and good not in out.stderr + out.stdout
    bodies = b''.join(body for _, _, body in delivered(s3, bucket))
    assert sorted(json.loads(line)['i'] for line in bodies.decode().splitlines()) == list(range(20))
    firehose.delete_delivery_stream(DeliveryStreamName=bad)


def test_direct_put_throughput_hint_is_kept_and_described(firehose, bucket):
    name = f'hint-{uuid.uuid4().hex[:6]}'
    firehose.create_delivery_stream(DeliveryStreamName=name, DirectPutSourceConfiguration={'ThroughputHintInMBs': 5},
                                    ExtendedS3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'})
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)['DeliveryStreamDescription']
    assert described['Source'] == {'DirectPutSourceDescription': {'ThroughputHintInMBs': 5}}
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(DeliveryStreamName=f'{name}-x', DirectPutSourceConfiguration={'ThroughputHintInMBs': 101},
                                        ExtendedS3DestinationConfiguration={'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'})
    assert e.value.response['Error']['Code'] == 'ValidationException'
    # Paging past the only destination gives none; a stream type outside the enum is a validation error.
    after = firehose.describe_delivery_stream(DeliveryStreamName=name, ExclusiveStartDestinationId='destinationId-000000000001')
    assert after['DeliveryStreamDescription']['Destinations'] == [] and after['DeliveryStreamDescription']['HasMoreDestinations'] is False
    with pytest.raises(ClientError) as e:
        firehose.list_delivery_streams(DeliveryStreamType='Bogus')
    assert e.value.response['Error']['Code'] == 'ValidationException' and 'deliveryStreamType' in e.value.response['Error']['Message']
    assert name in firehose.list_delivery_streams(DeliveryStreamType='DirectPut', Limit=10000)['DeliveryStreamNames']
    for _ in range(100):
        if firehose.describe_delivery_stream(DeliveryStreamName=name)['DeliveryStreamDescription']['DeliveryStreamStatus'] == 'ACTIVE':
            break
        time.sleep(0.05)
    firehose.delete_delivery_stream(DeliveryStreamName=name)
