"""Objects with boto3: put/get/head with metadata, content headers and tags; ranges; conditional
requests; Content-MD5 and flexible checksums; copy; delete / delete_objects; unusual keys."""

import datetime as dt
import hashlib

import pytest
from botocore.exceptions import ClientError

from lakebox_helpers import checksum_b64, error_code, http_status, md5_b64, md5_hex

EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e'


def _headers(resp):
    return resp['ResponseMetadata']['HTTPHeaders']


# ------------------------------------------------------------------ put / get / head


def test_put_get_head_with_metadata_content_headers_and_tags(s3, bucket):
    body = b'hello, lakebox\n' * 10
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    put = s3.put_object(
        Bucket=bucket,
        Key='docs/readme.txt',
        Body=body,
        ContentType='text/plain; charset=utf-8',
        ContentEncoding='gzip',
        ContentDisposition='attachment; filename="readme.txt"',
        ContentLanguage='en-GB',
        CacheControl='max-age=60, public',
        Expires=expires,
        Metadata={'Project': 'Lake', 'run-id': '42'},
        Tagging='team=data&stage=raw%20zone',
    )
    assert http_status(put) == 200
    assert put['ETag'] == f'"{md5_hex(body)}"'

    for resp in (s3.get_object(Bucket=bucket, Key='docs/readme.txt'), s3.head_object(Bucket=bucket, Key='docs/readme.txt')):
        assert http_status(resp) == 200
        assert resp['ETag'] == f'"{md5_hex(body)}"'
        assert resp['ContentLength'] == len(body)
        assert resp['ContentType'] == 'text/plain; charset=utf-8'
        assert resp['ContentEncoding'] == 'gzip'
        assert resp['ContentDisposition'] == 'attachment; filename="readme.txt"'
        assert resp['ContentLanguage'] == 'en-GB'
        assert resp['CacheControl'] == 'max-age=60, public'
        assert _headers(resp)['expires'] == 'Wed, 02 Jan 2030 03:04:05 GMT'
        assert resp['Metadata'] == {'project': 'Lake', 'run-id': '42'}
        assert resp['TagCount'] == 2
        assert resp['AcceptRanges'] == 'bytes'
        age = dt.datetime.now(dt.timezone.utc) - resp['LastModified']
        assert dt.timedelta(seconds=-5) < age < dt.timedelta(minutes=5)
        assert _headers(resp)['last-modified'].endswith(' GMT')
        assert _headers(resp).get('x-amz-request-id')
    got = s3.get_object(Bucket=bucket, Key='docs/readme.txt')
    assert got['Body'].read() == body

    tags = s3.get_object_tagging(Bucket=bucket, Key='docs/readme.txt')['TagSet']
    assert sorted((t['Key'], t['Value']) for t in tags) == [('stage', 'raw zone'), ('team', 'data')]

    s3.put_object_tagging(
        Bucket=bucket, Key='docs/readme.txt', Tagging={'TagSet': [{'Key': 'only', 'Value': 'one'}]}
    )
    assert s3.get_object_tagging(Bucket=bucket, Key='docs/readme.txt')['TagSet'] == [{'Key': 'only', 'Value': 'one'}]
    assert s3.head_object(Bucket=bucket, Key='docs/readme.txt')['TagCount'] == 1

    deleted = s3.delete_object_tagging(Bucket=bucket, Key='docs/readme.txt')
    assert http_status(deleted) == 204
    assert s3.get_object_tagging(Bucket=bucket, Key='docs/readme.txt')['TagSet'] == []
    assert 'TagCount' not in s3.head_object(Bucket=bucket, Key='docs/readme.txt')


def test_overwrite_replaces_data_metadata_and_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key='k', Body=b'first', Metadata={'a': '1'}, Tagging='t=1', ContentType='text/plain')
    s3.put_object(Bucket=bucket, Key='k', Body=b'second version', Metadata={'b': '2'})
    got = s3.get_object(Bucket=bucket, Key='k')
    assert got['Body'].read() == b'second version'
    assert got['Metadata'] == {'b': '2'}
    assert got['ContentType'] == 'binary/octet-stream'
    assert 'TagCount' not in got
    assert s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet'] == []


