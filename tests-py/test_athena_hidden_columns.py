"""Athena's hidden file columns through boto3: "$path", "$file_size" (bigint) and "$file_modified_time" (timestamp with
time zone) per row, checked against what S3 reports for each object; SELECT * does not show them."""

from __future__ import annotations

from datetime import timezone

import pytest

from lakebox_helpers import new_lake, result_rows, run_query


@pytest.fixture(scope='module')
def lake(s3, athena_client, glue_client):
    bucket, db = new_lake(s3, glue_client, 'hidden')
    bodies = {'t/dt=1/a.csv': b'1,x\n2,y\n', 't/dt=2/b.csv': b'3,zzz\n'}
    for key, body in bodies.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    ddl = (f"CREATE EXTERNAL TABLE t (id int, name string) PARTITIONED BY (dt string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
           f"LOCATION 's3://{bucket}/t/'")
    for sql in (ddl, 'MSCK REPAIR TABLE t'):
        assert run_query(athena_client, sql, db, f's3://{bucket}/r/')['Status']['State'] == 'SUCCEEDED'
    return athena_client, s3, bucket, db


def test_file_size_and_modified_time_per_row(lake):
    athena, s3, bucket, db = lake
    qe = run_query(athena, 'SELECT id, "$path", "$file_size", "$file_modified_time" FROM t ORDER BY id', db, f's3://{bucket}/r/')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    rows = result_rows(athena, qe['QueryExecutionId'])
    assert rows[0] == ['id', '$path', '$file_size', '$file_modified_time']
    for row in rows[1:]:
        key = row[1].removeprefix(f's3://{bucket}/')
        head = s3.head_object(Bucket=bucket, Key=key)
        assert row[2] == str(head['ContentLength'])
        modified = head['LastModified'].astimezone(timezone.utc)
        # Athena renders a timestamp with time zone with milliseconds and the zone; S3's Last-Modified has seconds.
        assert row[3].startswith(modified.strftime('%Y-%m-%d %H:%M:%S.')) and row[3].endswith(' UTC'), row[3]
    assert [r[0] for r in rows[1:]] == ['1', '2', '3']
    meta = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']['ResultSetMetadata']['ColumnInfo']
    assert [c['Type'] for c in meta][2:] == ['bigint', 'timestamp with time zone']


def test_select_star_does_not_show_them_and_they_filter(lake):
    athena, _, bucket, db = lake
    qe = run_query(athena, 'SELECT * FROM t ORDER BY id', db, f's3://{bucket}/r/')
    assert result_rows(athena, qe['QueryExecutionId'])[0] == ['id', 'name', 'dt']
    qe = run_query(athena, 'SELECT name FROM t WHERE "$file_size" = 6', db, f's3://{bucket}/r/')
    assert result_rows(athena, qe['QueryExecutionId'])[1:] == [['zzz']]
