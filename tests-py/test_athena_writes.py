"""Athena CTAS through boto3: a Parquet table with partitioned_by, its hive-partitioned files read back with
pyarrow.dataset and compared with values computed here in Python from the source rows; INSERT INTO appends."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from lakebox_helpers import new_lake, parquet_table_input, run_query

random.seed(11)
ROWS = [
    {'id': i, 'country': random.choice(['no', 'pe', 'ua', 'in']), 'price': round(random.uniform(1, 90), 2), 'units': random.randint(1, 6)}
    for i in range(1200)
]


@pytest.fixture(scope='module')
def env(s3, athena_client, glue_client):
    athena, glue = athena_client, glue_client
    bucket, db = new_lake(s3, glue, 'writes')
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(ROWS), buf)
    s3.put_object(Bucket=bucket, Key='orders/part-0.parquet', Body=buf.getvalue())
    glue.create_table(DatabaseName=db, TableInput=parquet_table_input('orders', f's3://{bucket}/orders/', [('id', 'bigint'), ('country', 'string'), ('price', 'double'), ('units', 'bigint')]))
    return {'athena': athena, 'glue': glue, 's3': s3, 'db': db, 'bucket': bucket, 'output': f's3://{bucket}/results/'}


def run(env, sql):
    qe = run_query(env['athena'], sql, env['db'], env['output'], timeout=60)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    return qe


def download(env, manifest_uri, root, dest: Path) -> list[str]:
    bucket, key = manifest_uri[5:].split('/', 1)
    files = env['s3'].get_object(Bucket=bucket, Key=key)['Body'].read().decode().split()
    for uri in files:
        assert uri.startswith(root)
        b, k = uri[5:].split('/', 1)
        local = dest / uri[len(root):]
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(env['s3'].get_object(Bucket=b, Key=k)['Body'].read())
    return files


def totals(rows):
    out = {}
    for r in rows:
        n, units, revenue = out.get(r['country'], (0, 0, 0.0))
        out[r['country']] = (n + 1, units + r['units'], revenue + r['price'] * r['units'])
    return out


def test_ctas_parquet_partitioned_reads_back_with_pyarrow(env, tmp_path):
    qe = run(env, "CREATE TABLE by_country WITH (format = 'PARQUET', partitioned_by = ARRAY['country']) AS "
                  "SELECT id, units, price * units AS revenue, country FROM orders WHERE units > 1")
    qid = qe['QueryExecutionId']
    assert qe['StatementType'] == 'DDL' and qe['SubstatementType'] == 'CREATE_TABLE_AS_SELECT'
    source = [r for r in ROWS if r['units'] > 1]
    assert env['athena'].get_query_results(QueryExecutionId=qid)['UpdateCount'] == len(source)

    root = f"{env['output']}tables/{qid}/"
    files = download(env, qe['Statistics']['DataManifestLocation'], root, tmp_path)
    assert {f[len(root):].split('/')[0] for f in files} == {f'country={c}' for c in {r['country'] for r in source}}
    table = ds.dataset(tmp_path, format='parquet', partitioning='hive').to_table()
    assert sorted(table.column_names) == ['country', 'id', 'revenue', 'units']
    got = {}
    for r in table.to_pylist():
        n, units, revenue = got.get(r['country'], (0, 0, 0.0))
        got[r['country']] = (n + 1, units + r['units'], revenue + r['revenue'])
    want = totals(source)
    assert got.keys() == want.keys()
    for c, (n, units, revenue) in want.items():
        assert got[c][0] == n and got[c][1] == units
        assert got[c][2] == pytest.approx(revenue)
    assert sorted(r['id'] for r in table.to_pylist()) == [r['id'] for r in source]

    glue_table = env['glue'].get_table(DatabaseName=env['db'], Name='by_country')['Table']
    assert glue_table['PartitionKeys'] == [{'Name': 'country', 'Type': 'string'}]
    assert glue_table['StorageDescriptor']['Location'] == root.rstrip('/')
    parts = env['glue'].get_partitions(DatabaseName=env['db'], TableName='by_country')['Partitions']
    assert sorted(p['Values'][0] for p in parts) == sorted(want)


def test_insert_into_appends_rows(env):
    qe = run(env, "INSERT INTO by_country SELECT id, units, price * units, country FROM orders WHERE units = 1")
    assert qe['SubstatementType'] == 'INSERT'
    ones = [r for r in ROWS if r['units'] == 1]
    assert env['athena'].get_query_results(QueryExecutionId=qe['QueryExecutionId'])['UpdateCount'] == len(ones)
    check = run(env, 'SELECT count(*), sum(units) FROM by_country')
    rows = env['athena'].get_query_results(QueryExecutionId=check['QueryExecutionId'])['ResultSet']['Rows']
    assert [d['VarCharValue'] for d in rows[1]['Data']] == [str(len(ROWS)), str(sum(r['units'] for r in ROWS))]
