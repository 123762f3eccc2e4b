"""Compressed text in the lake through boto3: Firehose HADOOP_SNAPPY objects crawled and queried with Athena, a
Hadoop-framed CSV written here with cramjam (an encoder independent of Lakebox's), and Firehose's snappy-java and ZIP
objects, which Glue classifies but Athena cannot read (the query fails naming the object)."""

from __future__ import annotations

import json
import struct
import subprocess
import time
import uuid

import boto3
import cramjam
import pytest

from conftest import BIN
from lakebox_helpers import new_lake, result_rows, run_query

ROLE = 'arn:aws:iam::000000000000:role/x'


@pytest.fixture(scope='module')
def clients(lakebox):
    session = boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region)
    return {name: session.client(name, endpoint_url=lakebox.endpoint) for name in ('s3', 'glue', 'athena', 'firehose')}


@pytest.fixture(scope='module')
def lake(clients):
    return new_lake(clients['s3'], clients['glue'], 'snappy')


def flush(lakebox, stream: str) -> None:
    out = subprocess.run(['node', str(BIN), 'firehose', 'flush', stream, '--port', str(lakebox.port)],
                         env=lakebox.server_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def deliver(lakebox, firehose, bucket: str, prefix: str, compression: str, events: list[dict]) -> None:
    stream = f'snappy-{uuid.uuid4().hex[:6]}'
    firehose.create_delivery_stream(DeliveryStreamName=stream, ExtendedS3DestinationConfiguration={
        'RoleARN': ROLE, 'BucketARN': f'arn:aws:s3:::{bucket}', 'Prefix': prefix, 'CompressionFormat': compression,
        'ErrorOutputPrefix': 'errors/!{firehose:error-output-type}/',
        'BufferingHints': {'SizeInMBs': 128, 'IntervalInSeconds': 900}})
    for _ in range(100):
        if firehose.describe_delivery_stream(DeliveryStreamName=stream)['DeliveryStreamDescription']['DeliveryStreamStatus'] == 'ACTIVE':
            break
        time.sleep(0.05)
    for i in range(0, len(events), 500):
        resp = firehose.put_record_batch(DeliveryStreamName=stream, Records=[{'Data': (json.dumps(e) + '\n').encode()} for e in events[i:i + 500]])
        assert resp['FailedPutCount'] == 0
    flush(lakebox, stream)


def crawl(glue, db: str, path: str) -> dict:
    name = f'crawl-{uuid.uuid4().hex[:6]}'
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName=db, Targets={'S3Targets': [{'Path': path}]})
    glue.start_crawler(Name=name)
    for _ in range(600):
        crawler = glue.get_crawler(Name=name)['Crawler']
        if crawler['State'] == 'READY' and 'LastCrawl' in crawler:
            assert crawler['LastCrawl']['Status'] == 'SUCCEEDED', crawler['LastCrawl']
            return crawler
        time.sleep(0.1)
    raise AssertionError('crawler did not finish')


def hadoop_snappy(raw: bytes, block: int, chunk: int) -> bytes:
    """Hadoop BlockCompressorStream framing, built here: per block its raw length, then length-prefixed snappy chunks."""
    out = []
    for b in range(0, len(raw), block):
        data = raw[b:b + block]
        out.append(struct.pack('>I', len(data)))
        for c in range(0, len(data), chunk):
            z = bytes(cramjam.snappy.compress_raw(data[c:c + chunk]))
            out += [struct.pack('>I', len(z)), z]
    return b''.join(out)


def test_firehose_hadoop_snappy_objects_crawl_and_query(lakebox, clients, lake):
    bucket, db = lake
    events = [{'id': i, 'kind': ['click', 'view', 'buy'][i % 3], 'amount': i % 97, 'note': f'n{i}' * (i % 40)} for i in range(6000)]
    deliver(lakebox, clients['firehose'], bucket, 'hsnappy/dt=!{timestamp:yyyy-MM-dd}/', 'HADOOP_SNAPPY', events)
    keys = [o['Key'] for o in clients['s3'].list_objects_v2(Bucket=bucket, Prefix='hsnappy/')['Contents']]
    assert keys and all(k.endswith('.snappy') for k in keys)
    dt = keys[0].split('/')[1].removeprefix('dt=')
    crawl(clients['glue'], db, f's3://{bucket}/hsnappy/')
    table = clients['glue'].get_table(DatabaseName=db, Name='hsnappy')['Table']
    assert table['Parameters']['classification'] == 'json'
    assert table['Parameters']['compressionType'] == 'snappy'
    assert table['StorageDescriptor']['Compressed'] is True
    assert [k['Name'] for k in table['PartitionKeys']] == ['dt']
    assert sorted(f"{c['Name']}:{c['Type']}" for c in table['StorageDescriptor']['Columns']) == ['amount:int', 'id:int', 'kind:string', 'note:string']
    qe = run_query(clients['athena'], f"SELECT kind, count(*), sum(amount), max(length(note)) FROM hsnappy WHERE dt = '{dt}' GROUP BY kind ORDER BY kind",
                   db, f's3://{bucket}/results/')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    expected = []
    for kind in ('buy', 'click', 'view'):
        rows = [e for e in events if e['kind'] == kind]
        expected.append([kind, str(len(rows)), str(sum(e['amount'] for e in rows)), str(max(len(e['note']) for e in rows))])
    assert result_rows(clients['athena'], qe['QueryExecutionId'])[1:] == expected


