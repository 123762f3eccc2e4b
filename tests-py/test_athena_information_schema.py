"""Athena's information_schema through boto3, as BI tools query it: columns of a schema (DML type names, partition keys
after the data columns), tables and views, schemata, joins between them. Expected rows are derived from the tables
Python creates through Glue."""

from __future__ import annotations


import pytest

from lakebox_helpers import new_lake, run_query

DML = {'bigint': 'bigint', 'string': 'varchar', 'int': 'integer', 'double': 'double', 'float': 'real', 'boolean': 'boolean',
       'timestamp': 'timestamp(3)', 'array<string>': 'array(varchar)', 'map<string,bigint>': 'map(varchar, bigint)',
       'struct<a:int,b:string>': 'row(a integer, b varchar)', 'decimal(12,3)': 'decimal(12,3)', 'date': 'date'}
COLUMNS = [('id', 'bigint'), ('name', 'string'), ('score', 'double'), ('ratio', 'float'), ('ok', 'boolean'), ('ts', 'timestamp'),
           ('tags', 'array<string>'), ('attrs', 'map<string,bigint>'), ('pair', 'struct<a:int,b:string>'), ('price', 'decimal(12,3)')]
PARTITION_KEYS = [('day', 'date'), ('region', 'string')]


@pytest.fixture(scope='module')
def env(s3, athena_client, glue_client):
    athena, glue = athena_client, glue_client
    bucket, db = new_lake(s3, glue, 'is')
    glue.create_table(DatabaseName=db, TableInput={
        'Name': 'events', 'TableType': 'EXTERNAL_TABLE',
        'PartitionKeys': [{'Name': n, 'Type': t} for n, t in PARTITION_KEYS],
        'StorageDescriptor': {
            'Location': f's3://{bucket}/events/',
            'Columns': [{'Name': n, 'Type': t, **({'Comment': f'{n} column'} if n == 'id' else {})} for n, t in COLUMNS],
            'SerdeInfo': {'SerializationLibrary': 'org.openx.data.jsonserde.JsonSerDe'},
        },
    })
    glue.create_table(DatabaseName=db, TableInput={'Name': 'plain', 'TableType': 'EXTERNAL_TABLE', 'PartitionKeys': [],
                                                   'StorageDescriptor': {'Location': f's3://{bucket}/plain/', 'Columns': [{'Name': 'x', 'Type': 'int'}]}})
    return {'athena': athena, 'glue': glue, 'bucket': bucket, 'db': db}


def query(env, sql, database=None):
    athena = env['athena']
    qe = run_query(athena, sql, database or env['db'], f"s3://{env['bucket']}/results/")
    assert qe['Status']['State'] == 'SUCCEEDED', (sql, qe['Status'].get('StateChangeReason'))
    out = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']
    header = [c['Name'] for c in out['ResultSetMetadata']['ColumnInfo']]
    return header, [[c.get('VarCharValue') for c in r['Data']] for r in out['Rows'][1:]]


def test_columns_of_a_schema_as_bi_tools_ask(env):
    header, got = query(env, f"SELECT * FROM information_schema.columns WHERE table_schema = '{env['db']}' ORDER BY table_name, ordinal_position")
    assert header == ['table_catalog', 'table_schema', 'table_name', 'column_name', 'ordinal_position', 'column_default', 'is_nullable', 'data_type', 'comment', 'extra_info']
    expected = []
    for i, (n, t) in enumerate(COLUMNS + PARTITION_KEYS):
        partition = i >= len(COLUMNS)
        expected.append(['awsdatacatalog', env['db'], 'events', n, str(i + 1), None, 'YES', DML[t], 'id column' if n == 'id' else None, 'partition key' if partition else None])
    expected.append(['awsdatacatalog', env['db'], 'plain', 'x', '1', None, 'YES', 'integer', None, None])
    assert got == expected


def test_tables_schemata_and_joins(env):
    _, got = query(env, f"SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '{env['db']}' ORDER BY table_name")
    assert got == [['events', 'BASE TABLE'], ['plain', 'BASE TABLE']]
    _, got = query(env, 'SELECT schema_name FROM information_schema.schemata')
    assert [env['db']] in got and ['information_schema'] in got
    _, got = query(env, f"""SELECT t.table_name, count(*) AS n, sum(CASE WHEN c.extra_info = 'partition key' THEN 1 ELSE 0 END) AS keys
        FROM information_schema.tables t JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
        WHERE t.table_schema = '{env['db']}' GROUP BY t.table_name ORDER BY t.table_name""")
    assert got == [['events', str(len(COLUMNS) + len(PARTITION_KEYS)), str(len(PARTITION_KEYS))], ['plain', '1', '0']]
    env['glue'].delete_table(DatabaseName=env['db'], Name='plain')
    _, got = query(env, f"SELECT table_name FROM tables WHERE table_schema = '{env['db']}'", database='information_schema')
    assert got == [['events']]
