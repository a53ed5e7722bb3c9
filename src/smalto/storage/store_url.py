"""Choosing the object store from a URL or a path: ``s3://bucket/prefix`` or a local directory."""

from __future__ import annotations

from pathlib import Path

from smalto.errors import InvalidRequest
from smalto.storage.object_store import LocalObjectStore, ObjectStore

__all__ = ["open_object_store"]


def open_object_store(
    url_or_path: str | Path,
    fsync: bool = True,
    direct_io: bool = True,
    s3_endpoint: str | None = None,
    s3_region: str | None = None,
) -> ObjectStore:
    """The store at ``url_or_path``: ``s3://…`` (S3-compatible), ``file://…`` or a directory.

    ``fsync`` and ``direct_io`` apply to local directories, ``s3_endpoint`` and ``s3_region`` to
    S3 (both default to the standard AWS environment variables).
    """
    text = str(url_or_path)
    if text.startswith("s3://"):
        from smalto.storage.s3_object_store import S3ObjectStore

        return S3ObjectStore(text, endpoint=s3_endpoint, region=s3_region)
    if text.startswith("file://"):
        return LocalObjectStore(
            Path(text.removeprefix("file://")), fsync=fsync, direct_io=direct_io
        )
    if "://" in text:
        raise InvalidRequest(
            f"unsupported store URL {text!r}: use a directory, file:///path or s3://bucket/prefix"
        )
    return LocalObjectStore(Path(text), fsync=fsync, direct_io=direct_io)
