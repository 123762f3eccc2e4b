"""Bad requests at the HTTP level: missing / wrong credentials, malformed XML, body hash mismatch,
clock skew, uploads cut off mid-body, and keys that try to escape the data directory."""

import datetime as dt
import hashlib
import os
import time
import urllib.request
import uuid
from pathlib import Path
from unittest import mock

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import make_client
from lakebox_helpers import (
    aws_chunked_signed,
    aws_chunked_unsigned_trailer,
    checksum_b64,
    error_code,
    http_status,
    md5_b64,
    raw_request,
    send_truncated_put,
    sign_request,
    signed_raw_request,
    xml_error,
)


# ------------------------------------------------------------------ authentication


def test_unsigned_requests_are_denied(lakebox, s3, bucket):
    s3.put_object(Bucket=bucket, Key='private', Body=b'private bytes')
    for method, path, body in (
        ('GET', '/', b''),
        ('GET', f'/{bucket}', b''),
        ('GET', f'/{bucket}/private', b''),
        ('PUT', f'/{bucket}/anonymous-write', b'nope'),
        ('DELETE', f'/{bucket}/private', b''),
        ('PUT', '/anonymous-bucket-create', b''),
    ):
        status, headers, data = raw_request(method, lakebox.endpoint + path, body=body)
        assert status == 403, (method, path)
        err = xml_error(data)
        assert err['Code'] == 'AccessDenied', (method, path, err)
        assert headers.get('x-amz-request-id')
        assert b'private bytes' not in data
    assert s3.get_object(Bucket=bucket, Key='private')['Body'].read() == b'private bytes'
    assert s3.list_objects_v2(Bucket=bucket, Prefix='anonymous-write')['KeyCount'] == 0
    assert 'anonymous-bucket-create' not in [b['Name'] for b in s3.list_buckets()['Buckets']]


def test_wrong_secret_is_signature_does_not_match(lakebox, s3, bucket):
    bad = make_client(lakebox, secret_key=lakebox.secret_key + 'x', retries={'total_max_attempts': 1})
    with pytest.raises(ClientError) as exc:
        bad.list_buckets()
    assert error_code(exc.value) == 'SignatureDoesNotMatch'
    assert http_status(exc.value) == 403
    assert exc.value.response['Error'].get('AWSAccessKeyId') == lakebox.access_key

    with pytest.raises(ClientError) as exc:
        bad.put_object(Bucket=bucket, Key='forged', Body=b'forged')
    assert error_code(exc.value) == 'SignatureDoesNotMatch'
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_unknown_access_key(lakebox, bucket):
    for akid, secret in (('AKIAUNKNOWNKEY000001', lakebox.secret_key), ('test', 'test')):
        # The default test/test pair must be refused: the server was started with other keys.
        client = make_client(lakebox, access_key=akid, secret_key=secret, retries={'total_max_attempts': 1})
        with pytest.raises(ClientError) as exc:
            client.list_objects_v2(Bucket=bucket)
        assert error_code(exc.value) == 'InvalidAccessKeyId'
        assert http_status(exc.value) == 403


def test_health_needs_no_auth(lakebox):
    with urllib.request.urlopen(f'{lakebox.endpoint}/_lakebox/health', timeout=10) as resp:
        assert resp.status == 200
        import json

        doc = json.loads(resp.read())
    assert doc['status'] == 'ok'
    assert doc['services']['s3'] == 'ready'


def test_payload_hash_mismatch(lakebox, s3, bucket):
    url = f'{lakebox.endpoint}/{bucket}/hashed'
    headers = sign_request('PUT', url, lakebox.access_key, lakebox.secret_key, body=b'signed body')
    status, _, data = raw_request('PUT', url, body=b'other body!', headers=headers)
    assert status == 400
    assert xml_error(data)['Code'] == 'XAmzContentSHA256Mismatch'
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key='hashed')

    # Same request with the right body works (so the rejection above was about the hash only).
    status, _, _ = raw_request('PUT', url, body=b'signed body', headers=headers)
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key='hashed')['Body'].read() == b'signed body'


