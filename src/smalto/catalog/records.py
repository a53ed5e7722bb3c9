"""What the catalog hands out: frozen snapshots of its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ChunkRecord",
    "ColumnStats",
    "NewChunk",
    "NotificationRecord",
    "SequenceRecord",
    "SessionRecord",
    "StoreScope",
    "TopicRecord",
]


@dataclass(frozen=True)
class SequenceRecord:
    """A sequence (recording)."""

    id: int
    uuid: str
    name: str
    user_metadata: dict[str, Any]
    created_at_ns: int
    locked: bool


@dataclass(frozen=True)
class SessionRecord:
    """A writing session; ``topic_paths`` are the paths of the topics it created."""

    id: int
    uuid: str
    sequence_id: int
    created_at_ns: int
    completed_at_ns: int | None
    locked: bool
    topic_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicRecord:
    """A topic (one sensor stream) with its whole-topic statistics."""

    id: int
    uuid: str
    sequence_id: int
    sequence_uuid: str
    sequence_name: str
    session_id: int
    session_uuid: str
    path: str
    ontology_tag: str
    serialization_format: str
    user_metadata: dict[str, Any]
    arrow_schema: bytes | None
    created_at_ns: int
    completed_at_ns: int | None
    locked: bool
    upload_instance: str | None
    chunk_count: int
    total_bytes: int
    row_count: int
    start_ns: int | None
    end_ns: int | None

    @property
    def uploading(self) -> bool:
        """Whether a server instance holds this topic's upload claim."""
        return self.upload_instance is not None

    @property
    def locator(self) -> str:
        """``sequence/topic/path``."""
        return f"{self.sequence_name}/{self.path}"


@dataclass(frozen=True)
class ColumnStats:
    """Statistics of one leaf column (dotted path) of one chunk.

    Numeric bounds are widened outward when a 64-bit integer does not fit a double exactly, so
    pruning with them never drops a chunk that holds a match.
    """

    column_path: str
    null_count: int
    has_nan: bool = False
    min_number: float | None = None
    max_number: float | None = None
    min_text: str | None = None
    max_text: str | None = None


@dataclass(frozen=True)
class NewChunk:
    """A chunk object already written to the store, about to be registered."""

    chunk_index: int
    object_key: str
    size_bytes: int
    row_count: int
    start_ns: int
    end_ns: int
    columns: tuple[ColumnStats, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ChunkRecord:
    """A registered chunk: one Parquet object, rows sorted by ``timestamp_ns``."""

    id: int
    topic_id: int
    chunk_index: int
    object_key: str
    size_bytes: int
    row_count: int
    start_ns: int
    end_ns: int


@dataclass(frozen=True)
class NotificationRecord:
    """A notification attached to a sequence (``topic_path`` None) or to one of its topics."""

    sequence_name: str
    topic_path: str | None
    notification_type: str
    message: str
    created_at_ns: int


@dataclass(frozen=True)
class StoreScope:
    """Objects that belong to a removed sequence (``topic_uuid`` None) or topic."""

    sequence_uuid: str
    topic_uuid: str | None = None
