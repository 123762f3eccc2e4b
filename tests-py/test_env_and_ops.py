"""`lakebox env`, the health endpoint and Prometheus metrics."""

import json
import re
import subprocess
import urllib.error
import urllib.request

from conftest import BIN, cli_env


def _lakebox_env(lakebox, *args, env=None):
    return subprocess.run(
        ['node', str(BIN), 'env', *args], cwd=lakebox.work_dir / 'cwd', env=env or lakebox.server_env(),
        capture_output=True, text=True, timeout=60, check=True,
    )


def test_lakebox_env_prints_exports(lakebox):
    proc = _lakebox_env(lakebox, '--port', str(lakebox.port))
    lines = proc.stdout.splitlines()
    assert f'export AWS_ENDPOINT_URL=http://127.0.0.1:{lakebox.port}' in lines
    assert f'export AWS_ACCESS_KEY_ID={lakebox.access_key}' in lines
    # The secret contains '/', '+' and '=': it must be shell-safe (quoted when needed).
    assert any(
        line in (f'export AWS_SECRET_ACCESS_KEY={lakebox.secret_key}', f"export AWS_SECRET_ACCESS_KEY='{lakebox.secret_key}'")
        for line in lines
    ), lines
    assert 'export AWS_DEFAULT_REGION=us-east-1' in lines
    assert all(line.startswith('export AWS_') for line in lines if line.strip())


def test_lakebox_env_defaults_without_configuration(lakebox):
    env = {k: v for k, v in lakebox.server_env().items() if not k.startswith('LAKEBOX_')}
    proc = _lakebox_env(lakebox, env=env)
    lines = proc.stdout.splitlines()
    assert 'export AWS_ENDPOINT_URL=http://127.0.0.1:4566' in lines
    assert 'export AWS_ACCESS_KEY_ID=test' in lines
    assert 'export AWS_SECRET_ACCESS_KEY=test' in lines


def test_lakebox_env_eval_then_aws_cli(lakebox, aws, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key='via-env/file.txt', Body=b'from eval')
    # A clean environment: nothing but what `lakebox env` exports reaches the CLI.
    env = cli_env(lakebox, tmp_path)
    for k in ('LAKEBOX_ACCESS_KEY_ID', 'LAKEBOX_SECRET_ACCESS_KEY'):
        env[k] = lakebox.server_env()[k]  # for `lakebox env` itself, like a user's shell config
    script = (
        f'set -e; eval "$(node {BIN} env --port {lakebox.port})"; '
        'unset LAKEBOX_ACCESS_KEY_ID LAKEBOX_SECRET_ACCESS_KEY; '
        f'"{aws.exe}" s3 ls; "{aws.exe}" s3 ls "s3://{bucket}" --recursive; '
        f'"{aws.exe}" s3 cp "s3://{bucket}/via-env/file.txt" -'
    )
    proc = subprocess.run(['bash', '-c', script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert bucket in proc.stdout
    assert 'via-env/file.txt' in proc.stdout
    assert proc.stdout.rstrip().endswith('from eval')

    # Without the eval the CLI has no credentials/endpoint and fails.
    proc = subprocess.run(['bash', '-c', f'"{aws.exe}" s3 ls "s3://{bucket}"'], env=cli_env(lakebox, tmp_path / 'h2'),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def test_health_endpoint(lakebox):
    with urllib.request.urlopen(f'{lakebox.endpoint}/_lakebox/health', timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers['Content-Type'].startswith('application/json')
        doc = json.loads(resp.read())
    assert doc['status'] == 'ok'
    assert doc['services']['s3'] == 'ready'


def _metrics(lakebox) -> str:
    with urllib.request.urlopen(f'{lakebox.endpoint}/metrics', timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers['Content-Type'].startswith('text/plain')
        return resp.read().decode()


def _counter(text: str, operation: str, status: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith('lakebox_requests_total{'):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line.split('}', 1)[0]))
        if labels.get('operation') == operation and labels.get('status') == status:
            total += float(line.rsplit(' ', 1)[1])
    return total


def test_metrics_count_requests_by_operation(lakebox, s3, bucket):
    before = _metrics(lakebox)
    s3.put_object(Bucket=bucket, Key='m1', Body=b'1')
    s3.put_object(Bucket=bucket, Key='m2', Body=b'2')
    s3.get_object(Bucket=bucket, Key='m1')['Body'].read()
    s3.list_objects_v2(Bucket=bucket)
    try:
        s3.get_object(Bucket=bucket, Key='missing')
    except s3.exceptions.NoSuchKey:
        pass
    after = _metrics(lakebox)

    assert '# TYPE lakebox_requests_total counter' in after
    assert _counter(after, 'PutObject', '200') - _counter(before, 'PutObject', '200') == 2
    assert _counter(after, 'GetObject', '200') - _counter(before, 'GetObject', '200') == 1
    assert _counter(after, 'ListObjectsV2', '200') - _counter(before, 'ListObjectsV2', '200') == 1
    assert _counter(after, 'GetObject', '404') - _counter(before, 'GetObject', '404') == 1
    assert 'lakebox_request_duration_seconds' in after
    assert re.search(r'lakebox_requests_total\{[^}]*service="s3"[^}]*operation="CreateBucket"', after)


def test_metrics_and_health_are_not_s3(lakebox):
    # Unauthenticated GET on a normal path is an S3 request and is denied (sanity check that the
    # two endpoints above are special-cased, not the whole server open).
    try:
        urllib.request.urlopen(f'{lakebox.endpoint}/some-bucket', timeout=10)
        raise AssertionError('expected 403')
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
