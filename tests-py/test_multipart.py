"""Multipart uploads with boto3: the transfer manager (upload_file / download_file) and the low-level
API (out-of-order parts, list_parts, complete / abort errors, list_multipart_uploads, upload_part_copy)."""

import base64
import hashlib
import os

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from lakebox_helpers import MIB, checksum_b64, composite_crc32, error_code, http_status, md5_hex, multipart_etag

PART = 5 * MIB


@pytest.fixture(scope='module')
def big_parts():
    # Distinct random content per part, so a reordering or a dropped part changes the bytes.
    return [os.urandom(PART), os.urandom(PART), os.urandom(1234)]


def test_upload_file_download_file_multipart(s3, bucket, tmp_path):
    size = 23 * MIB + 12345
    src = tmp_path / 'big.bin'
    src.write_bytes(os.urandom(size))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)

    s3.upload_file(str(src), bucket, 'data/big.bin', Config=config)

    head = s3.head_object(Bucket=bucket, Key='data/big.bin', ChecksumMode='ENABLED')
    assert head['ContentLength'] == size
    data = src.read_bytes()
    parts = [data[i:i + 5 * MIB] for i in range(0, size, 5 * MIB)]
    assert len(parts) == 5
    assert head['ETag'] == multipart_etag(parts)
    # s3transfer creates the upload with ChecksumAlgorithm=CRC32 -> COMPOSITE checksum over the parts.
    assert head.get('ChecksumCRC32') == composite_crc32(parts)
    assert head.get('ChecksumType') == 'COMPOSITE'

    # partNumber GET returns exactly that part, with that part's checksum (boto3 validates it).
    part2 = s3.get_object(Bucket=bucket, Key='data/big.bin', PartNumber=2, ChecksumMode='ENABLED')
    assert http_status(part2) == 206
    assert part2['PartsCount'] == 5
    assert part2['ContentRange'] == f'bytes {5 * MIB}-{10 * MIB - 1}/{size}'
    assert part2['Body'].read() == parts[1]
    assert part2['ChecksumCRC32'] == checksum_b64('CRC32', parts[1])
    last = s3.head_object(Bucket=bucket, Key='data/big.bin', PartNumber=5)
    assert last['ContentLength'] == len(parts[4])

    # Copying a multipart object yields a single-part object with a plain MD5 ETag.
    copied = s3.copy_object(Bucket=bucket, Key='data/big.copy', CopySource={'Bucket': bucket, 'Key': 'data/big.bin'})
    assert copied['CopyObjectResult']['ETag'] == f'"{md5_hex(data)}"'
    copy_head = s3.head_object(Bucket=bucket, Key='data/big.copy', ChecksumMode='ENABLED')
    assert copy_head['ContentLength'] == size
    assert copy_head.get('ChecksumCRC32') == checksum_b64('CRC32', data)
    s3.delete_object(Bucket=bucket, Key='data/big.copy')

    dst = tmp_path / 'big.copy'
    s3.download_file(bucket, 'data/big.bin', str(dst), Config=config)
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()

    # A ranged read across a part boundary.
    got = s3.get_object(Bucket=bucket, Key='data/big.bin', Range=f'bytes={5 * MIB - 10}-{5 * MIB + 9}')
    assert got['Body'].read() == data[5 * MIB - 10:5 * MIB + 10]

    listed = s3.list_objects_v2(Bucket=bucket)['Contents']
    assert [(o['Key'], o['Size']) for o in listed] == [('data/big.bin', size)]


