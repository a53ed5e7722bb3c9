"""The official SDK's half of `bench_compat`: run in .venv-compat, never imported by smalto.

``official_imu.py <host> <port> <sequence> <count>`` writes ``count`` IMU messages to
``<sequence>/imu``, reads them back one message at a time and prints
``{"write_s": …, "read_s": …, "read_count": …}`` (seconds, wall clock).
"""

from __future__ import annotations

import json
import sys
import time

from mosaicolabs import IMU, Message, MosaicoClient
from mosaicolabs.models.data import Quaternion, Vector3d

T0_NS = 1_700_000_000_000_000_000


def _message(i: int) -> Message:
    return Message(
        timestamp_ns=T0_NS + i * 1_000_000,
        data=IMU(
            acceleration=Vector3d(x=0.001 * i, y=0.5, z=9.81),
            angular_velocity=Vector3d(x=0.0, y=0.01, z=-0.02),
            orientation=Quaternion(x=0.0, y=0.0, z=0.0, w=1.0),
        ),
    )


def main() -> None:
    """Time one write and one per-message read."""
    host, port, sequence, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    with MosaicoClient.connect(host, port, timeout=30) as client:
        start = time.perf_counter()
        with client.sequence_create(sequence, {}) as writer:
            topic = writer.topic_create("/imu", {}, IMU)
            for i in range(count):
                topic.push(_message(i))
        write_s = time.perf_counter() - start
        handler = client.topic_handler(sequence, "/imu")
        assert handler is not None
        start = time.perf_counter()
        read_count = sum(1 for _ in handler.get_data_streamer())
        read_s = time.perf_counter() - start
    json.dump({"write_s": write_s, "read_s": read_s, "read_count": read_count}, sys.stdout)


if __name__ == "__main__":
    main()
