"""Helpers for the scripts that drive the official ``mosaicolabs`` SDK (run in .venv-compat).

Only the SDK's public API is used. Scripts take ``<host> <port>`` first and print one JSON
document on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyarrow as pa
import samples
from mosaicolabs import (
    GPS,
    IMU,
    CompressedImage,
    Image,
    Message,
    MosaicoClient,
    RobotJoint,
    Serializable,
)


class WheelTicks(Serializable):
    """A user ontology defined the way the official docs show (tag ``wheel_ticks``)."""

    __msco_pyarrow_struct__ = pa.struct(
        [
            pa.field("left", pa.uint32(), nullable=False),
            pa.field("right", pa.int64(), nullable=False),
            pa.field("label", pa.string()),
        ]
    )

    left: int
    right: int
    label: str | None = None


TYPES: dict[str, type[Serializable]] = {
    "imu": IMU,
    "gps": GPS,
    "image": Image,
    "compressed_image": CompressedImage,
    "robot_joint": RobotJoint,
    "wheel_ticks": WheelTicks,
}


def connect() -> MosaicoClient:
    """Connect to ``sys.argv[1]:sys.argv[2]``."""
    return MosaicoClient.connect(sys.argv[1], int(sys.argv[2]), timeout=10)


def args() -> list[str]:
    """The script's own arguments (after host and port)."""
    return sys.argv[3:]


def build(topic: str, i: int) -> Message:
    """Sample message ``i`` of ``topic`` as an official `Message`."""
    raw = samples.message(topic, i)
    data = TYPES[samples.TOPICS[topic]].model_validate(raw.pop("data"))
    return Message(data=data, **raw)


def canonical(message: Message) -> dict[str, Any]:
    """A read-back message in the samples' normalized form."""
    return samples.normalize(
        {
            "timestamp_ns": message.timestamp_ns,
            "recording_timestamp_ns": message.recording_timestamp_ns,
            "frame_id": message.frame_id,
            "sequence_id": message.sequence_id,
            "data": message.data.model_dump(),
        }
    )


def write_topics(writer: Any, count: int, topics: list[str] | None = None) -> None:
    """Create the sample topics on ``writer`` and push ``count`` messages to each, interleaved."""
    names = topics or list(samples.TOPICS)
    writers = {
        name: writer.topic_create(
            name, {"topic": name, "rate": {"hz": 100}}, TYPES[samples.TOPICS[name]]
        )
        for name in names
    }
    orders = {name: samples.push_order(count, name) for name in names}
    for k in range(count):
        for name in names:
            writers[name].push(build(name, orders[name][k]))


def emit(document: Any) -> None:
    """Print the script's answer."""
    json.dump(document, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