def test_low_level_multipart_out_of_order(s3, bucket, big_parts):
    key = 'mpu/out-of-order.bin'
    created = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType='application/x-test', Metadata={'m': '1'})
    upload_id = created['UploadId']
    assert created['Key'] == key and created['Bucket'] == bucket

    etags = {}
    for number in (3, 1, 2):
        resp = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=big_parts[number - 1])
        assert resp['ETag'] == f'"{md5_hex(big_parts[number - 1])}"'
        etags[number] = resp['ETag']

    # Nothing visible before Complete.
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key=key)
    assert error_code(exc.value) == '404'
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0

    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p['PartNumber'] for p in listed['Parts']] == [1, 2, 3]
    assert [p['Size'] for p in listed['Parts']] == [len(p) for p in big_parts]
    assert [p['ETag'] for p in listed['Parts']] == [etags[1], etags[2], etags[3]]
    assert listed['IsTruncated'] is False
    assert listed['UploadId'] == upload_id

    paged = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2)
    assert [p['PartNumber'] for p in paged['Parts']] == [1, 2]
    assert paged['IsTruncated'] is True
    assert paged['NextPartNumberMarker'] == 2
    rest = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, PartNumberMarker=2)
    assert [p['PartNumber'] for p in rest['Parts']] == [3]

    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id,
        MultipartUpload={'Parts': [{'PartNumber': n, 'ETag': etags[n]} for n in (1, 2, 3)]},
    )
    assert done['ETag'] == multipart_etag(big_parts)
    assert done['Key'] == key

    got = s3.get_object(Bucket=bucket, Key=key)
    assert got['ContentLength'] == sum(len(p) for p in big_parts)
    assert got['ContentType'] == 'application/x-test'
    assert got['Metadata'] == {'m': '1'}
    assert got['Body'].read() == b''.join(big_parts)

    # The upload is gone after Complete.
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert error_code(exc.value) == 'NoSuchUpload'


def test_complete_may_skip_part_numbers(s3, bucket, big_parts):
    key = 'mpu/skip.bin'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=big_parts[0])['ETag']
    s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=b'discarded')
    e7 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=7, Body=b'tail')['ETag']
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id,
        MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 7, 'ETag': e7}]},
    )
    assert done['ETag'] == multipart_etag([big_parts[0], b'tail'])
    assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == big_parts[0] + b'tail'


def test_complete_errors(s3, bucket, big_parts):
    key = 'mpu/errors.bin'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=big_parts[0])['ETag']
    e2 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=big_parts[2])['ETag']

    def complete(parts):
        return s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={'Parts': parts}
        )

    with pytest.raises(ClientError) as exc:
        complete([{'PartNumber': 2, 'ETag': e2}, {'PartNumber': 1, 'ETag': e1}])
    assert error_code(exc.value) == 'InvalidPartOrder'
    assert http_status(exc.value) == 400

    with pytest.raises(ClientError) as exc:
        complete([{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 2, 'ETag': '"0123456789abcdef0123456789abcdef"'}])
    assert error_code(exc.value) == 'InvalidPart'
    assert http_status(exc.value) == 400

    with pytest.raises(ClientError) as exc:
        complete([{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 5, 'ETag': e2}])
    assert error_code(exc.value) == 'InvalidPart'

    # A failed Complete leaves the upload usable.
    assert [p['PartNumber'] for p in s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)['Parts']] == [1, 2]
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=key)

    # ETag quotes are optional in the Complete body.
    done = complete([{'PartNumber': 1, 'ETag': e1.strip('"')}, {'PartNumber': 2, 'ETag': e2}])
    assert done['ETag'] == multipart_etag([big_parts[0], big_parts[2]])


def test_entity_too_small(s3, bucket):
    key = 'mpu/small.bin'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b'a' * 1024)['ETag']
    e2 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=b'b' * 1024)['ETag']
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id,
            MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 2, 'ETag': e2}]},
        )
    assert error_code(exc.value) == 'EntityTooSmall'
    assert http_status(exc.value) == 400
    assert exc.value.response['Error'].get('MinSizeAllowed') == '5242880'

    # A single small part is fine (it is also the last part).
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}]},
    )
    assert done['ETag'] == multipart_etag([b'a' * 1024])
    assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == b'a' * 1024


