"""Athena's `timestamp with time zone` through boto3: values keep the zone they were made in, as Athena renders them
(`2020-05-11 11:15:05.055 +01:00`, `… America/Los_Angeles`), and their fields are the wall-clock ones in that zone.
Expected values are computed here with Python's zoneinfo from the same inputs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from lakebox_helpers import new_lake, result_rows, run_query


@pytest.fixture(scope='module')
def lake(s3, athena_client, glue_client):
    bucket, db = new_lake(s3, glue_client, 'zoned')
    return athena_client, s3, bucket, db


def select(lake, sql: str):
    athena, _, bucket, db = lake
    qe = run_query(athena, sql, db, f's3://{bucket}/r/')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    meta = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']['ResultSetMetadata']['ColumnInfo']
    return result_rows(athena, qe['QueryExecutionId'])[1:], [c['Type'] for c in meta]


def athena_text(dt: datetime, zone: str) -> str:
    return dt.strftime('%Y-%m-%d %H:%M:%S.') + f'{dt.microsecond // 1000:03d} {zone}'


def test_values_render_in_their_zone(lake):
    la = ZoneInfo('America/Los_Angeles')
    instant = datetime(2012, 10, 31, 1, 0, tzinfo=timezone.utc)
    rows, types = select(lake, "SELECT from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00'), "
                               "TIMESTAMP '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles', "
                               "with_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'Asia/Kolkata'), from_unixtime(1700000000)")
    assert rows == [['2020-05-11 11:15:05.055 +01:00', athena_text(instant.astimezone(la), 'America/Los_Angeles'),
                     '2022-11-01 09:08:07.321 Asia/Kolkata', athena_text(datetime.fromtimestamp(1700000000, timezone.utc), 'UTC')]]
    assert types == ['timestamp with time zone'] * 4


def test_fields_and_grouping_use_the_wall_clock_of_each_value(lake):
    athena, s3, bucket, db = lake
    stamps = ['2024-03-10T23:30:00-05:00', '2024-03-11T01:15:00+01:00', '2024-03-10T22:00:00Z', '2024-03-11T08:45:00+05:30']
    s3.put_object(Bucket=bucket, Key='ev/a.json', Body='\n'.join(json.dumps({'ts': s, 'n': i}) for i, s in enumerate(stamps)).encode())
    ddl = f"CREATE EXTERNAL TABLE ev (ts string, n int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/ev/'"
    assert run_query(athena, ddl, db, f's3://{bucket}/r/')['Status']['State'] == 'SUCCEEDED'
    rows, _ = select(lake, 'SELECT n, hour(from_iso8601_timestamp(ts)), CAST(from_iso8601_timestamp(ts) AS date), '
                           'to_unixtime(from_iso8601_timestamp(ts)) FROM ev ORDER BY n')
    expected = []
    for i, s in enumerate(stamps):
        dt = datetime.fromisoformat(s.replace('Z', '+00:00'))
        expected.append([str(i), str(dt.hour), dt.date().isoformat(), repr(dt.timestamp())])
    assert [r[:3] for r in rows] == [e[:3] for e in expected]
    assert [float(r[3]) for r in rows] == [float(e[3]) for e in expected]
    rows, _ = select(lake, 'SELECT CAST(from_iso8601_timestamp(ts) AS date) AS d, count(*) FROM ev GROUP BY 1 ORDER BY 1')
    by_day: dict[str, int] = {}
    for s in stamps:
        d = datetime.fromisoformat(s.replace('Z', '+00:00')).date().isoformat()
        by_day[d] = by_day.get(d, 0) + 1
    assert rows == [[d, str(c)] for d, c in sorted(by_day.items())]


def test_ctas_writes_the_instant(lake):
    """A zoned value written to a Parquet table is its instant at millisecond precision (read back with pyarrow)."""
    import io

    import pyarrow.parquet as pq

    athena, s3, bucket, db = lake
    sql = (f"CREATE TABLE zoned_out WITH (format = 'PARQUET', external_location = 's3://{bucket}/zoned_out/') AS "
           "SELECT from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00') AS t")
    assert run_query(athena, sql, db, f's3://{bucket}/r/')['Status']['State'] == 'SUCCEEDED'
    keys = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket, Prefix='zoned_out/')['Contents']]
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=keys[0])['Body'].read()))
    value = table.column('t')[0].as_py()
    instant = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    assert instant == datetime(2020, 5, 11, 10, 15, 5, 55000, tzinfo=timezone.utc)
