"""Firehose JSON → Parquet conversion through boto3: the schema comes from a Glue table created with boto3,
the objects are read back with pyarrow (an independent Parquet reader), failures land in format-conversion-failed."""

from __future__ import annotations

import base64
import io
import json
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from test_firehose import create_active, delivered, flush


@pytest.fixture(scope='module')
def firehose(lakebox):
    return boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region).client(
        'firehose', endpoint_url=lakebox.endpoint)


@pytest.fixture(scope='module')
def glue(lakebox):
    return boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region).client(
        'glue', endpoint_url=lakebox.endpoint)


COLUMNS = [
    {'Name': 'customer', 'Type': 'string'},
    {'Name': 'seq', 'Type': 'int'},
    {'Name': 'amount', 'Type': 'decimal(10,2)'},
    {'Name': 'ratio', 'Type': 'double'},
    {'Name': 'ts', 'Type': 'timestamp'},
    {'Name': 'ok', 'Type': 'boolean'},
    {'Name': 'tags', 'Type': 'array<string>'},
    {'Name': 'device', 'Type': 'struct<kind:string,version:int>'},
    {'Name': 'attrs', 'Type': 'map<string,string>'},
]


def conversion(db: str, table: str, serde: dict, parquet: dict | None = None) -> dict:
    return {
        'Enabled': True,
        'SchemaConfiguration': {'RoleARN': 'arn:aws:iam::000000000000:role/firehose', 'DatabaseName': db, 'TableName': table},
        'InputFormatConfiguration': {'Deserializer': serde},
        'OutputFormatConfiguration': {'Serializer': {'ParquetSerDe': parquet or {}}},
    }


def make_table(glue, bucket: str) -> tuple[str, str]:
    db = f'fh_{uuid.uuid4().hex[:8]}'
    glue.create_database(DatabaseInput={'Name': db})
    glue.create_table(DatabaseName=db, TableInput={
        'Name': 'events',
        'StorageDescriptor': {'Columns': COLUMNS, 'Location': f's3://{bucket}/parquet/'},
        'PartitionKeys': [{'Name': 'dt', 'Type': 'string'}],
        'TableType': 'EXTERNAL_TABLE',
    })
    return db, 'events'