def test_payload_hash_mismatch_on_upload_part(lakebox, s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key='mpu')['UploadId']
    path = f'/{bucket}/mpu?partNumber=1&uploadId={upload_id}'
    url = lakebox.endpoint + path
    headers = sign_request('PUT', url, lakebox.access_key, lakebox.secret_key, body=b'part bytes')
    status, _, data = raw_request('PUT', url, body=b'PART BYTES', headers=headers)
    assert status == 400
    assert xml_error(data)['Code'] == 'XAmzContentSHA256Mismatch'
    assert 'Parts' not in s3.list_parts(Bucket=bucket, Key='mpu', UploadId=upload_id)


def test_aws_chunked_signed_payload(lakebox, s3, bucket):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD (Java SDK v1, minio-go, ...): chunk signature chain."""
    data = os.urandom(200 * 1024 + 17)
    url = f'{lakebox.endpoint}/{bucket}/chunked'
    headers, body = aws_chunked_signed(url, lakebox.access_key, lakebox.secret_key, data)
    status, resp_headers, resp = raw_request('PUT', url, body=body, headers=headers)
    assert status == 200, resp
    assert resp_headers['etag'] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key='chunked')
    assert got['ContentLength'] == len(data)
    assert 'ContentEncoding' not in got  # aws-chunked is a transfer detail, not stored
    assert got['Body'].read() == data

    for corrupt in (0, 3):  # a data chunk, the final empty chunk
        headers, body = aws_chunked_signed(url + '-bad', lakebox.access_key, lakebox.secret_key, data,
                                           corrupt_chunk=corrupt)
        status, _, resp = raw_request('PUT', url + '-bad', body=body, headers=headers)
        assert status == 403, resp
        assert xml_error(resp)['Code'] == 'SignatureDoesNotMatch'
        with pytest.raises(ClientError) as exc:
            s3.head_object(Bucket=bucket, Key='chunked-bad')
        assert error_code(exc.value) == '404'


def test_aws_chunked_unsigned_trailer(lakebox, s3, bucket):
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER with x-amz-checksum-crc32 in the trailer (boto3 over https)."""
    data = os.urandom(150 * 1024)
    url = f'{lakebox.endpoint}/{bucket}/trailer'
    good = checksum_b64('CRC32', data)
    headers, body = aws_chunked_unsigned_trailer(
        url, lakebox.access_key, lakebox.secret_key, data, 'x-amz-checksum-crc32', good)
    status, resp_headers, resp = raw_request('PUT', url, body=body, headers=headers)
    assert status == 200, resp
    assert resp_headers.get('x-amz-checksum-crc32') == good
    got = s3.get_object(Bucket=bucket, Key='trailer', ChecksumMode='ENABLED')
    assert got['ChecksumCRC32'] == good
    assert got['Body'].read() == data

    bad = checksum_b64('CRC32', data + b'!')
    headers, body = aws_chunked_unsigned_trailer(
        url + '-bad', lakebox.access_key, lakebox.secret_key, data, 'x-amz-checksum-crc32', bad)
    status, _, resp = raw_request('PUT', url + '-bad', body=body, headers=headers)
    assert status == 400, resp
    assert xml_error(resp)['Code'] == 'BadDigest'
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key='trailer-bad')


def test_request_time_too_skewed(lakebox, bucket):
    url = f'{lakebox.endpoint}/{bucket}?list-type=2'
    an_hour_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=1)
    with mock.patch('botocore.auth.get_current_datetime', return_value=an_hour_ago):
        headers = sign_request('GET', url, lakebox.access_key, lakebox.secret_key)
    status, _, data = raw_request('GET', url, headers=headers)
    assert status == 403
    assert xml_error(data)['Code'] == 'RequestTimeTooSkewed'


def test_missing_content_sha256_header(lakebox, bucket):
    url = f'{lakebox.endpoint}/{bucket}?list-type=2'
    headers = sign_request('GET', url, lakebox.access_key, lakebox.secret_key)
    headers = {k: v for k, v in headers.items() if k.lower() != 'x-amz-content-sha256'}
    status, _, data = raw_request('GET', url, headers=headers)
    assert status in (400, 403)
    assert xml_error(data)['Code'] in ('InvalidRequest', 'SignatureDoesNotMatch')


# ------------------------------------------------------------------ malformed XML