def test_default_content_type_and_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key='empty', Body=b'')
    head = s3.head_object(Bucket=bucket, Key='empty')
    assert head['ContentLength'] == 0
    assert head['ETag'] == f'"{EMPTY_MD5}"'
    assert head['ContentType'] == 'binary/octet-stream'
    got = s3.get_object(Bucket=bucket, Key='empty')
    assert got['Body'].read() == b''


def test_missing_key_errors(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='nope/missing.txt')
    assert error_code(exc.value) == 'NoSuchKey'
    assert http_status(exc.value) == 404
    assert exc.value.response['Error'].get('Key') == 'nope/missing.txt'

    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='nope/missing.txt')
    assert error_code(exc.value) == '404'

    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=bucket, Key='nope/missing.txt')
    assert error_code(exc.value) == 'NoSuchKey'


def test_metadata_too_large(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='big-meta', Body=b'x', Metadata={'m': 'v' * 2100})
    assert error_code(exc.value) == 'MetadataTooLarge'
    assert http_status(exc.value) == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key='big-meta')


def test_invalid_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key='t', Body=b'x')
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(
            Bucket=bucket, Key='t', Tagging={'TagSet': [{'Key': 'aws:reserved', 'Value': 'v'}]}
        )
    assert error_code(exc.value) == 'InvalidTag'
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(
            Bucket=bucket, Key='t', Tagging={'TagSet': [{'Key': f'k{i}', 'Value': 'v'} for i in range(11)]}
        )
    assert error_code(exc.value) in ('BadRequest', 'InvalidTag')
    assert http_status(exc.value) == 400
    assert s3.get_object_tagging(Bucket=bucket, Key='t')['TagSet'] == []


# ------------------------------------------------------------------ ranges (s3.md §2.7)

TEN = b'0123456789'


@pytest.mark.parametrize(
    'range_header, content_range, expected',
    [
        ('bytes=0-8', 'bytes 0-8/10', TEN[0:9]),
        ('bytes=1-1', 'bytes 1-1/10', TEN[1:2]),
        ('bytes=1-', 'bytes 1-9/10', TEN[1:]),
        ('bytes=-2', 'bytes 8-9/10', TEN[8:]),
        ('bytes=-15', 'bytes 0-9/10', TEN),
        ('bytes=0-100', 'bytes 0-9/10', TEN),
        ('bytes=9-9', 'bytes 9-9/10', b'9'),
    ],
)
def test_range_satisfiable(s3, bucket, range_header, content_range, expected):
    s3.put_object(Bucket=bucket, Key='ten', Body=TEN)
    got = s3.get_object(Bucket=bucket, Key='ten', Range=range_header)
    assert http_status(got) == 206
    assert got['ContentRange'] == content_range
    assert got['ContentLength'] == len(expected)
    assert got['Body'].read() == expected
    # A partial response carries no full-object checksum (boto3 would otherwise fail validation).
    if len(expected) < len(TEN):
        assert 'ChecksumCRC32' not in got

    head = s3.head_object(Bucket=bucket, Key='ten', Range=range_header)
    assert http_status(head) == 206
    assert head['ContentLength'] == len(expected)
    assert head['ContentRange'] == content_range


@pytest.mark.parametrize('range_header', ['bytes=1-0', 'bytes=-1-', 'bytes=0--1', 'bytes=-', '0-1', 'bytes=0-1,3-4'])
def test_range_ignored(s3, bucket, range_header):
    s3.put_object(Bucket=bucket, Key='ten', Body=TEN)
    got = s3.get_object(Bucket=bucket, Key='ten', Range=range_header)
    assert http_status(got) == 200
    assert 'ContentRange' not in got
    assert got['Body'].read() == TEN


