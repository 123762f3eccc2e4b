"""Consistency and addressing: concurrent writers and readers on one key, read-after-write, listings
past 1000 keys, virtual-hosted-style requests, early rejection of large uploads."""

import concurrent.futures as cf
import hashlib
import os

import pytest
from botocore.exceptions import ClientError

from lakebox_helpers import MIB, error_code, http_status, raw_request, sign_request, xml_error


def test_concurrent_writers_and_readers_never_see_torn_objects(s3, bucket):
    key = 'hot/key'
    bodies = [bytes([i]) * (256 * 1024 + i) for i in range(12)]
    etags = {f'"{hashlib.md5(b).hexdigest()}"': b for b in bodies}
    s3.put_object(Bucket=bucket, Key=key, Body=bodies[0])

    def write(i):
        return s3.put_object(Bucket=bucket, Key=key, Body=bodies[i])['ETag']

    def read(_):
        got = s3.get_object(Bucket=bucket, Key=key)
        data = got['Body'].read()
        # Whatever version a reader gets, body, length and ETag belong to the same write.
        assert got['ETag'] in etags
        assert data == etags[got['ETag']]
        assert got['ContentLength'] == len(data)
        return got['ETag']

    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        writes = [pool.submit(write, i) for i in range(len(bodies))]
        reads = [pool.submit(read, n) for n in range(40)]
        written = [f.result() for f in writes]
        for f in reads:
            f.result()
    assert sorted(written) == sorted(etags)

    # Last writer wins: the final state is exactly one of the written versions.
    final = s3.get_object(Bucket=bucket, Key=key)
    assert final['Body'].read() == etags[final['ETag']]
    assert [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']] == [key]


def test_read_after_write_and_delete(s3, bucket):
    for i in range(20):
        body = os.urandom(100 + i)
        s3.put_object(Bucket=bucket, Key='raw', Body=body)
        assert s3.get_object(Bucket=bucket, Key='raw')['Body'].read() == body
        assert s3.list_objects_v2(Bucket=bucket)['Contents'][0]['Size'] == len(body)
    s3.delete_object(Bucket=bucket, Key='raw')
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='raw')
    assert error_code(exc.value) == 'NoSuchKey'
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_listing_more_than_1000_keys(s3, bucket):
    keys = [f'many/{i:05d}' for i in range(1013)]
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b''), keys))

    first = s3.list_objects_v2(Bucket=bucket)
    assert first['KeyCount'] == 1000
    assert first['MaxKeys'] == 1000
    assert first['IsTruncated'] is True
    assert [o['Key'] for o in first['Contents']] == keys[:1000]
    rest = s3.list_objects_v2(Bucket=bucket, ContinuationToken=first['NextContinuationToken'])
    assert [o['Key'] for o in rest['Contents']] == keys[1000:]
    assert rest['IsTruncated'] is False

    # max-keys above 1000 is capped at 1000.
    capped = s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)
    assert capped['KeyCount'] == 1000 and capped['IsTruncated'] is True

    v1 = s3.list_objects(Bucket=bucket)
    assert len(v1['Contents']) == 1000 and v1['IsTruncated'] is True
    all_v1 = [o['Key'] for p in s3.get_paginator('list_objects').paginate(Bucket=bucket) for o in p['Contents']]
    assert all_v1 == keys

    # delete_objects with exactly 1000 keys is allowed.
    result = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in keys[:1000]], 'Quiet': True})
    assert result.get('Errors', []) == []
    assert [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']] == keys[1000:]


@pytest.mark.parametrize('base', ['localhost', 's3.localhost'])
def test_virtual_hosted_style(lakebox, s3, bucket, base):
    """Host: <bucket>.<base-domain> addressing (what the JS SDK v3 sends without forcePathStyle)."""
    s3.put_object(Bucket=bucket, Key='vhost/object.txt', Body=b'virtual host')
    host = f'{bucket}.{base}:{lakebox.port}'
    url = f'http://{host}/vhost/object.txt'
    headers = sign_request('GET', url, lakebox.access_key, lakebox.secret_key)
    status, _, data = raw_request('GET', f'{lakebox.endpoint}/vhost/object.txt', headers={**headers, 'Host': host})
    assert status == 200, data
    assert data == b'virtual host'

    put_url = f'http://{host}/vhost/put.txt'
    headers = sign_request('PUT', put_url, lakebox.access_key, lakebox.secret_key, body=b'vh put')
    status, _, data = raw_request('PUT', f'{lakebox.endpoint}/vhost/put.txt', body=b'vh put', headers={**headers, 'Host': host})
    assert status == 200, data
    assert s3.get_object(Bucket=bucket, Key='vhost/put.txt')['Body'].read() == b'vh put'

    list_url = f'http://{host}/?list-type=2&prefix=vhost%2F'
    headers = sign_request('GET', list_url, lakebox.access_key, lakebox.secret_key)
    status, _, data = raw_request('GET', f'{lakebox.endpoint}/?list-type=2&prefix=vhost%2F', headers={**headers, 'Host': host})
    assert status == 200, data
    assert b'<Key>vhost/object.txt</Key>' in data and b'<Key>vhost/put.txt</Key>' in data
    assert f'<Name>{bucket}</Name>'.encode() in data


def test_large_uploads_rejected_before_the_body_is_read(s3_noretry, bucket, bucket_name):
    """botocore sends Expect: 100-continue, gets `100 Continue`, then writes the whole body before
    reading the answer: an error decided before the body is read must not leave it unread (deadlock
    until the read timeout)."""
    s3 = s3_noretry
    body = os.urandom(6 * MIB)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket_name + '-missing', Key='k', Body=body)
    assert error_code(exc.value) == 'NoSuchBucket'
    assert http_status(exc.value) == 404

    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='k', Body=body, Metadata={'m': 'v' * 2100})
    assert error_code(exc.value) == 'MetadataTooLarge'

    s3.put_object(Bucket=bucket, Key='exists', Body=b'x')
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='exists', Body=body, IfNoneMatch='*')
    assert http_status(exc.value) == 412

    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key='k', UploadId='no-such-upload', PartNumber=1, Body=body)
    assert error_code(exc.value) == 'NoSuchUpload'

    # The connection pool is still usable afterwards.
    assert s3.get_object(Bucket=bucket, Key='exists')['Body'].read() == b'x'


def test_error_document_shape(lakebox, bucket):
    status, headers, data = raw_request('GET', f'{lakebox.endpoint}/{bucket}/missing',
                                        headers=sign_request('GET', f'{lakebox.endpoint}/{bucket}/missing',
                                                             lakebox.access_key, lakebox.secret_key))
    assert status == 404
    assert headers['content-type'] == 'application/xml'
    assert headers['x-amz-request-id'] and headers['x-amz-id-2']
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    err = xml_error(data)
    assert err['Code'] == 'NoSuchKey'
    assert err['Key'] == 'missing'
    assert err['RequestId'] == headers['x-amz-request-id']
