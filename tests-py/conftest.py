"""Black-box fixtures: start the real Lakebox server (node bin/lakebox.js server) once per session
and give the tests a boto3 client, an AWS CLI runner and a fresh bucket each.

Run from the repository root after `npm run build`:  python3 -m pytest -q tests-py
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / 'bin' / 'lakebox.js'
REGION = 'us-east-1'

# Non-default credentials: proves LAKEBOX_ACCESS_KEY_ID / LAKEBOX_SECRET_ACCESS_KEY are honoured
# (the default test/test pair must then be rejected, see test_auth_raw.py).
ACCESS_KEY = 'LKBXPYTESTAKID0001'
SECRET_KEY = 'pytest/Secret+Key=0001abcdefghijklmnopqrs'

# Keep the developer's AWS configuration (profiles, endpoint overrides, checksum settings) away
# from boto3 in this process.
_ISOLATED_HOME = Path(tempfile.mkdtemp(prefix='lakebox-pytest-home-'))
for _name in list(os.environ):
    if _name.startswith('AWS_') or _name.startswith('LAKEBOX_'):
        del os.environ[_name]
os.environ['AWS_CONFIG_FILE'] = str(_ISOLATED_HOME / 'aws-config')
os.environ['AWS_SHARED_CREDENTIALS_FILE'] = str(_ISOLATED_HOME / 'aws-credentials')
os.environ['AWS_EC2_METADATA_DISABLED'] = 'true'

_SERVER_LOGS: list[Path] = []


def _tail(path: Path, lines: int = 60) -> str:
    try:
        content = path.read_text(errors='replace').splitlines()
    except OSError as exc:
        return f'<cannot read {path}: {exc}>'
    return '\n'.join(content[-lines:])


def server_log_tail(lines: int = 30) -> str:
    return '\n'.join(f'--- {p.name} (last {lines} lines) ---\n{_tail(p, lines)}' for p in _SERVER_LOGS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _SERVER_LOGS:
        report.sections.append(('lakebox server output (tail)', server_log_tail()))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class Lakebox:
    endpoint: str
    host: str
    port: int
    access_key: str
    secret_key: str
    region: str
    data_dir: Path
    work_dir: Path
    process: subprocess.Popen

    def server_env(self) -> dict[str, str]:
        """Environment the server was started with (for `lakebox env`)."""
        return _server_env(self.access_key, self.secret_key)


def _server_env(access_key: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('AWS_', 'LAKEBOX_'))}
    env['LAKEBOX_ACCESS_KEY_ID'] = access_key
    env['LAKEBOX_SECRET_ACCESS_KEY'] = secret_key
    return env


@pytest.fixture(scope='session')
def lakebox(tmp_path_factory) -> Lakebox:
    if not (REPO / 'dist' / 'cli' / 'main.js').exists():
        pytest.exit('dist/ is missing: run `npm run build` before the Python suite', returncode=2)
    node = shutil.which('node')
    if node is None:
        pytest.exit('node is not on PATH', returncode=2)

    work = tmp_path_factory.mktemp('lakebox')
    data_dir = work / 'data'
    data_dir.mkdir()
    cwd = work / 'cwd'  # empty cwd: no ./lakebox.config.json can leak into the server's config
    cwd.mkdir()
    stdout_path = work / 'server.stdout.log'
    stderr_path = work / 'server.stderr.log'
    _SERVER_LOGS[:] = [stdout_path, stderr_path]

    port = _free_port()
    cmd = [node, str(BIN), 'server', '--host', '127.0.0.1', '--port', str(port), '--data-dir', str(data_dir)]
    with open(stdout_path, 'wb') as out, open(stderr_path, 'wb') as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=_server_env(ACCESS_KEY, SECRET_KEY), stdout=out, stderr=err)
    endpoint = f'http://127.0.0.1:{port}'

    deadline = time.monotonic() + 30
    ready = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f'{endpoint}/_lakebox/health', timeout=2) as resp:
                if resp.status == 200 and '"msg":"listening"' in stdout_path.read_text(errors='replace'):
                    ready = True
                    break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    if not ready:
        rc = proc.poll()
        if rc is None:
            proc.kill()
            proc.wait(10)
        pytest.exit(
            f'lakebox server did not become healthy (exit code {proc.returncode}):\n{server_log_tail(80)}',
            returncode=3,
        )

    info = Lakebox(
        endpoint=endpoint,
        host='127.0.0.1',
        port=port,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
        data_dir=data_dir,
        work_dir=work,
        process=proc,
    )
    yield info

    proc.terminate()
    try:
        rc = proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait(10)
        sys.stderr.write(f'\nlakebox server ignored SIGTERM; killed.\n{server_log_tail(40)}\n')
    else:
        if rc != 0:
            sys.stderr.write(f'\nlakebox server exited with {rc} on SIGTERM.\n{server_log_tail(40)}\n')


def make_client(lakebox: Lakebox, access_key: str | None = None, secret_key: str | None = None, service: str = 's3', **config):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=access_key or lakebox.access_key,
        aws_secret_access_key=secret_key or lakebox.secret_key,
        region_name=lakebox.region,
    )
    cfg = Config(**config) if config else None
    return session.client(service, endpoint_url=lakebox.endpoint, config=cfg)


@pytest.fixture(autouse=True)
def _server_must_survive(request):
    """Fails the test during which the server process died (a crash is always a bug)."""
    if 'lakebox' not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue('lakebox')
    if server.process.poll() is not None:
        pytest.fail(f'lakebox server is not running (exit code {server.process.returncode}); it died in an earlier test')
    yield
    if server.process.poll() is not None:
        pytest.fail(f'lakebox server died during this test (exit code {server.process.returncode}):\n'
                    f'{server_log_tail(40)}')


@pytest.fixture(scope='session')
def s3(lakebox):
    """boto3 S3 client with the default botocore config (CRC32 checksums, checksum validation)."""
    return make_client(lakebox)


@pytest.fixture(scope='session')
def glue_client(lakebox):
    return make_client(lakebox, service='glue')


@pytest.fixture(scope='session')
def athena_client(lakebox):
    return make_client(lakebox, service='athena')


@pytest.fixture(scope='session')
def s3_noretry(lakebox):
    """Same as `s3` but without retries: botocore's legacy retry policy retries 400 BadDigest
    (for Content-MD5 races) five times with back-off, which only slows the error tests down."""
    return make_client(lakebox, retries={'total_max_attempts': 1})


def _unique_bucket_name(hint: str) -> str:
    hint = re.sub(r'[^a-z0-9-]+', '-', hint.lower()).strip('-')[:30].strip('-') or 'b'
    return f'py-{hint}-{uuid.uuid4().hex[:10]}'


def empty_and_delete_bucket(s3, name: str) -> None:
    from botocore.exceptions import ClientError

    try:
        for page in s3.get_paginator('list_multipart_uploads').paginate(Bucket=name):
            for up in page.get('Uploads', []):
                s3.abort_multipart_upload(Bucket=name, Key=up['Key'], UploadId=up['UploadId'])
        for page in s3.get_paginator('list_objects_v2').paginate(Bucket=name):
            keys = [{'Key': o['Key']} for o in page.get('Contents', [])]
            if keys:
                s3.delete_objects(Bucket=name, Delete={'Objects': keys, 'Quiet': True})
        s3.delete_bucket(Bucket=name)
    except ClientError:
        pass


@pytest.fixture
def bucket_name(request) -> str:
    return _unique_bucket_name(request.node.name)


@pytest.fixture
def bucket(s3, bucket_name):
    """A fresh, empty bucket for this test only; emptied and deleted afterwards."""
    s3.create_bucket(Bucket=bucket_name)
    yield bucket_name
    empty_and_delete_bucket(s3, bucket_name)


def _aws_executable() -> str:
    local = Path(sys.executable).parent / 'aws'
    if local.exists():
        return str(local)
    found = shutil.which('aws')
    if found is None:
        pytest.skip('aws CLI not installed (pip install -r tests-py/requirements.txt)')
    return found


@dataclasses.dataclass
class AwsCli:
    exe: str
    env: dict[str, str]
    home: Path

    def run(self, *args: str, check: bool = True, cwd: Path | None = None, timeout: float = 180,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if extra_env:
            env.update(extra_env)
        started = time.monotonic()
        proc = subprocess.run(
            [self.exe, *args], env=env, cwd=cwd or self.home, capture_output=True, text=True, timeout=timeout
        )
        if os.environ.get('PYTEST_TRACE_AWS_CLI'):
            sys.stderr.write(f'[{time.monotonic() - started:6.2f}s] aws {" ".join(args)}\n')
        if check and proc.returncode != 0:
            raise AssertionError(
                f'aws {" ".join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}'
            )
        return proc

    def json(self, *args: str, **kwargs) -> dict:
        proc = self.run(*args, '--output', 'json', **kwargs)
        return json.loads(proc.stdout) if proc.stdout.strip() else {}


def cli_env(lakebox: Lakebox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('AWS_', 'LAKEBOX_'))}
    config = home / '.aws' / 'config'
    config.parent.mkdir(parents=True, exist_ok=True)
    config.touch()
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(home / '.aws' / 'credentials'),
        AWS_EC2_METADATA_DISABLED='true',
        AWS_PAGER='',
    )
    return env


@pytest.fixture(scope='session')
def aws(lakebox, tmp_path_factory) -> AwsCli:
    """Runs the pip-installed AWS CLI against the server, isolated from the user's ~/.aws."""
    home = tmp_path_factory.mktemp('aws-home')
    env = cli_env(lakebox, home)
    env.update(
        AWS_ENDPOINT_URL=lakebox.endpoint,
        AWS_ACCESS_KEY_ID=lakebox.access_key,
        AWS_SECRET_ACCESS_KEY=lakebox.secret_key,
        AWS_DEFAULT_REGION=lakebox.region,
    )
    return AwsCli(exe=_aws_executable(), env=env, home=home)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix='k': f'{prefix}-{uuid.uuid4().hex[:12]}'
