"""Trino's scoping of select-list aliases through boto3: an alias is visible in ORDER BY only, so WHERE, GROUP BY,
HAVING and later select items that name one fail with COLUMN_NOT_FOUND (DuckDB alone would run them); a name that is
also an input column, a lambda parameter or a subquery's output still resolves, to the column."""

from __future__ import annotations

import pytest

from lakebox_helpers import new_lake, result_rows, run_query

ROWS = [(1, 'x', 10), (2, 'y', 20), (3, 'x', 30)]


@pytest.fixture(scope='module')
def lake(s3, athena_client, glue_client):
    bucket, db = new_lake(s3, glue_client, 'alias')
    s3.put_object(Bucket=bucket, Key='t/a.csv', Body=''.join(f'{i},{k},{v}\n' for i, k, v in ROWS).encode())
    ddl = f"CREATE EXTERNAL TABLE t (id int, k string, v int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{bucket}/t/'"
    assert run_query(athena_client, ddl, db, f's3://{bucket}/r/')['Status']['State'] == 'SUCCEEDED'
    return athena_client, bucket, db


def run(lake, sql):
    athena, bucket, db = lake
    return run_query(athena, sql, db, f's3://{bucket}/r/')


@pytest.mark.parametrize('sql, name, position', [
    ('SELECT v * 2 AS w FROM t WHERE w > 20', 'w', '1:32'),
    ('SELECT k AS kk, count(*) FROM t GROUP BY kk', 'kk', '1:42'),
    ('SELECT k, count(*) AS c FROM t GROUP BY k HAVING c > 1', 'c', '1:50'),
    ('SELECT v + 1 AS w, w * 2 FROM t', 'w', '1:20'),
    ('SELECT 1 AS x WHERE x = 1', 'x', '1:21'),
    ('SELECT k AS kk\nFROM t\nWHERE kk = \'x\'', 'kk', '3:7'),
])
def test_an_alias_outside_order_by_cannot_be_resolved(lake, sql, name, position):
    qe = run(lake, sql)
    assert qe['Status']['State'] == 'FAILED', sql
    assert qe['Status']['StateChangeReason'].startswith(f"COLUMN_NOT_FOUND: line {position}: Column '{name}' cannot be resolved")
    assert qe['Status']['AthenaError']['ErrorType'] == 1006


@pytest.mark.parametrize('sql, expected', [
    # ORDER BY sees aliases.
    ('SELECT k AS kk, v FROM t ORDER BY kk, v', [[k, str(v)] for _, k, v in sorted(ROWS, key=lambda r: (r[1], r[2]))]),
    # A name that is also an input column is the column, not the alias.
    ('SELECT v AS id FROM t WHERE id > 1 ORDER BY 1', [[str(v)] for i, _, v in ROWS if i > 1]),
    # A subquery's or a CTE's output is an input column of the outer query.
    ('SELECT w FROM (SELECT v AS w FROM t) WHERE w > 10 ORDER BY w', [[str(v)] for *_, v in ROWS if v > 10]),
    ('WITH c AS (SELECT v AS w FROM t) SELECT w AS z FROM c WHERE w > 10 ORDER BY z', [[str(v)] for *_, v in ROWS if v > 10]),
    # An UNNEST column and a lambda parameter with an alias's name.
    ('SELECT v AS w FROM t CROSS JOIN UNNEST(ARRAY[1]) AS u(w) WHERE w = 1 ORDER BY v', [[str(v)] for *_, v in ROWS]),
    ('SELECT filter(ARRAY[1, 2], w -> w > 1) AS w FROM t WHERE id = 1', [['[2]']]),
    # Ordinals in GROUP BY.
    ('SELECT k, count(*) AS c FROM t GROUP BY 1 ORDER BY c, k', [['y', '1'], ['x', '2']]),
])
def test_names_that_resolve_to_columns_still_run(lake, sql, expected):
    qe = run(lake, sql)
    assert qe['Status']['State'] == 'SUCCEEDED', qe['Status']
    athena, _, _ = lake
    assert result_rows(athena, qe['QueryExecutionId'])[1:] == expected
