"""Sequence and topic handlers: properties, sessions, caching, updates."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from smalto.client import MosaicoClient
from smalto.enums import SerializationFormat, SessionStatus
from smalto.ontology import GPS, IMU, Image
from tests.client.samples import dumped, gps_message, image_message, imu_message, write_imu_sequence


def test_sequence_handler_properties(client: MosaicoClient) -> None:
    before = time.time_ns()
    metadata = {"vehicle": {"id": "veh_042", "sensors": ["imu", "gps"]}, "run": 7}
    with client.sequence_create("props", metadata) as writer:
        imu = writer.topic_create("sensors/imu", {"vendor": "acme"}, IMU)
        camera = writer.topic_create("camera", {}, Image)
        for i in range(50):
            imu.push(imu_message(i, timestamp_ns=1_000 + i))
        camera.push(image_message(0, timestamp_ns=500))
    after = time.time_ns()
    handler = client.sequence_handler("props")
    assert handler is not None
    assert handler.name == "props"
    assert handler.topics == ["/sensors/imu", "/camera"]
    assert handler.user_metadata == metadata
    assert before <= handler.created_timestamp <= after
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert handler.created_datetime == epoch + timedelta(
        microseconds=handler.created_timestamp // 1000
    )
    assert handler.timestamp_ns_min == 500
    assert handler.timestamp_ns_max == 1_049
    assert handler.total_size_bytes > 0
    assert handler.locked is True  # a clean finalize locks the sequence
    [session] = handler.sessions
    assert session.uuid == writer.session_uuid
    assert session.locked
    assert session.topics == ("/sensors/imu", "/camera")
    assert session.completed_timestamp is not None
    assert before <= session.created_timestamp <= session.completed_timestamp <= after


def test_topic_handler_properties(client: MosaicoClient) -> None:
    write_imu_sequence(client, "topic_props", count=120, topic="/sensors/imu")
    topic = client.topic_handler("topic_props", "sensors/imu")
    assert topic is not None
    assert topic.name == "/sensors/imu"
    assert topic.sequence_name == "topic_props"
    assert topic.ontology_tag == "imu"
    assert topic.ontology_type is IMU
    assert topic.serialization_format is SerializationFormat.Default
    assert topic.user_metadata == {}
    assert topic.locked
    assert topic.completed_timestamp is not None
    assert topic.created_timestamp <= topic.completed_timestamp
    assert topic.chunks_number >= 1
    assert topic.total_size_bytes > 0
    assert topic.row_count in (None, 120)
    assert (topic.timestamp_ns_min, topic.timestamp_ns_max) == (0, 119_000)
    sequence = client.sequence_handler("topic_props")
    assert sequence is not None
    assert sequence.get_topic_handler("/sensors/imu") is sequence.get_topic_handler("sensors/imu")
    assert sequence.get_topic_handler("/nope") is None


def test_image_topic_reports_image_format(client: MosaicoClient) -> None:
    with client.sequence_create("images", {}) as writer:
        writer.topic_create("cam", {"lens": "wide"}, Image).push(image_message(1))
    topic = client.topic_handler("images", "/cam")
    assert topic is not None
    assert topic.serialization_format is SerializationFormat.Image
    assert topic.user_metadata == {"lens": "wide"}


def test_missing_resources_give_none(client: MosaicoClient) -> None:
    assert client.sequence_handler("ghost") is None
    write_imu_sequence(client, "real", count=3)
    assert client.topic_handler("real", "/ghost") is None
    assert client.topic_handler("ghost", "/imu") is None


def test_handlers_are_cached_until_cleared(client: MosaicoClient) -> None:
    write_imu_sequence(client, "cached", count=10)
    first = client.sequence_handler("cached")
    assert first is not None
    assert client.sequence_handler("cached") is first
    assert client.sequence_handler("/cached/") is first
    topic = client.topic_handler("cached", "/imu")
    assert topic is not None
    assert client.topic_handler("cached", "imu") is topic
    client.clear_sequence_handlers_cache()
    second = client.sequence_handler("cached")
    assert second is not None and second is not first
    assert client.topic_handler("cached", "/imu") is topic
    client.clear_topic_handlers_cache()
    assert client.topic_handler("cached", "/imu") is not topic
    client.sequence_unlock("cached")
    client.sequence_delete("cached")
    assert client.sequence_handler("cached") is None
    assert client.topic_handler("cached", "/imu") is None


def test_updater_adds_topics_in_a_new_session(client: MosaicoClient) -> None:
    imus = write_imu_sequence(client, "grow", count=20)
    handler = client.sequence_handler("grow")
    assert handler is not None
    with handler.update() as updater:
        assert updater.status is SessionStatus.Pending
        gps = updater.topic_create("gps", {"role": "primary"}, GPS)
        for i in range(10):
            gps.push(gps_message(i))
    assert updater.status is SessionStatus.Finalized
    assert updater.sequence_name == "grow"
    assert handler.topics == ["/imu"]  # the cached description until reload
    handler.reload()
    assert handler.topics == ["/imu", "/gps"]
    assert [s.uuid for s in handler.sessions][1] == updater.session_uuid
    assert len(handler.updated_timestamps) == 2
    topics = handler.to_arrow()
    assert {name: t.num_rows for name, t in topics.items()} == {"/imu": 20, "/gps": 10}
    merged = [(name, m.timestamp_ns) for name, m in handler.get_data_streamer()]
    assert len(merged) == 30
    imu_back = [m for name, m in handler.get_data_streamer(topics=["/imu"])]
    assert dumped(imu_back) == dumped(imus)


def test_writer_exposes_its_topic_writers(client: MosaicoClient) -> None:
    with client.sequence_create("writers", {}) as writer:
        imu = writer.topic_create("a/b", {}, IMU)
        assert writer.sequence_name == "writers"
        assert writer.session_uuid
        assert writer.get_topic_writer("/a/b") is imu
        assert writer.get_topic_writer("a/b") is imu
        assert writer.get_topic_writer("/c") is None
        assert writer.topic_writers == {"/a/b": imu}
        assert imu.name == "/a/b"
        assert imu.ontology_type is IMU
        assert imu.is_active
        imu.push(imu_message(0))
    assert not imu.is_active
