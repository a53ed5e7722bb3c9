"""Flight descriptors and tickets: what DoPut, GetFlightInfo and DoGet carry (PROTOCOL.md §3 to 4).

Tickets are opaque to clients. Ours are versioned JSON naming the topic by its internal uuid, the
time window (start inclusive, end exclusive, int64 ns) and, as our extensions, a column projection
and the stream encoding (`smalto.protocol.parquet_parts`).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smalto.errors import InvalidRequest

__all__ = [
    "TICKET_VERSION",
    "FlightInfoCommand",
    "PutCommand",
    "StreamEncoding",
    "TopicTicket",
    "decode_command",
]

TICKET_VERSION = 1
"""Version stamped on every ticket; a ticket of another version is refused."""

StreamEncoding = Literal["parquet"]
"""DoGet encodings besides the standard Arrow stream (`smalto.protocol.parquet_parts`)."""

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


_CommandT = TypeVar("_CommandT", bound=_Command)


class PutCommand(_Command):
    """DoPut descriptor command: the topic being uploaded and its write token (topic uuid)."""

    resource_locator: str
    topic_uuid: str


class FlightInfoCommand(_Command):
    """GetFlightInfo descriptor command: a sequence or topic, and an optional time window (ns)."""

    resource_locator: str
    timestamp_ns_start: int | None = Field(default=None, ge=_INT64_MIN, le=_INT64_MAX)
    timestamp_ns_end: int | None = Field(default=None, ge=_INT64_MIN, le=_INT64_MAX)
    columns: list[str] | None = None
    """Extension: project the data to these top-level columns (``timestamp_ns`` always kept)."""
    encoding: StreamEncoding | None = None
    """Extension: ``"parquet"`` makes the tickets stream Parquet parts instead of record batches
    (`smalto.protocol.parquet_parts`); None is the standard Arrow stream."""


class TopicTicket(_Command):
    """DoGet ticket for one topic (our encoding; clients never look inside)."""

    v: int = TICKET_VERSION
    topic_uuid: str
    start_ns: int | None = None
    end_ns: int | None = None
    columns: list[str] | None = None
    encoding: StreamEncoding | None = None

    def encode(self) -> bytes:
        """The ticket bytes."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def decode(cls, raw: bytes) -> TopicTicket:
        """Parse ticket bytes; `InvalidRequest` for anything we did not issue."""
        ticket = decode_command("ticket", raw, cls)
        if ticket.v != TICKET_VERSION:
            raise InvalidRequest(f"ticket version {ticket.v} is not supported; ask for a new one")
        return ticket


def decode_command(kind: str, raw: bytes, model: type[_CommandT]) -> _CommandT:
    """Validate a JSON command or ticket, mapping failures to `InvalidRequest`."""
    if not raw:
        raise InvalidRequest(f"the {kind} is empty; expected a JSON object")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidRequest(f"invalid {kind}: {problems}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidRequest(f"the {kind} is not valid JSON: {exc}") from None