def test_hadoop_snappy_csv_written_by_another_encoder_reads_by_ddl(clients, lake):
    bucket, db = lake
    rows = [(i, f'name-{i}', i * 1.5) for i in range(40_000)]
    raw = ''.join(f'{i},{n},{v}\n' for i, n, v in rows).encode()
    assert len(raw) > 3 * 65536
    # Several blocks of several chunks each (Hadoop's compressor splits a block whose output outgrows its buffer).
    clients['s3'].put_object(Bucket=bucket, Key='csv/part-00000.snappy', Body=hadoop_snappy(raw, block=300_000, chunk=65536))
    clients['s3'].put_object(Bucket=bucket, Key='csv/part-00001', Body=b'40000,plain,1.0\n')
    ddl = (f"CREATE EXTERNAL TABLE csvsnappy (id int, name string, v double) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
           f"LOCATION 's3://{bucket}/csv/'")
    assert run_query(clients['athena'], ddl, db, f's3://{bucket}/results/')['Status']['State'] == 'SUCCEEDED'
    qe = run_query(clients['athena'], 'SELECT count(*), sum(id), sum(v), count(DISTINCT name) FROM csvsnappy', db, f's3://{bucket}/results/')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    got = result_rows(clients['athena'], qe['QueryExecutionId'])[1]
    assert got[:2] == [str(len(rows) + 1), str(sum(i for i, _, _ in rows) + 40000)]
    assert float(got[2]) == pytest.approx(sum(v for _, _, v in rows) + 1.0)
    assert got[3] == str(len(rows) + 1)


def test_firehose_snappy_java_objects_are_classified_but_athena_cannot_read_them(lakebox, clients, lake):
    bucket, db = lake
    events = [{'id': i, 'kind': 'k'} for i in range(300)]
    deliver(lakebox, clients['firehose'], bucket, 'jsnappy/!{timestamp:yyyy}/', 'Snappy', events)
    crawl(clients['glue'], db, f's3://{bucket}/jsnappy/')
    table = clients['glue'].get_table(DatabaseName=db, Name='jsnappy')['Table']
    assert (table['Parameters']['classification'], table['Parameters']['compressionType']) == ('json', 'snappy')
    assert table['Parameters']['recordCount'] == str(len(events))
    qe = run_query(clients['athena'], 'SELECT count(*) FROM jsnappy', db, f's3://{bucket}/results/')
    assert qe['Status']['State'] == 'FAILED'
    reason = qe['Status']['StateChangeReason']
    assert reason.startswith('HIVE_CURSOR_ERROR: ') and 'HADOOP_SNAPPY' in reason and f's3://{bucket}/jsnappy/' in reason, reason
    assert qe['Status']['AthenaError']['ErrorCategory'] == 2


def test_firehose_zip_objects_are_classified_from_their_entry(lakebox, clients, lake):
    """Objects over the 1 MiB sample are streamed: the sample is the start of the archive's (deflated) entry."""
    bucket, db = lake
    events = [{'id': i, 'token': uuid.uuid4().hex + uuid.uuid4().hex, 'ok': i % 2 == 0} for i in range(30_000)]
    deliver(lakebox, clients['firehose'], bucket, 'zipped/!{timestamp:yyyy}/', 'ZIP', events)
    objects = clients['s3'].list_objects_v2(Bucket=bucket, Prefix='zipped/')['Contents']
    assert objects and all(o['Key'].endswith('.zip') for o in objects)
    assert max(o['Size'] for o in objects) > 1024 * 1024
    crawl(clients['glue'], db, f's3://{bucket}/zipped/')
    table = clients['glue'].get_table(DatabaseName=db, Name='zipped')['Table']
    assert (table['Parameters']['classification'], table['Parameters']['compressionType']) == ('json', 'zip')
    assert [f"{c['Name']}:{c['Type']}" for c in table['StorageDescriptor']['Columns']] == ['id:int', 'token:string', 'ok:boolean']
    # The count is extrapolated from the sample (Glue's recordCount is an estimate too).
    assert abs(int(table['Parameters']['recordCount']) - len(events)) < len(events) * 0.1
    qe = run_query(clients['athena'], 'SELECT count(*) FROM zipped', db, f's3://{bucket}/results/')
    assert qe['Status']['State'] == 'FAILED'
    reason = qe['Status']['StateChangeReason']
    assert reason.startswith('HIVE_CURSOR_ERROR: ') and 'ZIP' in reason and f's3://{bucket}/zipped/' in reason, reason
