"""What every request handler shares: settings, catalog and object store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from smalto.catalog import Catalog, StoreScope
from smalto.server.settings import ServerSettings
from smalto.storage import ObjectStore, open_object_store
from smalto.storage.buffer_pool import BufferPool
from smalto.storage.keys import sequence_prefix, topic_prefix

__all__ = ["KEPT_CHUNK_BUFFERS", "ServerState", "open_store"]

KEPT_CHUNK_BUFFERS = 4
"""Chunk output buffers kept for reuse (an upload has up to three chunks in flight; about
4 x 72 MiB with the default chunk size)."""


def open_store(settings: ServerSettings) -> ObjectStore:
    """The object store ``settings`` name (checked reachable; errors name its URL)."""
    return open_object_store(
        settings.resolved_store_url,
        fsync=settings.fsync,
        direct_io=settings.direct_io,
        s3_endpoint=settings.s3_endpoint,
        s3_region=settings.s3_region,
    )


@dataclass
class ServerState:
    """The server's backends."""

    settings: ServerSettings
    catalog: Catalog
    store: ObjectStore
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    """This server process's identity in the catalog (it holds the upload claims)."""
    buffers: BufferPool = field(default_factory=lambda: BufferPool(keep=KEPT_CHUNK_BUFFERS))
    """Output buffers chunks are encoded into, reused from one chunk to the next."""

    @classmethod
    def open(cls, settings: ServerSettings) -> ServerState:
        """Open (and migrate) the catalog and the store the settings name."""
        if settings.uses_data_dir:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(settings.resolved_catalog_url)
        try:
            store = open_store(settings)
        except BaseException:
            catalog.close()
            raise
        return cls(settings=settings, catalog=catalog, store=store)

    def drop_objects(self, scopes: list[StoreScope]) -> None:
        """Delete the objects of removed sequences/topics (called after the catalog commit)."""
        for scope in scopes:
            if scope.topic_uuid is None:
                self.store.delete_prefix(sequence_prefix(scope.sequence_uuid))
            else:
                self.store.delete_prefix(topic_prefix(scope.sequence_uuid, scope.topic_uuid))

    def close(self) -> None:
        """Release the catalog."""
        self.catalog.close()
