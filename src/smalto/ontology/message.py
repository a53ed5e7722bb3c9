"""`Message`: one timestamped ontology object, the unit topic writers push and readers yield."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, InstanceOf, SerializeAsAny

from smalto.ontology.serializable import Serializable, ontology_tag
from smalto.ontology.types import Int64, UInt32

__all__ = ["Message"]


class Message(BaseModel):
    """One row of a topic: envelope times and ids plus the ontology object in ``data``.

    Build it with keywords: ``Message(timestamp_ns=t, data=IMU(...))``. Times are int64
    nanoseconds; ``timestamp_ns`` is the event (acquisition) time the server orders and windows
    by, ``recording_timestamp_ns`` the time the original recorder stored the record.
    """

    model_config = ConfigDict(extra="forbid")

    timestamp_ns: Int64
    """Event/acquisition time, int64 ns (the topic's time axis)."""
    data: SerializeAsAny[InstanceOf[Serializable]]
    """The ontology object carried by this row."""
    recording_timestamp_ns: Int64 | None = None
    """When the original recorder stored the record (e.g. bag time), int64 ns."""
    frame_id: str | None = None
    """Coordinate frame the data is expressed in."""
    sequence_id: UInt32 | None = None
    """Legacy per-topic counter (uint32)."""

    @property
    def ontology_tag(self) -> str:
        """The tag of ``data``'s class (e.g. ``"imu"``)."""
        return ontology_tag(type(self.data))
