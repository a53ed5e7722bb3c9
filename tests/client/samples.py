"""Message factories and small helpers shared by the client tests (small, deterministic data)."""

from __future__ import annotations

from collections.abc import Iterable

from smalto.client import MosaicoClient, SequenceWriter
from smalto.ontology import GPS, IMU, Image, Message


def vec(x: float, y: float, z: float) -> dict[str, float]:
    """A 3-vector as the dict pydantic validates into the ontology's vector type."""
    return {"x": x, "y": y, "z": z}


def imu_message(i: int, timestamp_ns: int | None = None) -> Message:
    """An IMU reading whose values are derived from ``i``."""
    return Message(
        timestamp_ns=i * 1_000 if timestamp_ns is None else timestamp_ns,
        frame_id="imu_link",
        sequence_id=i,
        data=IMU(
            acceleration=vec(i * 0.5, -i * 0.25, 9.81),
            angular_velocity=vec(0.001 * i, 0.0, -0.002 * i),
        ),
    )


def gps_message(i: int, timestamp_ns: int | None = None) -> Message:
    """A GPS fix whose values are derived from ``i``."""
    return Message(
        timestamp_ns=i * 1_000 if timestamp_ns is None else timestamp_ns,
        recording_timestamp_ns=1_700_000_000_000_000_000 + i,
        data=GPS(position=vec(45.0 + i * 1e-6, 9.0 + i * 1e-6, 120.0 + i)),
    )


def image_message(i: int, timestamp_ns: int | None = None, size: int = 64) -> Message:
    """A tiny raw mono image whose bytes depend on ``i``."""
    width = 8
    return Message(
        timestamp_ns=i * 1_000 if timestamp_ns is None else timestamp_ns,
        data=Image(
            data=bytes((i + k) % 256 for k in range(size)),
            format="raw",
            width=width,
            height=size // width,
            stride=width,
            encoding="mono8",
            is_bigendian=False,
        ),
    )


def dumped(messages: Iterable[Message]) -> list[dict[str, object]]:
    """Messages as plain dicts, for comparisons."""
    return [message.model_dump() for message in messages]


def write_imu_sequence(
    client: MosaicoClient, name: str, count: int = 100, topic: str = "/imu"
) -> list[Message]:
    """Write one sequence with a single IMU topic of ``count`` messages; returns them."""
    messages = [imu_message(i) for i in range(count)]
    with client.sequence_create(name, {"kind": "test"}) as writer:
        imu = writer.topic_create(topic, {}, IMU)
        for message in messages:
            imu.push(message)
    return messages


def open_writer(client: MosaicoClient, name: str, **kwargs: object) -> SequenceWriter:
    """``client.sequence_create`` with empty metadata."""
    return client.sequence_create(name, {}, **kwargs)  # type: ignore[arg-type]
