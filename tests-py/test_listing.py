"""Listing with boto3: ListObjectsV2 (prefix, delimiter, start-after, continuation tokens, fetch-owner,
encoding-type=url handled by botocore), ListObjects v1 (Marker / NextMarker), UTF-8 byte order."""

import urllib.parse

import pytest

from lakebox_helpers import error_code, http_status, signed_raw_request

TREE = [
    'photos/2006/feb.jpg',
    'photos/2006/jan.jpg',
    'photos/2007/x.jpg',
    'photos/top.jpg',
    'readme.txt',
    'z/last',
]


def _fill(s3, bucket, keys):
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode('utf-8'))


def _utf8_sorted(keys):
    return sorted(keys, key=lambda k: k.encode('utf-8'))


def test_list_v2_prefix_delimiter_start_after(s3, bucket):
    _fill(s3, bucket, TREE)

    everything = s3.list_objects_v2(Bucket=bucket)
    assert [o['Key'] for o in everything['Contents']] == TREE
    assert everything['KeyCount'] == len(TREE)
    assert everything['IsTruncated'] is False
    assert everything['Name'] == bucket
    first = everything['Contents'][0]
    assert first['Size'] == len(TREE[0])
    assert first['ETag'].startswith('"') and first['ETag'].endswith('"')
    assert first['StorageClass'] == 'STANDARD'
    assert 'Owner' not in first

    top = s3.list_objects_v2(Bucket=bucket, Delimiter='/')
    assert [p['Prefix'] for p in top['CommonPrefixes']] == ['photos/', 'z/']
    assert [o['Key'] for o in top['Contents']] == ['readme.txt']
    assert top['KeyCount'] == 3
    assert top['Delimiter'] == '/'

    photos = s3.list_objects_v2(Bucket=bucket, Prefix='photos/', Delimiter='/')
    assert [p['Prefix'] for p in photos['CommonPrefixes']] == ['photos/2006/', 'photos/2007/']
    assert [o['Key'] for o in photos['Contents']] == ['photos/top.jpg']
    assert photos['Prefix'] == 'photos/'
    assert photos['KeyCount'] == 3

    only_prefixes = s3.list_objects_v2(Bucket=bucket, Prefix='photos/2006/')
    assert [o['Key'] for o in only_prefixes['Contents']] == ['photos/2006/feb.jpg', 'photos/2006/jan.jpg']

    after = s3.list_objects_v2(Bucket=bucket, StartAfter='photos/2007/x.jpg')
    assert [o['Key'] for o in after['Contents']] == ['photos/top.jpg', 'readme.txt', 'z/last']
    assert after['StartAfter'] == 'photos/2007/x.jpg'

    none = s3.list_objects_v2(Bucket=bucket, Prefix='nothing/')
    assert none['KeyCount'] == 0
    assert 'Contents' not in none

    zero = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert zero['KeyCount'] == 0
    assert zero['IsTruncated'] is False


def test_list_v2_pagination_with_continuation_tokens(s3, bucket):
    keys = [f'page/{i:03d}' for i in range(11)] + ['page/sub/a', 'page/sub/b', 'ü-key', '日本']
    _fill(s3, bucket, keys)

    seen, pages, token = [], 0, None
    while True:
        kwargs = {'Bucket': bucket, 'MaxKeys': 3}
        if token:
            kwargs['ContinuationToken'] = token
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        assert page['KeyCount'] == len(page.get('Contents', []))
        assert page['KeyCount'] <= 3
        assert page['MaxKeys'] == 3
        if token:
            assert page['ContinuationToken'] == token
        seen += [o['Key'] for o in page.get('Contents', [])]
        if not page['IsTruncated']:
            assert 'NextContinuationToken' not in page
            break
        token = page['NextContinuationToken']
        assert pages < 20
    assert seen == _utf8_sorted(keys)
    assert pages == 5

    # StartAfter is ignored once a continuation token is given.
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=2, StartAfter='page/005')
    assert [o['Key'] for o in first['Contents']] == ['page/006', 'page/007']
    second = s3.list_objects_v2(
        Bucket=bucket, MaxKeys=2, StartAfter='zzzz', ContinuationToken=first['NextContinuationToken']
    )
    assert [o['Key'] for o in second['Contents']] == ['page/008', 'page/009']
    assert 'StartAfter' not in second

    # Paginated with a delimiter: common prefixes count towards MaxKeys and never repeat.
    paginator = s3.get_paginator('list_objects_v2')
    prefixes, contents = [], []
    for page in paginator.paginate(Bucket=bucket, Prefix='page/', Delimiter='/', PaginationConfig={'PageSize': 4}):
        assert page['KeyCount'] <= 4
        prefixes += [p['Prefix'] for p in page.get('CommonPrefixes', [])]
        contents += [o['Key'] for o in page.get('Contents', [])]
    assert prefixes == ['page/sub/']
    assert contents == [f'page/{i:03d}' for i in range(11)]


def test_list_v2_utf8_byte_order(s3, bucket):
    # UTF-16 order would put the emoji (surrogate D83D) before U+FF21; UTF-8 byte order does not.
    keys = ['a', 'B', 'é', '\uff21', '😀', 'z', '\u00ff', 'a/b', 'a-b', 'a b']
    _fill(s3, bucket, keys)
    listed = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']]
    assert listed == _utf8_sorted(keys)
    paged = [o['Key'] for p in s3.get_paginator('list_objects_v2').paginate(
        Bucket=bucket, PaginationConfig={'PageSize': 2}) for o in p['Contents']]
    assert paged == listed


