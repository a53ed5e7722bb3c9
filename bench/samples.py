"""Sample data shared by the benchmarks: IMU messages at 1 kHz and their per-message upload."""

from __future__ import annotations

from smalto import IMU, Message, MosaicoClient, Quaternion, Vector3d

T0_NS = 1_700_000_000_000_000_000
"""Time of the first sample, ns since the Unix epoch."""


def imu_message(i: int) -> Message:
    """The ``i``-th validated IMU message of a 1 kHz stream."""
    return Message(
        timestamp_ns=T0_NS + i * 1_000_000,
        data=IMU(
            acceleration=Vector3d(x=0.001 * i, y=0.5, z=9.81),
            angular_velocity=Vector3d(x=0.0, y=0.01, z=-0.02),
            orientation=Quaternion(x=0.0, y=0.0, z=0.0, w=1.0),
        ),
    )


def push_imu(client: MosaicoClient, sequence: str, count: int) -> None:
    """Write ``count`` IMU messages one `push` at a time into ``sequence``'s ``/imu`` topic."""
    with client.sequence_create(sequence, {}) as writer:
        topic = writer.topic_create("/imu", {}, IMU)
        for i in range(count):
            topic.push(imu_message(i))
