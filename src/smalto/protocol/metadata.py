"""What GetFlightInfo and DoGet say about a resource (PROTOCOL.md §4.3 to 4.6).

The 0.3.2 keys come first and keep their exact shape; our additions (the sequence lock, the topic's
ontology tag, format, user metadata and row count) are extra keys the official client ignores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "LOCATION_SCHEME",
    "ContextKind",
    "MetadataKey",
    "SequenceAppMetadata",
    "SessionInfo",
    "TimestampRange",
    "TopicAppMetadata",
    "TopicInfo",
    "TopicProperties",
    "sequence_schema_metadata",
    "topic_location",
    "topic_schema_metadata",
]

LOCATION_SCHEME = "mosaico:"
"""Prefix of the one location URI of every topic endpoint (``mosaico:/seq/topic``)."""


class MetadataKey(str, Enum):
    """Schema-metadata keys."""

    CONTEXT = "mosaico:context"
    USER_METADATA = "mosaico:user_metadata"
    PROPERTIES = "mosaico:properties"


class ContextKind(str, Enum):
    """Value of ``mosaico:context``."""

    SEQUENCE = "sequence"
    TOPIC = "topic"


class _Lenient(BaseModel):
    """Parsed from the server: unknown keys are ignored so newer servers stay readable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class TimestampRange(_Lenient):
    """First and last ``timestamp_ns`` of a topic's rows, both inclusive."""

    start_ns: int
    end_ns: int


class TopicInfo(_Lenient):
    """Whole-topic statistics (not windowed): chunk count, bytes stored, time range."""

    chunks_number: int
    total_bytes: int
    timestamp: TimestampRange | None = None


class TopicProperties(_Lenient):
    """``mosaico:properties`` of a topic."""

    serialization_format: str
    ontology_tag: str


class TopicAppMetadata(_Lenient):
    """``app_metadata`` of a topic endpoint."""

    created_at_ns: int
    completed_at_ns: int | None = None
    locked: bool
    resource_locator: str
    info: TopicInfo
    ontology_tag: str | None = None
    serialization_format: str | None = None
    user_metadata: dict[str, JsonValue] = Field(default_factory=dict)
    row_count: int | None = None
    session_uuid: str | None = None


class SessionInfo(_Lenient):
    """One writing session of a sequence; ``topics`` are topic locators."""

    uuid: str
    created_at_ns: int
    completed_at_ns: int | None = None
    locked: bool = False
    topics: list[str] = Field(default_factory=list)


class SequenceAppMetadata(_Lenient):
    """``app_metadata`` of a sequence FlightInfo."""

    resource_locator: str
    created_at_ns: int
    sessions: list[SessionInfo] = Field(default_factory=list)
    user_metadata: dict[str, JsonValue] = Field(default_factory=dict)
    locked: bool = False


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def sequence_schema_metadata(user_metadata: Mapping[str, object]) -> dict[str, str]:
    """Schema metadata of a sequence FlightInfo (user metadata is never ``null``)."""
    return {
        MetadataKey.CONTEXT.value: ContextKind.SEQUENCE.value,
        MetadataKey.USER_METADATA.value: _json(dict(user_metadata)),
    }


def topic_schema_metadata(
    ontology_tag: str, serialization_format: str, user_metadata: Mapping[str, object]
) -> dict[str, str]:
    """Schema metadata of a topic FlightInfo and of every DoGet stream."""
    properties = {"serialization_format": serialization_format, "ontology_tag": ontology_tag}
    return {
        MetadataKey.CONTEXT.value: ContextKind.TOPIC.value,
        MetadataKey.PROPERTIES.value: _json(properties),
        MetadataKey.USER_METADATA.value: _json(dict(user_metadata)),
    }


def topic_location(topic_locator: str) -> str:
    """The location URI of a topic endpoint: ``seq/a/b`` → ``mosaico:/seq/a/b``."""
    return f"{LOCATION_SCHEME}/{topic_locator}"