SPECIAL = [
    'dir with space/file one.txt',
    'plus+dir/a+b.txt',
    'eq=dir/k=v.txt',
    'pct%dir/100%.txt',
    'pct%dir/%2F-not-a-slash',
    'ünï/cødé.txt',
    'amp&lt/x',
    'tab\tkey',
]


def test_list_encoding_type_url_is_transparent(s3, bucket):
    _fill(s3, bucket, SPECIAL)
    # boto3 adds encoding-type=url itself and decodes Key, Prefix, Delimiter, StartAfter.
    listed = [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']]
    assert listed == _utf8_sorted(SPECIAL)

    grouped = s3.list_objects_v2(Bucket=bucket, Delimiter='/')
    assert [p['Prefix'] for p in grouped['CommonPrefixes']] == _utf8_sorted(
        ['dir with space/', 'plus+dir/', 'eq=dir/', 'pct%dir/', 'ünï/', 'amp&lt/']
    )
    assert [o['Key'] for o in grouped['Contents']] == ['tab\tkey']

    for prefix in ('pct%dir/', 'plus+dir/', 'dir with space/', 'ünï/'):
        got = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        assert got['Prefix'] == prefix
        assert [o['Key'] for o in got['Contents']] == _utf8_sorted([k for k in SPECIAL if k.startswith(prefix)])

    after = s3.list_objects_v2(Bucket=bucket, StartAfter='pct%dir/%2F-not-a-slash')
    assert after['StartAfter'] == 'pct%dir/%2F-not-a-slash'
    assert after['Contents'][0]['Key'] == 'pct%dir/100%.txt'

    v1 = s3.list_objects(Bucket=bucket, Delimiter='/', Prefix='plus+dir/')
    assert [o['Key'] for o in v1['Contents']] == ['plus+dir/a+b.txt']
    # AWS url-encodes the v1 <Prefix> too, but botocore does not decode that one field
    # (boto/boto3#3534), so boto3 users see it encoded, exactly as against AWS.
    assert urllib.parse.unquote(v1['Prefix']) == 'plus+dir/'


def test_list_encoding_type_url_wire_format(lakebox, s3, bucket):
    """What boto3 decodes must really be percent-encoded on the wire ('+' as %2B, space as %20)."""
    _fill(s3, bucket, ['a+b c=d/é'])
    status, _, body = signed_raw_request(lakebox, 'GET', f'/{bucket}?list-type=2&encoding-type=url')
    assert status == 200
    text = body.decode('utf-8')
    assert '<EncodingType>url</EncodingType>' in text
    assert '<Key>a%2Bb%20c%3Dd/%C3%A9</Key>' in text

    status, _, body = signed_raw_request(lakebox, 'GET', f'/{bucket}?list-type=2&encoding-type=bogus')
    assert status == 400
    assert b'<Code>InvalidArgument</Code>' in body


def test_list_v2_fetch_owner(s3, bucket):
    _fill(s3, bucket, ['one', 'two'])
    with_owner = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)
    for obj in with_owner['Contents']:
        assert obj['Owner']['ID']
    without = s3.list_objects_v2(Bucket=bucket, FetchOwner=False)
    assert all('Owner' not in o for o in without['Contents'])


def test_list_v1_marker_and_next_marker(s3, bucket):
    _fill(s3, bucket, TREE)

    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o['Key'] for o in page['Contents']] == TREE[:2]
    assert page['IsTruncated'] is True
    assert 'NextMarker' not in page  # only returned with a delimiter
    assert page['Marker'] == ''
    assert all(o['Owner']['ID'] for o in page['Contents'])  # v1 always includes Owner

    page2 = s3.list_objects(Bucket=bucket, MaxKeys=2, Marker=TREE[1])
    assert [o['Key'] for o in page2['Contents']] == TREE[2:4]
    assert page2['Marker'] == TREE[1]

    # With a delimiter NextMarker is the last key or common prefix returned.
    d1 = s3.list_objects(Bucket=bucket, Delimiter='/', MaxKeys=2)
    assert [p['Prefix'] for p in d1['CommonPrefixes']] == ['photos/']
    assert [o['Key'] for o in d1['Contents']] == ['readme.txt']
    assert d1['IsTruncated'] is True
    assert d1['NextMarker'] == 'readme.txt'
    d2 = s3.list_objects(Bucket=bucket, Delimiter='/', MaxKeys=2, Marker=d1['NextMarker'])
    assert [p['Prefix'] for p in d2['CommonPrefixes']] == ['z/']
    assert d2['IsTruncated'] is False
    assert 'Contents' not in d2

    d3 = s3.list_objects(Bucket=bucket, Delimiter='/', MaxKeys=1)
    assert [p['Prefix'] for p in d3['CommonPrefixes']] == ['photos/']
    assert d3['NextMarker'] == 'photos/'
    # A marker inside a common prefix skips that prefix.
    d4 = s3.list_objects(Bucket=bucket, Delimiter='/', Marker='photos/')
    assert d4.get('CommonPrefixes', []) == [{'Prefix': 'z/'}]
    assert [o['Key'] for o in d4['Contents']] == ['readme.txt']

    # The boto3 paginator (NextMarker || last Key) walks everything exactly once.
    all_keys = [o['Key'] for p in s3.get_paginator('list_objects').paginate(
        Bucket=bucket, PaginationConfig={'PageSize': 2}) for o in p['Contents']]
    assert all_keys == TREE


def test_list_invalid_arguments(lakebox, s3, bucket):
    status, _, body = signed_raw_request(lakebox, 'GET', f'/{bucket}?list-type=2&max-keys=abc')
    assert status == 400
    assert b'<Code>InvalidArgument</Code>' in body
    with pytest.raises(Exception) as exc:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken='')
    assert error_code(exc.value) == 'InvalidArgument'
    assert http_status(exc.value) == 400
