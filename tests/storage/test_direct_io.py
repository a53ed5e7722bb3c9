"""Direct-I/O writes: exact bytes whatever the size and alignment, and a fallback that works."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pyarrow as pa
import pytest

from smalto.storage.buffer_pool import BufferPool
from smalto.storage.direct_io import ALIGNMENT, DIRECT_MIN_BYTES, aligned_buffer, write_new_file
from smalto.storage.object_store import LocalObjectStore


def _filled(size: int) -> pa.Buffer:
    """An aligned buffer of ``size`` bytes holding a pattern that shows misplaced bytes."""
    buffer = aligned_buffer(size)
    view = memoryview(buffer).cast("B")
    pattern = bytes(range(251)) * (size // 251 + 1)
    view[:] = pattern[:size]
    return buffer


def test_aligned_buffers_are_aligned_and_writable() -> None:
    for size in (1, ALIGNMENT - 1, ALIGNMENT, 3 * ALIGNMENT + 17):
        buffer = aligned_buffer(size)
        assert buffer.address % ALIGNMENT == 0
        assert buffer.size == size
        assert buffer.is_mutable


@pytest.mark.parametrize(
    "size",
    [DIRECT_MIN_BYTES, DIRECT_MIN_BYTES + 1, DIRECT_MIN_BYTES + ALIGNMENT - 1, 5 * 1024 * 1024 + 3],
)
def test_direct_writes_keep_every_byte_and_the_exact_size(tmp_path: Path, size: int) -> None:
    data = _filled(size)
    target = tmp_path / "object"
    write_new_file(target, data, fsync=True)
    assert target.stat().st_size == size
    assert target.read_bytes() == data.to_pybytes()


@pytest.mark.parametrize(
    "data",
    [
        b"small bytes",
        pa.py_buffer(b"x" * (DIRECT_MIN_BYTES + 5)),  # large but not aligned: buffered
        aligned_buffer(DIRECT_MIN_BYTES).slice(1),  # aligned parent, unaligned slice
    ],
    ids=["bytes", "unaligned", "sliced"],
)
def test_other_buffers_are_written_through_the_page_cache(
    tmp_path: Path, data: pa.Buffer | bytes
) -> None:
    target = tmp_path / "object"
    write_new_file(target, data, fsync=False)
    assert target.read_bytes() == bytes(memoryview(data))


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "object"
    target.write_bytes(b"committed")
    with pytest.raises(FileExistsError):
        write_new_file(target, _filled(DIRECT_MIN_BYTES), fsync=False)
    assert target.read_bytes() == b"committed"


def test_a_file_system_refusing_direct_io_gets_a_buffered_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems (older tmpfs, some network mounts) answer O_DIRECT with EINVAL.
    real_open = os.open

    def refusing_open(path: str, flags: int, mode: int = 0o777) -> int:
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refusing_open)
    data = _filled(DIRECT_MIN_BYTES + 100)
    target = tmp_path / "object"
    write_new_file(target, data, fsync=True)
    assert target.read_bytes() == data.to_pybytes()


def test_a_store_without_direct_io_writes_the_same_objects(tmp_path: Path) -> None:
    data = _filled(DIRECT_MIN_BYTES + 4097)
    for direct_io in (True, False):
        store = LocalObjectStore(tmp_path / str(direct_io), fsync=True, direct_io=direct_io)
        store.put("sequences/s/chunk.parquet", data)
        assert store.open("sequences/s/chunk.parquet").read() == data.to_pybytes()
        assert list(store.iter_keys()) == ["sequences/s/chunk.parquet"]  # no temp file left


def test_the_buffer_pool_reuses_and_bounds_what_it_keeps() -> None:
    pool = BufferPool(keep=2)
    with pool.lease(1000) as first:
        address = first.address
        assert first.size >= 1000 and first.address % ALIGNMENT == 0
    with pool.lease(500) as again:
        assert again.address == address  # the same memory, not a fresh allocation
        with pool.lease(10) as other, pool.lease(10) as third:
            assert len({again.address, other.address, third.address}) == 3
    assert pool.kept_bytes == 2 * first.size  # three came back, two are kept
    with pool.lease(first.size + 1) as larger:
        assert larger.size > first.size
