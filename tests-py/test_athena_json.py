"""Athena over OpenX JSON-lines tables through boto3: gzip files whose keys are spelled differently per file and per
line, mapping.*, malformed lines; answers computed here in Python with a model of the SerDe, on the first query over
the files and on later ones."""

from __future__ import annotations

import gzip
import json
import random
import re

import pytest

from lakebox_helpers import new_lake, result_rows, run_query

random.seed(11)
CITIES = ['oslo', 'lima', 'kyiv', 'pune']


def _spellings(mode: str, i: int):
    if mode == 'lower':
        return lambda k: k
    if mode == 'title':
        return lambda k: k.title()
    return lambda k: k.upper() if i % 2 else k  # two spellings in one file


def _file(mode: str, n: int, extra: list[str]) -> str:
    lines = []
    for i in range(n):
        s = _spellings(mode, i)
        lines.append(json.dumps({s('cust'): random.randint(1, 50), s('city'): random.choice(CITIES), s('amount'): round(random.uniform(0, 100), 2)}))
    return '\r\n'.join(lines + extra) + '\n'


FILES = {
    'orders/a.json.gz': _file('lower', 300, []),
    'orders/b.json.gz': _file('title', 250, []),
    'orders/c.json.gz': _file('mixed', 200, []),
    'orders/d.json.gz': _file('lower', 50, ['{broken', '[1, 2]', '   ', '{"CUST": "7", "city": 3, "amount": "2.5"}']),
}


def model(text: str) -> list[tuple]:
    """(customer, city, amount) per row: lines split on \\r\\n, \\r and \\n; first key matching case-insensitively."""
    out = []
    for raw in re.split(r'\r\n|\r|\n', text):
        line = raw.strip(' \t\v\f')
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            out.append((None, None, None))
            continue

        def get(key):
            return next((v for k, v in obj.items() if k.lower() == key), None)

        cust = get('cust')
        city = get('city')
        amount = get('amount')
        out.append((int(cust) if cust is not None else None, city if isinstance(city, str) or city is None else json.dumps(city), float(amount) if amount is not None else None))
    return out


@pytest.fixture(scope='module')
def lake(s3, athena_client, glue_client):
    athena, glue = athena_client, glue_client
    bucket, db = new_lake(s3, glue, 'json')
    for key, text in FILES.items():
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(text.encode()))

    def table(name, location, params):
        glue.create_table(DatabaseName=db, TableInput={
            'Name': name, 'TableType': 'EXTERNAL_TABLE', 'Parameters': {'classification': 'json'},
            'StorageDescriptor': {
                'Location': location,
                'Columns': [{'Name': 'customer', 'Type': 'bigint'}, {'Name': 'city', 'Type': 'string'}, {'Name': 'amount', 'Type': 'double'}],
                'InputFormat': 'org.apache.hadoop.mapred.TextInputFormat',
                'SerdeInfo': {'SerializationLibrary': 'org.openx.data.jsonserde.JsonSerDe', 'Parameters': {'mapping.customer': 'Cust', **params}},
            },
        })

    table('orders', f's3://{bucket}/orders/', {'ignore.malformed.json': 'true'})
    table('orders_strict', f's3://{bucket}/orders/', {})
    return {'athena': athena, 'db': db, 'output': f's3://{bucket}/results/'}


def run(lake, sql):
    qe = run_query(lake['athena'], sql, lake['db'], lake['output'])
    if qe['Status']['State'] != 'SUCCEEDED':
        return qe, None
    return qe, result_rows(lake['athena'], qe['QueryExecutionId'])[1:]


def test_group_by_city_matches_the_model_cold_and_warm(lake):
    rows = [r for text in FILES.values() for r in model(text)]
    expected = {}
    for cust, city, amount in rows:
        n, customers, total = expected.get(city, (0, set(), 0.0))
        expected[city] = (n + 1, customers | ({cust} if cust is not None else set()), total + (amount or 0.0))
    for _ in range(2):
        qe, got = run(lake, 'SELECT city, count(*), count(DISTINCT customer), sum(amount) FROM orders GROUP BY city ORDER BY city NULLS LAST')
        assert qe['Status']['State'] == 'SUCCEEDED', qe['Status'].get('StateChangeReason')
        assert len(got) == len(expected)
        for city, n, customers, total in got:
            e = expected[city]
            assert (int(n), int(customers)) == (e[0], len(e[1])), city
            assert float(total or 0) == pytest.approx(e[2], rel=1e-9), city


