"""awswrangler (AWS SDK for pandas) against Lakebox: Parquet datasets registered in Glue, Athena reads through the
plain CSV result, the CTAS and the UNLOAD approaches, and the Hive utilities (MSCK REPAIR, DESCRIBE, SHOW CREATE TABLE)
that awswrangler sends with a backtick-quoted database. Expected answers are computed here with pandas."""

from __future__ import annotations

import uuid

import boto3
import pytest

from lakebox_helpers import run_query

pd = pytest.importorskip('pandas')
wr = pytest.importorskip('awswrangler')

ROWS = pd.DataFrame({
    'id': pd.array([1, 2, 3, 4, 5, 6], dtype='Int64'),
    'name': pd.array(['ant', 'bee', None, 'doe', 'eel', 'fox'], dtype='string'),
    'value': [1.5, 2.25, 3.0, None, -4.5, 1e10],
    'ts': pd.to_datetime(['2024-01-01 10:00:00', '2024-01-01 11:30:00', '2024-01-02 00:00:01',
                          '2024-01-02 23:59:59', '2024-01-03 12:00:00', '2024-01-03 12:00:00']),
    'dt': ['2024-01-01', '2024-01-01', '2024-01-02', '2024-01-02', '2024-01-03', '2024-01-03'],
})
COLUMNS = ['id', 'name', 'value', 'ts', 'dt']


@pytest.fixture(scope='module')
def env(lakebox, s3):
    session = boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key,
                                    region_name=lakebox.region)
    saved = {k: getattr(wr.config, k) for k in ('s3_endpoint_url', 'athena_endpoint_url', 'glue_endpoint_url')}
    wr.config.s3_endpoint_url = lakebox.endpoint
    wr.config.athena_endpoint_url = lakebox.endpoint
    wr.config.glue_endpoint_url = lakebox.endpoint
    bucket = f'wr-{uuid.uuid4().hex[:10]}'
    session.client('s3', endpoint_url=lakebox.endpoint).create_bucket(Bucket=bucket)
    db = f'wr_{uuid.uuid4().hex[:8]}'
    wr.catalog.create_database(db, boto3_session=session)
    path = f's3://{bucket}/lake/events/'
    wr.s3.to_parquet(ROWS, path, dataset=True, database=db, table='events', partition_cols=['dt'], mode='overwrite',
                     boto3_session=session)
    yield {'session': session, 'bucket': bucket, 'db': db, 'path': path, 'output': f's3://{bucket}/athena/'}
    for k, v in saved.items():
        setattr(wr.config, k, v)


def _query(env, sql: str, output: str | None = None, **kwargs):
    return wr.athena.read_sql_query(sql, database=env['db'], s3_output=output or env['output'], boto3_session=env['session'],
                                    athena_query_wait_polling_delay=0.05, **kwargs)


def _by_id(df):
    return df[COLUMNS].sort_values('id').reset_index(drop=True)


def test_dataset_is_registered_in_glue(env):
    tables = wr.catalog.tables(database=env['db'], boto3_session=env['session'])
    assert list(tables['Table']) == ['events']
    assert tables.iloc[0]['Columns'] == 'id, name, value, ts'
    assert tables.iloc[0]['Partitions'] == 'dt'
    parts = wr.catalog.get_parquet_partitions(database=env['db'], table='events', boto3_session=env['session'])
    assert sorted(v[0] for v in parts.values()) == ['2024-01-01', '2024-01-02', '2024-01-03']


@pytest.mark.parametrize('approach', ['csv', 'ctas', 'unload'])
def test_read_sql_query_gives_the_rows_written(env, approach):
    kwargs = {'ctas_approach': approach == 'ctas', 'unload_approach': approach == 'unload'}
    # UNLOAD writes its Parquet files under s3_output, which must be empty (as in Athena: HIVE_PATH_ALREADY_EXISTS).
    output = f"s3://{env['bucket']}/unload-{uuid.uuid4().hex[:8]}/" if approach == 'unload' else None
    df = _query(env, 'SELECT id, name, value, ts, dt FROM events', output, **kwargs)
    got, want = _by_id(df), _by_id(ROWS)
    assert list(got['id']) == list(want['id'])
    assert [None if pd.isna(v) else v for v in got['name']] == [None if pd.isna(v) else v for v in want['name']]
    assert [None if pd.isna(v) else float(v) for v in got['value']] == [None if pd.isna(v) else float(v) for v in want['value']]
    assert [pd.Timestamp(v) for v in got['ts']] == list(want['ts'])
    assert list(got['dt']) == list(want['dt'])


