"""Athena Hive DDL through boto3: CREATE EXTERNAL TABLE over gzip JSON lines partitioned by dt=, MSCK REPAIR, pruning,
ALTER TABLE ADD PARTITION, LazySimpleSerDe text with \\N and a header, partition projection, views, SHOW/DESCRIBE .txt
results and DROP TABLE. Python writes the data and computes every expected answer."""

from __future__ import annotations

import gzip
import json
import uuid

import boto3
import pytest

from lakebox_helpers import run_query

DAYS = ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']
RECORDS = {d: [{'Id': i + 10 * n, 'Kind': 'a' if i % 2 else 'b', 'Value': i * 1.5} for i in range(5 + n)] for n, d in enumerate(DAYS)}


@pytest.fixture(scope='module')
def env(lakebox, s3):
    session = boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region)
    athena = session.client('athena', endpoint_url=lakebox.endpoint)
    glue = session.client('glue', endpoint_url=lakebox.endpoint)
    bucket = f'py-ddl-{uuid.uuid4().hex[:8]}'
    db = f'pyddl_{uuid.uuid4().hex[:8]}'
    s3.create_bucket(Bucket=bucket)
    sizes = {}
    for d, recs in RECORDS.items():
        body = gzip.compress(''.join(json.dumps(r) + '\n' for r in recs).encode())
        key = f'fh/dt={d}/delivery-{d}.gz'
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        sizes[d] = len(body)
    return {'athena': athena, 'glue': glue, 's3': s3, 'bucket': bucket, 'db': db, 'sizes': sizes}


def run(env, sql, ok=True):
    qe = run_query(env['athena'], sql, env['db'], f"s3://{env['bucket']}/results/")
    if ok:
        assert qe['Status']['State'] == 'SUCCEEDED', (sql, qe['Status'].get('StateChangeReason'))
    return qe


def txt(env, sql):
    qe = run(env, sql)
    return env['s3'].get_object(Bucket=env['bucket'], Key=f"results/{qe['QueryExecutionId']}.txt")['Body'].read().decode()


def rows(env, sql):
    qe = run(env, sql)
    out = env['athena'].get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']['Rows'][1:]
    return [[c.get('VarCharValue') for c in r['Data']] for r in out], qe


def test_create_msck_prune_alter(env):
    run(env, f"CREATE DATABASE {env['db']}")
    run(env, f"""CREATE EXTERNAL TABLE fh (id bigint, kind string, value double) PARTITIONED BY (dt string)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{env['bucket']}/fh/'""")
    table = env['glue'].get_table(DatabaseName=env['db'], Name='fh')['Table']
    assert table['TableType'] == 'EXTERNAL_TABLE' and table['Parameters']['EXTERNAL'] == 'TRUE'
    out = txt(env, 'MSCK REPAIR TABLE fh')
    names = [f'fh:dt={d}' for d in DAYS]
    assert out == '\n'.join(['Partitions not in metastore:\t' + '\t'.join(names)] + [f'Repair: Added partition to metastore {n}' for n in names])
    wanted = DAYS[1:3]
    got, qe = rows(env, f"SELECT count(*), sum(id) FROM fh WHERE dt IN ('{wanted[0]}', '{wanted[1]}') AND kind = 'a'")
    recs = [r for d in wanted for r in RECORDS[d] if r['Kind'] == 'a']
    assert got == [[str(len(recs)), str(sum(r['Id'] for r in recs))]]
    assert qe['Statistics']['DataScannedInBytes'] == sum(env['sizes'][d] for d in wanted)
    env['s3'].put_object(Bucket=env['bucket'], Key='other/x.json', Body=b'{"ID": 77, "kind": "z", "VALUE": 2}\n')
    run(env, f"ALTER TABLE fh ADD PARTITION (dt='2030-01-01') LOCATION 's3://{env['bucket']}/other/'")
    got, _ = rows(env, "SELECT id, kind, value FROM fh WHERE dt = '2030-01-01'")
    assert got == [['77', 'z', '2.0']]
    assert txt(env, 'SHOW PARTITIONS fh') == '\n'.join(f'dt={d}' for d in sorted(DAYS + ['2030-01-01']))