def test_strict_table_fails_on_the_malformed_line_every_time(lake):
    for _ in range(2):
        qe, _rows = run(lake, 'SELECT customer, city FROM orders_strict')
        assert qe['Status']['State'] == 'FAILED'
        assert qe['Status']['StateChangeReason'].startswith('HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: ')


def test_nested_keys_match_struct_fields_case_insensitively(s3, athena_client, glue_client):
    # CloudTrail-style events: camelCase keys at every level, a DDL in lower case (as Athena's docs write it).
    bucket, db = new_lake(s3, glue_client, 'nested')
    events = [
        {'eventId': i, 'userIdentity': {'type': 'IAMUser', 'userName': f'u{i % 3}', 'sessionContext': {'attributes': {'mfaAuthenticated': str(i % 2 == 0).lower()}}},
         'resources': [{'ARN': f'arn:aws:s3:::b{i}', 'type': 'AWS::S3::Bucket'}]}
        for i in range(30)
    ]
    s3.put_object(Bucket=bucket, Key='trail/x.json.gz', Body=gzip.compress('\n'.join(json.dumps(e) for e in events).encode()))
    lake = {'athena': athena_client, 'db': db, 'output': f's3://{bucket}/results/'}
    qe, _ = run(lake, f"""CREATE EXTERNAL TABLE trail (eventid bigint,
        useridentity struct<type:string, username:string, sessioncontext:struct<attributes:struct<mfaauthenticated:string>>>,
        resources array<struct<arn:string, type:string>>)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/trail/'""")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    qe, got = run(lake, "SELECT useridentity.username, count(*), count_if(useridentity.sessioncontext.attributes.mfaauthenticated = 'true'), "
                        "min(resources[1].arn) FROM trail GROUP BY 1 ORDER BY 1")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    want = {}
    for e in events:
        name = e['userIdentity']['userName']
        n, mfa, arn = want.get(name, (0, 0, None))
        a = e['resources'][0]['ARN']
        want[name] = (n + 1, mfa + (e['userIdentity']['sessionContext']['attributes']['mfaAuthenticated'] == 'true'), a if arn is None or a < arn else arn)
    assert got == [[k, str(n), str(m), a] for k, (n, m, a) in sorted(want.items())]


def test_openx_reads_epoch_and_offset_timestamps_and_booleans_as_athena_does(s3, athena_client, glue_client):
    """Firehose events often carry epoch milliseconds; the OpenX SerDe reads them (and ISO offsets, in UTC) as timestamps."""
    from datetime import datetime, timezone

    bucket, db = new_lake(s3, glue_client, 'openxts')
    values = [
        (1709287200000, True), (1709287200, 'TRUE'), ('1709287200.5', 1), ('2024-03-01T10:00:00+02:00', 'yes'),
        ('2024-03-01 10:00:00', False), ('2024-03-01T10:00:00Z', None), ('2024-03-01', 'false'), ('soon', 'true'),
    ]
    lines = [json.dumps({'id': i, 'TS': ts, 'flag': flag}) for i, (ts, flag) in enumerate(values)]
    # Two files: one every line of which is clean (read by DuckDB's reader), one with a key repeated in case only (scanned).
    s3.put_object(Bucket=bucket, Key='ev/a.json', Body='\n'.join(lines[:4]).encode())
    s3.put_object(Bucket=bucket, Key='ev/b.json', Body='\n'.join(lines[4:]).replace('"flag"', '"Flag"', 1).encode())
    lake = {'athena': athena_client, 'db': db, 'output': f's3://{bucket}/results/'}
    qe, _ = run(lake, f"CREATE EXTERNAL TABLE ev (id int, ts timestamp, flag boolean) "
                      f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/ev/'")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    qe, got = run(lake, 'SELECT id, ts, flag FROM ev ORDER BY id')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']

    def expected_ts(v):
        # Trino's OpenX reader: ':' → timestamp (offsets to UTC); digits → epoch (13+ chars: ms; '.' → seconds); else NULL.
        s = str(v)
        if ':' in s:
            d = datetime.fromisoformat(s.replace('Z', '+00:00'))
            d = d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo else d
        elif re.fullmatch(r'[-+.0-9]+', s) and re.fullmatch(r'[-+]?[0-9]*\.?[0-9]*', s):
            d = datetime.fromtimestamp(float(s) if '.' in s else int(s) / (1000 if len(s) >= 13 else 1), timezone.utc).replace(tzinfo=None)
        else:
            return None  # '2024-03-01' is all digits and dashes but no number: NULL
        return d.strftime('%Y-%m-%d %H:%M:%S.') + f'{d.microsecond // 1000:03d}'

    def expected_flag(v):
        return None if v is None else str(str(v).lower() == 'true').lower()

    assert got == [[str(i), expected_ts(ts), expected_flag(flag)] for i, (ts, flag) in enumerate(values)]


