"""The AWS CLI (pip `awscli`) against the server: `aws s3` high-level commands and a few `aws s3api` calls."""

import filecmp
import hashlib
import os
import time
from pathlib import Path

import pytest

from lakebox_helpers import MIB, md5_hex


@pytest.fixture
def cli_bucket(aws, s3, bucket_name):
    """A bucket made with `aws s3 mb` (and removed by the test or, failing that, here)."""
    from conftest import empty_and_delete_bucket

    proc = aws.run('s3', 'mb', f's3://{bucket_name}')
    assert f'make_bucket: {bucket_name}' in proc.stdout
    s3.head_bucket(Bucket=bucket_name)
    yield bucket_name
    empty_and_delete_bucket(s3, bucket_name)


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


def test_s3_mb_cp_ls_rm_rb(aws, s3, bucket_name, tmp_path):
    proc = aws.run('s3', 'mb', f's3://{bucket_name}')
    assert f'make_bucket: {bucket_name}' in proc.stdout
    assert bucket_name in aws.run('s3', 'ls').stdout

    small = tmp_path / 'hello.txt'
    small.write_text('hello from the aws cli\n')
    proc = aws.run('s3', 'cp', str(small), f's3://{bucket_name}/docs/hello.txt')
    assert 'upload: ' in proc.stdout and f' to s3://{bucket_name}/docs/hello.txt' in proc.stdout
    head = s3.head_object(Bucket=bucket_name, Key='docs/hello.txt')
    assert head['ContentLength'] == small.stat().st_size
    assert head['ContentType'] == 'text/plain'  # the CLI guesses it from the extension

    # > 8 MiB -> multipart with the CLI's default 8 MiB chunks.
    big = tmp_path / 'big.bin'
    big.write_bytes(os.urandom(9 * MIB + 321))
    aws.run('s3', 'cp', str(big), f's3://{bucket_name}/data/big.bin')
    head = s3.head_object(Bucket=bucket_name, Key='data/big.bin')
    assert head['ContentLength'] == big.stat().st_size
    assert head['ETag'].endswith('-2"')

    down = tmp_path / 'down'
    down.mkdir()
    aws.run('s3', 'cp', f's3://{bucket_name}/data/big.bin', str(down / 'big.bin'))
    aws.run('s3', 'cp', f's3://{bucket_name}/docs/hello.txt', str(down / 'hello.txt'))
    assert filecmp.cmp(big, down / 'big.bin', shallow=False)
    assert (down / 'hello.txt').read_text() == 'hello from the aws cli\n'

    # Copy to stdout and from stdin.
    assert aws.run('s3', 'cp', f's3://{bucket_name}/docs/hello.txt', '-').stdout == 'hello from the aws cli\n'

    # Server-side copy between keys (CopyObject), and of the big object (multipart UploadPartCopy), then mv.
    aws.run('s3', 'cp', f's3://{bucket_name}/docs/hello.txt', f's3://{bucket_name}/docs/copy.txt')
    assert s3.get_object(Bucket=bucket_name, Key='docs/copy.txt')['Body'].read() == b'hello from the aws cli\n'
    aws.run('s3', 'cp', f's3://{bucket_name}/data/big.bin', f's3://{bucket_name}/data/big-copy.bin')
    aws.run('s3', 'mv', f's3://{bucket_name}/data/big-copy.bin', f's3://{bucket_name}/data/big-moved.bin')
    moved = s3.get_object(Bucket=bucket_name, Key='data/big-moved.bin')
    assert moved['Body'].read() == big.read_bytes()
    assert moved['ETag'].endswith('-2"')  # the CLI copied it part by part
    aws.run('s3', 'rm', f's3://{bucket_name}/data/big-moved.bin')

    top = aws.run('s3', 'ls', f's3://{bucket_name}').stdout
    assert 'PRE docs/' in top and 'PRE data/' in top
    docs = aws.run('s3', 'ls', f's3://{bucket_name}/docs/').stdout
    assert 'hello.txt' in docs and 'copy.txt' in docs and 'big.bin' not in docs
    recursive = aws.run('s3', 'ls', f's3://{bucket_name}', '--recursive').stdout
    listed = sorted(line.split()[-1] for line in recursive.splitlines() if line.strip())
    assert listed == ['data/big.bin', 'docs/copy.txt', 'docs/hello.txt']
    sizes = {line.split()[-1]: int(line.split()[2]) for line in recursive.splitlines() if line.strip()}
    assert sizes['data/big.bin'] == big.stat().st_size

    # rb on a non-empty bucket fails; rm --recursive empties it; then rb works.
    proc = aws.run('s3', 'rb', f's3://{bucket_name}', check=False)
    assert proc.returncode != 0
    assert 'BucketNotEmpty' in proc.stderr
    proc = aws.run('s3', 'rm', f's3://{bucket_name}', '--recursive')
    assert proc.stdout.count('delete: ') == 3
    assert s3.list_objects_v2(Bucket=bucket_name)['KeyCount'] == 0
    proc = aws.run('s3', 'rb', f's3://{bucket_name}')
    assert f'remove_bucket: {bucket_name}' in proc.stdout
    assert bucket_name not in aws.run('s3', 'ls').stdout


