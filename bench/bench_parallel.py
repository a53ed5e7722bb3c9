"""Four topics of one sequence uploaded in parallel vs one after another.

A 20 s recording: IMU at 1 kHz, GPS at 10 Hz and two raw 640x480 rgb8 cameras at 15 Hz (0.9 MB
a frame). Parallel: one thread per topic pushing into the same `SequenceWriter` (each topic has
its own DoPut stream, data connection and background lane). Sequential: the same four topics in
one thread, one topic after the other. Target: parallel >= 1.3x faster (ratio of rates; best of
`ROUNDS` alternating rounds each).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from bench import harness
from bench.harness import ROUNDS, Result, best_of, local_server
from bench.samples import T0_NS, imu_message
from smalto import GPS, IMU, Image, Message, Point3d
from smalto.client import MosaicoClient, SequenceWriter, TopicWriter

SECONDS = 20
WIDTH, HEIGHT = 640, 480


def _gps(i: int) -> Message:
    position = Point3d(x=45.0 + i * 1e-6, y=9.0, z=120.0)
    return Message(timestamp_ns=T0_NS + i * 100_000_000, data=GPS(position=position))


def _frame(pixels: bytes) -> Callable[[int], Message]:
    def frame(i: int) -> Message:
        image = Image(
            data=pixels,
            format="raw",
            width=WIDTH,
            height=HEIGHT,
            stride=WIDTH * 3,
            encoding="rgb8",
            is_bigendian=False,
        )
        return Message(timestamp_ns=T0_NS + i * 66_666_667, data=image)

    return frame


def _topics(seconds: int) -> list[tuple[str, type, int, Callable[[int], Message]]]:
    """(name, ontology, message count, message factory) of each topic."""
    left, right = os.urandom(WIDTH * HEIGHT * 3), os.urandom(WIDTH * HEIGHT * 3)
    return [
        ("imu", IMU, seconds * 1000, imu_message),
        ("gps", GPS, seconds * 10, _gps),
        ("camera_left", Image, seconds * 15, _frame(left)),
        ("camera_right", Image, seconds * 15, _frame(right)),
    ]


def _push(topic: TopicWriter, count: int, make: Callable[[int], Message]) -> None:
    for i in range(count):
        topic.push(make(i))
    topic.finalize()


def _sequential(client: MosaicoClient, name: str, seconds: int) -> None:
    with client.sequence_create(name, {}) as writer:
        for topic, cls, count, make in _topics(seconds):
            _push(writer.topic_create(topic, {}, cls), count, make)


def _parallel(client: MosaicoClient, name: str, seconds: int) -> None:
    with client.sequence_create(name, {}) as writer:
        threads = [_thread(writer, *spec) for spec in _topics(seconds)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _thread(
    writer: SequenceWriter, topic: str, cls: type, count: int, make: Callable[[int], Message]
) -> threading.Thread:
    created = writer.topic_create(topic, {}, cls)
    assert created is not None
    return threading.Thread(target=_push, args=(created, count, make), name=topic)


def run(seconds: int = SECONDS) -> list[Result]:
    """Parallel and sequential upload of the same recording; rates in recorded s per s."""
    with local_server() as (_store, client):
        sequential_s, parallel_s = best_of(
            ROUNDS,
            lambda round_number: _sequential(client, f"bench_sequential_{round_number}", seconds),
            lambda round_number: _parallel(client, f"bench_parallel_{round_number}", seconds),
        )
        for name in ("bench_sequential_0", "bench_parallel_0"):
            handler = client.sequence_handler(name)
            assert handler is not None and len(handler.topics) == 4
    return [
        Result(
            "4 topics (IMU, GPS, 2 cameras) parallel vs sequential",
            seconds / parallel_s,
            seconds / sequential_s,
            "rec s/s",
            ">= 1.3",
        )
    ]


if __name__ == "__main__":
    harness.main(run, SECONDS)
