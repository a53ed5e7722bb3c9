"""Enumerations shared by the SDK, the server and the wire protocol."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "APIKeyPermissionEnum",
    "NotifyType",
    "SequenceStatus",
    "SerializationFormat",
    "SessionLevelErrorPolicy",
    "SessionStatus",
    "TopicLevelErrorPolicy",
    "TopicWriterStatus",
]


class _StrEnum(str, Enum):
    """A string enum whose ``str()`` is its wire value (``enum.StrEnum`` needs Python 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


class SerializationFormat(_StrEnum):
    """How a topic's rows are laid out; picks client batching and server Parquet settings."""

    Default = "default"
    """Fixed-width tabular data (scalars, vectors, IMU …)."""
    Ragged = "ragged"
    """Variable-length lists (point clouds, detections)."""
    Image = "image"
    """Binary blobs that are already compressed or large (images)."""


class SequenceStatus(Enum):
    """Lifecycle of a `SequenceWriter`: Null → Pending → Finalized | Error."""

    Null = "null"
    Pending = "pending"
    Finalized = "finalized"
    Error = "error"


class SessionStatus(Enum):
    """Lifecycle of a writing session (writer or updater): Null → Pending → Finalized | Error."""

    Null = "null"
    Pending = "pending"
    Finalized = "finalized"
    Error = "error"


class SessionLevelErrorPolicy(Enum):
    """What a writer does with its session when its ``with`` block fails."""

    Report = "report"
    """Keep what reached the server, attach an error notification, finalize (default)."""
    Delete = "delete"
    """Remove the new sequence (writer) or the new session (updater) entirely."""


class TopicLevelErrorPolicy(Enum):
    """What a `TopicWriter` used as a ``with`` block does with an exception raised inside it."""

    Raise = "raise"
    """Let the exception reach the session block (default)."""
    Ignore = "ignore"
    """Report it as a topic notification, keep the stream open, suppress the exception."""
    Finalize = "finalize"
    """Report it, close the topic with the data already sent, suppress the exception."""


class TopicWriterStatus(Enum):
    """Lifecycle of one `TopicWriter`."""

    Active = "active"
    Finalized = "finalized"
    FinalizedWithError = "finalized_with_error"
    IgnoredLastError = "ignored_last_error"


class NotifyType(_StrEnum):
    """Kind of a server-side notification."""

    ERROR = "error"


class APIKeyPermissionEnum(_StrEnum):
    """API-key permission levels, strictly ordered read < write < delete < manage."""

    Read = "read"
    Write = "write"
    Delete = "delete"
    Manage = "manage"

    @property
    def rank(self) -> int:
        """Position in the hierarchy (read = 0 … manage = 3)."""
        return list(APIKeyPermissionEnum).index(self)

    def allows(self, required: APIKeyPermissionEnum) -> bool:
        """Whether a key with this level may do what ``required`` demands."""
        return self.rank >= required.rank
