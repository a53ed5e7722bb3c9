"""Local and S3 stores keep one `ObjectStore` contract: whole objects, complete deletes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from smalto.errors import InvalidRequest, NotFound, SmaltoError, Unavailable
from smalto.storage import ObjectStore, open_object_store
from smalto.storage.keys import chunk_key, sequence_prefix, topic_prefix
from smalto.storage.s3_object_store import S3Location
from tests.backends import TEST_BUCKET, s3_filesystem


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty store of each kind."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        return open_object_store(request.getfixturevalue("s3_url"), s3_endpoint=endpoint)
    return open_object_store(tmp_path / "store", fsync=False)


def test_put_open_size_round_trip(store: ObjectStore) -> None:
    key = chunk_key("s", "t", 0)
    store.put(key, b"first")
    store.put(key, pa.py_buffer(b"replaced, longer"))
    assert store.open(key).read() == b"replaced, longer"
    assert store.size(key) == len(b"replaced, longer")
    assert list(store.iter_keys()) == [key]


def test_large_objects_arrive_whole(store: ObjectStore) -> None:
    data = pa.py_buffer(bytes(range(256)) * (48 * 1024))  # 12 MiB: a multipart upload on S3
    store.put("big/object.parquet", data)
    reader = store.open("big/object.parquet")
    assert reader.size() == data.size
    reader.seek(data.size - 256)
    assert reader.read() == bytes(range(256))


def test_missing_object_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(NotFound, match="missing"):
        store.open("sequences/none/topics/none/chunks/000000.parquet")
    store.delete("sequences/none/x.parquet")  # deleting nothing succeeds


def test_delete_prefix_removes_everything_under_it_and_nothing_else(store: ObjectStore) -> None:
    keys = [chunk_key(s, t, n) for s in ("a", "b") for t in ("t1", "t2") for n in range(3)]
    for key in keys:
        store.put(key, key.encode())
    store.delete_prefix(topic_prefix("a", "t1"))
    assert list(store.iter_keys()) == [k for k in sorted(keys) if "/a/topics/t1/" not in k]
    store.delete_prefix(sequence_prefix("a"))
    assert list(store.iter_keys(sequence_prefix("a"))) == []
    assert list(store.iter_keys()) == sorted(k for k in keys if k.startswith("sequences/b/"))
    store.delete_prefix(sequence_prefix("never-written"))


@pytest.mark.parametrize("key", ["../escape", "/absolute", "a/../../b", "a//b"])
def test_keys_cannot_escape(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidRequest, match="invalid object key"):
        store.put(key, b"x")


@pytest.mark.parametrize("url", ["s3://", "s3:///prefix", "s3://b/p?x=1", "gs://bucket/p"])
def test_bad_store_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidRequest, match="store URL"):
        open_object_store(url)


def test_s3_location_parts() -> None:
    assert S3Location.parse("s3://bucket/a/b/").root == "bucket/a/b"
    assert S3Location.parse("s3://bucket").root == "bucket"


@pytest.mark.s3
def test_missing_bucket_is_named(s3_endpoint: str) -> None:
    with pytest.raises(NotFound, match=r"bucket 'no-such-bucket' .* s3://no-such-bucket/x"):
        open_object_store("s3://no-such-bucket/x", s3_endpoint=s3_endpoint)


@pytest.mark.s3
def test_unreachable_endpoint_is_named(s3_endpoint: str) -> None:
    with pytest.raises(Unavailable, match=r"s3://smalto-test/x .*--s3-endpoint") as raised:
        open_object_store("s3://smalto-test/x", s3_endpoint="http://127.0.0.1:1")
    assert isinstance(raised.value, SmaltoError)


@pytest.mark.s3
def test_s3_objects_sit_under_the_prefix(s3_endpoint: str, s3_url: str) -> None:
    store = open_object_store(s3_url, s3_endpoint=s3_endpoint)
    store.put(chunk_key("s", "t", 7), b"data")
    prefix = s3_url.removeprefix(f"s3://{TEST_BUCKET}/")
    raw = s3_filesystem(s3_endpoint).get_file_info(
        pafs.FileSelector(f"{TEST_BUCKET}/{prefix}", recursive=True)
    )
    files = [i.path for i in raw if i.type == pafs.FileType.File]
    assert files == [f"{TEST_BUCKET}/{prefix}/sequences/s/topics/t/chunks/000007.parquet"]