def test_aggregates_match_pandas(env):
    df = _query(env, 'SELECT dt, count(*) AS n, sum(value) AS total FROM events GROUP BY dt', ctas_approach=False)
    got = {r.dt: (int(r.n), None if pd.isna(r.total) else float(r.total)) for r in df.itertuples()}
    want = {dt: (len(g), float(g['value'].sum(min_count=1))) for dt, g in ROWS.groupby('dt')}
    assert got == want


def test_repair_table_finds_partitions_written_outside_the_catalog(env):
    # Written without the catalog: only MSCK REPAIR TABLE (sent with the database in backticks) registers dt=2024-02-01.
    extra = pd.DataFrame({'id': pd.array([7, 8], dtype='Int64'), 'name': pd.array(['gnu', 'hen'], dtype='string'),
                          'value': [7.0, 8.0], 'ts': pd.to_datetime(['2024-02-01 01:00:00', '2024-02-01 02:00:00']),
                          'dt': ['2024-02-01', '2024-02-01']})
    wr.s3.to_parquet(extra, env['path'], dataset=True, partition_cols=['dt'], mode='append', boto3_session=env['session'])
    before = _query(env, "SELECT count(*) AS n FROM events WHERE dt = '2024-02-01'", ctas_approach=False)
    assert int(before['n'][0]) == 0
    state = wr.athena.repair_table('events', database=env['db'], s3_output=env['output'], boto3_session=env['session'],
                                   athena_query_wait_polling_delay=0.05)
    assert state == 'SUCCEEDED'
    after = _query(env, "SELECT id FROM events WHERE dt = '2024-02-01'", ctas_approach=False)
    assert sorted(after['id']) == [7, 8]


def test_describe_table_splits_hive_output_into_columns(env):
    df = wr.athena.describe_table('events', database=env['db'], s3_output=env['output'], boto3_session=env['session'],
                                  athena_query_wait_polling_delay=0.05)
    got = {r['Column Name']: (r['Type'], bool(r['Partition'])) for _, r in df.iterrows()}
    assert got == {'id': ('bigint', False), 'name': ('string', False), 'value': ('double', False),
                   'ts': ('timestamp', False), 'dt': ('string', True)}


def test_show_create_table(env):
    ddl = wr.athena.show_create_table('events', database=env['db'], s3_output=env['output'], boto3_session=env['session'],
                                      athena_query_wait_polling_delay=0.05)
    assert ddl.startswith(f'CREATE EXTERNAL TABLE `{env["db"]}.events`(')
    assert 'PARTITIONED BY ( `dt` string)' in ddl
    assert f"LOCATION '{env['path']}'" in ddl


def test_describe_and_tblproperties_list_every_hive_column(env, lakebox):
    athena = env['session'].client('athena', endpoint_url=lakebox.endpoint)
    for sql, names in (('DESCRIBE events', ['col_name', 'data_type', 'comment']),
                       ('SHOW TBLPROPERTIES events', ['prpt_name', 'prpt_value'])):
        qe = run_query(athena, sql, env['db'], env['output'])
        assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
        res = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])
        assert [c['Name'] for c in res['ResultSet']['ResultSetMetadata']['ColumnInfo']] == names
        # Each line is still one value: Hive's tab-joined text, as Athena answers it.
        assert all(len(r['Data']) == 1 for r in res['ResultSet']['Rows'])
        assert any('\t' in r['Data'][0].get('VarCharValue', '') for r in res['ResultSet']['Rows'])