@pytest.mark.parametrize('range_header', ['bytes=100-200', 'bytes=10-', 'bytes=-0'])
def test_range_not_satisfiable(s3, bucket, range_header):
    s3.put_object(Bucket=bucket, Key='ten', Body=TEN)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='ten', Range=range_header)
    assert http_status(exc.value) == 416
    assert error_code(exc.value) == 'InvalidRange'
    if range_header == 'bytes=100-200':
        assert exc.value.response['Error'].get('ActualObjectSize') == '10'
        assert exc.value.response['Error'].get('RangeRequested') == 'bytes=100-200'


def test_range_on_empty_object_is_416(s3, bucket):
    s3.put_object(Bucket=bucket, Key='empty', Body=b'')
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='empty', Range='bytes=0-1')
    assert http_status(exc.value) == 416


def test_part_number_on_single_part_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key='ten', Body=TEN)
    got = s3.get_object(Bucket=bucket, Key='ten', PartNumber=1)
    assert http_status(got) == 206
    assert got['ContentRange'] == 'bytes 0-9/10'
    assert got['Body'].read() == TEN
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='ten', PartNumber=2)
    assert http_status(exc.value) == 416
    assert error_code(exc.value) == 'InvalidPartNumber'
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='ten', PartNumber=1, Range='bytes=0-1')
    assert error_code(exc.value) == 'InvalidRequest'


# ------------------------------------------------------------------ conditional requests


def test_conditional_get_and_head(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key='c', Body=b'conditional')
    etag = put['ETag']
    last_modified = s3.head_object(Bucket=bucket, Key='c')['LastModified']
    past = last_modified - dt.timedelta(days=1)
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)

    # If-Match
    assert s3.get_object(Bucket=bucket, Key='c', IfMatch=etag)['Body'].read() == b'conditional'
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfMatch=etag.strip('"'))) == 200
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='c', IfMatch='"00000000000000000000000000000000"')
    assert http_status(exc.value) == 412
    assert error_code(exc.value) == 'PreconditionFailed'
    assert exc.value.response['Error'].get('Condition') == 'If-Match'
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='c', IfMatch='"00000000000000000000000000000000"')
    assert error_code(exc.value) == '412'

    # If-None-Match
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='c', IfNoneMatch=etag)
    assert http_status(exc.value) == 304
    assert error_code(exc.value) == '304'
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='c', IfNoneMatch=etag)
    assert http_status(exc.value) == 304
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfNoneMatch='"abc"')) == 200

    # If-Modified-Since
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='c', IfModifiedSince=last_modified)
    assert http_status(exc.value) == 304
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfModifiedSince=past)) == 200
    # A date in the future is ignored.
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfModifiedSince=future)) == 200

    # If-Unmodified-Since
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='c', IfUnmodifiedSince=past)
    assert http_status(exc.value) == 412
    assert exc.value.response['Error'].get('Condition') == 'If-Unmodified-Since'
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfUnmodifiedSince=last_modified)) == 200

    # Precedence: If-Match true + If-Unmodified-Since false -> 200;
    # If-None-Match false + If-Modified-Since true -> 304.
    assert http_status(s3.get_object(Bucket=bucket, Key='c', IfMatch=etag, IfUnmodifiedSince=past)) == 200
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key='c', IfNoneMatch=etag, IfModifiedSince=past)
    assert http_status(exc.value) == 304


def test_conditional_put(s3, bucket):
    created = s3.put_object(Bucket=bucket, Key='once', Body=b'first', IfNoneMatch='*')
    assert http_status(created) == 200
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='once', Body=b'second', IfNoneMatch='*')
    assert http_status(exc.value) == 412
    assert error_code(exc.value) == 'PreconditionFailed'
    assert s3.get_object(Bucket=bucket, Key='once')['Body'].read() == b'first'

    # If-Match on write
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='once', Body=b'third', IfMatch='"ffffffffffffffffffffffffffffffff"')
    assert http_status(exc.value) == 412
    assert s3.get_object(Bucket=bucket, Key='once')['Body'].read() == b'first'
    replaced = s3.put_object(Bucket=bucket, Key='once', Body=b'fourth', IfMatch=created['ETag'])
    assert http_status(replaced) == 200
    assert s3.get_object(Bucket=bucket, Key='once')['Body'].read() == b'fourth'
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='never-written', Body=b'x', IfMatch=created['ETag'])
    assert error_code(exc.value) == 'NoSuchKey'


