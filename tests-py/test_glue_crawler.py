"""Glue crawlers through boto3: Parquet written with pyarrow and gzip JSON lines crawled into partitioned tables whose
schemas are computed here from the data written; TablePrefix, exclusions, DEPRECATE_IN_DATABASE, metrics and paginators."""

from __future__ import annotations

import gzip
import io
import json
import time
import uuid

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

ROLE = 'arn:aws:iam::000000000000:role/crawler'


@pytest.fixture(scope='module')
def glue(lakebox):
    session = boto3.session.Session(
        aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region
    )
    return session.client('glue', endpoint_url=lakebox.endpoint)


def glue_type(value) -> str:
    """Glue's JSON type inference for one value (what the test expects the crawler to find)."""
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'int' if -2**31 <= value < 2**31 else 'bigint'
    if isinstance(value, float):
        return 'double'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, list):
        return f'array<{glue_type(value[0]) if value else "string"}>'
    if isinstance(value, dict):
        return 'struct<' + ','.join(f'{k}:{glue_type(v)}' for k, v in value.items()) + '>'
    raise TypeError(value)


def widen(a: str, b: str) -> str:
    order = ['int', 'bigint', 'double']
    if a == b:
        return a
    if a in order and b in order:
        return order[max(order.index(a), order.index(b))]
    return 'string'


def expected_json_columns(records: list[dict]) -> list[str]:
    cols: dict[str, str] = {}
    for r in records:
        for k, v in r.items():
            cols[k] = widen(cols[k], glue_type(v)) if k in cols else glue_type(v)
    return [f'{k}:{t}' for k, t in cols.items()]


def crawl(glue, name: str) -> dict:
    glue.start_crawler(Name=name)
    deadline = time.time() + 60
    while time.time() < deadline:
        crawler = glue.get_crawler(Name=name)['Crawler']
        if crawler['State'] == 'READY' and 'LastCrawl' in crawler:
            return crawler
        time.sleep(0.1)
    raise AssertionError(f'crawler {name} did not finish')


def columns(table: dict) -> list[str]:
    return [f"{c['Name']}:{c['Type']}" for c in table['StorageDescriptor']['Columns']]


def test_crawler_infers_parquet_and_gzip_json(glue, s3, bucket):
    db = f'crawl_{uuid.uuid4().hex[:8]}'
    name = f'crawler-{uuid.uuid4().hex[:8]}'
    # Parquet with pyarrow: the mapping of its types is what the crawler must report.
    arrow = pa.table({
        'order_id': pa.array([1, 2], pa.int64()),
        'qty': pa.array([3, 4], pa.int32()),
        'price': pa.array([1.5, 2.5], pa.float64()),
        'ratio': pa.array([0.5, 0.25], pa.float32()),
        'sku': pa.array(['a', 'b'], pa.string()),
        'paid': pa.array([True, False], pa.bool_()),
        'items': pa.array([[1, 2], [3]], pa.list_(pa.int64())),
        'ship': pa.array([{'city': 'x', 'zip': 1}, {'city': 'y', 'zip': 2}], pa.struct([('city', pa.string()), ('zip', pa.int32())])),
    })
    parquet_expected = ['order_id:bigint', 'qty:int', 'price:double', 'ratio:float', 'sku:string', 'paid:boolean',
                        'items:array<bigint>', 'ship:struct<city:string,zip:int>']
    for day in ('2024-01-01', '2024-01-02'):
        buf = io.BytesIO()
        pq.write_table(arrow, buf)
        s3.put_object(Bucket=bucket, Key=f'orders/dt={day}/part-0.parquet', Body=buf.getvalue())
    clicks = {
        '2024-01-01': [{'user': 1, 'page': '/a', 'ms': 12.5, 'ok': True}, {'user': 2, 'page': '/b', 'ms': 3, 'tags': ['x']}],
        '2024-01-02': [{'user': 5_000_000_000, 'page': '/c', 'ms': 1.0, 'ctx': {'ua': 'curl', 'v': 2}}],
    }
    for day, rows in clicks.items():
        body = gzip.compress(''.join(json.dumps(r) + '\n' for r in rows).encode())
        s3.put_object(Bucket=bucket, Key=f'clicks/dt={day}/events.json.gz', Body=body)
    s3.put_object(Bucket=bucket, Key='clicks/dt=2024-01-01/readme.md', Body=b'# not data\n')

    glue.create_crawler(Name=name, Role=ROLE, DatabaseName=db, TablePrefix='raw_',
                        Targets={'S3Targets': [{'Path': f's3://{bucket}/', 'Exclusions': ['**.md']}]},
                        Configuration=json.dumps({'Version': 1.0, 'CrawlerOutput': {'Partitions': {'AddOrUpdateBehavior': 'InheritFromTable'}}}))
    crawler = crawl(glue, name)
    assert crawler['LastCrawl']['Status'] == 'SUCCEEDED'
    assert crawler['SchemaChangePolicy'] == {'UpdateBehavior': 'UPDATE_IN_DATABASE', 'DeleteBehavior': 'DEPRECATE_IN_DATABASE'}

    tables = {t['Name']: t for page in glue.get_paginator('get_tables').paginate(DatabaseName=db) for t in page['TableList']}
    assert sorted(tables) == ['raw_clicks', 'raw_orders']

    orders = tables['raw_orders']
    assert columns(orders) == parquet_expected
    assert orders['PartitionKeys'] == [{'Name': 'dt', 'Type': 'string'}]
    assert orders['Parameters']['classification'] == 'parquet'
    assert orders['Parameters']['recordCount'] == '4'
    assert orders['StorageDescriptor']['Location'] == f's3://{bucket}/orders/'

    clicks_table = tables['raw_clicks']
    all_rows = [r for rows in clicks.values() for r in rows]
    assert columns(clicks_table) == expected_json_columns(all_rows)
    assert clicks_table['Parameters']['compressionType'] == 'gzip'
    assert clicks_table['Parameters']['exclusions'] == json.dumps(['**.md'])
    assert clicks_table['StorageDescriptor']['SerdeInfo']['SerializationLibrary'] == 'org.openx.data.jsonserde.JsonSerDe'

    parts = [p for page in glue.get_paginator('get_partitions').paginate(DatabaseName=db, TableName='raw_clicks') for p in page['Partitions']]
    assert sorted(p['Values'][0] for p in parts) == sorted(clicks)
    # InheritFromTable: every partition carries the table's columns.
    assert all(columns(p) == columns(clicks_table) for p in parts)

    metrics = glue.get_crawler_metrics(CrawlerNameList=[name])['CrawlerMetricsList'][0]
    assert metrics['TablesCreated'] == 2 and metrics['LastRuntimeSeconds'] >= 0

    # Vanished data with the default DeleteBehavior: the table is deprecated, not dropped. (A CSV folder arrives at the
    # same time: with orders/ alone under the include path, Glue's rule would root one table at the bucket instead.)
    for day in clicks:
        s3.delete_object(Bucket=bucket, Key=f'clicks/dt={day}/events.json.gz')
    s3.put_object(Bucket=bucket, Key='notes/n.csv', Body=b'id,note\n1,hello\n2,world\n')
    crawl(glue, name)
    assert glue.get_table(DatabaseName=db, Name='raw_orders')['Table']['StorageDescriptor']['Location'] == f's3://{bucket}/orders/'
    gone = glue.get_table(DatabaseName=db, Name='raw_clicks')['Table']
    assert gone['Parameters']['DEPRECATED_BY_CRAWLER'] == name
    assert glue.get_crawler_metrics(CrawlerNameList=[name])['CrawlerMetricsList'][0]['TablesDeleted'] == 1

    crawls = glue.list_crawls(CrawlerName=name, Filters=[{'FieldName': 'STATE', 'FilterOperator': 'EQ', 'FieldValue': 'COMPLETED'}])['Crawls']
    assert len(crawls) == 2
    names = [c['Name'] for page in glue.get_paginator('get_crawlers').paginate() for c in page['Crawlers']]
    assert name in names
    glue.delete_crawler(Name=name)
    with pytest.raises(ClientError) as info:
        glue.get_crawler(Name=name)
    assert info.value.response['Error']['Code'] == 'EntityNotFoundException'


