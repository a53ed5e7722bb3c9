"""Writing whole files with direct I/O (``O_DIRECT``): the bytes go from our buffer to the disk.

Chunk objects are written once and read much later, so copying them into the page cache first
buys nothing: that copy was most of the cost of storing 6 MB images (measured on the 2-core
reference VM: 280-660 MB/s buffered + fsync, 2.0-2.3 GB/s direct + fsync, see
docs/performance.md). Direct I/O needs the buffer address, the file offset and the length to be
multiples of the device block size; `aligned_buffer` gives such buffers, the last partial block
goes through a one-block bounce buffer and the file is then cut to its real size. Where direct
I/O is not possible (macOS, tmpfs, an unaligned buffer, a small object) the file is written the
ordinary way; callers fsync either way.
"""

from __future__ import annotations

import errno
import mmap
import os

import pyarrow as pa

__all__ = ["ALIGNMENT", "DIRECT_MIN_BYTES", "aligned_buffer", "write_new_file"]

ALIGNMENT = 4096
"""Address, offset and length multiple direct I/O is done in (bytes); covers 512 B and 4 KiB
logical blocks."""
DIRECT_MIN_BYTES = 1024 * 1024
"""Objects smaller than this (bytes) are written through the page cache: direct I/O only pays
for itself on large writes."""
_O_DIRECT: int = getattr(os, "O_DIRECT", 0)
_REFUSED = (errno.EINVAL, errno.EOPNOTSUPP)


def aligned_buffer(size: int) -> pa.Buffer:
    """A mutable buffer of ``size`` bytes whose address is a multiple of `ALIGNMENT`."""
    raw = pa.allocate_buffer(size + ALIGNMENT)
    offset = -raw.address % ALIGNMENT
    # Through a writable memoryview: a slice of an Arrow buffer would be read-only. The view
    # keeps ``raw`` alive.
    return pa.py_buffer(memoryview(raw)[offset : offset + size])


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _write_direct(fd: int, view: memoryview) -> None:
    """Write ``view`` (aligned address) at offset 0 of ``fd`` opened with ``O_DIRECT``."""
    whole = len(view) - len(view) % ALIGNMENT
    _write_all(fd, view[:whole])
    tail = len(view) - whole
    if tail:
        with mmap.mmap(-1, ALIGNMENT) as block:  # page-aligned, zero-filled
            block[:tail] = view[whole:]
            _write_all(fd, memoryview(block))
        os.ftruncate(fd, len(view))


def write_new_file(
    path: str | os.PathLike[str], data: pa.Buffer | bytes, *, fsync: bool, direct: bool = True
) -> None:
    """Create ``path`` (which must not exist) holding ``data``; fsync it when ``fsync``.

    With ``direct``, uses direct I/O when ``data`` is a large `pa.Buffer` at an aligned address
    and the file system accepts it; writes through the page cache otherwise.
    """
    view = memoryview(data)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    direct = (
        direct
        and _O_DIRECT != 0
        and isinstance(data, pa.Buffer)
        and data.size >= DIRECT_MIN_BYTES
        and data.address % ALIGNMENT == 0
    )
    if direct:
        try:
            fd = os.open(path, flags | _O_DIRECT, 0o666)
        except OSError as exc:
            if exc.errno not in _REFUSED:
                raise
        else:
            try:
                _write_direct(fd, view)
                if fsync:
                    os.fsync(fd)
                return
            except OSError as exc:
                if exc.errno not in _REFUSED:
                    raise
            finally:
                os.close(fd)
            os.unlink(path)  # refused half-way: start again through the page cache
    fd = os.open(path, flags, 0o666)
    try:
        _write_all(fd, view)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
