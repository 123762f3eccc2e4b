"""Trino functions through boto3, with the answers Trino's documentation gives: array set functions, SQL/JSON path
functions in lax/strict mode, ISO extract fields, concat_ws over an array, bases, width_bucket, and errors Trino raises
(subscripts past an array's end or of a missing map key among them)."""

from __future__ import annotations

import pytest

from lakebox_helpers import new_lake, result_rows, run_query


@pytest.fixture(scope='module')
def lake(s3, athena_client, glue_client):
    bucket, db = new_lake(s3, glue_client, 'fns')
    return athena_client, bucket, db


def select(lake, expr: str) -> tuple[dict, object]:
    athena, bucket, db = lake
    return run_query(athena, f'SELECT {expr}', db, f's3://{bucket}/r/'), athena


@pytest.mark.parametrize('expr, expected', [
    ('array_union(ARRAY[1, 2], ARRAY[2, 3])', '[1, 2, 3]'),
    ('array_intersect(ARRAY[1, 2, 3], ARRAY[2, 3, 4])', '[2, 3]'),
    ('array_except(ARRAY[1, 2, 3], ARRAY[2])', '[1, 3]'),
    ("ngrams(ARRAY['foo', 'bar', 'baz'], 2)", '[[foo, bar], [bar, baz]]'),
    ('trim_array(ARRAY[1, 2, 3, 4], 1)', '[1, 2, 3]'),
    ("concat_ws('-', ARRAY['a', 'b', 'c'])", 'a-b-c'),
    ("""json_value('{"comment": "nice", "children": [10, 13, 16]}', 'lax $.comment')""", 'nice'),
    ("""json_query('{"comment": "nice", "children": [10, 13, 16]}', 'lax $.children')""", '[10,13,16]'),
    ("""json_exists('{"a": 1}', 'strict $.a')""", 'true'),
    ("extract(DOW FROM DATE '2022-10-23')", '7'),
    ("extract(YEAR_OF_WEEK FROM DATE '2021-01-01')", '2020'),
    ('to_base(-255, 16)', '-ff'),
    ("from_base('777', 8)", '511'),
    ('width_bucket(5.3, 0.2, 10.6, 5)', '3'),
    ('bitwise_left_shift(1, 2)', '4'),
    ('ln(0)', '-Infinity'),
    ('format_number(123456)', '123K'),
    ('element_at(ARRAY[1, 2], 5) IS NULL', 'true'),
    ("json_array_get('[1, 2, 3]', -1)", '3'),
    ('array_histogram(ARRAY[42, 7, 42])[42]', '2'),
    ("split_to_multimap('a=1,a=2,b=3', ',', '=')", '{a=[1, 2], b=[3]}'),
    ("CAST(parse_data_size('2.3MB') AS bigint)", '2411724'),
    ("luhn_check('79927398713')", 'true'),
    ('bit_count(9, 64)', '2'),
    ('try(ARRAY[1, 2][5]) IS NULL', 'true'),
    ('sign(-3)', '-1'),
    ("date_format(TIMESTAMP '2022-10-20 05:10:00', '%x-%v')", '2022-42'),
])
def test_function_answers_match_trino(lake, expr, expected):
    qe, athena = select(lake, expr)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert result_rows(athena, qe['QueryExecutionId'])[1] == [expected]


@pytest.mark.parametrize('expr, reason', [
    ('mod(5, 0)', 'DIVISION_BY_ZERO: Division by zero'),
    ('trim_array(ARRAY[1], 2)', 'INVALID_FUNCTION_ARGUMENT: '),
    ("from_base('fg', 16)", 'INVALID_FUNCTION_ARGUMENT: Not a valid base-16 number: fg'),
    ('ARRAY[1, 2][5]', 'INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: 5 > 2'),
    ("split('a/b', '/')[0]", 'INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1'),
    ("MAP(ARRAY['a'], ARRAY[1])['z']", 'INVALID_FUNCTION_ARGUMENT: Key not present in map: z'),
])
def test_errors_trino_raises_fail_the_query(lake, expr, reason):
    qe, _ = select(lake, expr)
    assert qe['Status']['State'] == 'FAILED'
    assert qe['Status']['StateChangeReason'].startswith(reason), qe['Status']['StateChangeReason']


def test_unnest_of_a_json_array_cast_to_rows_and_with_ordinality(lake):
    """The JSON events pattern: UNNEST(CAST(json_extract(payload, '$.items') AS ARRAY(ROW(…)))) AS t(sku, qty)."""
    athena, bucket, db = lake
    payloads = ['{"order": 1, "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]}', '{"order": 2, "items": [{"sku": "a", "qty": 5}]}']
    values = ', '.join(f"('{p}')" for p in payloads)
    sql = (f"SELECT CAST(json_extract_scalar(payload, '$.order') AS integer) AS o, t.sku, t.qty, t.n FROM (VALUES {values}) AS p(payload) "
           "CROSS JOIN UNNEST(CAST(json_extract(payload, '$.items') AS ARRAY(ROW(sku VARCHAR, qty INTEGER)))) WITH ORDINALITY AS t(sku, qty, n) "
           "ORDER BY o, t.n")
    qe = run_query(athena, sql, db, f's3://{bucket}/r/')
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    assert result_rows(athena, qe['QueryExecutionId'])[1:] == [['1', 'a', '2', '1'], ['1', 'b', '1', '2'], ['2', 'a', '5', '1']]
