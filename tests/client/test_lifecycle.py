"""Lifecycle end to end: every error-policy combination, locking, unlocking, concurrent updaters."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from smalto import (
    IMU,
    Conflict,
    Message,
    MosaicoClient,
    SequenceWriter,
    SessionLevelErrorPolicy,
    TopicLevelErrorPolicy,
    TopicWriter,
    Vector3d,
)
from smalto.enums import SequenceStatus
from tests.client.samples import imu_message, write_imu_sequence

GOOD = 20
LATER = 5


class Boom(Exception):
    """The failure injected by the tests."""


def _broken() -> Message:
    """A message that passes `push` but cannot be converted to Arrow (fails at flush)."""
    return Message(
        timestamp_ns=10**9,
        data=IMU.model_construct(acceleration=None, angular_velocity=Vector3d(x=0, y=0, z=0)),
    )


def _in_topic_block(topic: TopicWriter) -> None:
    with topic:
        raise Boom("topic block failed")


def _failing_flush(topic: TopicWriter) -> None:
    with topic:
        topic.push(_broken())
        topic.flush()


def _in_session_block(_topic: TopicWriter) -> None:
    raise Boom("session block failed")


TRIGGERS: dict[str, Callable[[TopicWriter], None]] = {
    "topic_block": _in_topic_block,
    "failing_flush": _failing_flush,
    "session_block": _in_session_block,
}


def _write(
    client: MosaicoClient,
    name: str,
    session_policy: SessionLevelErrorPolicy,
    topic_policy: TopicLevelErrorPolicy,
    trigger: Callable[[TopicWriter], None],
) -> SequenceWriter:
    with client.sequence_create(name, {}, on_error=session_policy) as writer:
        topic = writer.topic_create("imu", {}, IMU, error_policy=topic_policy)
        for i in range(GOOD):
            topic.push(imu_message(i))
        topic.flush()
        trigger(topic)
        if topic.is_active:
            for i in range(GOOD, GOOD + LATER):
                topic.push(imu_message(i))
    return writer


def _rows(client: MosaicoClient, name: str) -> int:
    handler = client.topic_handler(name, "/imu")
    assert handler is not None
    return int(handler.to_arrow().num_rows)


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
@pytest.mark.parametrize("topic_policy", list(TopicLevelErrorPolicy), ids=lambda p: p.value)
@pytest.mark.parametrize("session_policy", list(SessionLevelErrorPolicy), ids=lambda p: p.value)
def test_policy_matrix(
    client: MosaicoClient,
    session_policy: SessionLevelErrorPolicy,
    topic_policy: TopicLevelErrorPolicy,
    trigger: str,
) -> None:
    name = f"m_{session_policy.value}_{topic_policy.value}_{trigger}"
    handled_by_topic = (
        trigger != "session_block" and topic_policy is not TopicLevelErrorPolicy.Raise
    )
    if handled_by_topic:
        writer = _write(client, name, session_policy, topic_policy, TRIGGERS[trigger])
        assert writer.status is SequenceStatus.Finalized
        handler = client.sequence_handler(name)
        assert handler is not None and handler.locked
        assert [s.locked for s in handler.sessions] == [True]
        expected = GOOD + (LATER if topic_policy is TopicLevelErrorPolicy.Ignore else 0)
        assert _rows(client, name) == expected
        [note] = client.list_topic_notify(name, "/imu")
        assert note.message
        assert client.list_sequence_notify(name) == []
        return
    with pytest.raises(Exception) as raised:
        _write(client, name, session_policy, topic_policy, TRIGGERS[trigger])
    assert trigger == "failing_flush" or isinstance(raised.value, Boom)
    if session_policy is SessionLevelErrorPolicy.Delete:
        assert name not in client.list_sequences()
        return
    handler = client.sequence_handler(name)
    assert handler is not None
    assert not handler.locked, "a Report-finalized sequence stays deletable"
    assert _rows(client, name) == GOOD
    [note] = client.list_sequence_notify(name)
    assert "Inner err" in note.message or "failed" in note.message
    client.sequence_delete(name)
    assert name not in client.list_sequences()


def test_finalized_sequence_is_locked_until_unlocked(client: MosaicoClient) -> None:
    write_imu_sequence(client, "locked_seq", count=5)
    handler = client.sequence_handler("locked_seq")
    assert handler is not None and handler.locked
    [session] = handler.sessions
    with pytest.raises(Conflict, match="is locked"):
        client.sequence_delete("locked_seq")
    with pytest.raises(Conflict, match="unlock the sequence first"):
        client.session_delete(session.uuid)
    assert "locked_seq" in client.list_sequences()
    client.sequence_unlock("locked_seq")
    unlocked = client.sequence_handler("locked_seq")
    assert unlocked is not None and not unlocked.locked
    client.session_delete(session.uuid)
    client.sequence_delete("locked_seq")
    client.sequence_delete("locked_seq")  # deleting a missing sequence succeeds
    assert "locked_seq" not in client.list_sequences()


def test_updater_adds_topics_to_a_locked_sequence_and_cannot_reuse_names(
    client: MosaicoClient,
) -> None:
    write_imu_sequence(client, "grow", count=3)
    handler = client.sequence_handler("grow")
    assert handler is not None
    with handler.update() as updater:
        with pytest.raises(Exception, match="already exists"):
            updater.topic_create("imu", {}, IMU)
        extra = updater.topic_create("imu_2", {}, IMU)
        extra.push(imu_message(0))
    handler.reload()
    assert handler.topics == ["/imu", "/imu_2"]
    assert [s.locked for s in handler.sessions] == [True, True]
    assert handler.locked


def test_updater_delete_works_on_a_locked_sequence(client: MosaicoClient) -> None:
    write_imu_sequence(client, "locked_base", count=3)
    handler = client.sequence_handler("locked_base")
    assert handler is not None
    with pytest.raises(Boom), handler.update(on_error=SessionLevelErrorPolicy.Delete) as updater:
        updater.topic_create("extra", {}, IMU).push(imu_message(0))
        raise Boom("discard this session")
    handler.reload()
    assert handler.topics == ["/imu"]
    assert handler.locked


def test_concurrent_updaters_on_one_sequence(client: MosaicoClient) -> None:
    write_imu_sequence(client, "busy", count=2)
    errors: list[BaseException] = []

    def add(index: int) -> None:
        try:
            handler = client.sequence_handler("busy")
            assert handler is not None
            with handler.update() as updater:
                topic = updater.topic_create(f"worker_{index}", {}, IMU)
                for i in range(50):
                    topic.push(imu_message(i))
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    client.clear_sequence_handlers_cache()
    handler = client.sequence_handler("busy")
    assert handler is not None
    assert sorted(handler.topics) == sorted(["/imu"] + [f"/worker_{i}" for i in range(4)])
    assert len(handler.sessions) == 5 and all(s.locked for s in handler.sessions)
    for i in range(4):
        topic = client.topic_handler("busy", f"/worker_{i}")
        assert topic is not None and topic.to_arrow().num_rows == 50