# ------------------------------------------------------------------ integrity


def test_content_md5(s3, s3_noretry, bucket):
    body = b'integrity matters'
    ok = s3.put_object(Bucket=bucket, Key='md5-ok', Body=body, ContentMD5=md5_b64(body))
    assert ok['ETag'] == f'"{md5_hex(body)}"'

    with pytest.raises(ClientError) as exc:
        s3_noretry.put_object(Bucket=bucket, Key='md5-bad', Body=body, ContentMD5=md5_b64(b'something else'))
    assert error_code(exc.value) == 'BadDigest'
    assert http_status(exc.value) == 400
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='md5-bad')
    assert error_code(exc.value) == '404'

    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key='md5-invalid', Body=body, ContentMD5='not-an-md5')
    assert error_code(exc.value) == 'InvalidDigest'


ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']
# botocore computes these itself; CRC32C and CRC64NVME need the optional awscrt package, so for
# those the test supplies the (independently computed) value explicitly.
BOTOCORE_NATIVE = {'CRC32', 'SHA1', 'SHA256'}


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_put_and_get_with_checksum(s3, bucket, algorithm):
    body = b'The quick brown fox jumps over the lazy dog. ' * 50
    expected = checksum_b64(algorithm, body)
    kwargs = {'ChecksumAlgorithm': algorithm}
    if algorithm not in BOTOCORE_NATIVE:
        kwargs[f'Checksum{algorithm}'] = expected
    put = s3.put_object(Bucket=bucket, Key='sum', Body=body, **kwargs)
    assert put[f'Checksum{algorithm}'] == expected
    assert put.get('ChecksumType') == 'FULL_OBJECT'

    got = s3.get_object(Bucket=bucket, Key='sum', ChecksumMode='ENABLED')
    assert got['Body'].read() == body
    assert got[f'Checksum{algorithm}'] == expected
    assert got['ChecksumType'] == 'FULL_OBJECT'
    head = s3.head_object(Bucket=bucket, Key='sum', ChecksumMode='ENABLED')
    assert head[f'Checksum{algorithm}'] == expected

    # Without checksum mode there is no checksum header.
    plain = s3.head_object(Bucket=bucket, Key='sum')
    assert f'Checksum{algorithm}' not in plain

    listed = s3.list_objects_v2(Bucket=bucket)['Contents']
    assert listed[0]['ChecksumAlgorithm'] == [algorithm]


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_wrong_checksum_is_bad_digest(s3, s3_noretry, bucket, algorithm):
    body = b'payload'
    wrong = checksum_b64(algorithm, b'other payload')
    with pytest.raises(ClientError) as exc:
        s3_noretry.put_object(Bucket=bucket, Key='bad-sum', Body=body, **{f'Checksum{algorithm}': wrong})
    assert error_code(exc.value) == 'BadDigest'
    assert http_status(exc.value) == 400
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key='bad-sum')
    assert error_code(exc.value) == '404'


def test_default_put_has_crc32(s3, bucket):
    body = b'default botocore checksum'
    put = s3.put_object(Bucket=bucket, Key='d', Body=body)
    assert put['ChecksumCRC32'] == checksum_b64('CRC32', body)


# ------------------------------------------------------------------ encryption and ACLs


