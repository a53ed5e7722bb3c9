"""The catalog: SQL tables for sequences, sessions, topics, chunks and their stats."""

from __future__ import annotations

from smalto.catalog.api_keys import ApiKeyRecord
from smalto.catalog.catalog import Catalog
from smalto.catalog.records import (
    ChunkRecord,
    ColumnStats,
    NewChunk,
    NotificationRecord,
    SequenceRecord,
    SessionRecord,
    StoreScope,
    TopicRecord,
)

__all__ = [
    "ApiKeyRecord",
    "Catalog",
    "ChunkRecord",
    "ColumnStats",
    "NewChunk",
    "NotificationRecord",
    "SequenceRecord",
    "SessionRecord",
    "StoreScope",
    "TopicRecord",
]
