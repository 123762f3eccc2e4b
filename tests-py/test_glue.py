"""Glue Data Catalog through boto3 and the AWS CLI: paginators for databases, tables and partitions,
partition expressions checked against a filter computed here, `aws glue get-table`, error codes."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import boto3
import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope='module')
def glue(lakebox):
    session = boto3.session.Session(
        aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region
    )
    return session.client('glue', endpoint_url=lakebox.endpoint)


@pytest.fixture
def database(glue):
    name = f'py_{uuid.uuid4().hex[:10]}'
    glue.create_database(DatabaseInput={'Name': name.upper(), 'Description': 'pytest'})
    yield name
    try:
        glue.delete_database(Name=name)
    except ClientError:
        pass


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    err = info.value.response
    return err['Error']['Code'], err['ResponseMetadata']['HTTPStatusCode'], err['Error']['Message']


TABLE_INPUT = {
    'Name': 'Clicks',
    'TableType': 'EXTERNAL_TABLE',
    'Parameters': {'classification': 'json'},
    'PartitionKeys': [{'Name': 'dt', 'Type': 'date'}, {'Name': 'hour', 'Type': 'int'}, {'Name': 'site', 'Type': 'string'}],
    'StorageDescriptor': {
        'Columns': [{'Name': 'UserId', 'Type': 'bigint'}, {'Name': 'url', 'Type': 'string'}],
        'Location': 's3://lake/clicks/',
        'InputFormat': 'org.apache.hadoop.mapred.TextInputFormat',
        'OutputFormat': 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        'SerdeInfo': {'SerializationLibrary': 'org.openx.data.jsonserde.JsonSerDe', 'Parameters': {'paths': 'userid,url'}},
    },
}


def test_database_paginator_and_lower_cased_names(glue, database):
    extra = [f'{database}_{i}' for i in range(4)]
    for n in extra:
        glue.create_database(DatabaseInput={'Name': n})
    try:
        got = glue.get_database(Name=database.upper())['Database']
        assert got['Name'] == database and got['Description'] == 'pytest' and got['CatalogId'] == '000000000000'
        assert isinstance(got['CreateTime'], datetime)
        pages = list(glue.get_paginator('get_databases').paginate(PaginationConfig={'PageSize': 2}))
        names = [d['Name'] for p in pages for d in p['DatabaseList']]
        assert [n for n in names if n.startswith(database)] == [database, *extra]
        assert len(names) == len(set(names)) and len(pages) >= 3
        assert 'NextToken' not in pages[-1]
    finally:
        for n in extra:
            glue.delete_database(Name=n)


def test_tables_paginator_expression_and_raw_epoch_timestamps(glue, database):
    for n in ['logs_b', 'logs_a', 'logs_c', 'metrics']:
        glue.create_table(DatabaseName=database, TableInput={'Name': n, 'TableType': 'EXTERNAL_TABLE'})
    pages = list(glue.get_paginator('get_tables').paginate(DatabaseName=database, Expression='logs*', PaginationConfig={'PageSize': 2}))
    assert [t['Name'] for p in pages for t in p['TableList']] == ['logs_a', 'logs_b', 'logs_c']
    assert len(pages) == 2

    raw = {}
    glue.meta.events.register('after-call.glue.GetTable', lambda http_response, **_: raw.update(json.loads(http_response.content)))
    t = glue.get_table(DatabaseName=database, Name='METRICS')['Table']
    assert t['Name'] == 'metrics' and t['DatabaseName'] == database and t['VersionId'] == '0'
    assert t['IsRegisteredWithLakeFormation'] is False
    assert isinstance(raw['Table']['CreateTime'], (int, float))
    assert abs(raw['Table']['CreateTime'] - datetime.now().timestamp()) < 60


def test_partition_paginator_with_expressions(glue, database):
    glue.create_table(DatabaseName=database, TableInput=TABLE_INPUT)
    values = [[f'2024-03-{d:02d}', str(h), s] for d in range(1, 11) for h in (0, 6, 12, 18) for s in ('a.com', 'b.org', 'c.net')]
    for i in range(0, len(values), 100):
        out = glue.batch_create_partition(
            DatabaseName=database, TableName='clicks',
            PartitionInputList=[{'Values': v, 'StorageDescriptor': {'Location': f's3://lake/clicks/{"/".join(v)}/'}} for v in values[i:i + 100]],
        )
        assert out['Errors'] == []

    def fetch(expression, page_size=25):
        paginator = glue.get_paginator('get_partitions')
        kwargs = {'DatabaseName': database, 'TableName': 'clicks', 'PaginationConfig': {'PageSize': page_size}}
        if expression is not None:
            kwargs['Expression'] = expression
        return sorted(tuple(p['Values']) for page in paginator.paginate(**kwargs) for p in page['Partitions'])

    def expect(pred):
        return sorted(tuple(v) for v in values if pred(v[0], int(v[1]), v[2]))

    cases = {
        "dt = '2024-03-05'": lambda d, h, s: d == '2024-03-05',
        'hour >= 12 AND hour < 18': lambda d, h, s: 12 <= h < 18,
        "dt BETWEEN '2024-03-02' AND '2024-03-04' AND site IN ('a.com', 'c.net')": lambda d, h, s: '2024-03-02' <= d <= '2024-03-04' and s in ('a.com', 'c.net'),
        "site LIKE '%.org' OR (hour = 6 AND NOT dt > '2024-03-01')": lambda d, h, s: s.endswith('.org') or (h == 6 and not d > '2024-03-01'),
        'hour > 5.5': lambda d, h, s: h > 5.5,
        "site <> 'a.com' AND hour NOT IN (0, 18)": lambda d, h, s: s != 'a.com' and h not in (0, 18),
    }
    for expression, pred in cases.items():
        assert fetch(expression) == expect(pred), expression
    assert fetch(None, 1000) == expect(lambda *_: True)

    code, status, _ = error_of(lambda: glue.get_partitions(DatabaseName=database, TableName='clicks', Expression='hour = = 1'))
    assert (code, status) == ('InvalidInputException', 400)


def test_aws_cli_get_table(aws, glue, database):
    glue.create_table(DatabaseName=database, TableInput=TABLE_INPUT)
    out = aws.json('glue', 'get-table', '--database-name', database, '--name', 'clicks')
    t = out['Table']
    assert t['Name'] == 'clicks' and t['DatabaseName'] == database
    assert [c['Name'] for c in t['StorageDescriptor']['Columns']] == ['userid', 'url']
    assert t['StorageDescriptor']['SerdeInfo'] == TABLE_INPUT['StorageDescriptor']['SerdeInfo']
    assert [k['Name'] for k in t['PartitionKeys']] == ['dt', 'hour', 'site']
    created = t['CreateTime']  # CLI v1 prints the wire value (epoch seconds), v2 an ISO 8601 string
    created = created if isinstance(created, (int, float)) else datetime.fromisoformat(created).timestamp()
    assert abs(created - datetime.now().timestamp()) < 60
    missing = aws.run('glue', 'get-table', '--database-name', database, '--name', 'nope', check=False)
    assert missing.returncode != 0
    assert 'EntityNotFoundException' in missing.stderr and 'Table nope not found.' in missing.stderr


def test_error_codes_and_messages(glue, database):
    assert error_of(lambda: glue.get_database(Name='no_such_db_xyz')) == ('EntityNotFoundException', 400, 'Database no_such_db_xyz not found.')
    assert error_of(lambda: glue.create_database(DatabaseInput={'Name': database}))[:2] == ('AlreadyExistsException', 400)
    assert error_of(lambda: glue.get_table(DatabaseName=database, Name='nope')) == ('EntityNotFoundException', 400, 'Table nope not found.')
    glue.create_table(DatabaseName=database, TableInput=TABLE_INPUT)
    assert error_of(lambda: glue.create_table(DatabaseName=database, TableInput=TABLE_INPUT))[:2] == ('AlreadyExistsException', 400)
    assert error_of(lambda: glue.create_partition(DatabaseName=database, TableName='clicks', PartitionInput={'Values': ['x']}))[:2] == ('InvalidInputException', 400)
    assert error_of(lambda: glue.get_partition(DatabaseName=database, TableName='clicks', PartitionValues=['2024-01-01', '1', 'a']))[:2] == ('EntityNotFoundException', 400)
    glue.update_table(DatabaseName=database, TableInput={**TABLE_INPUT, 'Description': 'v1'})
    versions = glue.get_paginator('get_table_versions').paginate(DatabaseName=database, TableName='clicks')
    assert [v['VersionId'] for page in versions for v in page['TableVersions']] == ['0', '1']
    out = glue.batch_delete_table_version(DatabaseName=database, TableName='clicks', VersionIds=['0', '7'])
    assert [(e['VersionId'], e['ErrorDetail']['ErrorCode']) for e in out['Errors']] == [('7', 'EntityNotFoundException')]
    glue.delete_database(Name=database)
    assert error_of(lambda: glue.get_tables(DatabaseName=database))[0] == 'EntityNotFoundException'


def test_database_and_crawler_tags(glue, database):
    arn = lambda kind, name: f'arn:aws:glue:us-east-1:000000000000:{kind}/{name}'
    tagged = f'tagged_{uuid.uuid4().hex[:8]}'
    glue.create_database(DatabaseInput={'Name': tagged}, Tags={'team': 'data', 'env': 'dev'})
    assert glue.get_tags(ResourceArn=arn('database', tagged))['Tags'] == {'team': 'data', 'env': 'dev'}
    glue.tag_resource(ResourceArn=arn('database', tagged), TagsToAdd={'env': 'prod', 'cost': '7'})
    glue.untag_resource(ResourceArn=arn('database', tagged), TagsToRemove=['team'])
    assert glue.get_tags(ResourceArn=arn('database', tagged))['Tags'] == {'env': 'prod', 'cost': '7'}
    assert glue.get_tags(ResourceArn=arn('database', database))['Tags'] == {}
    glue.delete_database(Name=tagged)
    code, status, _ = error_of(lambda: glue.get_tags(ResourceArn=arn('database', tagged)))
    assert (code, status) == ('EntityNotFoundException', 400)

    crawler = f'tags-{uuid.uuid4().hex[:8]}'
    glue.create_crawler(Name=crawler, Role='arn:aws:iam::000000000000:role/glue', DatabaseName=database,
                        Targets={'S3Targets': [{'Path': 's3://nowhere/x'}]}, Tags={'owner': 'a'})
    glue.tag_resource(ResourceArn=arn('crawler', crawler), TagsToAdd={'owner': 'b', 'tier': 'gold'})
    assert glue.get_tags(ResourceArn=arn('crawler', crawler))['Tags'] == {'owner': 'b', 'tier': 'gold'}
    # ListCrawlers filters by the tags as they are now.
    assert crawler in glue.list_crawlers(Tags={'tier': 'gold'})['CrawlerNames']
    assert crawler not in glue.list_crawlers(Tags={'owner': 'a'})['CrawlerNames']
    glue.delete_crawler(Name=crawler)

    code, _, message = error_of(lambda: glue.tag_resource(ResourceArn=arn('table', f'{database}/t'), TagsToAdd={'a': 'b'}))
    assert code == 'InvalidInputException' and 'table' in message
    code, _, _ = error_of(lambda: glue.create_database(DatabaseInput={'Name': f'x_{uuid.uuid4().hex[:6]}'}, Tags={'k' * 129: 'too long a key'}))
    assert code == 'InvalidInputException'