def test_objects_are_sse_s3_and_other_encryption_is_refused(s3, s3_noretry, bucket):
    # SSE-S3 is S3's default: every write and read reports it, asked for or not.
    assert s3.put_object(Bucket=bucket, Key='plain', Body=b'x')['ServerSideEncryption'] == 'AES256'
    assert s3.put_object(Bucket=bucket, Key='asked', Body=b'y', ServerSideEncryption='AES256')['ServerSideEncryption'] == 'AES256'
    assert s3.head_object(Bucket=bucket, Key='plain')['ServerSideEncryption'] == 'AES256'
    assert s3.get_object(Bucket=bucket, Key='asked')['ServerSideEncryption'] == 'AES256'
    assert s3.copy_object(Bucket=bucket, Key='copy', CopySource={'Bucket': bucket, 'Key': 'plain'})['ServerSideEncryption'] == 'AES256'
    mpu = s3.create_multipart_upload(Bucket=bucket, Key='mpu', ServerSideEncryption='AES256')
    assert mpu['ServerSideEncryption'] == 'AES256'
    s3.abort_multipart_upload(Bucket=bucket, Key='mpu', UploadId=mpu['UploadId'])
    # KMS and customer keys are not managed here: refused with 501, nothing stored.
    for kwargs in ({'ServerSideEncryption': 'aws:kms'}, {'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': 'alias/k'},
                   {'SSECustomerAlgorithm': 'AES256', 'SSECustomerKey': 'k' * 32}):
        with pytest.raises(ClientError) as err:
            s3_noretry.put_object(Bucket=bucket, Key='kms', Body=b'z', **kwargs)
        assert error_code(err.value) == 'NotImplemented' and http_status(err.value) == 501
    with pytest.raises(ClientError) as err:
        s3_noretry.create_multipart_upload(Bucket=bucket, Key='kms', ServerSideEncryption='aws:kms')
    assert error_code(err.value) == 'NotImplemented'
    with pytest.raises(ClientError) as err:
        s3_noretry.head_object(Bucket=bucket, Key='kms')
    assert http_status(err.value) == 404


