"""Scenario 6: data moves between the SDKs: official writes → smalto reads, and the reverse.

Same sample messages, same ontology types on both sides, compared field by field.
"""

from __future__ import annotations

from typing import Any

import pytest

import smalto
from tests.compat import smalto_side
from tests.compat.conftest import ServeProcess
from tests.compat.scripts import samples

pytestmark = pytest.mark.e2e

COUNT = 1_000


OFFICIAL = "written_by_official"


@pytest.fixture(scope="module")
def official_written(serve: ServeProcess) -> dict[str, Any]:
    """The sample sequence, written once by the official SDK."""
    answer: dict[str, Any] = serve.run("write_sequence", OFFICIAL, COUNT)
    return answer


def test_official_writes_smalto_reads(
    serve: ServeProcess, official_written: dict[str, Any]
) -> None:
    name, answer = OFFICIAL, official_written
    assert answer["status"] == "finalized"
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        handler = client.sequence_handler(name)
        assert handler is not None
        assert handler.topics == list(samples.TOPICS)
        assert handler.user_metadata == samples.SEQUENCE_METADATA
        assert [s.uuid for s in handler.sessions] == [answer["session_uuid"]]
        stream: list[Any] = []
        types: dict[str, type] = {}
        for topic, message in handler.get_data_streamer():
            stream.append([topic, smalto_side.canonical(message)])
            types[topic] = type(message.data)
        assert stream == samples.expected_stream(COUNT)
        assert types == {t: smalto_side.TYPES[tag] for t, tag in samples.TOPICS.items()}
        for topic, tag in samples.TOPICS.items():
            topic_handler = client.topic_handler(name, topic)
            assert topic_handler is not None
            assert topic_handler.ontology_tag == tag
            assert topic_handler.user_metadata == {"topic": topic, "rate": {"hz": 100}}
            assert topic_handler.to_arrow().num_rows == COUNT


def test_smalto_writes_official_reads(serve: ServeProcess) -> None:
    name = "written_by_smalto"
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        session_uuid = smalto_side.write_sequence(client, name, COUNT)
    read = serve.run("read_sequence", name, "--per-topic")
    assert read["stream"] == samples.expected_stream(COUNT)
    assert read["types"] == {
        "/sensors/imu": "IMU",
        "/sensors/gps": "GPS",
        "/camera/raw": "Image",
        "/camera/jpeg": "CompressedImage",
        "/arm/joints": "RobotJoint",
        "/wheel/ticks": "WheelTicks",
    }
    for topic in samples.TOPICS:
        expected = [row[1] for row in samples.expected_stream(COUNT, [topic])]
        assert read["per_topic"][topic] == expected, topic
    sequence = read["sequence"]
    assert sequence["user_metadata"] == samples.SEQUENCE_METADATA
    assert [s["uuid"] for s in sequence["sessions"]] == [session_uuid]
    assert sequence["topics"] == list(samples.TOPICS)
    for topic, tag in samples.TOPICS.items():
        assert read["topics"][topic]["ontology_tag"] == tag
        assert read["topics"][topic]["locked"] is True


def test_windowed_cross_reads_agree(serve: ServeProcess, official_written: Any) -> None:
    name = OFFICIAL
    start = samples.timestamp_ns("/sensors/gps", 10)
    end = samples.timestamp_ns("/arm/joints", 400)
    official = serve.run("read_sequence", name, "--start", start, "--end", end)
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        handler = client.sequence_handler(name)
        assert handler is not None
        ours = [
            [topic, smalto_side.canonical(message)]
            for topic, message in handler.get_data_streamer(
                start_timestamp_ns=start, end_timestamp_ns=end
            )
        ]
    expected = samples.expected_stream(COUNT, start_ns=start, end_ns=end)
    assert official["stream"] == expected
    assert ours == expected
