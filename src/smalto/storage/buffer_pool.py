"""`BufferPool`: the aligned output buffers chunks are encoded into, kept between chunks.

Every chunk is encoded into one buffer sized up front and then stored; a fresh buffer per chunk
means the kernel hands over and zeroes new pages on every first write (on the reference VM that
was 18 % of the server's CPU while ingesting images, see docs/performance.md). The pool lends
buffers out and takes them back once the chunk is stored, keeping at most ``keep`` of them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from smalto.storage.direct_io import aligned_buffer

__all__ = ["BufferPool"]

_GRANULE = 8 * 1024 * 1024
"""New buffers are rounded up to this many bytes, so that sizes repeat and buffers get reused."""


class BufferPool:
    """Lends aligned mutable buffers of at least a requested size; thread-safe."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._free: list[pa.Buffer] = []
        self._lock = threading.Lock()

    @property
    def kept_bytes(self) -> int:
        """Bytes held by buffers waiting for reuse."""
        with self._lock:
            return sum(buffer.size for buffer in self._free)

    def _take(self, size: int) -> pa.Buffer:
        with self._lock:
            fitting = [buffer for buffer in self._free if buffer.size >= size]
            if fitting:
                chosen = min(fitting, key=lambda buffer: buffer.size)
                self._free.remove(chosen)
                return chosen
        return aligned_buffer(-(-size // _GRANULE) * _GRANULE)

    def _give(self, buffer: pa.Buffer) -> None:
        with self._lock:
            self._free.append(buffer)
            self._free.sort(key=lambda kept: kept.size, reverse=True)
            del self._free[self.keep :]  # keep the largest: they fit every request

    @contextmanager
    def lease(self, size: int) -> Iterator[pa.Buffer]:
        """A buffer of at least ``size`` bytes, aligned for direct I/O, for the ``with`` block.

        Nothing may keep a reference to it (or a slice of it) after the block.
        """
        buffer = self._take(size)
        try:
            yield buffer
        finally:
            self._give(buffer)
