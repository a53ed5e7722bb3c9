"""Where chunk objects live: the `ObjectStore` seam and its local-directory implementation.

A ``put`` is atomic: readers see the whole object or nothing (temp file, fsync, rename). Large
objects are written with direct I/O (`smalto.storage.direct_io`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from smalto.errors import InvalidRequest, NotFound
from smalto.storage.direct_io import write_new_file

__all__ = ["LocalObjectStore", "ObjectStore"]

_TEMP_MARKER = ".tmp-"


class ObjectStore(Protocol):
    """A flat key → bytes store (local directory, S3 …)."""

    def put(self, key: str, data: pa.Buffer | bytes) -> None:
        """Store ``data`` under ``key`` atomically, replacing any previous object."""
        ...

    def open(self, key: str) -> pa.NativeFile:
        """A random-access reader of the object at ``key``; `NotFound` if absent."""
        ...

    def size(self, key: str) -> int:
        """Size of the object in bytes."""
        ...

    def delete(self, key: str) -> None:
        """Remove one object; a missing object is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with ``prefix`` (a ``/``-terminated folder)."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (maintenance only, never on the hot path)."""
        ...


def _check_key(key: str) -> None:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts[:-1]):
        raise InvalidRequest(f"invalid object key {key!r}")


class LocalObjectStore:
    """Objects as files under one root directory."""

    def __init__(self, root: Path, fsync: bool = True, direct_io: bool = True) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self.direct_io = direct_io

    def _path(self, key: str) -> Path:
        _check_key(key.rstrip("/") or key)
        return self.root / key

    def put(self, key: str, data: pa.Buffer | bytes) -> None:
        """Write to a temp file next to the target, fsync, then rename over it."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f"{target.name}{_TEMP_MARKER}{uuid.uuid4().hex}")
        try:
            write_new_file(temp, data, fsync=self.fsync, direct=self.direct_io)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if self.fsync:
            _fsync_dir(target.parent)

    def open(self, key: str) -> pa.NativeFile:
        """Memory-map the object (zero-copy reads)."""
        try:
            return pa.memory_map(str(self._path(key)), "r")
        except FileNotFoundError:
            raise NotFound(f"object {key!r} is missing from the store") from None

    def size(self, key: str) -> int:
        """Size of the object file in bytes."""
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        """Remove one object file."""
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Remove the folder ``prefix`` and everything below it."""
        shutil.rmtree(self._path(prefix), ignore_errors=True)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Every object key below ``prefix``, temp files included (they are orphans)."""
        base = self._path(prefix) if prefix else self.root
        if not base.exists():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