def test_acls_behave_as_bucket_owner_enforced(s3, s3_noretry, bucket):
    # S3's default Object Ownership disables ACLs: only the owner-only canned ACLs are accepted.
    s3.put_object(Bucket=bucket, Key='private', Body=b'x', ACL='private')
    s3.put_object(Bucket=bucket, Key='owner', Body=b'x', ACL='bucket-owner-full-control')
    for kwargs in ({'ACL': 'public-read'}, {'GrantRead': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'}):
        with pytest.raises(ClientError) as err:
            s3_noretry.put_object(Bucket=bucket, Key='public', Body=b'x', **kwargs)
        assert error_code(err.value) == 'AccessControlListNotSupported' and http_status(err.value) == 400
    listed = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']]
    assert listed == ['owner', 'private']


def test_object_lock_and_website_redirect_are_refused_not_ignored(s3_noretry, bucket):
    lock = {'ObjectLockMode': 'GOVERNANCE', 'ObjectLockRetainUntilDate': dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)}
    for kwargs, code in ((lock, 'InvalidRequest'), ({'ObjectLockLegalHoldStatus': 'ON'}, 'InvalidRequest'),
                         ({'WebsiteRedirectLocation': '/elsewhere'}, 'NotImplemented')):
        with pytest.raises(ClientError) as err:
            s3_noretry.put_object(Bucket=bucket, Key='k', Body=b'x', **kwargs)
        assert error_code(err.value) == code, kwargs
    assert s3_noretry.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_expected_bucket_owner(s3, s3_noretry, bucket):
    s3.put_object(Bucket=bucket, Key='k', Body=b'x', ExpectedBucketOwner='000000000000')
    assert s3.get_object(Bucket=bucket, Key='k', ExpectedBucketOwner='000000000000')['Body'].read() == b'x'
    for call in (lambda: s3_noretry.get_object(Bucket=bucket, Key='k', ExpectedBucketOwner='111111111111'),
                 lambda: s3_noretry.list_objects_v2(Bucket=bucket, ExpectedBucketOwner='111111111111'),
                 lambda: s3_noretry.copy_object(Bucket=bucket, Key='c', CopySource={'Bucket': bucket, 'Key': 'k'},
                                                ExpectedSourceBucketOwner='111111111111')):
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == 'AccessDenied' and http_status(err.value) == 403


def test_only_bucket_owner_enforced_buckets(s3, s3_noretry, bucket_name):
    with pytest.raises(ClientError) as err:
        s3_noretry.create_bucket(Bucket=bucket_name, ObjectOwnership='ObjectWriter')
    assert error_code(err.value) == 'NotImplemented'
    s3.create_bucket(Bucket=bucket_name, ObjectOwnership='BucketOwnerEnforced')
    s3.delete_bucket(Bucket=bucket_name)


# ------------------------------------------------------------------ copy


def test_copy_object_metadata_directive(s3, bucket):
    body = b'copy me' * 100
    s3.put_object(
        Bucket=bucket, Key='src/orig.txt', Body=body, ContentType='text/plain', CacheControl='no-cache',
        Metadata={'origin': 'source'}, Tagging='a=1',
    )
    copied = s3.copy_object(Bucket=bucket, Key='dst/copy.txt', CopySource={'Bucket': bucket, 'Key': 'src/orig.txt'})
    assert copied['CopyObjectResult']['ETag'] == f'"{md5_hex(body)}"'
    head = s3.head_object(Bucket=bucket, Key='dst/copy.txt')
    assert head['Metadata'] == {'origin': 'source'}
    assert head['ContentType'] == 'text/plain'
    assert head['CacheControl'] == 'no-cache'
    assert s3.get_object(Bucket=bucket, Key='dst/copy.txt')['Body'].read() == body
    assert s3.get_object_tagging(Bucket=bucket, Key='dst/copy.txt')['TagSet'] == [{'Key': 'a', 'Value': '1'}]

    s3.copy_object(
        Bucket=bucket, Key='dst/replaced.txt', CopySource=f'{bucket}/src/orig.txt', MetadataDirective='REPLACE',
        Metadata={'fresh': 'yes'}, ContentType='application/json',
    )
    head = s3.head_object(Bucket=bucket, Key='dst/replaced.txt')
    assert head['Metadata'] == {'fresh': 'yes'}
    assert head['ContentType'] == 'application/json'
    assert 'CacheControl' not in head
    assert s3.get_object(Bucket=bucket, Key='dst/replaced.txt')['Body'].read() == body

    s3.copy_object(Bucket=bucket, Key='dst/bare.txt', CopySource=f'{bucket}/src/orig.txt', MetadataDirective='REPLACE')
    head = s3.head_object(Bucket=bucket, Key='dst/bare.txt')
    assert head['Metadata'] == {}
    assert head['ContentType'] == 'binary/octet-stream'

    # In-place copy is allowed only when something changes.
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key='src/orig.txt', CopySource=f'{bucket}/src/orig.txt')
    assert error_code(exc.value) == 'InvalidRequest'
    s3.copy_object(
        Bucket=bucket, Key='src/orig.txt', CopySource=f'{bucket}/src/orig.txt', MetadataDirective='REPLACE',
        Metadata={'origin': 'updated'},
    )
    assert s3.head_object(Bucket=bucket, Key='src/orig.txt')['Metadata'] == {'origin': 'updated'}


def test_copy_object_special_keys_and_errors(s3, bucket, s3_other_bucket):
    key = 'spécial dir/a+b=c&d%20e.txt'
    s3.put_object(Bucket=bucket, Key=key, Body=b'special')
    s3.copy_object(Bucket=s3_other_bucket, Key='copied/ü ñ.txt', CopySource={'Bucket': bucket, 'Key': key})
    assert s3.get_object(Bucket=s3_other_bucket, Key='copied/ü ñ.txt')['Body'].read() == b'special'

    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key='x', CopySource={'Bucket': bucket, 'Key': 'does/not/exist'})
    assert error_code(exc.value) == 'NoSuchKey'
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key='x', CopySource={'Bucket': 'no-such-bucket-lakebox-py', 'Key': 'k'})
    assert error_code(exc.value) == 'NoSuchBucket'

    # Copy-source conditions are evaluated against the source.
    with pytest.raises(ClientError) as exc:
        s3.copy_object(
            Bucket=bucket, Key='x', CopySource={'Bucket': bucket, 'Key': key},
            CopySourceIfMatch='"0123456789abcdef0123456789abcdef"',
        )
    assert http_status(exc.value) == 412
    assert exc.value.response['Error'].get('Condition') == 'x-amz-copy-source-If-Match'