def test_s3_cp_missing_object_fails(aws, cli_bucket, tmp_path):
    proc = aws.run('s3', 'cp', f's3://{cli_bucket}/no/such/key', str(tmp_path / 'x'), check=False)
    assert proc.returncode != 0
    assert '404' in proc.stderr or 'Not Found' in proc.stderr
    assert not (tmp_path / 'x').exists()


def test_s3_sync_round_trip(aws, s3, cli_bucket, tmp_path):
    src = tmp_path / 'src'
    files = {
        'a.txt': b'alpha\n',
        'nested/b.json': b'{"b": 1}\n',
        'nested/deeper/c.bin': os.urandom(70_000),
        'with space/d e.txt': b'spaces\n',
        'ünïcode/ß.txt': 'straße\n'.encode(),
        'plus+eq=/f+g=h.csv': b'x,y\n',
        'empty.dat': b'',
    }
    for rel, data in files.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        # sync compares local mtime with the object's LastModified (1 s resolution, as on AWS):
        # make the local files clearly older so an unchanged tree is not re-uploaded.
        an_hour_ago = time.time() - 3600
        os.utime(path, (an_hour_ago, an_hour_ago))

    proc = aws.run('s3', 'sync', str(src), f's3://{cli_bucket}/tree')
    assert proc.stdout.count('upload: ') == len(files)
    keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket=cli_bucket)['Contents'])
    assert keys == sorted(f'tree/{rel}' for rel in files)
    for rel, data in files.items():
        assert s3.get_object(Bucket=cli_bucket, Key=f'tree/{rel}')['Body'].read() == data

    # A second sync uploads nothing.
    assert 'upload: ' not in aws.run('s3', 'sync', str(src), f's3://{cli_bucket}/tree').stdout

    # Change one file, delete one, sync with --delete.
    (src / 'a.txt').write_bytes(b'alpha v2, longer\n')
    (src / 'empty.dat').unlink()
    proc = aws.run('s3', 'sync', str(src), f's3://{cli_bucket}/tree', '--delete')
    assert 'upload: ' in proc.stdout and 'a.txt' in proc.stdout
    assert f'delete: s3://{cli_bucket}/tree/empty.dat' in proc.stdout
    del files['empty.dat']

    dst = tmp_path / 'dst'
    aws.run('s3', 'sync', f's3://{cli_bucket}/tree', str(dst))
    assert _tree(dst) == _tree(src)
    assert len(_tree(dst)) == len(files)

    # Prefix listing through the CLI sees the nested structure.
    ls = aws.run('s3', 'ls', f's3://{cli_bucket}/tree/nested/').stdout
    assert 'PRE deeper/' in ls and 'b.json' in ls