def test_crawler_schedule_and_errors(glue):
    name = f'sched-{uuid.uuid4().hex[:8]}'
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName='sched', Targets={'S3Targets': [{'Path': 's3://nowhere/x'}]},
                        Schedule='cron(15 12 * * ? *)')
    assert glue.get_crawler(Name=name)['Crawler']['Schedule'] == {'ScheduleExpression': 'cron(15 12 * * ? *)', 'State': 'SCHEDULED'}
    glue.update_crawler_schedule(CrawlerName=name, Schedule='cron(0 8 ? * MON-FRI *)')
    assert glue.get_crawler(Name=name)['Crawler']['Schedule']['ScheduleExpression'] == 'cron(0 8 ? * MON-FRI *)'
    with pytest.raises(ClientError) as info:
        glue.update_crawler_schedule(CrawlerName=name, Schedule='cron(0 8 * * MON *)')
    assert info.value.response['Error']['Code'] == 'InvalidInputException'
    with pytest.raises(ClientError) as info:
        glue.start_crawler_schedule(CrawlerName=name)
    assert info.value.response['Error']['Code'] == 'SchedulerRunningException'
    with pytest.raises(ClientError) as info:
        glue.stop_crawler(Name=name)
    assert info.value.response['Error']['Code'] == 'CrawlerNotRunningException'
    with pytest.raises(ClientError) as info:
        glue.create_crawler(Name=name, Role=ROLE, Targets={'S3Targets': [{'Path': 's3://nowhere/x'}]})
    assert info.value.response['Error']['Code'] == 'AlreadyExistsException'
    # An empty target is crawled into nothing.
    crawler = crawl(glue, name)
    assert crawler['LastCrawl']['Status'] == 'SUCCEEDED'
    glue.delete_crawler(Name=name)


def test_settings_lakebox_cannot_honour_are_refused(glue):
    """Non-S3 targets, custom classifiers and event-mode recrawls are refused, never stored and ignored."""
    s3_targets = {'S3Targets': [{'Path': 's3://nowhere/x'}]}
    cases = [
        ({'Targets': {**s3_targets, 'JdbcTargets': [{'ConnectionName': 'c', 'Path': 'db/%'}]}}, 'JdbcTargets'),
        ({'Targets': s3_targets, 'Classifiers': ['my-grok']}, 'classifiers'),
        ({'Targets': s3_targets, 'RecrawlPolicy': {'RecrawlBehavior': 'CRAWL_EVENT_MODE'}}, 'CRAWL_EVENT_MODE'),
    ]
    for extra, needle in cases:
        name = f'refused-{uuid.uuid4().hex[:8]}'
        with pytest.raises(ClientError) as e:
            glue.create_crawler(Name=name, Role=ROLE, DatabaseName='refused', **extra)
        assert e.value.response['Error']['Code'] == 'InvalidInputException'
        assert needle in e.value.response['Error']['Message']
        with pytest.raises(ClientError) as missing:
            glue.get_crawler(Name=name)
        assert missing.value.response['Error']['Code'] == 'EntityNotFoundException'
