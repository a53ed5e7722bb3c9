"""Reading what GetFlightInfo and DoGet say about a sequence or topic (PROTOCOL.md §4.3 to 4.6)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.flight as flight
from pydantic import JsonValue, ValidationError

from smalto.errors import InvalidRequest, SmaltoError
from smalto.protocol.locators import split_topic_locator, topic_name
from smalto.protocol.metadata import (
    MetadataKey,
    SequenceAppMetadata,
    TopicAppMetadata,
    TopicProperties,
)

__all__ = [
    "TopicEndpoint",
    "datetime_from_ns",
    "schema_metadata",
    "sequence_app_metadata",
    "topic_endpoints",
    "topic_properties",
    "user_metadata",
]


@dataclass(frozen=True)
class TopicEndpoint:
    """One topic endpoint: its names, the opaque DoGet ticket and its app metadata."""

    name: str
    """Topic name, with a leading ``/``."""
    locator: str
    """Topic locator (``seq/a/b``)."""
    ticket: flight.Ticket
    metadata: TopicAppMetadata

    @property
    def has_data(self) -> bool:
        """Whether the topic holds rows (its whole-topic time range is known)."""
        return self.metadata.info.timestamp is not None


def datetime_from_ns(timestamp_ns: int) -> datetime:
    """Unix-epoch nanoseconds → aware UTC datetime (microsecond precision)."""
    seconds, nanos = divmod(timestamp_ns, 1_000_000_000)
    epoch = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return epoch + timedelta(microseconds=nanos // 1000)


def schema_metadata(schema: pa.Schema) -> dict[str, str]:
    """Schema metadata decoded to text (empty when there is none)."""
    raw = schema.metadata or {}
    return {
        (k.decode() if isinstance(k, bytes) else str(k)): (
            v.decode() if isinstance(v, bytes) else str(v)
        )
        for k, v in raw.items()
    }


def _json_object(text: str | None, what: str) -> dict[str, JsonValue]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SmaltoError(f"the server sent invalid JSON as {what}: {exc}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SmaltoError(f"the server sent {what} that is not a JSON object")
    return value


def user_metadata(schema: pa.Schema) -> dict[str, JsonValue]:
    """The user metadata a FlightInfo or DoGet schema carries (``mosaico:user_metadata``)."""
    text = schema_metadata(schema).get(MetadataKey.USER_METADATA.value)
    return _json_object(text, "user metadata")


def topic_properties(schema: pa.Schema) -> TopicProperties:
    """Ontology tag and serialization format of a topic schema (``mosaico:properties``)."""
    text = schema_metadata(schema).get(MetadataKey.PROPERTIES.value)
    if text is None:
        raise SmaltoError("the server sent a topic schema without 'mosaico:properties'")
    try:
        return TopicProperties.model_validate_json(text)
    except ValidationError as exc:
        raise SmaltoError(f"the server sent invalid topic properties: {exc}") from None


def sequence_app_metadata(info: flight.FlightInfo) -> SequenceAppMetadata:
    """The sequence description carried in ``FlightInfo.app_metadata``."""
    try:
        return SequenceAppMetadata.model_validate_json(info.app_metadata or b"")
    except ValidationError as exc:
        raise SmaltoError(f"the server sent an invalid sequence description: {exc}") from None


def _endpoint(endpoint: flight.FlightEndpoint) -> TopicEndpoint:
    try:
        metadata = TopicAppMetadata.model_validate_json(endpoint.app_metadata or b"")
        sequence, path = split_topic_locator(metadata.resource_locator)
    except (ValidationError, InvalidRequest) as exc:
        raise SmaltoError(f"the server sent an invalid topic endpoint: {exc}") from None
    return TopicEndpoint(
        name=topic_name(path),
        locator=f"{sequence}/{path}",
        ticket=endpoint.ticket,
        metadata=metadata,
    )


def topic_endpoints(info: flight.FlightInfo) -> list[TopicEndpoint]:
    """The topic endpoints of a FlightInfo, in the server's order."""
    return [_endpoint(endpoint) for endpoint in info.endpoints]
