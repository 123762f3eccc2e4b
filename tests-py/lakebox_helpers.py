"""Helpers shared by the black-box tests: checksums computed independently of the server,
raw SigV4-signed HTTP requests, and small XML/error utilities."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import socket
import struct
import zlib
from typing import Mapping, Optional
from urllib.parse import urlsplit
from xml.etree import ElementTree

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MIB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Checksums (pure Python; the server uses its own implementations, so these are independent)
# --------------------------------------------------------------------------------------------


def _reflected_table(poly: int) -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _reflected_table(0x82F63B78)
_CRC64NVME_TABLE = _reflected_table(0x9A6C9329AC4BC9B5)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc64nvme(data: bytes) -> int:
    mask = 0xFFFFFFFFFFFFFFFF
    crc = mask
    table = _CRC64NVME_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ mask


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode('ascii')


def checksum_b64(algorithm: str, data: bytes) -> str:
    """The base64 value S3 puts in x-amz-checksum-<algorithm> for a full object."""
    algorithm = algorithm.upper()
    if algorithm == 'CRC32':
        return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, 'big'))
    if algorithm == 'CRC32C':
        return b64(crc32c(data).to_bytes(4, 'big'))
    if algorithm == 'CRC64NVME':
        return b64(crc64nvme(data).to_bytes(8, 'big'))
    if algorithm == 'SHA1':
        return b64(hashlib.sha1(data).digest())
    if algorithm == 'SHA256':
        return b64(hashlib.sha256(data).digest())
    raise ValueError(algorithm)


def composite_crc32(parts: list[bytes]) -> str:
    """COMPOSITE multipart checksum: CRC32 over the concatenated raw part CRC32s, then -N."""
    raw = b''.join((zlib.crc32(p) & 0xFFFFFFFF).to_bytes(4, 'big') for p in parts)
    return f'{b64((zlib.crc32(raw) & 0xFFFFFFFF).to_bytes(4, "big"))}-{len(parts)}'


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def md5_b64(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def multipart_etag(parts: list[bytes]) -> str:
    digest = hashlib.md5(b''.join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def error_code(exc) -> str:
    return exc.response['Error']['Code']


def http_status(exc_or_resp) -> int:
    resp = getattr(exc_or_resp, 'response', exc_or_resp)
    return resp['ResponseMetadata']['HTTPStatusCode']


# --------------------------------------------------------------------------------------------
# Raw signed HTTP
# --------------------------------------------------------------------------------------------


class FixedPayloadS3Auth(S3SigV4Auth):
    """S3 SigV4 signer that declares a literal x-amz-content-sha256 (UNSIGNED-PAYLOAD, STREAMING-...)."""

    def __init__(self, credentials, service_name, region_name, payload_value):
        super().__init__(credentials, service_name, region_name)
        self._payload_value = payload_value

    def payload(self, request):  # botocore API
        return self._payload_value


def sign_request(
    method: str,
    url: str,
    access_key: str,
    secret_key: str,
    body: bytes = b'',
    headers: Optional[Mapping[str, str]] = None,
    region: str = 'us-east-1',
    unsigned_payload: bool = False,
    payload_value: Optional[str] = None,
) -> dict[str, str]:
    """Return the headers of a SigV4-signed S3 request (the path in `url` is signed verbatim).
    `unsigned_payload` / `payload_value` sign a literal x-amz-content-sha256 instead of the body hash."""
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    creds = Credentials(access_key, secret_key)
    if unsigned_payload:
        payload_value = 'UNSIGNED-PAYLOAD'
    if payload_value is not None:
        FixedPayloadS3Auth(creds, 's3', region, payload_value).add_auth(req)
    else:
        S3SigV4Auth(creds, 's3', region).add_auth(req)
    return {k: v for k, v in req.headers.items()}


EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode('utf-8'), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str = 'us-east-1', service: str = 's3') -> bytes:
    k = _hmac(('AWS4' + secret_key).encode('utf-8'), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, 'aws4_request')


def aws_chunked_signed(
    url: str,
    access_key: str,
    secret_key: str,
    data: bytes,
    chunk_size: int = 64 * 1024,
    region: str = 'us-east-1',
    corrupt_chunk: Optional[int] = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload (s3.md §5.2/§5.3).
    `corrupt_chunk` = index of a chunk whose signature is deliberately wrong."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b'']
    sig_len = 64
    encoded_len = sum(len(f'{len(c):x}') + len(';chunk-signature=') + sig_len + 2 + len(c) + 2 for c in chunks)
    headers = sign_request(
        'PUT', url, access_key, secret_key,
        headers={
            'Content-Encoding': 'aws-chunked',
            'X-Amz-Decoded-Content-Length': str(len(data)),
            'Content-Length': str(encoded_len),
        },
        region=region,
        payload_value='STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    )
    amz_date = headers['X-Amz-Date']
    scope = f'{amz_date[:8]}/{region}/s3/aws4_request'
    key = signing_key(secret_key, amz_date[:8], region)
    prev = headers['Authorization'].rsplit('Signature=', 1)[1]
    body = bytearray()
    for index, chunk in enumerate(chunks):
        sts = '\n'.join(['AWS4-HMAC-SHA256-PAYLOAD', amz_date, scope, prev, EMPTY_SHA256,
                         hashlib.sha256(chunk).hexdigest()])
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        prev = sig
        if index == corrupt_chunk:
            sig = ('0' if sig[0] != '0' else '1') + sig[1:]
        body += f'{len(chunk):x};chunk-signature={sig}\r\n'.encode() + chunk + b'\r\n'
    assert len(body) == encoded_len
    return headers, bytes(body)


def aws_chunked_unsigned_trailer(
    url: str, access_key: str, secret_key: str, data: bytes, checksum_header: str, checksum_value: str,
    chunk_size: int = 64 * 1024, region: str = 'us-east-1',
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a STREAMING-UNSIGNED-PAYLOAD-TRAILER upload (what boto3 sends over https)."""
    body = bytearray()
    for i in range(0, len(data), chunk_size):
        chunk = data[i:i + chunk_size]
        body += f'{len(chunk):x}\r\n'.encode() + chunk + b'\r\n'
    body += b'0\r\n' + f'{checksum_header}:{checksum_value}\r\n\r\n'.encode()
    headers = sign_request(
        'PUT', url, access_key, secret_key,
        headers={
            'Content-Encoding': 'aws-chunked',
            'X-Amz-Decoded-Content-Length': str(len(data)),
            'X-Amz-Trailer': checksum_header,
            'X-Amz-Sdk-Checksum-Algorithm': checksum_header.rsplit('-', 1)[1].upper(),
            'Content-Length': str(len(body)),
        },
        region=region,
        payload_value='STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    )
    return headers, bytes(body)


def raw_request(
    method: str,
    url: str,
    body: bytes = b'',
    headers: Optional[Mapping[str, str]] = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """Send a request with http.client, path sent byte-for-byte as given (no normalisation)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = parts.path + (f'?{parts.query}' if parts.query else '')
    try:
        hdrs = dict(headers or {})
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if not any(k.lower() == 'host' for k in hdrs):
            conn.putheader('Host', parts.netloc)
        if body and not any(k.lower() == 'content-length' for k in hdrs):
            hdrs['Content-Length'] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def signed_raw_request(
    lakebox,
    method: str,
    path_and_query: str,
    body: bytes = b'',
    headers: Optional[Mapping[str, str]] = None,
    access_key: Optional[str] = None,
    secret_key: Optional[str] = None,
) -> tuple[int, dict[str, str], bytes]:
    url = lakebox.endpoint + path_and_query
    signed = sign_request(
        method,
        url,
        access_key or lakebox.access_key,
        secret_key or lakebox.secret_key,
        body=body,
        headers=headers,
    )
    return raw_request(method, url, body=body, headers=signed)


def xml_error(body: bytes) -> dict[str, str]:
    """Parse an S3 <Error> document into {child tag: text}."""
    root = ElementTree.fromstring(body)
    assert root.tag == 'Error', body
    return {child.tag: (child.text or '') for child in root}


def send_truncated_put(
    host: str, port: int, target: str, headers: Mapping[str, str], partial: bytes, reset: bool = False
) -> None:
    """Open a raw socket, send a request header and only part of the announced body, then close
    (with a FIN, or with a TCP RST when `reset`)."""
    lines = [f'PUT {target} HTTP/1.1']
    lines += [f'{k}: {v}' for k, v in headers.items()]
    head = ('\r\n'.join(lines) + '\r\n\r\n').encode('utf-8')
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head)
        sock.sendall(partial)
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))


def make_zip(files: Mapping[str, str]) -> bytes:
    """A deflated zip holding `files` (name → text), as Lambda's ZipFile expects."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def parquet_table_input(name: str, location: str, columns: list[tuple[str, str]]) -> dict:
    """A Glue TableInput for an unpartitioned Parquet table, as Athena's DDL would store it."""
    return {
        'Name': name, 'TableType': 'EXTERNAL_TABLE', 'PartitionKeys': [],
        'StorageDescriptor': {
            'Location': location,
            'Columns': [{'Name': n, 'Type': t} for n, t in columns],
            'InputFormat': 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            'OutputFormat': 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            'SerdeInfo': {'SerializationLibrary': 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'},
        },
    }


def new_lake(s3, glue, hint: str) -> tuple[str, str]:
    """A fresh bucket `py-<hint>-…` and Glue database `py<hint>_…` for one test module; returns (bucket, database)."""
    import uuid

    suffix = uuid.uuid4().hex[:8]
    bucket, db = f'py-{hint}-{suffix}', f'py{hint}_{suffix}'
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={'Name': db})
    return bucket, db


def run_query(athena, sql: str, database: Optional[str], output: str, timeout: float = 30, **extra) -> dict:
    """StartQueryExecution, then polls GetQueryExecution until a final state (within `timeout` s); returns the QueryExecution."""
    import time

    context = {'QueryExecutionContext': {'Database': database}} if database is not None else {}
    qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={'OutputLocation': output}, **context, **extra)['QueryExecutionId']
    deadline = time.time() + timeout
    while True:
        qe = athena.get_query_execution(QueryExecutionId=qid)['QueryExecution']
        if qe['Status']['State'] not in ('QUEUED', 'RUNNING'):
            return qe
        assert time.time() < deadline, f'{sql}: still {qe["Status"]["State"]} after {timeout} s'
        time.sleep(0.02)


def result_rows(athena, qid: str, page_size: Optional[int] = None) -> list[list[Optional[str]]]:
    """Every row of a query's results (the header row first), through the GetQueryResults paginator."""
    config = {'PaginationConfig': {'PageSize': page_size}} if page_size else {}
    rows: list[list[Optional[str]]] = []
    for page in athena.get_paginator('get_query_results').paginate(QueryExecutionId=qid, **config):
        rows += [[d.get('VarCharValue') for d in r['Data']] for r in page['ResultSet']['Rows']]
    return rows