def test_abort_and_no_such_upload(s3, bucket):
    key = 'mpu/aborted.bin'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b'data')['ETag']

    aborted = s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    assert http_status(aborted) == 204

    for call in (
        lambda: s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id),
        lambda: s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=b'more'),
        lambda: s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': etag}]}
        ),
        lambda: s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc.value) == 'NoSuchUpload'
        assert http_status(exc.value) == 404
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=key)
    assert 'Uploads' not in s3.list_multipart_uploads(Bucket=bucket)

    # An upload id used with the wrong key is unknown too.
    other = s3.create_multipart_upload(Bucket=bucket, Key='mpu/other')['UploadId']
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key='mpu/not-the-key', UploadId=other, PartNumber=1, Body=b'x')
    assert error_code(exc.value) == 'NoSuchUpload'


def test_invalid_part_numbers(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key='pn')['UploadId']
    for number in (0, 10001):
        with pytest.raises(ClientError) as exc:
            s3.upload_part(Bucket=bucket, Key='pn', UploadId=upload_id, PartNumber=number, Body=b'x')
        assert error_code(exc.value) == 'InvalidArgument'
        assert http_status(exc.value) == 400
    ok = s3.upload_part(Bucket=bucket, Key='pn', UploadId=upload_id, PartNumber=10000, Body=b'x')
    assert ok['ETag'] == f'"{md5_hex(b"x")}"'


def test_list_multipart_uploads(s3, bucket):
    ids = {}
    for key in ('logs/a', 'logs/b', 'raw/x', 'top'):
        ids[key] = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    second_a = s3.create_multipart_upload(Bucket=bucket, Key='logs/a')['UploadId']

    listed = s3.list_multipart_uploads(Bucket=bucket)
    uploads = [(u['Key'], u['UploadId']) for u in listed['Uploads']]
    assert [k for k, _ in uploads] == ['logs/a', 'logs/a', 'logs/b', 'raw/x', 'top']
    assert {u for _, u in uploads} == set(ids.values()) | {second_a}
    assert all(u['Initiated'] and u['StorageClass'] == 'STANDARD' for u in listed['Uploads'])
    assert listed['IsTruncated'] is False

    by_prefix = s3.list_multipart_uploads(Bucket=bucket, Prefix='logs/')
    assert [u['Key'] for u in by_prefix['Uploads']] == ['logs/a', 'logs/a', 'logs/b']

    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter='/')
    assert [p['Prefix'] for p in grouped['CommonPrefixes']] == ['logs/', 'raw/']
    assert [u['Key'] for u in grouped['Uploads']] == ['top']

    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert len(page['Uploads']) == 2
    assert page['IsTruncated'] is True
    rest = s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker=page['NextKeyMarker'], UploadIdMarker=page['NextUploadIdMarker']
    )
    assert [u['Key'] for u in page['Uploads'] + rest['Uploads']] == ['logs/a', 'logs/a', 'logs/b', 'raw/x', 'top']

    s3.abort_multipart_upload(Bucket=bucket, Key='raw/x', UploadId=ids['raw/x'])
    after = s3.list_multipart_uploads(Bucket=bucket)
    assert 'raw/x' not in [u['Key'] for u in after['Uploads']]
    # In-progress uploads are not objects.
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_upload_part_copy_with_range(s3, bucket):
    source = os.urandom(6 * MIB + 100)
    s3.put_object(Bucket=bucket, Key='src/six-mib', Body=source)
    key = 'dst/assembled'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']

    p1 = s3.upload_part_copy(
        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1,
        CopySource={'Bucket': bucket, 'Key': 'src/six-mib'}, CopySourceRange=f'bytes=0-{PART - 1}',
    )
    assert p1['CopyPartResult']['ETag'] == f'"{md5_hex(source[:PART])}"'
    p2 = s3.upload_part_copy(
        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2,
        CopySource=f'{bucket}/src/six-mib', CopySourceRange=f'bytes={PART}-{len(source) - 1}',
    )

    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=4,
            CopySource=f'{bucket}/src/six-mib', CopySourceRange=f'bytes=0-{len(source)}',
        )
    assert error_code(exc.value) == 'InvalidArgument'
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=4,
            CopySource=f'{bucket}/src/six-mib', CopySourceRange='bytes=10-',
        )
    assert error_code(exc.value) == 'InvalidArgument'

    s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id,
        MultipartUpload={'Parts': [
            {'PartNumber': 1, 'ETag': p1['CopyPartResult']['ETag']},
            {'PartNumber': 2, 'ETag': p2['CopyPartResult']['ETag']},
        ]},
    )
    got = s3.get_object(Bucket=bucket, Key=key)['Body'].read()
    assert got == source
    assert p2['CopyPartResult']['ETag'] == f'"{md5_hex(source[PART:])}"'


