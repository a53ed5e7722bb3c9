"""Server configuration: where data lives, where to listen, and the limits requests must respect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smalto.catalog.database import sqlite_url

__all__ = ["DEFAULT_PORT", "ServerSettings"]

DEFAULT_PORT = 6726


@dataclass(frozen=True)
class ServerSettings:
    """Everything `SmaltoServer` needs; every limit is enforced with an error naming it."""

    data_dir: Path = Path("smalto-data")
    """Holds the SQLite catalog (``catalog.db``) and the local object store (``store/``)."""
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    """TCP port; 0 picks a free one."""
    catalog_url: str | None = None
    """SQLAlchemy URL of the catalog; None means SQLite in ``data_dir``."""
    chunk_size_bytes: int = 64 * 1024 * 1024
    """In-memory Arrow bytes after which an upload's buffered rows become a chunk."""
    max_metadata_bytes: int = 1024 * 1024
    """Largest accepted user metadata, as compact JSON, in bytes."""
    max_action_body_bytes: int = 16 * 1024 * 1024
    """Largest accepted DoAction body, in bytes."""
    fsync: bool = True
    """fsync chunk objects before registering them (durability across power loss)."""

    @property
    def resolved_catalog_url(self) -> str:
        """The catalog URL actually used."""
        return self.catalog_url or sqlite_url(self.data_dir / "catalog.db")

    @property
    def store_dir(self) -> Path:
        """Root of the local object store."""
        return self.data_dir / "store"
