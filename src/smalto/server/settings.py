"""Server configuration: where data lives, where to listen, and the limits requests must respect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smalto.catalog.database import sqlite_url
from smalto.protocol.locators import MAX_NAME_LENGTH

__all__ = ["DEFAULT_PORT", "ServerSettings"]

DEFAULT_PORT = 6726


@dataclass(frozen=True)
class ServerSettings:
    """Everything `SmaltoServer` needs; every limit is enforced with an error naming it."""

    data_dir: Path = Path("smalto-data")
    """Holds the SQLite catalog (``catalog.db``) and the local object store (``store/``), when
    ``catalog_url`` and ``store_url`` do not point elsewhere."""
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    """TCP port; 0 picks a free one."""
    catalog_url: str | None = None
    """SQLAlchemy URL of the catalog (``postgresql://…``); None means SQLite in ``data_dir``."""
    store_url: str | None = None
    """Object store: ``s3://bucket/prefix`` or a directory; None means ``data_dir/store``."""
    s3_endpoint: str | None = None
    """S3 endpoint (``http://host:port``); None means ``AWS_ENDPOINT_URL`` or AWS itself."""
    s3_region: str | None = None
    """S3 region; None means ``AWS_REGION``/``AWS_DEFAULT_REGION`` (or the bucket's own)."""
    chunk_size_bytes: int = 64 * 1024 * 1024
    """In-memory Arrow bytes after which an upload's buffered rows become a chunk."""
    max_metadata_bytes: int = 1024 * 1024
    """Largest accepted user metadata, as compact JSON, in bytes."""
    max_action_body_bytes: int = 16 * 1024 * 1024
    """Largest accepted DoAction body, in bytes."""
    max_put_batch_bytes: int = 64 * 1024 * 1024
    """Largest accepted DoPut record batch, in bytes of Arrow buffers."""
    max_name_length: int = MAX_NAME_LENGTH
    """Longest sequence name or topic path a create accepts, in characters (at most 256)."""
    require_api_key: bool = False
    """Refuse calls without a live API key and check its level on every call; when False every
    caller may do everything (``manage``)."""
    tls_cert: Path | None = None
    """PEM certificate chain of the server; with ``tls_key`` it turns TLS on (``grpc+tls``)."""
    tls_key: Path | None = None
    """PEM private key of ``tls_cert``."""
    tls_client_ca: Path | None = None
    """PEM CA bundle client certificates must chain to: mutual TLS (needs ``tls_cert``)."""
    fsync: bool = True
    """fsync chunk objects before registering them (durability across power loss)."""
    direct_io: bool = True
    """Write large chunk objects of a local store with direct I/O, bypassing the page cache
    (falls back by itself where the file system refuses it)."""
    upload_lease_seconds: float = 30.0
    """An upload whose server has not heartbeaten for this long (s) is closed by recovery."""
    gc_on_start: bool = True
    """Delete orphaned objects when the server starts."""

    @property
    def tls(self) -> bool:
        """Whether the server speaks TLS."""
        return self.tls_cert is not None

    @property
    def scheme(self) -> str:
        """``grpc+tls`` with TLS, else ``grpc``."""
        return "grpc+tls" if self.tls else "grpc"

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("TLS needs both a certificate and its key (--tls-cert, --tls-key)")
        if self.tls_client_ca is not None and self.tls_cert is None:
            raise ValueError(
                "mutual TLS (--tls-client-ca) needs TLS on: also pass --tls-cert and --tls-key"
            )
        if not 1 <= self.max_name_length <= MAX_NAME_LENGTH:
            raise ValueError(f"max_name_length must be between 1 and {MAX_NAME_LENGTH}")

    @property
    def resolved_catalog_url(self) -> str:
        """The catalog URL actually used."""
        return self.catalog_url or sqlite_url(self.data_dir / "catalog.db")

    @property
    def store_dir(self) -> Path:
        """Root of the default local object store."""
        return self.data_dir / "store"

    @property
    def resolved_store_url(self) -> str:
        """The object store actually used: its URL, or the path of a local directory."""
        return self.store_url or str(self.store_dir)

    @property
    def uses_data_dir(self) -> bool:
        """Whether the catalog or the store lives in ``data_dir`` (not so for a replica)."""
        return self.catalog_url is None or self.store_url is None
