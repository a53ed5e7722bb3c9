"""The server process's malloc policy: keep freed memory for the next upload.

gRPC receives every DoPut message into C-heap buffers (megabytes each for images). glibc's
defaults hand large freed blocks straight back to the kernel (``mmap`` above a threshold, and a
heap trimmed as soon as 128 KiB at its top are free), so the next message faults in and zeroes
fresh pages: on the reference VM that doubled the server's page faults while ingesting images
and cost about a fifth of its CPU (docs/performance.md). `keep_freed_memory` raises both
thresholds; the process then keeps up to `TRIM_THRESHOLD_BYTES` of freed heap for reuse. It
changes the whole process, so `smalto serve` calls it, not the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform

__all__ = ["MMAP_THRESHOLD_BYTES", "TRIM_THRESHOLD_BYTES", "keep_freed_memory"]

log = logging.getLogger(__name__)

TRIM_THRESHOLD_BYTES = 512 * 1024 * 1024
"""Free heap (bytes) kept before any is given back to the kernel."""
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""Allocations below this size (bytes) come from the heap, not from their own mapping (glibc's
maximum on 64-bit systems)."""
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Apply the policy where the C library is glibc; True when it took effect."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    applied = bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)) and bool(
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    )
    if not applied:
        log.warning("glibc refused the malloc thresholds; freed memory goes back to the kernel")
    return applied
