"""The message envelope: the columns every topic row starts with (PROTOCOL.md §7.1).

All times are int64 nanoseconds. ``timestamp_ns`` is the event/acquisition time and the time
axis the server sorts and windows by; ``recording_timestamp_ns`` is when the original recorder
stored the record (e.g. the bag time); ``sequence_id`` is the legacy per-topic counter.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = ["ENVELOPE_FIELD_NAMES", "ENVELOPE_SCHEMA"]

_ENVELOPE_FIELDS: list[pa.Field[Any]] = [
    pa.field("timestamp_ns", pa.int64(), nullable=False),
    pa.field("recording_timestamp_ns", pa.int64()),
    pa.field("frame_id", pa.string()),
    pa.field("sequence_id", pa.uint32()),
]

ENVELOPE_SCHEMA = pa.schema(_ENVELOPE_FIELDS)
"""The four envelope columns, in wire order, without metadata."""

ENVELOPE_FIELD_NAMES: tuple[str, ...] = tuple(ENVELOPE_SCHEMA.names)
"""Names an ontology field may not take, since its columns sit beside these."""
