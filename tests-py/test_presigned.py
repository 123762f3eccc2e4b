"""Presigned URLs made by boto3's generate_presigned_url, used with `requests` (no AWS client)."""

import time
import urllib.parse

import pytest
import requests

from conftest import make_client
from lakebox_helpers import xml_error


@pytest.fixture(scope='module')
def s3v4(lakebox):
    """Client that presigns with SigV4 query auth (X-Amz-Algorithm=AWS4-HMAC-SHA256 ...)."""
    return make_client(lakebox, signature_version='s3v4')


def test_presigned_get(s3, s3v4, bucket):
    s3.put_object(Bucket=bucket, Key='shared/report.csv', Body=b'a,b\n1,2\n', ContentType='text/csv')
    url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'shared/report.csv'}, ExpiresIn=300)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query['X-Amz-Algorithm'] == ['AWS4-HMAC-SHA256']
    assert query['X-Amz-Expires'] == ['300']

    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.content == b'a,b\n1,2\n'
    assert resp.headers['Content-Type'] == 'text/csv'
    assert resp.headers['ETag'].startswith('"')

    # response-* overrides are part of the signed query.
    url = s3v4.generate_presigned_url(
        'get_object',
        Params={'Bucket': bucket, 'Key': 'shared/report.csv', 'ResponseContentType': 'application/octet-stream',
                'ResponseContentDisposition': 'attachment; filename="r.csv"'},
    )
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.headers['Content-Type'] == 'application/octet-stream'
    assert resp.headers['Content-Disposition'] == 'attachment; filename="r.csv"'

    # HEAD is signed with the same canonical request except the method, so it must not verify.
    resp = requests.head(url, timeout=30)
    assert resp.status_code == 403


def test_presigned_get_special_key_and_missing_key(s3, s3v4, bucket):
    key = 'dir with space/ü+plus=eq.txt'
    s3.put_object(Bucket=bucket, Key=key, Body=b'special')
    url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': key})
    assert requests.get(url, timeout=30).content == b'special'

    url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'missing/key'})
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 404
    assert xml_error(resp.content)['Code'] == 'NoSuchKey'


def test_presigned_put(s3, s3v4, bucket):
    url = s3v4.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'uploads/from-browser.bin'})
    payload = bytes(range(256)) * 100
    resp = requests.put(url, data=payload, timeout=30)
    assert resp.status_code == 200, resp.text
    got = s3.get_object(Bucket=bucket, Key='uploads/from-browser.bin')
    assert got['Body'].read() == payload

    # Signed Content-Type: the upload must send the same value.
    url = s3v4.generate_presigned_url(
        'put_object', Params={'Bucket': bucket, 'Key': 'uploads/typed.json', 'ContentType': 'application/json'}
    )
    resp = requests.put(url, data=b'{"ok": true}', headers={'Content-Type': 'application/json'}, timeout=30)
    assert resp.status_code == 200, resp.text
    assert s3.head_object(Bucket=bucket, Key='uploads/typed.json')['ContentType'] == 'application/json'


def test_presigned_url_expired(s3, s3v4, bucket):
    s3.put_object(Bucket=bucket, Key='soon-expired', Body=b'x')
    get_url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'soon-expired'}, ExpiresIn=1)
    put_url = s3v4.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'never-put'}, ExpiresIn=1)
    time.sleep(2.1)

    resp = requests.get(get_url, timeout=30)
    assert resp.status_code == 403
    err = xml_error(resp.content)
    assert err['Code'] == 'AccessDenied'
    assert err['Message'] == 'Request has expired'

    resp = requests.put(put_url, data=b'late', timeout=30)
    assert resp.status_code == 403
    assert xml_error(resp.content)['Code'] == 'AccessDenied'
    assert s3.list_objects_v2(Bucket=bucket, Prefix='never-put')['KeyCount'] == 0


def test_presigned_url_tampered(s3, s3v4, bucket):
    s3.put_object(Bucket=bucket, Key='public.txt', Body=b'public')
    s3.put_object(Bucket=bucket, Key='secret.txt', Body=b'TOP-SECRET-BYTES')
    url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'public.txt'})
    assert requests.get(url, timeout=30).content == b'public'

    tampered_urls = [
        url.replace('/public.txt?', '/secret.txt?'),          # other object
        url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=3601'),  # longer lifetime
        url[:-1] + ('0' if url[-1] != '0' else '1'),         # signature itself
        url + '&response-content-type=text%2Fhtml',          # extra, unsigned parameter
    ]
    assert all(t != url for t in tampered_urls)
    for bad in tampered_urls:
        resp = requests.get(bad, timeout=30)
        assert resp.status_code == 403, bad
        err = xml_error(resp.content)
        assert err['Code'] == 'SignatureDoesNotMatch', (bad, err)
        assert b'TOP-SECRET-BYTES' not in resp.content

    put_url = s3v4.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'public.txt'})
    resp = requests.put(put_url.replace('/public.txt?', '/secret.txt?'), data=b'overwritten', timeout=30)
    assert resp.status_code == 403
    assert xml_error(resp.content)['Code'] == 'SignatureDoesNotMatch'
    assert s3.get_object(Bucket=bucket, Key='secret.txt')['Body'].read() == b'TOP-SECRET-BYTES'


def test_presigned_incomplete_query_auth(s3v4, bucket):
    url = s3v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'k'})
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != 'X-Amz-Date']
    bad = parts._replace(query=urllib.parse.urlencode(query)).geturl()
    resp = requests.get(bad, timeout=30)
    assert resp.status_code == 400
    assert xml_error(resp.content)['Code'] == 'AuthorizationQueryParametersError'


def test_presigned_get_with_default_client_config(s3, bucket):
    s3.put_object(Bucket=bucket, Key='default-presign', Body=b'default')
    url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'default-presign'})
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.content == b'default'


def test_sigv2_presigned_urls_are_verified(s3, bucket):
    """boto3's default (SigV2) presigned URLs: a tampered one and an expired one are refused."""
    s3.put_object(Bucket=bucket, Key='v2', Body=b'v2 body')
    url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'v2'}, ExpiresIn=60)
    assert 'AWSAccessKeyId=' in url and 'Signature=' in url
    assert requests.get(url, timeout=30).content == b'v2 body'
    tampered = url.replace('/v2?', '/v2x?')
    resp = requests.get(tampered, timeout=30)
    assert resp.status_code == 403
    assert xml_error(resp.content)['Code'] == 'SignatureDoesNotMatch'
    expired = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'v2'}, ExpiresIn=1)
    time.sleep(2)
    resp = requests.get(expired, timeout=30)
    assert resp.status_code == 403
    assert xml_error(resp.content)['Code'] == 'AccessDenied'
