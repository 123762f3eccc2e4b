"""Athena through boto3 (and PyAthena): Glue tables over pyarrow-written Parquet and CSV text, answers computed
here in Python from the generated rows; result CSV parsed with the csv module; paginator; errors; work groups."""

from __future__ import annotations

import csv
from decimal import Decimal
import io
import random
import time
import uuid

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakebox_helpers import parquet_table_input, result_rows, run_query
from botocore.exceptions import ClientError

ROWS = 1800
random.seed(7)
DATA = [
    {'id': i, 'city': random.choice(['oslo', 'lima', 'kyiv', 'pune']), 'amount': round(random.uniform(0, 500), 2), 'units': random.randint(1, 9)}
    for i in range(ROWS)
]


@pytest.fixture(scope='module')
def session(lakebox):
    return boto3.session.Session(aws_access_key_id=lakebox.access_key, aws_secret_access_key=lakebox.secret_key, region_name=lakebox.region)


@pytest.fixture(scope='module')
def athena(session, lakebox):
    return session.client('athena', endpoint_url=lakebox.endpoint)


@pytest.fixture(scope='module')
def lake(session, lakebox, s3):
    glue = session.client('glue', endpoint_url=lakebox.endpoint)
    db = f'pyath_{uuid.uuid4().hex[:8]}'
    bucket = f'py-athena-{uuid.uuid4().hex[:8]}'
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={'Name': db})
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(DATA), buf)
    s3.put_object(Bucket=bucket, Key='sales/part-0.parquet', Body=buf.getvalue())
    glue.create_table(DatabaseName=db, TableInput=parquet_table_input('sales', f's3://{bucket}/sales/', [('id', 'bigint'), ('city', 'string'), ('amount', 'double'), ('units', 'bigint')]))
    text = ''.join(f"{r['id']}|{r['city']}|{r['units']}\n" for r in DATA[:300]) + 'bad|row|x\n'
    s3.put_object(Bucket=bucket, Key='pipes/data.txt', Body=text.encode())
    glue.create_table(DatabaseName=db, TableInput={
        'Name': 'pipes', 'TableType': 'EXTERNAL_TABLE',
        'StorageDescriptor': {
            'Location': f's3://{bucket}/pipes/',
            'Columns': [{'Name': 'id', 'Type': 'int'}, {'Name': 'city', 'Type': 'string'}, {'Name': 'units', 'Type': 'int'}],
            'SerdeInfo': {'SerializationLibrary': 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', 'Parameters': {'field.delim': '|'}},
        },
    })
    return {'db': db, 'bucket': bucket, 'output': f's3://{bucket}/results/'}


def run(athena, lake, sql, **extra):
    return run_query(athena, sql, lake['db'], lake['output'], **extra)


def rows_of(athena, qid):
    return result_rows(athena, qid, page_size=400)


def test_group_by_matches_python(athena, lake, s3):
    qe = run(athena, lake, 'SELECT city, count(*) AS n, sum(units) AS u FROM sales GROUP BY city ORDER BY city')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    expected = {}
    for r in DATA:
        n, u = expected.get(r['city'], (0, 0))
        expected[r['city']] = (n + 1, u + r['units'])
    want = [['city', 'n', 'u']] + [[c, str(n), str(u)] for c, (n, u) in sorted(expected.items())]
    assert rows_of(athena, qe['QueryExecutionId']) == want
    key = qe['ResultConfiguration']['OutputLocation'].split('/', 3)[3]
    body = s3.get_object(Bucket=lake['bucket'], Key=key)['Body'].read().decode()
    assert list(csv.reader(io.StringIO(body))) == want


def test_all_rows_page_through_paginator(athena, lake):
    qe = run(athena, lake, 'SELECT id, amount FROM sales WHERE amount > 250 ORDER BY id')
    rows = rows_of(athena, qe['QueryExecutionId'])
    want = [[str(r['id']), repr(float(r['amount']))] for r in DATA if r['amount'] > 250]
    assert rows[0] == ['id', 'amount']
    assert rows[1:] == want


def test_lazy_simple_text_with_bad_values(athena, lake):
    qe = run(athena, lake, 'SELECT count(*) AS n, count(units) AS u, sum(units) AS s FROM pipes')
    rows = rows_of(athena, qe['QueryExecutionId'])
    assert rows[1] == ['301', '300', str(sum(r['units'] for r in DATA[:300]))]


def test_errors(athena, lake):
    with pytest.raises(ClientError) as info:
        athena.start_query_execution(QueryString='SELEKT 1', ResultConfiguration={'OutputLocation': lake['output']})
    assert info.value.response['Error']['Code'] == 'InvalidRequestException'
    assert info.value.response['AthenaErrorCode'] == 'MALFORMED_QUERY'
    qe = run(athena, lake, 'SELECT * FROM missing_table')
    assert qe['Status']['State'] == 'FAILED'
    assert qe['Status']['StateChangeReason'] == f"TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.{lake['db']}.missing_table' does not exist"
    with pytest.raises(ClientError) as info:
        athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])
    assert info.value.response['Error']['Code'] == 'InvalidRequestException'
    # An exact division by zero fails on Athena (DuckDB alone would answer NULL); try() turns it into NULL.
    qe = run(athena, lake, 'SELECT sum(units) / (count(*) - count(*)) FROM sales')
    assert (qe['Status']['State'], qe['Status']['StateChangeReason']) == ('FAILED', 'DIVISION_BY_ZERO: Division by zero')
    assert qe['Status']['AthenaError']['ErrorType'] == 1001
    qe = run(athena, lake, 'SELECT try(units / (units - units)), units / units FROM sales LIMIT 1')
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [None, '1']
    qe = run(athena, lake, 'SELECT sum(units) / count(*) FROM sales')
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [str(sum(r['units'] for r in DATA) // len(DATA))]


def test_errors_name_the_place_in_the_query_as_athena_does(athena, lake):
    """Positions are in the SQL the user sent (line:column), error names and wording are Trino's."""
    def failure(sql):
        qe = run(athena, lake, sql)
        assert qe['Status']['State'] == 'FAILED', (sql, qe['Status'])
        return qe['Status']['StateChangeReason'], qe['Status']['AthenaError']['ErrorType']

    tail = 'cannot be resolved or requester is not authorized to access requested resources'
    assert failure('SELECT banana FROM sales') == (f"COLUMN_NOT_FOUND: line 1:8: Column 'banana' {tail}", 1006)
    assert failure('SELECT id,\n       banana\nFROM sales') == (f"COLUMN_NOT_FOUND: line 2:8: Column 'banana' {tail}", 1006)
    assert failure('SELECT id\nFROM sales s\nWHERE s.kiwi = 1')[0] == f"COLUMN_NOT_FOUND: line 3:7: Column 's.kiwi' {tail}"
    assert failure('SELECT id FROM sales a JOIN sales b ON a.id = b.id')[0] == "AMBIGUOUS_NAME: line 1:8: Column 'id' is ambiguous"
    assert failure('SELECT city, count(*) FROM sales')[0] == "EXPRESSION_NOT_AGGREGATE: line 1:8: 'city' must be an aggregate expression or appear in GROUP BY clause"
    assert failure('SELECT 1,\n  no_such_function(id) FROM sales') == ("FUNCTION_NOT_FOUND: line 2:3: Function 'no_such_function' not registered", 1303)
    assert failure("SELECT id, abs(city) FROM sales") == ('TYPE_MISMATCH: line 1:12: Unexpected parameters (varchar) for function abs', 1002)
    for sql, where, token in [('SELEKT 1', '1:1', 'SELEKT'), ('SELECT 1 FROM', '1:14', '<EOF>'), ('SELECT id\nFROM sales\nWHERE', '3:6', '<EOF>'),
                              ('SELECT id FROM sales\nWHERE id = 1 AND AND units > 2', '2:18', 'AND')]:
        with pytest.raises(ClientError) as info:
            athena.start_query_execution(QueryString=sql, ResultConfiguration={'OutputLocation': lake['output']})
        assert info.value.response['Error']['Message'].startswith(f"line {where}: mismatched input '{token}'"), (sql, info.value.response['Error'])


def test_casts_from_text_parse_as_trino_does(athena, lake):
    qe = run(athena, lake, "SELECT TRY_CAST('1.5' AS integer), TRY_CAST('0x1F' AS bigint), CAST(' 7 ' AS bigint), try(CAST('1e2' AS integer)), "
                           "CAST('t' AS boolean), TRY_CAST('yes' AS boolean)")
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [None, None, '7', None, 'true', None]
    qe = run(athena, lake, "SELECT CAST(city AS integer) FROM sales")
    assert qe['Status']['StateChangeReason'].startswith("INVALID_CAST_ARGUMENT: Cannot cast '")
    assert qe['Status']['StateChangeReason'].endswith("' to INT")


def test_string_literal_compared_with_other_types_fails_as_on_athena(athena, lake):
    # Trino has no implicit varchar -> number/timestamp cast (trinodb/trino#7334): Athena fails these queries.
    cases = [
        ("SELECT count(*) FROM sales WHERE units > '5'", 'TYPE_MISMATCH: line 1:8: Cannot apply operator: bigint > varchar(1)'),
        ("SELECT count(*) FROM sales WHERE id = '17'", 'TYPE_MISMATCH: line 1:8: Cannot apply operator: bigint = varchar(2)'),
        ("SELECT count(*) FROM sales WHERE '5' < units", 'TYPE_MISMATCH: line 1:8: Cannot apply operator: varchar(1) < bigint'),
        ("SELECT count(*) FROM pipes WHERE units BETWEEN '1' AND '3'", 'TYPE_MISMATCH: line 1:8: Cannot check if integer is BETWEEN varchar(1) and varchar(1)'),
        (
            "SELECT count(*) FROM sales WHERE date_add('second', id, TIMESTAMP '1970-01-01 00:00:00') < '1970-01-01 00:00:10'",
            'TYPE_MISMATCH: line 1:8: Cannot apply operator: timestamp(3) < varchar(19)',
        ),
        # And the other way round: a varchar column (a string partition key, typically) with a number.
        ("SELECT count(*) FROM sales WHERE city = 2024", 'TYPE_MISMATCH: line 1:8: Cannot apply operator: varchar = integer'),
        ("SELECT count(*) FROM sales WHERE 2.5 <= city", 'TYPE_MISMATCH: line 1:8: Cannot apply operator: double <= varchar'),
        (
            "SELECT count(*) FROM pipes WHERE city IN (1, 2)",
            'TYPE_MISMATCH: line 1:8: IN value and list items must be the same type or coercible to a common type. '
            'Cannot find common type between varchar and integer, all types (without duplicates): [varchar, integer]',
        ),
    ]
    for sql, reason in cases:
        qe = run(athena, lake, sql)
        assert qe['Status']['State'] == 'FAILED', sql
        assert qe['Status']['StateChangeReason'] == reason
        assert qe['Status']['AthenaError']['ErrorType'] == 1002
    # The same comparisons with typed literals, and string comparisons, run; answers from the Python data.
    qe = run(athena, lake, "SELECT count(*) FROM sales WHERE units > 5 AND city IN ('oslo', 'lima') AND id = 17 - 17 + id")
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [str(sum(1 for r in DATA if r['units'] > 5 and r['city'] in ('oslo', 'lima')))]


def test_url_map_and_current_date_functions(athena, lake):
    sql = (
        "SELECT url_extract_host(u) AS host, count(*) AS n, sum(CAST(split_to_map(url_extract_query(u), '&', '=')['units'] AS bigint)) AS units "
        "FROM (SELECT 'https://' || city || '.example.com/sale?id=' || CAST(id AS varchar) || '&units=' || CAST(units AS varchar) AS u FROM sales) "
        "GROUP BY 1 ORDER BY 1"
    )
    qe = run(athena, lake, sql)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    want = {}
    for r in DATA:
        n, u = want.get(r['city'], (0, 0))
        want[r['city']] = (n + 1, u + r['units'])
    assert rows_of(athena, qe['QueryExecutionId']) == [['host', 'n', 'units']] + [[f'{c}.example.com', str(n), str(u)] for c, (n, u) in sorted(want.items())]
    # Anonymous rows keep every field (DuckDB names them all '', which used to collapse them to the last one).
    qe = run(athena, lake, "SELECT ARRAY[ROW(1, 'a')], zip(ARRAY[1, 2], ARRAY['x']), MAP(ARRAY['k'], ARRAY[ROW(1.5, DATE '2024-01-01')])")
    assert rows_of(athena, qe['QueryExecutionId'])[1] == ['[{1, a}]', '[{1, x}, {2, null}]', '{k={1.5, 2024-01-01}}']
    qe = run(athena, lake, 'SELECT current_date, date_diff(\'day\', DATE \'2020-01-01\', current_date) > 0')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    rows = rows_of(athena, qe['QueryExecutionId'])
    assert rows[0] == ['_col0', '_col1']
    assert rows[1] == [time.strftime('%Y-%m-%d', time.gmtime()), 'true']


def test_format_typeof_strpos_and_split_with_limit(athena, lake):
    sql = (
        "SELECT format('%s sold %,d units (%.1f%%)', city, sum(units), 100.0 * sum(units) / (SELECT sum(units) FROM sales)) AS line, "
        "typeof(sum(units)) AS t, strpos(city || '-' || city, city, 2) AS second, split(city || ',x,y', ',', 2) AS parts "
        "FROM sales GROUP BY city ORDER BY city"
    )
    qe = run(athena, lake, sql)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    total = sum(r['units'] for r in DATA)
    by_city = {}
    for r in DATA:
        by_city[r['city']] = by_city.get(r['city'], 0) + r['units']
    want = [[f"{c} sold {u:,d} units ({100.0 * u / total:.1f}%)", 'bigint', str(len(c) + 2), f'[{c}, x,y]'] for c, u in sorted(by_city.items())]
    assert rows_of(athena, qe['QueryExecutionId']) == [['line', 't', 'second', 'parts']] + want
    qe = run(athena, lake, "SELECT CAST(sum(amount) * 1e7 AS varchar), CAST(TIMESTAMP '2024-01-02 03:04:05' AS varchar) FROM sales WHERE id = 7")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    value = next(r['amount'] for r in DATA if r['id'] == 7) * 1e7
    # Java's Double.toString for |x| >= 1e7: the shortest digits as d.ddd, then E and the exponent.
    _, digits, exp = Decimal(repr(value)).as_tuple()
    rest = ''.join(map(str, digits[1:])).rstrip('0') or '0'
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [f'{digits[0]}.{rest}E{len(digits) + exp - 1}', '2024-01-02 03:04:05.000']
    qe = run(athena, lake, "SELECT city, try(sum(units) / (count(*) - count(*))), try(url_decode('100%zz')) FROM sales GROUP BY city ORDER BY city LIMIT 1")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [min(by_city), None, None]
    qe = run(athena, lake, "SELECT strpos('abc', 'b', 0)")
    assert qe['Status']['State'] == 'FAILED'
    assert "'instance' must be a positive or negative number" in qe['Status']['StateChangeReason']


def parquet_in_own_database(session, lakebox, lake, s3, name, rows, schema, columns):
    """Writes `rows` as one Parquet object and registers table `name` in a database of its own (other tests list the
    tables of the module's database); returns the `lake` dict pointing at that database."""
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buf)
    s3.put_object(Bucket=lake['bucket'], Key=f'{name}/part-0.parquet', Body=buf.getvalue())
    glue = session.client('glue', endpoint_url=lakebox.endpoint)
    db = f"{name}_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={'Name': db})
    glue.create_table(DatabaseName=db, TableInput=parquet_table_input(name, f"s3://{lake['bucket']}/{name}/", columns))
    return {**lake, 'db': db}


def test_decimal_average_and_division_keep_decimals(athena, lake, s3, session, lakebox):
    """avg() and division of decimals answer decimals (Trino's types, rounded half up); a double divided by zero is Infinity."""
    from decimal import ROUND_HALF_UP

    rng = random.Random(11)
    rows = [{'g': i % 3, 'price': Decimal(rng.randint(-99999, 99999)) / 100, 'qty': rng.randint(0, 5), 'tags': [f't{i}']} for i in range(300)]
    schema = pa.schema([('g', pa.int32()), ('price', pa.decimal128(12, 2)), ('qty', pa.int32()), ('tags', pa.list_(pa.string()))])
    here = parquet_in_own_database(session, lakebox, lake, s3, 'prices', rows, schema, [('g', 'int'), ('price', 'decimal(12,2)'), ('qty', 'int'), ('tags', 'array<string>')])
    cent = Decimal('0.01')
    half_up = lambda d: d.quantize(cent, rounding=ROUND_HALF_UP)
    want = []
    for g in range(3):
        prices = [r['price'] for r in rows if r['g'] == g]
        units = sum(r['qty'] for r in rows if r['g'] == g)
        want.append([str(g), str(half_up(sum(prices) / len(prices))), str(half_up(sum(prices) / 3)), str(half_up(sum(prices) / units))])
    qe = run(athena, here, 'SELECT g, avg(price) AS a, sum(price) / 3 AS b, sum(price) / sum(qty) AS c FROM prices GROUP BY g ORDER BY g')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == want
    info = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']['ResultSetMetadata']['ColumnInfo']
    assert [(c['Type'], c['Precision'], c['Scale']) for c in info[1:]] == [('decimal', 12, 2), ('decimal', 38, 2), ('decimal', 38, 2)]

    # The same through an Athena view (views get the typed rewrites too).
    qe = run(athena, here, 'CREATE VIEW price_avgs AS SELECT g, avg(price) AS a, sum(price) / 3 AS b FROM prices GROUP BY g')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    qe = run(athena, here, 'SELECT g, a, b FROM price_avgs ORDER BY g')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [w[:3] for w in want]

    # array || element appends, element || array prepends (the column's type comes from the engine).
    qe = run(athena, here, "SELECT tags || 'x', 'y' || tags FROM prices WHERE g = 0 ORDER BY price, element_at(tags, 1) LIMIT 1")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    first = min((r for r in rows if r['g'] == 0), key=lambda r: (r['price'], r['tags'][0]))['tags'][0]
    assert rows_of(athena, qe['QueryExecutionId'])[1] == [f'[{first}, x]', f'[y, {first}]']

    qe = run(athena, here, 'SELECT price / qty FROM prices WHERE qty = 0')
    assert qe['Status']['State'] == 'FAILED'
    assert 'Division by zero' in qe['Status']['StateChangeReason']

    qe = run(athena, here, 'SELECT amount / 0e0, -amount / 0e0, (amount - amount) / 0e0 FROM "' + lake['db'] + '".sales WHERE amount > 0 ORDER BY id LIMIT 1')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert rows_of(athena, qe['QueryExecutionId'])[1] == ['Infinity', '-Infinity', 'NaN']

    # CTAS writes the decimal type: pyarrow reads decimal128(12, 2) back.
    location = f"s3://{lake['bucket']}/avg_prices/"
    qe = run(athena, here, f"CREATE TABLE avg_prices WITH (format = 'PARQUET', external_location = '{location}') AS SELECT g, avg(price) AS a FROM prices GROUP BY g")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    keys = [o['Key'] for o in s3.list_objects_v2(Bucket=lake['bucket'], Prefix='avg_prices/').get('Contents', [])]
    tables = [pq.read_table(io.BytesIO(s3.get_object(Bucket=lake['bucket'], Key=k)['Body'].read())) for k in keys]
    table = pa.concat_tables(tables)
    assert table.schema.field('a').type == pa.decimal128(12, 2)
    assert sorted([str(r['g']), str(r['a'])] for r in table.to_pylist()) == [[w[0], w[1]] for w in want]


def test_unnest_array_of_rows_and_views_over_views(athena, lake, s3, session, lakebox):
    """UNNEST(array of rows) AS t(a, b) expands the rows' fields (as for maps), in queries and in views built on views."""
    rng = random.Random(5)
    orders = [{'order_id': i, 'lines': [{'sku': f's{rng.randint(1, 9)}', 'qty': rng.randint(1, 4)} for _ in range(rng.randint(0, 3))],
               'attrs': {'k': i}} for i in range(40)]
    schema = pa.schema([('order_id', pa.int64()), ('lines', pa.list_(pa.struct([('sku', pa.string()), ('qty', pa.int32())]))),
                        ('attrs', pa.map_(pa.string(), pa.int32()))])
    here = parquet_in_own_database(session, lakebox, lake, s3, 'orders', orders, schema, [
        ('order_id', 'bigint'), ('lines', 'array<struct<sku:string,qty:int>>'), ('attrs', 'map<string,int>')])
    want = sorted([str(o['order_id']), l['sku'], str(l['qty'])] for o in orders for l in o['lines'])
    qe = run(athena, here, 'SELECT order_id, sku, qty FROM orders CROSS JOIN UNNEST(lines) AS l(sku, qty)')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert sorted(rows_of(athena, qe['QueryExecutionId'])[1:]) == want
    # LEFT JOIN keeps orders without lines; a map unnests into (key, value) as before.
    qe = run(athena, here, 'SELECT order_id, count(l.sku), max(k) FROM orders LEFT JOIN UNNEST(lines) AS l(sku, qty) ON true '
                           'CROSS JOIN UNNEST(attrs) AS a(k, v) GROUP BY order_id ORDER BY order_id')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [[str(o['order_id']), str(len(o['lines'])), 'k'] for o in orders]
    # Views: one unnesting, one aggregating over it, one joining both (each registered after the views it reads).
    for sql in ('CREATE VIEW order_lines AS SELECT order_id, sku, qty FROM orders CROSS JOIN UNNEST(lines) AS l(sku, qty)',
                'CREATE VIEW sku_totals AS SELECT sku, sum(qty) AS total FROM order_lines GROUP BY sku',
                'CREATE VIEW line_shares AS SELECT l.order_id, l.sku, l.qty * 100 / t.total AS pct FROM order_lines l JOIN sku_totals t ON l.sku = t.sku'):
        qe = run(athena, here, sql)
        assert qe['Status']['State'] == 'SUCCEEDED', (sql, qe['Status'])
    totals = {}
    for o in orders:
        for l in o['lines']:
            totals[l['sku']] = totals.get(l['sku'], 0) + l['qty']
    qe = run(athena, here, 'SELECT sku, total FROM sku_totals ORDER BY sku')
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [[k, str(v)] for k, v in sorted(totals.items())]
    qe = run(athena, here, 'SELECT order_id, sku, pct FROM line_shares')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    # Integer division, truncating as Trino does.
    assert sorted(rows_of(athena, qe['QueryExecutionId'])[1:]) == sorted(
        [str(o['order_id']), l['sku'], str(l['qty'] * 100 // totals[l['sku']])] for o in orders for l in o['lines'])


def test_date_arithmetic_on_a_date_column_stays_a_date(athena, lake, s3, session, lakebox):
    import datetime as dt

    days = [dt.date(2024, 1, 31) + dt.timedelta(days=i * 17) for i in range(12)]
    rows = [{'id': i, 'd': d} for i, d in enumerate(days)]
    here = parquet_in_own_database(session, lakebox, lake, s3, 'visits', rows, pa.schema([('id', pa.int32()), ('d', pa.date32())]), [('id', 'int'), ('d', 'date')])
    qe = run(athena, here, "SELECT d, date_add('day', 1, d), d + INTERVAL '7' DAY, date_trunc('month', d) FROM visits ORDER BY id")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    got = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])['ResultSet']
    assert [c['Type'] for c in got['ResultSetMetadata']['ColumnInfo']] == ['date', 'date', 'date', 'date']
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [
        [d.isoformat(), (d + dt.timedelta(days=1)).isoformat(), (d + dt.timedelta(days=7)).isoformat(), d.replace(day=1).isoformat()] for d in days]
    qe = run(athena, here, "SELECT date_trunc('month', d) AS m, count(*) AS n FROM visits GROUP BY date_trunc('month', d) ORDER BY m")
    months = {}
    for d in days:
        months[d.replace(day=1).isoformat()] = months.get(d.replace(day=1).isoformat(), 0) + 1
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [[m, str(n)] for m, n in sorted(months.items())]


def test_workgroup_tags_and_runtime_statistics(athena, lake):
    name = f'tagged-{uuid.uuid4().hex[:6]}'
    athena.create_work_group(Name=name, Tags=[{'Key': 'team', 'Value': 'data'}, {'Key': 'env', 'Value': 'dev'}])
    arn = f'arn:aws:athena:us-east-1:000000000000:workgroup/{name}'
    tags = lambda: sorted((t['Key'], t['Value']) for t in athena.list_tags_for_resource(ResourceARN=arn)['Tags'])
    assert tags() == [('env', 'dev'), ('team', 'data')]
    athena.tag_resource(ResourceARN=arn, Tags=[{'Key': 'env', 'Value': 'prod'}, {'Key': 'cost', 'Value': '42'}])
    athena.untag_resource(ResourceARN=arn, TagKeys=['team'])
    assert tags() == [('cost', '42'), ('env', 'prod')]
    with pytest.raises(ClientError) as info:
        athena.list_tags_for_resource(ResourceARN='arn:aws:athena:us-east-1:000000000000:workgroup/no-such-group')
    assert info.value.response['Error']['Code'] == 'ResourceNotFoundException'
    athena.delete_work_group(WorkGroup=name)

    qe = run(athena, lake, "SELECT city, count(*) FROM sales WHERE city <> 'pune' GROUP BY city")
    stats = athena.get_query_runtime_statistics(QueryExecutionId=qe['QueryExecutionId'])['QueryRuntimeStatistics']
    assert stats['Rows']['OutputRows'] == len({r['city'] for r in DATA} - {'pune'})
    assert stats['Rows']['InputBytes'] == qe['Statistics']['DataScannedInBytes'] > 0
    timeline = stats['Timeline']
    assert timeline['TotalExecutionTimeInMillis'] >= timeline['EngineExecutionTimeInMillis'] >= 0
    assert timeline['TotalExecutionTimeInMillis'] == qe['Statistics']['TotalExecutionTimeInMillis']


def test_workgroup_enforced_output_and_disabled(athena, lake):
    name = f'wg_{uuid.uuid4().hex[:6]}'
    enforced = f"s3://{lake['bucket']}/wg/"
    athena.create_work_group(Name=name, Configuration={'ResultConfiguration': {'OutputLocation': enforced}, 'EnforceWorkGroupConfiguration': True})
    qe = run(athena, lake, 'SELECT 1', WorkGroup=name)
    assert qe['ResultConfiguration']['OutputLocation'] == f"{enforced}{qe['QueryExecutionId']}.csv"
    assert qe['WorkGroup'] == name
    assert athena.list_query_executions(WorkGroup=name)['QueryExecutionIds'] == [qe['QueryExecutionId']]
    athena.update_work_group(WorkGroup=name, State='DISABLED')
    with pytest.raises(ClientError):
        athena.start_query_execution(QueryString='SELECT 1', WorkGroup=name)
    names = [w['Name'] for w in athena.list_work_groups()['WorkGroups']]
    assert 'primary' in names and name in names
    athena.delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)


def test_interval_columns_are_typed_by_their_values(athena, lake):
    qe = run(athena, lake, "SELECT INTERVAL '3' MONTH AS m, INTERVAL '2' DAY AS d, "
                           "TIMESTAMP '2020-01-02 03:00:00' - TIMESTAMP '2020-01-01 00:00:00' AS diff, INTERVAL '14' MONTH AS y")
    res = athena.get_query_results(QueryExecutionId=qe['QueryExecutionId'])
    types = [c['Type'] for c in res['ResultSet']['ResultSetMetadata']['ColumnInfo']]
    assert types == ['interval year to month', 'interval day to second', 'interval day to second', 'interval year to month']
    assert [d.get('VarCharValue') for d in res['ResultSet']['Rows'][1]['Data']] == ['0-3', '2 00:00:00.000', '1 03:00:00.000', '1-2']


def test_result_encryption_sse_s3_kept_kms_refused(athena, lake):
    output = f"s3://{lake['bucket']}/enc/"
    qid = athena.start_query_execution(QueryString='SELECT 1', ResultConfiguration={'OutputLocation': output, 'EncryptionConfiguration': {'EncryptionOption': 'SSE_S3'}})['QueryExecutionId']
    while athena.get_query_execution(QueryExecutionId=qid)['QueryExecution']['Status']['State'] in ('QUEUED', 'RUNNING'):
        time.sleep(0.02)
    assert rows_of(athena, qid) == [['_col0'], ['1']]
    for option in ('SSE_KMS', 'CSE_KMS'):
        kms = {'OutputLocation': output, 'EncryptionConfiguration': {'EncryptionOption': option, 'KmsKey': 'alias/results'}}
        with pytest.raises(ClientError) as info:
            athena.start_query_execution(QueryString='SELECT 1', ResultConfiguration=kms)
        assert info.value.response['Error']['Code'] == 'InvalidRequestException'
        assert option in info.value.response['Error']['Message']
        with pytest.raises(ClientError) as info:
            athena.create_work_group(Name=f'wg_{uuid.uuid4().hex[:6]}', Configuration={'ResultConfiguration': kms})
        assert info.value.response['Error']['Code'] == 'InvalidRequestException'


def test_named_queries_and_catalog_metadata(athena, lake):
    nq = athena.create_named_query(Name='top', Database=lake['db'], QueryString='SELECT 1')['NamedQueryId']
    assert athena.get_named_query(NamedQueryId=nq)['NamedQuery']['QueryString'] == 'SELECT 1'
    got = athena.batch_get_named_query(NamedQueryIds=[nq, 'nope'])
    assert [q['NamedQueryId'] for q in got['NamedQueries']] == [nq]
    assert got['UnprocessedNamedQueryIds'][0]['NamedQueryId'] == 'nope'
    assert [c['CatalogName'] for c in athena.list_data_catalogs()['DataCatalogsSummary']] == ['AwsDataCatalog']
    tables = athena.list_table_metadata(CatalogName='AwsDataCatalog', DatabaseName=lake['db'])['TableMetadataList']
    assert sorted(t['Name'] for t in tables) == ['pipes', 'sales']
    with pytest.raises(ClientError) as info:
        athena.get_table_metadata(CatalogName='AwsDataCatalog', DatabaseName=lake['db'], TableName='nope')
    assert info.value.response['Error']['Code'] == 'MetadataException'


def test_pyathena_cursor(lakebox, lake):
    pyathena = pytest.importorskip('pyathena')
    conn = pyathena.connect(s3_staging_dir=lake['output'], region_name=lakebox.region, schema_name=lake['db'],
                            endpoint_url=lakebox.endpoint, aws_access_key_id=lakebox.access_key,
                            aws_secret_access_key=lakebox.secret_key, poll_interval=0.05)
    cur = conn.cursor()
    cur.execute('SELECT city, max(amount) AS top FROM sales WHERE units >= %(u)s GROUP BY city ORDER BY city', {'u': 5})
    want = {}
    for r in DATA:
        if r['units'] >= 5:
            want[r['city']] = max(want.get(r['city'], 0.0), r['amount'])
    assert cur.fetchall() == sorted(want.items())
    assert [d[0] for d in cur.description] == ['city', 'top']


def test_delimited_text_numbers_and_booleans_decode_as_athena_reads_them(athena, lake, s3):
    # Trino's text reader: integers are sign + digits with an ignored (digit-only) fraction; booleans true/false only.
    s3.put_object(Bucket=lake['bucket'], Key='lazy/data.csv', Body=b'1,1.9,yes\n2,0x1F,1\n3, 7 ,t\n4,1e2,FALSE\n5,-2.7,True\n6,99999999999,false\n7,+8,\n')
    qe = run(athena, lake, f"CREATE EXTERNAL TABLE lazy_nums (id int, n int, b boolean) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
                           f"LOCATION 's3://{lake['bucket']}/lazy/'")
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    qe = run(athena, lake, 'SELECT id, n, b FROM lazy_nums ORDER BY id')
    assert rows_of(athena, qe['QueryExecutionId'])[1:] == [
        ['1', '1', None], ['2', None, None], ['3', None, None], ['4', None, 'false'], ['5', '-2', 'true'], ['6', None, 'false'], ['7', '8', None],
    ]