@pytest.fixture
def s3_other_bucket(s3, bucket):
    from conftest import empty_and_delete_bucket

    import uuid

    name = f'py-copy-dst-{uuid.uuid4().hex[:12]}'
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete_bucket(s3, name)


# ------------------------------------------------------------------ delete


def test_delete_object_and_delete_objects(s3, bucket):
    for k in ['a', 'b', 'c/d', 'c/e', 'keep']:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())

    assert http_status(s3.delete_object(Bucket=bucket, Key='a')) == 204
    assert http_status(s3.delete_object(Bucket=bucket, Key='never-existed')) == 204

    result = s3.delete_objects(
        Bucket=bucket,
        Delete={'Objects': [{'Key': 'b'}, {'Key': 'c/d'}, {'Key': 'ghost-1'}, {'Key': 'ghost/2'}]},
    )
    assert sorted(d['Key'] for d in result['Deleted']) == ['b', 'c/d', 'ghost-1', 'ghost/2']
    assert result.get('Errors', []) == []

    quiet = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'c/e'}, {'Key': 'ghost-3'}], 'Quiet': True})
    assert quiet.get('Deleted', []) == []
    assert quiet.get('Errors', []) == []

    remaining = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket).get('Contents', [])]
    assert remaining == ['keep']


def test_delete_objects_limits(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': f'k{i}'} for i in range(1001)]})
    assert error_code(exc.value) == 'MalformedXML'
    assert http_status(exc.value) == 400


# ------------------------------------------------------------------ keys

ODD_KEYS = [
    'unicode/日本語/ファイル.txt',
    'emoji/😀 smile.bin',
    'with space/a b.txt',
    '../x',
    '../../etc/passwd',
    'a//b',
    'a/./b',
    'dir/',
    'plus+sign=eq&amp;semi',
    'percent%20literal%2F%',
    'tilde~!$\'()*,;:@[]',
    'question?hash#',
    'tab\tnewline-less',
    'line\nfeed and carriage\rreturn',
    'control\x01\x1fchars',
    '<xml>&"quote"',
]


@pytest.mark.parametrize('key', ODD_KEYS)
def test_unusual_keys_round_trip(s3, bucket, key):
    body = ('body of ' + key).encode('utf-8')
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == body
    assert s3.head_object(Bucket=bucket, Key=key)['ContentLength'] == len(body)
    listed = s3.list_objects_v2(Bucket=bucket)
    assert [o['Key'] for o in listed['Contents']] == [key]
    listed_v1 = s3.list_objects(Bucket=bucket)
    assert [o['Key'] for o in listed_v1['Contents']] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_carriage_return_in_keys_survives_xml_responses(s3, bucket):
    """A raw CR inside XML text reaches the client as LF; the server must write it as &#xD;."""
    key = 'cr\rlf\ncrlf\r\nend'
    s3.put_object(Bucket=bucket, Key=key, Body=b'x')
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key + '-mpu')
    assert upload['Key'] == key + '-mpu'
    assert s3.list_multipart_uploads(Bucket=bucket)['Uploads'][0]['Key'] == key + '-mpu'
    etag = s3.upload_part(Bucket=bucket, Key=key + '-mpu', UploadId=upload['UploadId'], PartNumber=1, Body=b'p')['ETag']
    assert s3.list_parts(Bucket=bucket, Key=key + '-mpu', UploadId=upload['UploadId'])['Key'] == key + '-mpu'
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key + '-mpu', UploadId=upload['UploadId'],
        MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': etag}]},
    )
    assert done['Key'] == key + '-mpu'
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key + '-missing')
    assert exc.value.response['Error']['Key'] == key + '-missing'
    deleted = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': key}, {'Key': key + '-mpu'}]})
    assert sorted(d['Key'] for d in deleted['Deleted']) == sorted([key, key + '-mpu'])
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_delete_objects_with_xml_invalid_key_is_malformed(s3_noretry, bucket):
    """U+0001 cannot appear in XML 1.0, so a DeleteObjects body naming it is not well-formed XML:
    AWS answers MalformedXML (and deletes nothing); such keys are deleted with DeleteObject."""
    key = 'ctrl\x01key'
    s3_noretry.put_object(Bucket=bucket, Key=key, Body=b'x')
    with pytest.raises(ClientError) as exc:
        s3_noretry.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': key}]})
    assert error_code(exc.value) == 'MalformedXML'
    assert http_status(exc.value) == 400
    assert [o['Key'] for o in s3_noretry.list_objects_v2(Bucket=bucket)['Contents']] == [key]
    s3_noretry.delete_object(Bucket=bucket, Key=key)
    assert s3_noretry.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_key_length_limit(s3, bucket):
    ascii_key = 'k' * 1024
    multibyte_key = 'é' * 512  # 1024 UTF-8 bytes
    for key in (ascii_key, multibyte_key):
        s3.put_object(Bucket=bucket, Key=key, Body=b'max')
        assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == b'max'

    for key in ('k' * 1025, 'é' * 512 + 'x'):
        with pytest.raises(ClientError) as exc:
            s3.put_object(Bucket=bucket, Key=key, Body=b'too long')
        assert error_code(exc.value) == 'KeyTooLongError'
        assert http_status(exc.value) == 400
    keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents'])
    assert keys == sorted([ascii_key, multibyte_key])


