"""Chunk objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, moto …) through `pyarrow.fs`.

``s3://bucket/prefix``: every key lives under ``prefix/``. Credentials come from the standard AWS
sources (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``, ``~/.aws``,
instance metadata); the endpoint from ``--s3-endpoint``, ``AWS_ENDPOINT_URL_S3`` or
``AWS_ENDPOINT_URL``; the region from ``--s3-region``, ``AWS_REGION`` or ``AWS_DEFAULT_REGION``.

- ``put`` is atomic: the whole buffer goes in one PUT (small objects) or one multipart upload
  (large ones), and S3 makes an object visible only once it is complete.
- ``delete_prefix`` removes every object under the prefix (a listing; deletes are not hot).
  pyarrow then leaves an empty ``parent/`` directory marker, which no reader mistakes for data.
- The hot path never lists: ``put`` and ``open`` address one key (PUT; HEAD + ranged GETs).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from smalto.errors import InvalidRequest, NotFound, PermissionDenied, SmaltoError, Unavailable
from smalto.storage.object_store import _check_key

__all__ = ["S3Location", "S3ObjectStore"]

_CREDENTIAL_ERRORS = (
    "ACCESS_DENIED",
    "AccessDenied",
    "INVALID_ACCESS_KEY_ID",
    "InvalidAccessKeyId",
    "SIGNATURE_DOES_NOT_MATCH",
    "SignatureDoesNotMatch",
    "EXPIRED_TOKEN",
    "HTTP response code: 403",
)


@dataclass(frozen=True)
class S3Location:
    """A parsed ``s3://bucket/prefix`` URL."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """Split ``s3://bucket[/prefix]``; `InvalidRequest` when it is not one."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise InvalidRequest(
                f"invalid store URL {url!r}: use s3://bucket or s3://bucket/prefix"
            )
        prefix = parts.path.strip("/")
        if any(p in ("", ".", "..") for p in prefix.split("/")) and prefix:
            raise InvalidRequest(f"invalid prefix {prefix!r} in store URL {url!r}")
        return cls(bucket=parts.netloc, prefix=prefix)

    @property
    def root(self) -> str:
        """The pyarrow path of the store root (``bucket/prefix``, no trailing ``/``)."""
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket


def _endpoint(endpoint: str | None) -> tuple[str | None, Literal["http", "https"]]:
    """``(host:port or None, scheme)`` from the flag or the standard AWS variables."""
    value = endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if not value:
        return None, "https"
    if "://" not in value:
        return value.rstrip("/"), "https"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise InvalidRequest(f"invalid S3 endpoint {value!r}: use http://host:port or https://…")
    return parts.netloc, "http" if parts.scheme == "http" else "https"


def _region(region: str | None, has_endpoint: bool, bucket: str) -> str | None:
    value = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if value or has_endpoint:
        return value or "us-east-1"  # S3-compatible servers mostly ignore it
    try:
        return str(pafs.resolve_s3_region(bucket))
    except OSError:
        return None  # let the SDK's own heuristics decide; the bucket check reports failures


def _store_error(url: str, action: str, exc: OSError) -> SmaltoError:
    text = str(exc)
    if any(marker in text for marker in _CREDENTIAL_ERRORS):
        return PermissionDenied(
            f"the object store {url} refused {action}: {text}; check AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and the bucket policy"
        )
    return Unavailable(
        f"the object store {url} failed {action}: {text}; check --s3-endpoint / "
        "AWS_ENDPOINT_URL and that the service is reachable"
    )


class S3ObjectStore:
    """Objects in an S3 bucket under one prefix."""

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None) -> None:
        """Connect to ``url`` (``s3://bucket/prefix``) and check that the bucket is reachable."""
        self.url = url
        self.location = S3Location.parse(url)
        host, scheme = _endpoint(endpoint)
        self.fs = pafs.S3FileSystem(
            endpoint_override=host,
            scheme=scheme,
            region=_region(region, host is not None, self.location.bucket),
            # One PUT for small objects instead of create + part + complete multipart calls.
            allow_delayed_open=True,  # type: ignore[call-arg]  # missing from pyarrow-stubs
        )
        self._check_bucket()

    def _check_bucket(self) -> None:
        bucket = self.location.bucket
        try:
            info = self.fs.get_file_info(bucket)
        except OSError as exc:
            raise _store_error(self.url, f"access to bucket {bucket!r}", exc) from exc
        if info.type == pafs.FileType.NotFound:
            raise NotFound(
                f"the bucket {bucket!r} of the object store {self.url} does not exist; create it "
                f"first (e.g. `aws s3 mb s3://{bucket}`) or fix --store"
            )

    def _path(self, key: str) -> str:
        _check_key(key.rstrip("/") or key)
        return f"{self.location.root}/{key}"

    def put(self, key: str, data: pa.Buffer | bytes) -> None:
        """Upload ``data`` in one request (or one multipart upload); visible once complete."""
        path = self._path(key)
        try:
            with self.fs.open_output_stream(path) as out:
                out.write(data)
        except OSError as exc:
            raise _store_error(self.url, f"writing {key!r}", exc) from exc

    def open(self, key: str) -> pa.NativeFile:
        """A random-access reader of the object (one HEAD, then ranged GETs)."""
        try:
            return self.fs.open_input_file(self._path(key))
        except FileNotFoundError:
            raise NotFound(f"object {key!r} is missing from the store {self.url}") from None
        except OSError as exc:
            raise _store_error(self.url, f"reading {key!r}", exc) from exc

    def size(self, key: str) -> int:
        """Size of the object in bytes."""
        info = self.fs.get_file_info(self._path(key))
        if info.type != pafs.FileType.File or info.size is None:
            raise NotFound(f"object {key!r} is missing from the store {self.url}")
        return int(info.size)

    def delete(self, key: str) -> None:
        """Remove one object; a missing object is not an error."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(self._path(key))

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object under the folder ``prefix``."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_dir(self._path(prefix).rstrip("/"))

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Every object key below ``prefix`` (one listing; maintenance only)."""
        base = self._path(prefix).rstrip("/") if prefix else self.location.root
        selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
        root = f"{self.location.root}/"
        infos = self.fs.get_file_info(selector)
        for info in sorted(infos, key=lambda i: i.path):
            if info.type == pafs.FileType.File:
                yield info.path.removeprefix(root)