def test_json_events_become_parquet_readable_by_pyarrow(lakebox, firehose, glue, s3, bucket):
    db, table = make_table(glue, bucket)
    stream = f'py-parquet-{uuid.uuid4().hex[:6]}'
    create_active(
        firehose, stream, bucket,
        Prefix='parquet/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix='errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 60},
        DataFormatConversionConfiguration=conversion(db, table, {'OpenXJsonSerDe': {}}, {'Compression': 'GZIP'}),
    )
    described = firehose.describe_delivery_stream(DeliveryStreamName=stream)['DeliveryStreamDescription']
    assert described['Destinations'][0]['ExtendedS3DestinationDescription']['DataFormatConversionConfiguration']['Enabled'] is True
    expected = {}
    records = []
    for i in range(300):
        ts_ms = 1_700_000_000_000 + i * 1000
        event = {
            'Customer': f'c{i % 3}',                      # OpenX matches keys case-insensitively
            'seq': i,
            'amount': f'{i}.25' if i % 2 else i + 0.5,    # numbers given as strings are accepted by OpenX
            'ratio': i / 7,
            'ts': ts_ms if i % 2 else datetime.fromtimestamp(ts_ms / 1000, timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z',
            'ok': i % 5 == 0,
            'tags': [f't{i}', 'x'],
            'device': {'kind': 'phone', 'version': i % 4},
            'attrs': {'k': str(i)},
            'ignored': 'not in the schema',
        }
        expected[i] = {
            'customer': f'c{i % 3}', 'seq': i, 'amount': Decimal(f'{i}.25') if i % 2 else Decimal(f'{i}.50'),
            'ratio': i / 7, 'ts': datetime.fromtimestamp(ts_ms / 1000, timezone.utc).replace(tzinfo=None), 'ok': i % 5 == 0,
            'tags': [f't{i}', 'x'], 'device': {'kind': 'phone', 'version': i % 4}, 'attrs': [('k', str(i))],
        }
        records.append({'Data': json.dumps(event).encode()})
    bad = [b'this is not json', json.dumps({'customer': 'c9', 'seq': 'not-a-number'}).encode()]
    records[100:100] = [{'Data': b} for b in bad]
    for start in range(0, len(records), 500):
        assert firehose.put_record_batch(DeliveryStreamName=stream, Records=records[start:start + 500])['FailedPutCount'] == 0
    flush(lakebox, stream)
    objects = delivered(s3, bucket)
    parquet_objects = [(k, b) for k, _, b in objects if k.startswith('parquet/')]
    assert parquet_objects
    today = datetime.now(timezone.utc).strftime('%Y-%m-%d')
    rows = []
    for key, body in parquet_objects:
        assert key.startswith(f'parquet/dt={today}/{stream}-1-') and key.endswith('.parquet')
        f = pq.ParquetFile(io.BytesIO(body))
        assert f.schema_arrow.names == [c['Name'] for c in COLUMNS]
        assert f.metadata.row_group(0).column(0).compression == 'GZIP'
        t = f.read()
        assert t.schema.field('seq').type == pa.int32()
        assert t.schema.field('amount').type == pa.decimal128(10, 2)
        assert pa.types.is_timestamp(t.schema.field('ts').type)
        assert t.schema.field('tags').type.value_type == pa.string()
        assert pa.types.is_struct(t.schema.field('device').type)
        assert pa.types.is_map(t.schema.field('attrs').type)
        rows.extend(t.to_pylist())
    got = {r['seq']: r for r in rows}
    assert len(rows) == 300 and set(got) == set(expected)
    for seq, want in expected.items():
        row = dict(got[seq])
        ts = row.pop('ts')
        assert (ts.replace(tzinfo=None) if ts.tzinfo else ts) == want['ts'], seq
        assert row == {k: v for k, v in want.items() if k != 'ts'}, seq
    errors = [(k, b) for k, _, b in objects if k.startswith('errors/')]
    assert errors and all(k.startswith(f'errors/format-conversion-failed/dt={today}/') for k, _ in errors)
    docs = [json.loads(line) for _, b in errors for line in b.decode().splitlines()]
    assert sorted(base64.b64decode(d['rawData']) for d in docs) == sorted(bad)
    codes = {base64.b64decode(d['rawData']): d['lastErrorCode'] for d in docs}
    assert codes[b'this is not json'] == 'DataFormatConversion.ParseError'
    assert codes[bad[1]] == 'DataFormatConversion.MalformedData'
    for d in docs:
        assert d['dataCatalogTable']['databaseName'] == db and d['dataCatalogTable']['tableName'] == table
        assert {'attemptsMade', 'arrivalTimestamp', 'lastErrorMessage', 'attemptEndingTimestamp'} <= set(d)


def test_conversion_rules(firehose, glue, bucket):
    db, table = make_table(glue, bucket)
    base = {'RoleARN': 'arn:aws:iam::000000000000:role/r', 'BucketARN': f'arn:aws:s3:::{bucket}'}
    cases = [
        ({'DataFormatConversionConfiguration': conversion(db, table, {'OpenXJsonSerDe': {}}), 'CompressionFormat': 'GZIP'}, 'UNCOMPRESSED'),
        ({'DataFormatConversionConfiguration': conversion(db, table, {'OpenXJsonSerDe': {}}), 'BufferingHints': {'SizeInMBs': 8, 'IntervalInSeconds': 60}}, 'at least 64'),
        ({'DataFormatConversionConfiguration': {**conversion(db, table, {'OpenXJsonSerDe': {}}), 'OutputFormatConfiguration': {'Serializer': {'OrcSerDe': {}}}}}, 'ORC'),
        ({'DataFormatConversionConfiguration': conversion(db, table, {'OpenXJsonSerDe': {}, 'HiveJsonSerDe': {}})}, 'exactly one'),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as e:
            firehose.create_delivery_stream(DeliveryStreamName=f'py-pq-bad-{uuid.uuid4().hex[:6]}', ExtendedS3DestinationConfiguration={**base, **extra})
        assert e.value.response['Error']['Code'] == 'InvalidArgumentException'
        assert message in e.value.response['Error']['Message']
