"""Athena's active query quota through boto3, on a server of its own started with LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES=2
and one query running at a time: the third active query is refused with TooManyRequestsException
(Reason CONCURRENT_QUERY_LIMIT_EXCEEDED, HTTP 400), and admitted once a slot frees."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, BIN, REGION, SECRET_KEY

MESSAGE = ('You have exceeded the limit for the number of queries you can run concurrently. Please reduce the number of '
           'concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.')
SLOW = ('SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) '
        'CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z) WHERE x + y + z < 0')


@pytest.fixture(scope='module')
def athena(tmp_path_factory):
    work = tmp_path_factory.mktemp('lakebox-quota')
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(('AWS_', 'LAKEBOX_'))}
    env.update(LAKEBOX_ACCESS_KEY_ID=ACCESS_KEY, LAKEBOX_SECRET_ACCESS_KEY=SECRET_KEY,
               LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES='2', LAKEBOX_ATHENA_MAX_CONCURRENT_QUERIES='1')
    log = open(work / 'server.log', 'wb')
    proc = subprocess.Popen([shutil.which('node'), str(BIN), 'server', '--port', str(port), '--data-dir', str(work / 'data')],
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f'{endpoint}/_lakebox/health', timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (work / 'server.log').read_text(errors='replace')
            time.sleep(0.1)
        session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        session.client('s3', endpoint_url=endpoint).create_bucket(Bucket='results')
        # botocore retries TooManyRequestsException as throttling: one attempt shows it as is.
        yield session.client('athena', endpoint_url=endpoint, config=Config(retries={'total_max_attempts': 1}))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def start(athena, sql):
    return athena.start_query_execution(QueryString=sql, ResultConfiguration={'OutputLocation': 's3://results/q/'})['QueryExecutionId']


def wait(athena, qid, states=('QUEUED', 'RUNNING')):
    deadline = time.monotonic() + 30
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)['QueryExecution']['Status']['State']
        if state not in states or time.monotonic() > deadline:
            return state
        time.sleep(0.02)


def test_third_active_query_is_refused(athena):
    slow = start(athena, SLOW)
    assert wait(athena, slow, states=('QUEUED',)) == 'RUNNING'
    queued = start(athena, 'SELECT 1')
    assert athena.get_query_execution(QueryExecutionId=queued)['QueryExecution']['Status']['State'] == 'QUEUED'
    with pytest.raises(ClientError) as refused:
        start(athena, 'SELECT 2')
    err = refused.value.response
    assert err['Error']['Code'] == 'TooManyRequestsException'
    assert err['Error']['Message'] == MESSAGE
    assert err['Reason'] == 'CONCURRENT_QUERY_LIMIT_EXCEEDED'
    assert err['ResponseMetadata']['HTTPStatusCode'] == 400
    assert isinstance(refused.value, athena.exceptions.TooManyRequestsException)
    assert len(athena.list_query_executions()['QueryExecutionIds']) == 2

    athena.stop_query_execution(QueryExecutionId=slow)
    assert wait(athena, slow) == 'CANCELLED'
    assert wait(athena, queued) == 'SUCCEEDED'
    admitted = [start(athena, 'SELECT 3'), start(athena, 'SELECT 4')]
    assert [wait(athena, q) for q in admitted] == ['SUCCEEDED', 'SUCCEEDED']
