"""Write → read round trips against a real server: values, order, windows, columnar reads."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from smalto.client import MosaicoClient, SequenceHandler
from smalto.enums import SequenceStatus
from smalto.ontology import GPS, IMU, Image, Message
from tests.client.samples import dumped, gps_message, image_message, imu_message

IMU_COUNT, GPS_COUNT, IMAGE_COUNT = 300, 100, 30


def _write_mixed(client: MosaicoClient, name: str, **limits: int) -> dict[str, list[Message]]:
    """One sequence with IMU, GPS and Image topics pushed interleaved."""
    sent: dict[str, list[Message]] = {"/sensors/imu": [], "/sensors/gps": [], "/camera/front": []}
    with client.sequence_create(name, {"vehicle": {"id": "v1"}}, **limits) as writer:  # type: ignore[arg-type]
        imu = writer.topic_create("sensors/imu", {"rate_hz": 100}, IMU)
        gps = writer.topic_create("/sensors/gps", {}, GPS)
        camera = writer.topic_create("camera/front", {}, Image)
        for i in range(IMU_COUNT):
            sent["/sensors/imu"].append(imu_message(i, timestamp_ns=i * 10))
            imu.push(sent["/sensors/imu"][-1])
            if i % 3 == 0:
                sent["/sensors/gps"].append(gps_message(i, timestamp_ns=i * 10 + 1))
                gps.push(sent["/sensors/gps"][-1])
            if i % 10 == 0:
                sent["/camera/front"].append(image_message(i, timestamp_ns=i * 10 + 2))
                camera.push(sent["/camera/front"][-1])
    assert writer.status is SequenceStatus.Finalized
    return sent


def _sequence(client: MosaicoClient, name: str) -> SequenceHandler:
    handler = client.sequence_handler(name)
    assert handler is not None
    return handler


def test_interleaved_topics_read_back_identical_per_message(client: MosaicoClient) -> None:
    sent = _write_mixed(client, "mixed")
    handler = _sequence(client, "mixed")
    assert handler.topics == ["/sensors/imu", "/sensors/gps", "/camera/front"]
    received: dict[str, list[Message]] = {name: [] for name in sent}
    timestamps = []
    for topic, message in handler.get_data_streamer():
        received[topic].append(message)
        timestamps.append(message.timestamp_ns)
    assert timestamps == sorted(timestamps)
    assert len(timestamps) == IMU_COUNT + GPS_COUNT + IMAGE_COUNT
    for name, messages in sent.items():
        assert dumped(received[name]) == dumped(messages), name
    topic = client.topic_handler("mixed", "/camera/front")
    assert topic is not None
    assert dumped(topic.get_data_streamer()) == dumped(sent["/camera/front"])


def test_columnar_reads_match_what_was_pushed(client: MosaicoClient) -> None:
    sent = _write_mixed(client, "columnar")
    handler = _sequence(client, "columnar")
    tables = handler.to_arrow()
    assert {name: table.num_rows for name, table in tables.items()} == {
        "/sensors/imu": IMU_COUNT,
        "/sensors/gps": GPS_COUNT,
        "/camera/front": IMAGE_COUNT,
    }
    imu_table = tables["/sensors/imu"]
    assert imu_table.column("timestamp_ns").to_pylist() == [
        m.timestamp_ns for m in sent["/sensors/imu"]
    ]
    assert imu_table.column("frame_id").to_pylist() == ["imu_link"] * IMU_COUNT
    frames = handler.to_pandas(topics=["/sensors/imu", "sensors/gps"])
    assert set(frames) == {"/sensors/imu", "/sensors/gps"}
    imu_frame = frames["/sensors/imu"]
    assert "acceleration.x" in imu_frame.columns
    assert imu_frame["acceleration.x"].tolist() == [
        m.data.acceleration.x for m in sent["/sensors/imu"]
    ]  # type: ignore[attr-defined]
    assert frames["/sensors/gps"]["position.z"].tolist() == [
        m.data.position.z
        for m in sent["/sensors/gps"]  # type: ignore[attr-defined]
    ]
    camera = client.topic_handler("columnar", "camera/front")
    assert camera is not None
    assert camera.to_arrow().column("data").to_pylist() == [
        m.data.data
        for m in sent["/camera/front"]  # type: ignore[attr-defined]
    ]
    assert camera.to_pandas()["timestamp_ns"].tolist() == [
        m.timestamp_ns for m in sent["/camera/front"]
    ]


def test_out_of_order_pushes_come_back_sorted(client: MosaicoClient) -> None:
    order = list(range(200))
    random.Random(7).shuffle(order)
    with client.sequence_create("shuffled", {}, max_batch_size_records=32) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        for i in order:
            imu.push(imu_message(i))
    topic = client.topic_handler("shuffled", "imu")
    assert topic is not None
    got = list(topic.get_data_streamer())
    assert [m.timestamp_ns for m in got] == [i * 1_000 for i in range(200)]
    assert dumped(got) == dumped(imu_message(i) for i in range(200))
    assert topic.to_arrow().column("timestamp_ns").to_pylist() == [i * 1_000 for i in range(200)]


def test_small_batches_and_byte_limited_images_round_trip(client: MosaicoClient) -> None:
    # 50 KiB images with a 120 KiB limit: batches hold two images, most are split.
    images = [image_message(i, size=50 * 1024) for i in range(40)]
    imus = [imu_message(i) for i in range(500)]
    with client.sequence_create(
        "batched", {}, max_batch_size_bytes=120 * 1024, max_batch_size_records=7
    ) as writer:
        camera = writer.topic_create("camera", {}, Image)
        imu = writer.topic_create("imu", {}, IMU)
        for message in images:
            camera.push(message)
        for message in imus:
            imu.push(message)
    handler = _sequence(client, "batched")
    assert dumped(handler.get_topic_handler("camera").get_data_streamer()) == dumped(images)  # type: ignore[union-attr]
    assert dumped(handler.get_topic_handler("/imu").get_data_streamer()) == dumped(imus)  # type: ignore[union-attr]


def test_windows_are_start_inclusive_end_exclusive(client: MosaicoClient) -> None:
    sent = _write_mixed(client, "windows")
    handler = _sequence(client, "windows")
    pairs = list(handler.get_data_streamer(start_timestamp_ns=100, end_timestamp_ns=200))
    expected = sorted(
        (m.timestamp_ns, name)
        for name, messages in sent.items()
        for m in messages
        if 100 <= m.timestamp_ns < 200
    )
    assert [(m.timestamp_ns, name) for name, m in pairs] == expected
    assert expected[0][0] == 100
    assert max(ts for ts, _ in expected) == 190  # the IMU row at 200 is excluded
    imu = handler.get_topic_handler("/sensors/imu")
    assert imu is not None
    assert [m.timestamp_ns for m in imu.get_data_streamer(100, 200)] == list(range(100, 200, 10))
    assert [m.timestamp_ns for m in imu.get_data_streamer(start_timestamp_ns=2960)] == [
        2960,
        2970,
        2980,
        2990,
    ]
    assert [m.timestamp_ns for m in imu.get_data_streamer(end_timestamp_ns=30)] == [0, 10, 20]
    assert imu.to_arrow(100, 200).num_rows == 10
    tables = handler.to_arrow(topics=["/sensors/gps"], start_timestamp_ns=1, end_timestamp_ns=31)
    assert list(tables) == ["/sensors/gps"]
    assert tables["/sensors/gps"].column("timestamp_ns").to_pylist() == [1]


def test_empty_windows(client: MosaicoClient) -> None:
    _write_mixed(client, "empty_window")
    handler = _sequence(client, "empty_window")
    assert list(handler.get_data_streamer(start_timestamp_ns=101, end_timestamp_ns=101)) == []
    assert list(handler.get_data_streamer(start_timestamp_ns=10**12)) == []
    imu = handler.get_topic_handler("sensors/imu")
    assert imu is not None
    assert list(imu.get_data_streamer(101, 109)) == []
    empty = imu.to_arrow(101, 109)
    assert isinstance(empty, pa.Table)
    assert empty.num_rows == 0
    with pytest.raises(ValueError, match="before start"):
        imu.get_data_streamer(200, 100)


def test_topic_subset_and_unknown_topic(client: MosaicoClient) -> None:
    _write_mixed(client, "subset")
    handler = _sequence(client, "subset")
    topics = {
        topic for topic, _ in handler.get_data_streamer(topics=["/sensors/gps", "camera/front"])
    }
    assert topics == {"/sensors/gps", "/camera/front"}
    with pytest.raises(ValueError, match="/lidar"):
        handler.get_data_streamer(topics=["/lidar"])
    with pytest.raises(ValueError, match="/lidar"):
        handler.to_arrow(topics=["/sensors/imu", "/lidar"])


def test_ties_follow_endpoint_order(client: MosaicoClient) -> None:
    with client.sequence_create("ties", {}) as writer:
        first = writer.topic_create("a", {}, IMU)
        second = writer.topic_create("b", {}, GPS)
        for i in range(20):
            second.push(gps_message(i, timestamp_ns=i))
            first.push(imu_message(i, timestamp_ns=i))
    handler = _sequence(client, "ties")
    names = [topic for topic, _ in handler.get_data_streamer()]
    assert names == ["/a", "/b"] * 20


def test_closing_a_streamer_early_cancels_the_read(client: MosaicoClient) -> None:
    with client.sequence_create("early_close", {}, max_batch_size_records=100) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        for i in range(2_000):
            imu.push(imu_message(i))
    handler = _sequence(client, "early_close")
    with handler.get_data_streamer() as streamer:
        first = [next(streamer) for _ in range(5)]
    assert [m.timestamp_ns for _, m in first] == [0, 1_000, 2_000, 3_000, 4_000]
    assert list(streamer) == []
    topic = handler.get_topic_handler("imu")
    assert topic is not None
    reader = topic.get_data_streamer()
    assert next(reader).timestamp_ns == 0
    reader.close()
    assert list(reader) == []
    # The connection is still usable after the cancelled streams.
    assert topic.to_arrow().num_rows == 2_000
