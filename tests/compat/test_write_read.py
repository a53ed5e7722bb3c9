"""Scenarios 2 and 3: the official SDK writes every sample topic and reads it back.

One sequence of six topics (imu, gps, image, compressed_image, robot_joint and a user ontology),
written once per module; reads check the handlers' properties and the exact messages of full,
windowed and topic-restricted streams, merged in timestamp order.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import smalto
from tests.compat.conftest import ServeProcess
from tests.compat.scripts import samples

pytestmark = pytest.mark.e2e

COUNT = 2_000
SEQUENCE = "official_sensors"
FORMATS = {"image": "image", "compressed_image": "image"}
CLASS_NAMES = {
    "imu": "IMU",
    "gps": "GPS",
    "image": "Image",
    "compressed_image": "CompressedImage",
    "robot_joint": "RobotJoint",
    "wheel_ticks": "WheelTicks",
}


@pytest.fixture(scope="module")
def written(serve: ServeProcess) -> dict[str, Any]:
    """Write the sequence with the official SDK; returns its answer plus the time bounds (ns)."""
    before = time.time_ns()
    answer = serve.run("write_sequence", SEQUENCE, COUNT)
    return {**answer, "before_ns": before, "after_ns": time.time_ns()}


@pytest.fixture(scope="module")
def full_read(serve: ServeProcess, written: dict[str, Any]) -> Any:
    """Everything the official SDK reads back without a window."""
    return serve.run("read_sequence", SEQUENCE, "--per-topic")


def _bounds(topic: str) -> tuple[int, int]:
    return samples.timestamp_ns(topic, 0), samples.timestamp_ns(topic, COUNT - 1)


def test_clean_finalize(written: dict[str, Any]) -> None:
    assert written["status"] == "finalized"


def test_sequence_handler_properties(
    serve: ServeProcess, written: dict[str, Any], full_read: Any
) -> None:
    sequence = full_read["sequence"]
    topics = list(samples.TOPICS)
    low = min(_bounds(t)[0] for t in topics)
    high = max(_bounds(t)[1] for t in topics)
    session = sequence["sessions"][0]
    assert written["before_ns"] <= sequence["created_timestamp"] <= session["created_timestamp"]
    assert session["created_timestamp"] <= session["completed_timestamp"] <= written["after_ns"]
    assert sequence == {
        "name": SEQUENCE,
        "topics": topics,
        "user_metadata": samples.SEQUENCE_METADATA,
        "created_timestamp": sequence["created_timestamp"],
        "updated_timestamps": [session["created_timestamp"]],
        "total_size_bytes": serve.stored_bytes(),
        "timestamp_ns_min": low,
        "timestamp_ns_max": high,
        "sessions": [
            {
                "uuid": written["session_uuid"],
                "created_timestamp": session["created_timestamp"],
                "locked": True,
                "completed_timestamp": session["completed_timestamp"],
                "topics": topics,
            }
        ],
    }


def test_topic_handler_properties(written: dict[str, Any], full_read: Any) -> None:
    created = full_read["sequence"]["created_timestamp"]
    assert list(full_read["topics"]) == list(samples.TOPICS)
    total = 0
    for name, tag in samples.TOPICS.items():
        topic = full_read["topics"][name]
        assert created <= topic["created_timestamp"] <= written["after_ns"]
        assert topic["total_size_bytes"] > 0
        total += topic["total_size_bytes"]
        assert topic == {
            "name": name,
            "sequence_name": SEQUENCE,
            "user_metadata": {"topic": name, "rate": {"hz": 100}},
            "created_timestamp": topic["created_timestamp"],
            "locked": True,
            "chunks_number": 1,
            "ontology_tag": tag,
            "serialization_format": FORMATS.get(tag, "default"),
            "total_size_bytes": topic["total_size_bytes"],
            "timestamp_ns_min": _bounds(name)[0],
            "timestamp_ns_max": _bounds(name)[1],
        }, name
    assert total == full_read["sequence"]["total_size_bytes"]


def test_full_sequence_stream_is_merged_in_timestamp_order(full_read: Any) -> None:
    assert full_read["types"] == {t: CLASS_NAMES[tag] for t, tag in samples.TOPICS.items()}
    stream = full_read["stream"]
    assert len(stream) == COUNT * len(samples.TOPICS)
    assert stream == samples.expected_stream(COUNT)


def test_full_topic_streams(full_read: Any) -> None:
    for name in samples.TOPICS:
        expected = [row[1] for row in samples.expected_stream(COUNT, [name])]
        assert full_read["per_topic"][name] == expected, name


def test_windowed_sequence_and_topic_streams(serve: ServeProcess, written: dict[str, Any]) -> None:
    # start is an IMU timestamp (inclusive), end a GPS timestamp (exclusive)
    start = samples.timestamp_ns("/sensors/imu", 500)
    end = samples.timestamp_ns("/sensors/gps", 300)
    read = serve.run("read_sequence", SEQUENCE, "--start", start, "--end", end, "--per-topic")
    expected = samples.expected_stream(COUNT, start_ns=start, end_ns=end)
    assert read["stream"][0] == expected[0]
    assert read["stream"][0][1]["timestamp_ns"] == start
    assert read["stream"][-1][1]["timestamp_ns"] < end
    assert read["stream"] == expected
    for name in samples.TOPICS:
        window = samples.expected_stream(COUNT, [name], start, end)
        assert read["per_topic"][name] == [row[1] for row in window], name


def test_topic_subset_with_open_window(serve: ServeProcess, written: dict[str, Any]) -> None:
    subset = ["/wheel/ticks", "/camera/jpeg"]
    start = samples.timestamp_ns("/camera/jpeg", COUNT - 100)
    read = serve.run(
        "read_sequence", SEQUENCE, "--start", start, "--topics", ",".join(subset), "--per-topic"
    )
    assert read["stream"] == samples.expected_stream(COUNT, subset, start_ns=start)
    assert sorted(read["per_topic"]) == sorted(subset)


def test_smalto_sdk_sees_the_same_handlers(
    serve: ServeProcess, written: dict[str, Any], full_read: Any
) -> None:
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        handler = client.sequence_handler(SEQUENCE)
        assert handler is not None
        official = full_read["sequence"]
        assert handler.topics == official["topics"]
        assert handler.user_metadata == official["user_metadata"]
        assert handler.created_timestamp == official["created_timestamp"]
        assert handler.total_size_bytes == official["total_size_bytes"]
        assert handler.timestamp_ns_min == official["timestamp_ns_min"]
        assert handler.timestamp_ns_max == official["timestamp_ns_max"]
        assert [s.uuid for s in handler.sessions] == [written["session_uuid"]]