def test_text_serde_and_describe(env):
    lines = ['a|b|c', '1|x|\\N', '2|\\N|3.5', 'bad|"q"|4']
    env['s3'].put_object(Bucket=env['bucket'], Key='txt/data.txt', Body=('\n'.join(lines) + '\n').encode())
    run(env, f"""CREATE EXTERNAL TABLE txt (a int, b string, c double) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|'
        LOCATION 's3://{env['bucket']}/txt/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    expected = []
    for line in lines[1:]:
        a, b, c = line.split('|')
        expected.append([a if a.isdigit() else None, None if b == '\\N' else b, None if c == '\\N' else str(float(c))])
    got, _ = rows(env, 'SELECT a, b, c FROM txt')
    assert got == expected
    pad = lambda s: s.ljust(20)  # noqa: E731
    assert txt(env, 'DESCRIBE txt') == '\n'.join(f'{pad(n)}\t{pad(t)}\t{pad("")}' for n, t in [('a', 'int'), ('b', 'string'), ('c', 'double')])
    create = txt(env, 'SHOW CREATE TABLE txt').split('\n')
    assert create[:6] == [f"CREATE EXTERNAL TABLE `{env['db']}.txt`(", '  `a` int, ', '  `b` string, ', '  `c` double)', 'ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY '|' "]
    assert "  'skip.header.line.count'='1', " in create
    # UpdateCount: 0 for SELECT and SHOW; absent for DDL and the Hive-run DESCRIBE, SHOW CREATE TABLE and EXPLAIN.
    counts = {}
    for sql in ['SELECT a FROM txt', 'SHOW TABLES', 'DESCRIBE txt', 'SHOW CREATE TABLE txt', 'EXPLAIN SELECT a FROM txt', 'ALTER TABLE txt SET TBLPROPERTIES (\'x\'=\'1\')']:
        counts[sql.split()[0] + (' CREATE' if 'CREATE' in sql else '')] = env['athena'].get_query_results(QueryExecutionId=run(env, sql)['QueryExecutionId']).get('UpdateCount')
    assert counts == {'SELECT': 0, 'SHOW': 0, 'DESCRIBE': None, 'SHOW CREATE': None, 'EXPLAIN': None, 'ALTER': None}


def hive_escaped_split(line, delim, esc='\\'):
    """LazySimpleSerDe with escape.delim, written out in Python: escaped delimiters do not split; escapes are removed
    from the (string) fields, with \\r and \\n standing for CR and LF; a lone trailing escape stays."""
    fields, raw, i = [], '', 0
    while i < len(line):
        c = line[i]
        if c == esc and i + 1 < len(line):
            raw += line[i:i + 2]
            i += 2
            continue
        if c == delim:
            fields.append(raw)
            raw = ''
        else:
            raw += c
        i += 1
    fields.append(raw)

    def unescape(f):
        out, i = '', 0
        while i < len(f):
            if f[i] == esc and i + 1 < len(f):
                out += {'r': '\r', 'n': '\n'}.get(f[i + 1], f[i + 1])
                i += 2
            else:
                out += f[i]
                i += 1
        return out

    return fields, unescape


def test_text_serde_escaped_by(env):
    lines = ['1,plain,10', '2,comma\\,inside,20', '3,back\\\\slash,30', '4,\\N,40', '5,\\\\N,50', '6,tab\\there\\nnewline,60', '7,end\\']
    env['s3'].put_object(Bucket=env['bucket'], Key='esc/data.csv', Body=('\n'.join(lines) + '\n').encode())
    run(env, f"""CREATE EXTERNAL TABLE esc (id int, name string, n int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
        ESCAPED BY '\\\\' LOCATION 's3://{env['bucket']}/esc/'""")
    serde = env['glue'].get_table(DatabaseName=env['db'], Name='esc')['Table']['StorageDescriptor']['SerdeInfo']
    assert serde['Parameters']['escape.delim'] == '\\'
    expected = []
    for line in lines:
        fields, unescape = hive_escaped_split(line, ',')
        fields += [None] * (3 - len(fields))
        name = None if fields[1] in (None, '\\N') else unescape(fields[1])
        expected.append([fields[0], name, fields[2]])
    got, _ = rows(env, 'SELECT id, name, n FROM esc ORDER BY id')
    assert got == expected
    assert got[1] == ['2', 'comma,inside', '20'] and got[3] == ['4', None, '40'] and got[4] == ['5', '\\N', '50']
    create = txt(env, 'SHOW CREATE TABLE esc').split('\n')
    assert create[4:7] == ['ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY ',' ", "  ESCAPED BY '\\\\' "]


def test_projection_and_views(env):
    counts = {}
    for region in ('north', 'south'):
        for hour in range(3):
            n = len(region) + hour
            counts[(region, hour)] = n
            body = ''.join(json.dumps({'v': i}) + '\n' for i in range(n))
            env['s3'].put_object(Bucket=env['bucket'], Key=f'proj/{region}/h={hour:02d}/f.json', Body=body.encode())
    run(env, f"""CREATE EXTERNAL TABLE proj (v int) PARTITIONED BY (region string, h string)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{env['bucket']}/proj/'
        TBLPROPERTIES ('projection.enabled'='true', 'projection.region.type'='enum', 'projection.region.values'='north,south',
          'projection.h.type'='integer', 'projection.h.range'='0,23', 'projection.h.digits'='2',
          'storage.location.template'='s3://{env['bucket']}/proj/${{region}}/h=${{h}}/')""")
    got, _ = rows(env, "SELECT count(*) FROM proj WHERE region = 'south' AND h >= '01'")
    assert got == [[str(sum(n for (r, h), n in counts.items() if r == 'south' and h >= 1))]]
    assert txt(env, 'SHOW PARTITIONS proj') == ''
    run(env, "CREATE VIEW per_region AS SELECT region, count(*) AS n FROM proj GROUP BY region")
    got, _ = rows(env, 'SELECT region, n FROM per_region ORDER BY region')
    assert got == [[r, str(sum(n for (rr, _h), n in counts.items() if rr == r))] for r in ('north', 'south')]
    view = env['glue'].get_table(DatabaseName=env['db'], Name='per_region')['Table']
    assert view['TableType'] == 'VIRTUAL_VIEW' and view['Parameters']['presto_view'] == 'true'
    assert txt(env, 'SHOW VIEWS') == 'per_region'


def test_errors_and_drop(env):
    qe = run(env, 'DESCRIBE missing_table', ok=False)
    assert qe['Status']['StateChangeReason'] == 'FAILED: SemanticException [Error 10001]: Table not found missing_table'
    qe = run(env, 'CREATE EXTERNAL TABLE bad (a int', ok=False)
    assert qe['Status']['StateChangeReason'].startswith('FAILED: ParseException line 1:')
    run(env, 'DROP TABLE txt')
    assert env['s3'].head_object(Bucket=env['bucket'], Key='txt/data.txt')['ContentLength'] > 0
    assert 'txt' not in txt(env, 'SHOW TABLES').split('\n')


def test_add_replace_and_change_columns(env):
    """Schema evolution by DDL: ADD COLUMNS, CHANGE COLUMN (rename, retype, comment, FIRST/AFTER), REPLACE COLUMNS."""
    run(env, f"CREATE DATABASE IF NOT EXISTS {env['db']}")
    run(env, f"""CREATE EXTERNAL TABLE evo (id bigint, kind string) PARTITIONED BY (dt string)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{env['bucket']}/fh/'""")
    cols = lambda: [(c['Name'], c['Type'], c.get('Comment')) for c in env['glue'].get_table(DatabaseName=env['db'], Name='evo')['Table']['StorageDescriptor']['Columns']]
    run(env, 'ALTER TABLE evo ADD COLUMNS (value double, note string)')
    assert cols() == [('id', 'bigint', None), ('kind', 'string', None), ('value', 'double', None), ('note', 'string', None)]
    run(env, "ALTER TABLE evo CHANGE COLUMN kind category string COMMENT 'renamed'")
    run(env, 'ALTER TABLE evo CHANGE value value float FIRST')
    run(env, 'ALTER TABLE evo CHANGE note note varchar(20) AFTER id')
    assert cols() == [('value', 'float', None), ('id', 'bigint', None), ('note', 'varchar(20)', None), ('category', 'string', 'renamed')]
    qe = run(env, 'ALTER TABLE evo CHANGE COLUMN nosuch x int', ok=False)
    assert qe['Status']['State'] == 'FAILED' and 'Invalid column reference nosuch' in qe['Status']['StateChangeReason']
    qe = run(env, 'ALTER TABLE evo CHANGE COLUMN id note int', ok=False)
    assert qe['Status']['State'] == 'FAILED' and 'Duplicate column name: note' in qe['Status']['StateChangeReason']
    # The renamed column reads the data of its new name (JSON keys by name): `kind` no longer fills `category`.
    run(env, "ALTER TABLE evo CHANGE COLUMN category kind string")
    run(env, 'MSCK REPAIR TABLE evo')
    got, _ = rows(env, "SELECT kind, count(*) FROM evo GROUP BY kind ORDER BY kind")
    want = {}
    for recs in RECORDS.values():
        for r in recs:
            want[r['Kind']] = want.get(r['Kind'], 0) + 1
    assert got == [[k, str(n)] for k, n in sorted(want.items())]
    run(env, 'ALTER TABLE evo REPLACE COLUMNS (id bigint)')
    assert cols() == [('id', 'bigint', None)]
    run(env, 'DROP TABLE evo')


def test_partition_keys_compared_with_decimal_and_boolean_literals_prune_correctly(env):
    """`yr = 2023.0` is the integer 2023 (DuckDB's tree holds the decimal unscaled); boolean keys compare as booleans."""
    for yr, flag, lines in [(2023, 'true', ['1,2.5,5', '2,-2.5,6']), (2024, 'false', ['3,0.5,7']), (2024, 'true', ['4,-0.5,8'])]:
        env['s3'].put_object(Bucket=env['bucket'], Key=f'pk/yr={yr}/flag={flag}/d.csv', Body=('\n'.join(lines) + '\n').encode())
    run(env, f"""CREATE EXTERNAL TABLE pk (id int, x double, t tinyint) PARTITIONED BY (yr int, flag boolean)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{env['bucket']}/pk/'""")
    run(env, 'MSCK REPAIR TABLE pk')
    counts = {}
    for where in ['yr = 2023.0', 'yr IN (2023, 2024.0)', 'yr >= 2023.0', 'yr > 2023.5', 'yr BETWEEN 2023.0 AND 2023.0', 'flag = true', 'flag = false',
                  'flag IN (true)', 'NOT flag', 'yr = 2023.5']:
        counts[where] = rows(env, f'SELECT count(*) FROM pk WHERE {where}')[0][0][0]
    assert counts == {'yr = 2023.0': '2', 'yr IN (2023, 2024.0)': '4', 'yr >= 2023.0': '4', 'yr > 2023.5': '2', 'yr BETWEEN 2023.0 AND 2023.0': '2',
                      'flag = true': '3', 'flag = false': '1', 'flag IN (true)': '3', 'NOT flag': '1', 'yr = 2023.5': '0'}
    # A double column cast to an integer rounds half away from zero; an integer literal widens a tinyint.
    got, _ = rows(env, 'SELECT id, CAST(x AS integer), CAST(x AS bigint), t + 127 FROM pk ORDER BY id')
    assert got == [['1', '3', '3', '132'], ['2', '-3', '-3', '133'], ['3', '1', '1', '134'], ['4', '-1', '-1', '135']]
