"""smalto's SDK side of the cross-SDK scenarios: the same sample messages, smalto's types."""

from __future__ import annotations

from typing import Any

import smalto
from smalto.ontology import Int64, Serializable, UInt32
from tests.compat.scripts import samples


class WheelTicks(Serializable):
    """The scripts' user ontology, declared with smalto's annotations (tag ``wheel_ticks``)."""

    left: UInt32
    right: Int64
    label: str | None = None


TYPES: dict[str, type[Serializable]] = {
    "imu": smalto.IMU,
    "gps": smalto.GPS,
    "image": smalto.Image,
    "compressed_image": smalto.CompressedImage,
    "robot_joint": smalto.RobotJoint,
    "wheel_ticks": WheelTicks,
}


def build(topic: str, i: int) -> smalto.Message:
    """Sample message ``i`` of ``topic`` as a smalto `Message`."""
    raw = samples.message(topic, i)
    data = TYPES[samples.TOPICS[topic]].model_validate(raw.pop("data"))
    return smalto.Message(data=data, **raw)


def canonical(message: smalto.Message) -> dict[str, Any]:
    """A read-back smalto message in the samples' normalized form."""
    return samples.normalize(
        {
            "timestamp_ns": message.timestamp_ns,
            "recording_timestamp_ns": message.recording_timestamp_ns,
            "frame_id": message.frame_id,
            "sequence_id": message.sequence_id,
            "data": message.data.model_dump(),
        }
    )


def write_sequence(client: smalto.MosaicoClient, name: str, count: int) -> str:
    """Write every sample topic with smalto's SDK; returns the session uuid."""
    with client.sequence_create(name, samples.SEQUENCE_METADATA) as writer:
        writers = {
            topic: writer.topic_create(topic, {"topic": topic, "rate": {"hz": 100}}, TYPES[tag])
            for topic, tag in samples.TOPICS.items()
        }
        orders = {topic: samples.push_order(count, topic) for topic in writers}
        for k in range(count):
            for topic, topic_writer in writers.items():
                topic_writer.push(build(topic, orders[topic][k]))
    return writer.session_uuid
