"""What every request handler shares: settings, catalog and object store."""

from __future__ import annotations

from dataclasses import dataclass

from smalto.catalog import Catalog, StoreScope
from smalto.server.settings import ServerSettings
from smalto.storage import LocalObjectStore, ObjectStore
from smalto.storage.keys import sequence_prefix, topic_prefix

__all__ = ["ServerState"]


@dataclass
class ServerState:
    """The server's backends."""

    settings: ServerSettings
    catalog: Catalog
    store: ObjectStore

    @classmethod
    def open(cls, settings: ServerSettings) -> ServerState:
        """Open (and migrate) the catalog and the store the settings name."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(settings.resolved_catalog_url)
        store = LocalObjectStore(settings.store_dir, fsync=settings.fsync)
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