@pytest.mark.parametrize(
    'body',
    [
        b'<Delete><Object><Key>victim</Key></Object',                       # not well-formed
        b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></Delete>',  # no objects
        b'this is not xml at all',
        b'<Delete><Object><Key>victim</Key></Object></Delete><Delete/>',    # two roots
    ],
)
def test_delete_objects_malformed_xml(lakebox, s3, bucket, body):
    s3.put_object(Bucket=bucket, Key='victim', Body=b'still here')
    status, _, data = signed_raw_request(
        lakebox, 'POST', f'/{bucket}?delete', body=body, headers={'Content-MD5': md5_b64(body)}
    )
    assert status == 400
    assert xml_error(data)['Code'] == 'MalformedXML'
    assert s3.get_object(Bucket=bucket, Key='victim')['Body'].read() == b'still here'


def test_delete_objects_raw_ok_control(lakebox, s3, bucket):
    """Control for the malformed cases: the same signing path with a valid body deletes."""
    s3.put_object(Bucket=bucket, Key='victim', Body=b'x')
    body = b'<Delete><Object><Key>victim</Key></Object></Delete>'
    status, _, data = signed_raw_request(
        lakebox, 'POST', f'/{bucket}?delete', body=body, headers={'Content-MD5': md5_b64(body)}
    )
    assert status == 200, data
    assert b'<Deleted><Key>victim</Key></Deleted>' in data
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_delete_objects_requires_integrity_header(lakebox, s3, bucket):
    s3.put_object(Bucket=bucket, Key='victim', Body=b'x')
    body = b'<Delete><Object><Key>victim</Key></Object></Delete>'
    status, _, data = signed_raw_request(lakebox, 'POST', f'/{bucket}?delete', body=body)
    assert status == 400
    assert xml_error(data)['Code'] == 'InvalidRequest'
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 1


@pytest.mark.parametrize(
    'body',
    [
        b'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part',
        b'<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
        b'garbage',
    ],
)
def test_complete_multipart_malformed_xml(lakebox, s3, bucket, body):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key='mpu')['UploadId']
    s3.upload_part(Bucket=bucket, Key='mpu', UploadId=upload_id, PartNumber=1, Body=b'part')
    status, _, data = signed_raw_request(lakebox, 'POST', f'/{bucket}/mpu?uploadId={upload_id}', body=body)
    assert status == 400
    assert xml_error(data)['Code'] == 'MalformedXML'
    # The upload is untouched and still completable.
    assert [p['PartNumber'] for p in s3.list_parts(Bucket=bucket, Key='mpu', UploadId=upload_id)['Parts']] == [1]
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key='mpu')


# ------------------------------------------------------------------ uploads cut off mid-body

TOTAL = 1_000_000


def _unsigned_put_headers(lakebox, bucket, key, length):
    target = f'/{bucket}/{key}'
    url = lakebox.endpoint + target
    headers = sign_request(
        'PUT', url, lakebox.access_key, lakebox.secret_key,
        headers={'Content-Length': str(length), 'Host': f'{lakebox.host}:{lakebox.port}'},
        unsigned_payload=True,
    )
    assert headers['X-Amz-Content-SHA256'] == 'UNSIGNED-PAYLOAD'
    assert 'content-length' in headers['Authorization']
    return target, url, headers


def _tmp_dir_files(lakebox):
    tmp = lakebox.data_dir / 's3' / 'tmp'
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


