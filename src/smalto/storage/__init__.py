"""Chunk objects: the object store seam, key layout and the Parquet chunk codec."""

from __future__ import annotations

from smalto.storage.object_store import LocalObjectStore, ObjectStore

__all__ = ["LocalObjectStore", "ObjectStore"]
