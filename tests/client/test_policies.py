"""Error policies: what the server holds after a topic or session block fails."""

from __future__ import annotations

import pytest

from smalto.client import MosaicoClient
from smalto.enums import (
    SequenceStatus,
    SessionLevelErrorPolicy,
    SessionStatus,
    TopicLevelErrorPolicy,
    TopicWriterStatus,
)
from smalto.errors import Conflict
from smalto.ontology import GPS, IMU, Message, Vector3d
from tests.client.samples import gps_message, imu_message, write_imu_sequence


class Boom(Exception):
    """The failure the tests inject."""


def _rows(client: MosaicoClient, sequence: str, topic: str) -> int:
    client.clear_topic_handlers_cache()
    handler = client.topic_handler(sequence, topic)
    assert handler is not None
    return int(handler.to_arrow().num_rows)


def test_writer_outside_with_is_refused(client: MosaicoClient) -> None:
    writer = client.sequence_create("no_with", {})
    assert writer.status is SequenceStatus.Null
    with pytest.raises(RuntimeError, match="context manager"):
        writer.topic_create("imu", {}, IMU)
    assert client.sequence_handler("no_with") is None
    with writer:
        writer.topic_create("imu", {}, IMU).push(imu_message(0))
    with pytest.raises(RuntimeError):
        writer.topic_create("late", {}, IMU)
    with pytest.raises(RuntimeError, match="once"), writer:
        pass


def test_topic_policy_raise_reaches_the_session(client: MosaicoClient) -> None:
    with pytest.raises(Boom), client.sequence_create("t_raise", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU, error_policy=TopicLevelErrorPolicy.Raise)
        for i in range(10):
            with imu:
                if i == 5:
                    raise Boom("bad sample 5")
                imu.push(imu_message(i))
    assert writer.status is SequenceStatus.Error
    assert imu.status is TopicWriterStatus.FinalizedWithError
    # Report (the default): nothing flushed from the buffer, the error noted on the topic.
    [note] = client.list_topic_notify("t_raise", "/imu")
    assert "bad sample 5" in note.message


def test_topic_policy_ignore_keeps_the_stream_open(client: MosaicoClient) -> None:
    with client.sequence_create("t_ignore", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU, on_error=TopicLevelErrorPolicy.Ignore)
        for i in range(20):
            with imu:
                if i % 5 == 0:
                    raise Boom(f"sample {i} unreadable")
                imu.push(imu_message(i))
        assert imu.status is TopicWriterStatus.IgnoredLastError
        assert imu.is_active
    assert writer.status is SequenceStatus.Finalized
    assert imu.status is TopicWriterStatus.Finalized
    assert _rows(client, "t_ignore", "/imu") == 16
    notes = client.list_topic_notify("t_ignore", "imu")
    assert [n.message for n in notes] == [f"sample {i} unreadable" for i in (0, 5, 10, 15)]
    assert all(n.topic_name == "/imu" and n.sequence_name == "t_ignore" for n in notes)
    assert client.list_sequence_notify("t_ignore") == []


def test_topic_policy_finalize_closes_only_that_topic(client: MosaicoClient) -> None:
    with client.sequence_create("t_finalize", {}, max_batch_size_records=4) as writer:
        imu = writer.topic_create("imu", {}, IMU, error_policy=TopicLevelErrorPolicy.Finalize)
        gps = writer.topic_create("gps", {}, GPS)
        for i in range(10):
            with imu:
                if i == 6:
                    raise Boom("imu unplugged")
                imu.push(imu_message(i))
            gps.push(gps_message(i))
        assert imu.status is TopicWriterStatus.FinalizedWithError
        assert not imu.is_active
        with pytest.raises(RuntimeError):
            imu.push(imu_message(99))
    assert writer.status is SequenceStatus.Finalized
    assert gps.status is TopicWriterStatus.Finalized
    # Batches of 4: rows 0..3 were sent; 4..5 sat in the buffer and are discarded.
    assert _rows(client, "t_finalize", "/imu") == 4
    assert _rows(client, "t_finalize", "/gps") == 10
    handler = client.topic_handler("t_finalize", "/imu")
    assert handler is not None and handler.locked
    [note] = client.list_topic_notify("t_finalize", "/imu")
    assert note.message == "imu unplugged"
    assert client.list_topic_notify("t_finalize", "/gps") == []