def test_unnest_of_an_array_of_rows_inside_a_struct_column(s3, athena_client, glue_client):
    """CROSS JOIN UNNEST(e.payload.items) AS t(sku, qty): the struct field's array of rows expands to its fields."""
    bucket, db = new_lake(s3, glue_client, 'nestedunnest')
    events = [{'id': i, 'payload': {'items': [{'sku': f's{(i + k) % 3}', 'qty': k + 1} for k in range(i % 4)], 'tag': 'x'}} for i in range(20)]
    s3.put_object(Bucket=bucket, Key='ev/a.json', Body='\n'.join(json.dumps(e) for e in events).encode())
    lake = {'athena': athena_client, 'db': db, 'output': f's3://{bucket}/results/'}
    qe, _ = run(lake, f"CREATE EXTERNAL TABLE ev (id int, payload struct<items:array<struct<sku:string,qty:int>>, tag:string>) "
                      f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/ev/'")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    want = {}
    for e in events:
        for item in e['payload']['items']:
            want[item['sku']] = want.get(item['sku'], 0) + item['qty']
    for sql in ['SELECT t.sku, sum(t.qty) FROM ev CROSS JOIN UNNEST(ev.payload.items) AS t(sku, qty) GROUP BY 1 ORDER BY 1',
                'SELECT sku, sum(qty) FROM ev e, UNNEST(payload.items) AS u(sku, qty) GROUP BY sku ORDER BY sku']:
        qe, got = run(lake, sql)
        assert qe['Status']['State'] == 'SUCCEEDED', (sql, qe['Status'])
        assert got == [[k, str(v)] for k, v in sorted(want.items())], sql


def test_cloudtrail_table_reads_the_records_of_each_log_file(s3, athena_client, glue_client):
    """The DDL of Athena's CloudTrail guide: each gzip file is {"Records": [...]}, one row per event."""
    bucket, db = new_lake(s3, glue_client, 'cloudtrail')
    events = []
    for f in range(3):
        records = [{'eventVersion': '1.08', 'eventTime': f'2024-03-0{f + 1}T10:0{i}:00Z', 'eventSource': 's3.amazonaws.com',
                    'eventName': ['PutObject', 'GetObject'][i % 2], 'awsRegion': 'us-east-1',
                    'userIdentity': {'type': 'IAMUser', 'userName': f'user{(f + i) % 2}', 'sessionContext': {'attributes': {'mfaAuthenticated': 'false'}}},
                    'requestParameters': {'bucketName': 'lake', 'key': f'k{f}-{i}'}, 'resources': [{'ARN': f'arn:aws:s3:::lake/k{f}-{i}', 'type': 'AWS::S3::Object'}]}
                   for i in range(f + 2)]
        events += records
        s3.put_object(Bucket=bucket, Key=f'AWSLogs/123456789012/CloudTrail/us-east-1/2024/03/0{f + 1}/123456789012_CloudTrail_{f}.json.gz',
                      Body=gzip.compress(json.dumps({'Records': records}).encode()))
    lake = {'athena': athena_client, 'db': db, 'output': f's3://{bucket}/results/'}
    qe, _ = run(lake, f"""CREATE EXTERNAL TABLE cloudtrail_logs (
        eventversion STRING,
        useridentity STRUCT<type:STRING, username:STRING, sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING>>>,
        eventtime STRING, eventsource STRING, eventname STRING, awsregion STRING, requestparameters STRING,
        resources ARRAY<STRUCT<arn:STRING, type:STRING>>)
        ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
        STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
        OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
        LOCATION 's3://{bucket}/AWSLogs/123456789012/CloudTrail/'
        TBLPROPERTIES ('classification'='cloudtrail')""")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    qe, got = run(lake, "SELECT useridentity.username, eventname, count(*) FROM cloudtrail_logs GROUP BY 1, 2 ORDER BY 1, 2")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    want = {}
    for e in events:
        k = (e['userIdentity']['userName'], e['eventName'])
        want[k] = want.get(k, 0) + 1
    assert got == [[u, n, str(c)] for (u, n), c in sorted(want.items())]
    # An object in a string column is its JSON text, as Athena shows requestparameters.
    qe, got = run(lake, "SELECT json_extract_scalar(requestparameters, '$.key'), resources[1].arn FROM cloudtrail_logs "
                        "WHERE eventtime = '2024-03-03T10:03:00Z'")
    assert got == [['k2-3', 'arn:aws:s3:::lake/k2-3']]
