"""Bucket lifecycle with boto3: create / head / list / location / delete, name validation, BucketNotEmpty."""

import pytest
from botocore.exceptions import ClientError

from conftest import empty_and_delete_bucket
from lakebox_helpers import error_code, http_status


def test_create_head_list_delete_bucket(s3, bucket_name):
    created = s3.create_bucket(Bucket=bucket_name)
    try:
        assert http_status(created) == 200
        assert created['Location'] == f'/{bucket_name}'

        head = s3.head_bucket(Bucket=bucket_name)
        assert http_status(head) == 200
        assert head['ResponseMetadata']['HTTPHeaders'].get('x-amz-bucket-region') == 'us-east-1'

        listed = s3.list_buckets()
        names = [b['Name'] for b in listed['Buckets']]
        assert bucket_name in names
        entry = next(b for b in listed['Buckets'] if b['Name'] == bucket_name)
        assert entry['CreationDate'].year >= 2024
        assert 'ID' in listed['Owner']

        loc = s3.get_bucket_location(Bucket=bucket_name)
        assert loc.get('LocationConstraint') in (None, '')

        deleted = s3.delete_bucket(Bucket=bucket_name)
        assert http_status(deleted) == 204
    finally:
        empty_and_delete_bucket(s3, bucket_name)

    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket_name)
    assert error_code(exc.value) == '404'
    assert http_status(exc.value) == 404

    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket_name)
    assert error_code(exc.value) == 'NoSuchBucket'
    assert exc.value.response['Error'].get('BucketName') == bucket_name

    assert bucket_name not in [b['Name'] for b in s3.list_buckets()['Buckets']]


def test_recreate_own_bucket_in_us_east_1_is_ok(s3, bucket):
    # us-east-1 legacy behaviour: re-creating your own bucket answers 200 (s3.md §2.2).
    again = s3.create_bucket(Bucket=bucket)
    assert http_status(again) == 200


@pytest.mark.parametrize(
    'name',
    ['Bad_Name', 'UPPERCASE', 'ab', 'a' * 64, 'a..b', '-leading-dash', 'trailing-dash-', '192.168.1.10',
     'xn--punycode', 'name-s3alias'],
)
def test_invalid_bucket_name(s3, name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert error_code(exc.value) == 'InvalidBucketName'
    assert http_status(exc.value) == 400
    assert name not in [b['Name'] for b in s3.list_buckets()['Buckets']]


def test_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key='keep/me.txt', Body=b'x')
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_code(exc.value) == 'BucketNotEmpty'
    assert http_status(exc.value) == 409
    # Still there, object intact.
    assert s3.get_object(Bucket=bucket, Key='keep/me.txt')['Body'].read() == b'x'

    s3.delete_object(Bucket=bucket, Key='keep/me.txt')
    assert http_status(s3.delete_bucket(Bucket=bucket)) == 204
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket)
    assert error_code(exc.value) == '404'


def test_object_operations_on_missing_bucket(s3, bucket_name):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket_name, Key='k', Body=b'x')
    assert error_code(exc.value) == 'NoSuchBucket'
    assert http_status(exc.value) == 404
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket_name)
    assert error_code(exc.value) == 'NoSuchBucket'
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket_name, Key='k')
    assert error_code(exc.value) == 'NoSuchBucket'