def test_session_policy_report_keeps_data_and_notes_the_error(client: MosaicoClient) -> None:
    with (
        pytest.raises(Boom),
        client.sequence_create(
            "s_report", {}, on_error=SessionLevelErrorPolicy.Report, max_batch_size_records=10
        ) as writer,
    ):
        imu = writer.topic_create("imu", {}, IMU)
        for i in range(25):
            imu.push(imu_message(i))
        imu.flush()
        raise Boom("disk full")
    assert writer.status is SequenceStatus.Error
    handler = client.sequence_handler("s_report")
    assert handler is not None
    assert _rows(client, "s_report", "/imu") == 25
    [session] = handler.sessions
    assert session.locked
    [note] = client.list_sequence_notify("s_report")
    assert writer.session_uuid is not None and writer.session_uuid in note.message
    assert "disk full" in note.message
    assert note.topic_name is None
    [topic_note] = client.list_topic_notify("s_report", "/imu")
    assert "disk full" in topic_note.message


def test_session_policy_delete_removes_the_sequence(client: MosaicoClient) -> None:
    with (
        pytest.raises(Boom, match="abort"),
        client.sequence_create("s_delete", {}, on_error=SessionLevelErrorPolicy.Delete) as writer,
    ):
        imu = writer.topic_create("imu", {}, IMU)
        for i in range(30):
            imu.push(imu_message(i))
        raise Boom("abort")
    assert writer.status is SequenceStatus.Error
    assert client.sequence_handler("s_delete") is None
    assert "s_delete" not in client.list_sequences()


def test_updater_delete_drops_only_the_new_session(client: MosaicoClient) -> None:
    write_imu_sequence(client, "u_delete", count=15)
    handler = client.sequence_handler("u_delete")
    assert handler is not None
    with pytest.raises(Boom), handler.update(on_error=SessionLevelErrorPolicy.Delete) as updater:
        gps = updater.topic_create("gps", {}, GPS)
        gps.push(gps_message(0))
        raise Boom("half-written")
    assert updater.status is SessionStatus.Error
    handler.reload()
    assert handler.topics == ["/imu"]
    assert len(handler.sessions) == 1
    assert _rows(client, "u_delete", "/imu") == 15
    assert client.topic_handler("u_delete", "/gps") is None


def test_updater_report_keeps_the_new_topic(client: MosaicoClient) -> None:
    write_imu_sequence(client, "u_report", count=5)
    handler = client.sequence_handler("u_report")
    assert handler is not None
    with pytest.raises(Boom), handler.update() as updater:
        gps = updater.topic_create("gps", {}, GPS)
        for i in range(8):
            gps.push(gps_message(i))
        gps.flush()
        raise Boom("late failure")
    handler.reload()
    assert handler.topics == ["/imu", "/gps"]
    assert _rows(client, "u_report", "/gps") == 8
    [note] = client.list_sequence_notify("u_report")
    assert updater.session_uuid is not None and updater.session_uuid in note.message


def test_failure_while_committing_is_raised_and_reported(client: MosaicoClient) -> None:
    # A session without topics cannot be finalized: that failure is what the block raises.
    with pytest.raises(Conflict), client.sequence_create("empty_session", {}) as writer:
        pass
    assert writer.status is SequenceStatus.Error
    handler = client.sequence_handler("empty_session")
    assert handler is not None
    assert [s.locked for s in handler.sessions] == [False]


def test_wrong_data_type_is_refused_on_push(client: MosaicoClient) -> None:
    with client.sequence_create("typed", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        with pytest.raises(TypeError, match="IMU"):
            imu.push(gps_message(0))
        imu.push(imu_message(0))
    assert _rows(client, "typed", "/imu") == 1


def test_an_unconvertible_message_is_reported_and_the_rest_kept(client: MosaicoClient) -> None:
    broken = Message(
        timestamp_ns=4_000,
        data=IMU.model_construct(acceleration=None, angular_velocity=Vector3d(x=0, y=0, z=0)),
    )
    with client.sequence_create("bad_row", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU, error_policy=TopicLevelErrorPolicy.Ignore)
        for i in range(10):
            imu.push(broken if i == 4 else imu_message(i))
        with imu:
            imu.flush()  # conversion happens here; the error goes to the topic policy
    assert _rows(client, "bad_row", "/imu") == 9
    [note] = client.list_topic_notify("bad_row", "/imu")
    assert "acceleration" in note.message
