"""Chunk objects: the object store seam, key layout and the Parquet chunk codec."""

from __future__ import annotations

from smalto.storage.object_store import LocalObjectStore, ObjectStore
from smalto.storage.store_url import open_object_store

__all__ = ["LocalObjectStore", "ObjectStore", "open_object_store"]
