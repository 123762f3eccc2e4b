"""boto3's own aws-chunked uploads (STREAMING-UNSIGNED-PAYLOAD-TRAILER, Transfer-Encoding: chunked,
CRC32 in the trailer). botocore only uses trailers over https; these tests make its checksum
location logic believe the endpoint is https so that the real client code path runs over http."""

import io
import os
import urllib.parse

import botocore.httpchecksum
import pytest
from boto3.s3.transfer import TransferConfig

from lakebox_helpers import MIB, checksum_b64, composite_crc32, md5_hex


@pytest.fixture
def trailer_mode(monkeypatch):
    real = urllib.parse.urlparse
    monkeypatch.setattr(botocore.httpchecksum, 'urlparse', lambda url: real(url.replace('http://', 'https://', 1)))
    sent = []
    return sent


def _record_headers(s3, sent):
    def before_send(request, **_):
        sent.append({k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()})

    s3.meta.events.register('before-send.s3.*', before_send)
    return before_send


def test_put_object_with_trailer_checksum(s3, bucket, trailer_mode):
    handler = _record_headers(s3, trailer_mode)
    try:
        body = os.urandom(3 * MIB + 5)  # several 1 MiB aws-chunked chunks
        put = s3.put_object(Bucket=bucket, Key='chunked/put.bin', Body=io.BytesIO(body))
        gz = s3.put_object(Bucket=bucket, Key='chunked/gz.bin', Body=b'not really gzip', ContentEncoding='gzip')
    finally:
        s3.meta.events.unregister('before-send.s3.*', handler)

    sent = trailer_mode[0]
    assert sent['x-amz-content-sha256'] == 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
    assert sent['content-encoding'] == 'aws-chunked'
    assert sent['x-amz-trailer'] == 'x-amz-checksum-crc32'
    assert sent['x-amz-decoded-content-length'] == str(len(body))
    assert trailer_mode[1]['content-encoding'] == 'gzip,aws-chunked'

    assert put['ETag'] == f'"{md5_hex(body)}"'
    assert put['ChecksumCRC32'] == checksum_b64('CRC32', body)
    got = s3.get_object(Bucket=bucket, Key='chunked/put.bin', ChecksumMode='ENABLED')
    assert got['ContentLength'] == len(body)
    assert got['ChecksumCRC32'] == checksum_b64('CRC32', body)
    assert 'ContentEncoding' not in got  # aws-chunked is removed from the stored value
    assert got['Body'].read() == body

    assert gz['ETag'] == f'"{md5_hex(b"not really gzip")}"'
    head = s3.head_object(Bucket=bucket, Key='chunked/gz.bin')
    assert head['ContentEncoding'] == 'gzip'
    assert head['ContentLength'] == len(b'not really gzip')


def test_upload_file_multipart_with_trailer_checksums(s3, bucket, trailer_mode, tmp_path):
    handler = _record_headers(s3, trailer_mode)
    data = os.urandom(11 * MIB)
    src = tmp_path / 'f.bin'
    src.write_bytes(data)
    try:
        s3.upload_file(str(src), bucket, 'chunked/multi.bin',
                       Config=TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB))
    finally:
        s3.meta.events.unregister('before-send.s3.*', handler)
    assert sum(1 for h in trailer_mode if h.get('x-amz-content-sha256') == 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') == 3

    parts = [data[0:5 * MIB], data[5 * MIB:10 * MIB], data[10 * MIB:]]
    head = s3.head_object(Bucket=bucket, Key='chunked/multi.bin', ChecksumMode='ENABLED')
    assert head['ContentLength'] == len(data)
    assert head['ChecksumCRC32'] == composite_crc32(parts)
    assert s3.get_object(Bucket=bucket, Key='chunked/multi.bin')['Body'].read() == data