def test_etag_is_md5_of_body_for_binary_data(s3, bucket):
    body = bytes(range(256)) * 41
    put = s3.put_object(Bucket=bucket, Key='bin', Body=body)
    assert put['ETag'] == '"' + hashlib.md5(body).hexdigest() + '"'
    assert s3.get_object(Bucket=bucket, Key='bin')['Body'].read() == body


def test_storage_class_is_kept_and_validated(s3, s3_noretry, bucket):
    s3.put_object(Bucket=bucket, Key='ia', Body=b'x', StorageClass='STANDARD_IA')
    assert s3.head_object(Bucket=bucket, Key='ia')['StorageClass'] == 'STANDARD_IA'
    listed = {o['Key']: o['StorageClass'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']}
    assert listed == {'ia': 'STANDARD_IA'}
    s3.put_object(Bucket=bucket, Key='std', Body=b'x')
    assert 'StorageClass' not in s3.head_object(Bucket=bucket, Key='std')
    s3.copy_object(Bucket=bucket, Key='ia', CopySource={'Bucket': bucket, 'Key': 'ia'}, StorageClass='GLACIER_IR')
    assert s3.head_object(Bucket=bucket, Key='ia')['StorageClass'] == 'GLACIER_IR'
    with pytest.raises(ClientError) as e:
        s3_noretry.put_object(Bucket=bucket, Key='bogus', Body=b'x', StorageClass='BOGUS')
    assert e.value.response['Error']['Code'] == 'InvalidStorageClass'
    with pytest.raises(ClientError) as e:
        s3_noretry.put_object(Bucket=bucket, Key='cold', Body=b'x', StorageClass='GLACIER')
    assert e.value.response['Error']['Code'] == 'NotImplemented'


def test_version_ids_other_than_null_are_invalid(s3_noretry, bucket):
    s3_noretry.put_object(Bucket=bucket, Key='v', Body=b'x')
    assert s3_noretry.get_object(Bucket=bucket, Key='v', VersionId='null')['Body'].read() == b'x'
    with pytest.raises(ClientError) as e:
        s3_noretry.get_object(Bucket=bucket, Key='v', VersionId='abc')
    assert e.value.response['Error']['Code'] == 'InvalidArgument'