def test_s3api_calls(aws, s3, cli_bucket, tmp_path):
    body = tmp_path / 'body.txt'
    body.write_bytes(b's3api body\n')

    put = aws.json(
        's3api', 'put-object', '--bucket', cli_bucket, '--key', 'api/obj.txt', '--body', str(body),
        '--content-type', 'text/plain', '--metadata', 'owner=cli,purpose=test',
    )
    assert put['ETag'] == '"' + md5_hex(b's3api body\n') + '"'

    head = aws.json('s3api', 'head-object', '--bucket', cli_bucket, '--key', 'api/obj.txt')
    assert head['ContentLength'] == len(b's3api body\n')
    assert head['ContentType'] == 'text/plain'
    assert head['Metadata'] == {'owner': 'cli', 'purpose': 'test'}
    assert head['ETag'] == put['ETag']

    out = tmp_path / 'out.txt'
    got = aws.json('s3api', 'get-object', '--bucket', cli_bucket, '--key', 'api/obj.txt', str(out))
    assert got['ContentLength'] == len(b's3api body\n')
    assert got['ETag'] == put['ETag']
    assert out.read_bytes() == b's3api body\n'

    ranged = aws.json('s3api', 'get-object', '--bucket', cli_bucket, '--key', 'api/obj.txt', '--range', 'bytes=0-4',
                      str(out))
    assert ranged['ContentRange'] == 'bytes 0-4/11'
    assert out.read_bytes() == b's3api'

    aws.run('s3api', 'put-object-tagging', '--bucket', cli_bucket, '--key', 'api/obj.txt',
            '--tagging', 'TagSet=[{Key=env,Value=dev},{Key=team,Value=lake}]')
    tags = aws.json('s3api', 'get-object-tagging', '--bucket', cli_bucket, '--key', 'api/obj.txt')
    assert sorted((t['Key'], t['Value']) for t in tags['TagSet']) == [('env', 'dev'), ('team', 'lake')]

    for i in range(5):
        s3.put_object(Bucket=cli_bucket, Key=f'api/list/{i}', Body=b'x' * i)
    listed = aws.json('s3api', 'list-objects-v2', '--bucket', cli_bucket, '--prefix', 'api/list/', '--no-paginate')
    assert [o['Key'] for o in listed['Contents']] == [f'api/list/{i}' for i in range(5)]
    assert [o['Size'] for o in listed['Contents']] == list(range(5))
    assert listed['KeyCount'] == 5

    # The CLI paginates transparently with a small page size.
    paged = aws.json('s3api', 'list-objects-v2', '--bucket', cli_bucket, '--page-size', '2')
    assert len(paged['Contents']) == 6

    grouped = aws.json('s3api', 'list-objects-v2', '--bucket', cli_bucket, '--delimiter', '/', '--prefix', 'api/')
    assert [p['Prefix'] for p in grouped['CommonPrefixes']] == ['api/list/']
    assert [o['Key'] for o in grouped['Contents']] == ['api/obj.txt']

    proc = aws.run('s3api', 'head-object', '--bucket', cli_bucket, '--key', 'api/missing', check=False)
    assert proc.returncode != 0
    assert '404' in proc.stderr

    proc = aws.run('s3api', 'get-object', '--bucket', cli_bucket, '--key', 'api/missing', str(out), check=False)
    assert proc.returncode != 0
    assert 'NoSuchKey' in proc.stderr


def test_s3_presign(aws, s3, cli_bucket):
    import requests

    s3.put_object(Bucket=cli_bucket, Key='shared.txt', Body=b'presigned by the cli')
    url = aws.run('s3', 'presign', f's3://{cli_bucket}/shared.txt', '--expires-in', '300').stdout.strip()
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.content == b'presigned by the cli'


def test_s3_presign_with_sigv4_configured(aws, s3, cli_bucket):
    """Same, with `s3.signature_version = s3v4` in the CLI config: works."""
    config = aws.home / 's3v4-config'
    config.write_text('[default]\ns3 =\n    signature_version = s3v4\n')
    s3.put_object(Bucket=cli_bucket, Key='shared.txt', Body=b'presigned by the cli')
    url = aws.run('s3', 'presign', f's3://{cli_bucket}/shared.txt', '--expires-in', '300',
                  extra_env={'AWS_CONFIG_FILE': str(config)}).stdout.strip()
    assert 'X-Amz-Signature=' in url
    import requests

    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.content == b'presigned by the cli'