@pytest.mark.parametrize('reset', [False, True], ids=['fin', 'rst'])
def test_upload_cut_off_mid_body(lakebox, s3, bucket, reset):
    payload = os.urandom(TOTAL)

    # Control: the exact same kind of request, complete, is accepted.
    target, url, headers = _unsigned_put_headers(lakebox, bucket, 'control', TOTAL)
    status, _, data = raw_request('PUT', url, body=payload, headers=headers)
    assert status == 200, data
    assert s3.get_object(Bucket=bucket, Key='control')['Body'].read() == payload

    # 1. A new key: never becomes visible.
    target, _, headers = _unsigned_put_headers(lakebox, bucket, 'fresh', TOTAL)
    send_truncated_put(lakebox.host, lakebox.port, target, headers, payload[: TOTAL // 2], reset=reset)

    # 2. An existing key: the old version stays intact.
    old = b'the previous version'
    s3.put_object(Bucket=bucket, Key='existing', Body=old)
    target, _, headers = _unsigned_put_headers(lakebox, bucket, 'existing', TOTAL)
    send_truncated_put(lakebox.host, lakebox.port, target, headers, payload[: TOTAL // 2], reset=reset)

    deadline = time.monotonic() + 1.5
    while True:
        with pytest.raises(ClientError) as exc:
            s3.head_object(Bucket=bucket, Key='fresh')
        assert error_code(exc.value) == '404'
        got = s3.get_object(Bucket=bucket, Key='existing')
        assert got['Body'].read() == old
        assert got['ContentLength'] == len(old)
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    keys = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']]
    assert keys == ['control', 'existing']

    # The aborted bodies were staged in temp files; those must be cleaned up, not leaked.
    deadline = time.monotonic() + 5
    while _tmp_dir_files(lakebox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tmp_dir_files(lakebox) == []

    # And the server is still healthy.
    with urllib.request.urlopen(f'{lakebox.endpoint}/_lakebox/health', timeout=10) as resp:
        assert resp.status == 200


def test_short_body_with_content_length_is_rejected(lakebox, s3, bucket):
    """Client half-closes after fewer bytes than announced and waits for an answer."""
    import socket

    target, _, headers = _unsigned_put_headers(lakebox, bucket, 'short', 1000)
    head = f'PUT {target} HTTP/1.1\r\n' + ''.join(f'{k}: {v}\r\n' for k, v in headers.items()) + '\r\n'
    with socket.create_connection((lakebox.host, lakebox.port), timeout=10) as sock:
        sock.sendall(head.encode() + b'x' * 500)
        sock.shutdown(socket.SHUT_WR)
        try:
            response = sock.recv(4096)
        except (ConnectionResetError, socket.timeout):
            response = b''
    # Either an error status (400 IncompleteBody) or a dropped connection; never a 200.
    assert not response.startswith(b'HTTP/1.1 200')
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='short')
    assert error_code(exc.value) == '404'


# ------------------------------------------------------------------ path traversal


def _files_named(root: Path, marker: str):
    return [p for p in root.rglob('*') if marker in p.name]


def test_keys_cannot_escape_data_dir(lakebox, s3, bucket):
    marker = f'escape-{uuid.uuid4().hex}'
    keys = [
        f'../../../../tmp/{marker}',
        f'../../../../../../../../../../tmp/{marker}-deep',
        f'..\\..\\..\\tmp\\{marker}-backslash',
        f'/abs/../../{marker}-abs',
        f'%2e%2e%2f%2e%2e%2f{marker}-literal-percent',
    ]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    # Raw request whose path segments are percent-encoded dots and slashes: decoded once, the key
    # is '../../../../tmp/<marker>-encoded', stored as an ordinary key.
    encoded_key = f'../../../../tmp/{marker}-encoded'
    raw_path = f'/{bucket}/' + '%2e%2e%2f' * 4 + f'tmp%2f{marker}-encoded'
    status, _, data = signed_raw_request(lakebox, 'PUT', raw_path, body=b'encoded')
    assert status == 200, data
    status, _, data = signed_raw_request(lakebox, 'GET', raw_path)
    assert status == 200 and data == b'encoded'
    keys.append(encoded_key)

    for key in keys:
        expected = b'encoded' if key == encoded_key else key.encode()
        assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == expected, key
    listed = sorted(o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents'])
    assert listed == sorted(keys)

    # No file named after the marker anywhere: not in /tmp, not next to or inside the data dir.
    assert not any(Path('/tmp').glob(f'{marker}*'))
    assert not any(Path('/').glob(f'{marker}*'))
    assert _files_named(lakebox.work_dir, marker) == []
    assert _files_named(lakebox.data_dir.parent.parent, marker) == []

    for key in keys:
        s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_bucket_name_cannot_escape(lakebox):
    status, _, data = signed_raw_request(lakebox, 'PUT', '/%2e%2e')
    assert status == 400
    assert xml_error(data)['Code'] == 'InvalidBucketName'
    status, _, data = signed_raw_request(lakebox, 'GET', '/%2e%2e/%2e%2e/etc/passwd')
    assert status in (400, 404)
    assert b'root:' not in data


def test_requests_library_works_with_signed_headers(lakebox, s3, bucket):
    """A third HTTP stack (requests) with botocore-signed headers, for good measure."""
    url = f'{lakebox.endpoint}/{bucket}/via-requests'
    body = b'sent with requests'
    headers = sign_request('PUT', url, lakebox.access_key, lakebox.secret_key, body=body)
    resp = requests.put(url, data=body, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers['ETag'] == f'"{hashlib.md5(body).hexdigest()}"'
    assert s3.get_object(Bucket=bucket, Key='via-requests')['Body'].read() == body
