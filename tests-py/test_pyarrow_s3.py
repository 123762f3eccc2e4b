"""pyarrow's own S3 filesystem (the AWS SDK for C++) against Lakebox: Parquet files and hive-partitioned datasets
written and read back, a multipart upload, listing, copy, move and delete. Expected values come from the tables
written here."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest


@pytest.fixture(scope='module')
def fs(lakebox):
    host = lakebox.endpoint.removeprefix('http://')
    return pafs.S3FileSystem(access_key=lakebox.access_key, secret_key=lakebox.secret_key, endpoint_override=host,
                             scheme='http', region=lakebox.region, allow_bucket_creation=True, allow_bucket_deletion=True)


@pytest.fixture(scope='module')
def bucket(fs):
    name = f'pyarrow-{uuid.uuid4().hex[:10]}'
    fs.create_dir(name)
    return name


TABLE = pa.table({'id': pa.array(range(5000), pa.int64()), 'name': [f'n{i % 97}' for i in range(5000)],
                  'score': [i * 0.5 for i in range(5000)], 'part': [i % 4 for i in range(5000)]})


def test_parquet_file_round_trip(fs, bucket):
    path = f'{bucket}/files/t.parquet'
    pq.write_table(TABLE, path, filesystem=fs)
    info = fs.get_file_info(path)
    assert info.type == pafs.FileType.File and info.size > 0
    assert pq.read_table(path, filesystem=fs).equals(TABLE)


def test_hive_dataset_round_trip(fs, bucket):
    base = f'{bucket}/dataset'
    ds.write_dataset(TABLE, base, format='parquet', partitioning=['part'], partitioning_flavor='hive', filesystem=fs)
    listed = sorted(f.path for f in fs.get_file_info(pafs.FileSelector(base, recursive=True)) if f.type == pafs.FileType.File)
    assert [p.split('/')[-2] for p in listed] == ['part=0', 'part=1', 'part=2', 'part=3']
    back = ds.dataset(base, format='parquet', partitioning='hive', filesystem=fs).to_table()
    assert back.num_rows == TABLE.num_rows
    assert back.sort_by('id').column('score').equals(TABLE.column('score'))
    only2 = ds.dataset(base, format='parquet', partitioning='hive', filesystem=fs).to_table(filter=pc.field('part') == 2)
    assert sorted(only2.column('id').to_pylist()) == [i for i in range(5000) if i % 4 == 2]


def test_large_file_goes_multipart(fs, bucket):
    # The C++ SDK switches to multipart uploads above its part size (10 MiB by default).
    data = (b'0123456789abcdef' * 65536) * 20  # 20 MiB
    path = f'{bucket}/big/blob.bin'
    with fs.open_output_stream(path) as out:
        out.write(data)
    assert fs.get_file_info(path).size == len(data)
    with fs.open_input_file(path) as f:
        assert f.read_at(16, len(data) - 16) == data[-16:]
        assert f.read() == data


def test_copy_move_and_delete(fs, bucket):
    src = f'{bucket}/ops/a.bin'
    with fs.open_output_stream(src) as out:
        out.write(b'payload')
    fs.copy_file(src, f'{bucket}/ops/b.bin')
    fs.move(f'{bucket}/ops/b.bin', f'{bucket}/ops/c.bin')
    names = sorted(f.base_name for f in fs.get_file_info(pafs.FileSelector(f'{bucket}/ops')))
    assert names == ['a.bin', 'c.bin']
    with fs.open_input_stream(f'{bucket}/ops/c.bin') as f:
        assert f.read() == b'payload'
    fs.delete_dir_contents(f'{bucket}/ops')
    assert fs.get_file_info(pafs.FileSelector(f'{bucket}/ops', allow_not_found=True)) == []