@pytest.mark.parametrize('algorithm, checksum_type', [('CRC32', 'FULL_OBJECT'), ('CRC32', 'COMPOSITE'), ('SHA256', 'COMPOSITE')])
def test_multipart_checksum_types(s3, bucket, big_parts, algorithm, checksum_type):
    key = f'mpu/{algorithm}-{checksum_type}'
    created = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm, ChecksumType=checksum_type)
    assert created['ChecksumAlgorithm'] == algorithm
    assert created['ChecksumType'] == checksum_type
    parts = []
    for number, data in enumerate(big_parts, 1):
        resp = s3.upload_part(Bucket=bucket, Key=key, UploadId=created['UploadId'], PartNumber=number, Body=data,
                              ChecksumAlgorithm=algorithm)
        assert resp[f'Checksum{algorithm}'] == checksum_b64(algorithm, data)
        parts.append({'PartNumber': number, 'ETag': resp['ETag'], f'Checksum{algorithm}': resp[f'Checksum{algorithm}']})

    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=created['UploadId'])
    assert [p[f'Checksum{algorithm}'] for p in listed['Parts']] == [p[f'Checksum{algorithm}'] for p in parts]

    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=created['UploadId'],
                                        MultipartUpload={'Parts': parts})
    whole = b''.join(big_parts)
    if checksum_type == 'FULL_OBJECT':
        expected = checksum_b64(algorithm, whole)  # CRC of the whole object, combined from the parts
    elif algorithm == 'SHA256':
        # COMPOSITE: hash of the concatenated part digests, then -<number of parts>.
        raw = b''.join(hashlib.sha256(p).digest() for p in big_parts)
        expected = base64.b64encode(hashlib.sha256(raw).digest()).decode() + f'-{len(big_parts)}'
    else:
        expected = composite_crc32(big_parts)
    assert done[f'Checksum{algorithm}'] == expected
    assert done['ChecksumType'] == checksum_type

    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode='ENABLED')
    assert got[f'Checksum{algorithm}'] == expected
    assert got['ChecksumType'] == checksum_type
    assert got['Body'].read() == whole


def test_multipart_wrong_part_checksum_in_complete(s3_noretry, bucket, big_parts):
    s3 = s3_noretry
    key = 'mpu/bad-part-sum'
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm='CRC32')['UploadId']
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=big_parts[2],
                        ChecksumAlgorithm='CRC32')['ETag']
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id,
            MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1, 'ChecksumCRC32': checksum_b64('CRC32', b'nope')}]},
        )
    assert error_code(exc.value) in ('InvalidPart', 'BadDigest')
    assert http_status(exc.value) == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=key)


def test_complete_if_none_match(s3, bucket, big_parts):
    s3.put_object(Bucket=bucket, Key='taken', Body=b'original')
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key='taken')['UploadId']
    etag = s3.upload_part(Bucket=bucket, Key='taken', UploadId=upload_id, PartNumber=1, Body=b'new')['ETag']
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key='taken', UploadId=upload_id, IfNoneMatch='*',
                                     MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': etag}]})
    assert http_status(exc.value) == 412
    assert s3.get_object(Bucket=bucket, Key='taken')['Body'].read() == b'original'
