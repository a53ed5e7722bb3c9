"""Error policies, notifications, updates and deletes with the official SDK.

``policies.py H P <case> <sequence>``; each case prints what the SDK and the server report.
"""

from __future__ import annotations

from typing import Any

from mosaicolabs import (
    IMU,
    MosaicoClient,
    SessionLevelErrorPolicy,
    TopicLevelErrorPolicy,
)
from official import args, build, canonical, connect, emit, write_topics

IMU_TOPIC = "/sensors/imu"


def notifications(client: MosaicoClient, sequence: str, topic: str | None = None) -> list[Any]:
    """The notifications of a sequence (or one of its topics) as plain dicts."""
    found = (
        client.list_sequence_notifications(sequence)
        if topic is None
        else client.list_topic_notifications(sequence, topic)
    )
    return [
        {
            "sequence_name": n.sequence_name,
            "topic_name": n.topic_name,
            "type": n.type.value,
            "message": n.message,
            "has_datetime": n.created_datetime is not None,
        }
        for n in found
    ]


def topic_state(client: MosaicoClient, sequence: str, topic: str) -> Any:
    """A topic's lock, stats and messages (None when the topic does not exist)."""
    handler = client.topic_handler(sequence, topic)
    if handler is None:
        return None
    messages = (
        [canonical(m) for m in handler.get_data_streamer()]
        if handler.timestamp_ns_min is not None
        else []
    )
    return {
        "locked": handler.locked,
        "chunks_number": handler.chunks_number,
        "timestamp_ns_min": handler.timestamp_ns_min,
        "timestamp_ns_max": handler.timestamp_ns_max,
        "messages": messages,
    }


def sessions(client: MosaicoClient, sequence: str) -> Any:
    """The sequence's sessions as the SDK sees them (None when the sequence is gone)."""
    client.clear_sequence_handlers_cache()
    handler = client.sequence_handler(sequence)
    if handler is None:
        return None
    return [{"uuid": s.uuid, "locked": s.locked, "topics": s.topics} for s in handler.sessions]


def failing_block(client: MosaicoClient, sequence: str, policy: SessionLevelErrorPolicy) -> Any:
    """A sequence block that pushes a few IMU messages, then raises."""
    writer = client.sequence_create(sequence, {"policy": policy.value}, on_error=policy)
    error = None
    try:
        with writer:
            imu = writer.topic_create(IMU_TOPIC, {}, IMU)
            for i in range(5):
                imu.push(build(IMU_TOPIC, i))
            raise RuntimeError(f"boom in {policy.value}")
    except Exception as exc:
        error = {"type": type(exc).__name__, "message": str(exc)}
    return {"error": error, "session_uuid": writer.session_uuid, "status": writer.status.value}


def case_report(client: MosaicoClient, sequence: str) -> Any:
    result = failing_block(client, sequence, SessionLevelErrorPolicy.Report)
    result["sequences"] = client.list_sequences()
    result["sessions"] = sessions(client, sequence)
    result["topic"] = topic_state(client, sequence, IMU_TOPIC)
    result["sequence_notifications"] = notifications(client, sequence)
    result["topic_notifications"] = notifications(client, sequence, IMU_TOPIC)
    client.clear_sequence_notifications(sequence)
    client.clear_topic_notifications(sequence, IMU_TOPIC)
    result["after_clear"] = [
        notifications(client, sequence),
        notifications(client, sequence, IMU_TOPIC),
    ]
    return result


def case_delete(client: MosaicoClient, sequence: str) -> Any:
    result = failing_block(client, sequence, SessionLevelErrorPolicy.Delete)
    result["sequences"] = client.list_sequences()
    result["sessions"] = sessions(client, sequence)
    return result


def case_topic_policies(client: MosaicoClient, sequence: str) -> Any:
    """Ignore keeps the stream open, Finalize closes it unflushed, Raise propagates."""
    raised = None
    with client.sequence_create(sequence, {}) as writer:
        ignore = writer.topic_create("/ignore", {}, IMU, on_error=TopicLevelErrorPolicy.Ignore)
        final = writer.topic_create("/finalize", {}, IMU, on_error=TopicLevelErrorPolicy.Finalize)
        raising = writer.topic_create("/raise", {}, IMU, on_error=TopicLevelErrorPolicy.Raise)
        for topic_writer, label in ((ignore, "ignored"), (final, "finalized")):
            with topic_writer:
                for i in range(5):
                    topic_writer.push(build(IMU_TOPIC, i))
                raise ValueError(f"{label} failure")
        for i in range(5, 10):
            ignore.push(build(IMU_TOPIC, i))
        try:
            with raising:
                raising.push(build(IMU_TOPIC, 0))
                raise ValueError("raised failure")
        except ValueError as exc:
            raised = str(exc)
        statuses = {
            "ignore": ignore.status.value,
            "finalize": final.status.value,
            "raise": raising.status.value,
        }
    return {
        "raised": raised,
        "statuses": statuses,
        "status": writer.status.value,
        "topics": {t: topic_state(client, sequence, t) for t in ("/ignore", "/finalize", "/raise")},
        "notifications": {
            t: notifications(client, sequence, t) for t in ("/ignore", "/finalize", "/raise")
        },
        "sequence_notifications": notifications(client, sequence),
    }


def case_update(client: MosaicoClient, sequence: str) -> Any:
    """Append a topic in a second session, fail a third under Delete, add a fourth."""
    count = int(args()[2])
    with client.sequence_create(sequence, {"stage": "first"}) as writer:
        write_topics(writer, count, [IMU_TOPIC])
    handler = client.sequence_handler(sequence)
    assert handler is not None
    with handler.update() as updater:
        write_topics(updater, count, ["/sensors/gps"])
    after_update = sessions(client, sequence)
    client.clear_sequence_handlers_cache()
    handler = client.sequence_handler(sequence)
    assert handler is not None
    merged = [[t, canonical(m)] for t, m in handler.get_data_streamer()]
    error = None
    try:
        with handler.update(on_error=SessionLevelErrorPolicy.Delete) as failing:
            write_topics(failing, 3, ["/camera/raw"])
            raise RuntimeError("update failed")
    except RuntimeError as exc:
        error = str(exc)
    after_failed_update = sessions(client, sequence)
    with handler.update() as third:
        write_topics(third, 3, ["/arm/joints"])
    return {
        "first_uuid": writer.session_uuid,
        "second_uuid": updater.session_uuid,
        "failed_uuid": failing.session_uuid,
        "third_uuid": third.session_uuid,
        "after_update": after_update,
        "merged": merged,
        "error": error,
        "after_failed_update": after_failed_update,
        "after_third": sessions(client, sequence),
        "raw_topic": topic_state(client, sequence, "/camera/raw"),
        "user_metadata": client.sequence_handler(sequence).user_metadata,
    }


def _attempt(call: Any, *call_args: str) -> Any:
    try:
        call(*call_args)
    except Exception as exc:
        return str(exc)
    return None


def case_session_delete(client: MosaicoClient, sequence: str) -> Any:
    """Delete one session by uuid (``policies.py H P session_delete <seq> <uuid>``)."""
    session_uuid = args()[2]
    return {
        "error": _attempt(client.session_delete, session_uuid),
        "sessions": sessions(client, sequence),
        "joints": topic_state(client, sequence, "/arm/joints"),
    }


def case_sequence_delete(client: MosaicoClient, sequence: str) -> Any:
    """Delete a sequence twice in a row, as the Delete policy of 0.3.2 does."""
    before = sequence in client.list_sequences()
    first = _attempt(client.sequence_delete, sequence)
    second = _attempt(client.sequence_delete, sequence)
    return {
        "before": before,
        "errors": [first, second],
        "after": sequence in client.list_sequences(),
        "handler": client.sequence_handler(sequence) is not None,
        "topic_handler": client.topic_handler(sequence, IMU_TOPIC) is not None,
    }


def case_edges(client: MosaicoClient, sequence: str) -> Any:
    """A leading ``/`` in the name, topics of a still-open session, an empty session."""
    seen: dict[str, Any] = {}
    with client.sequence_create(f"/{sequence}", {}) as writer:
        imu = writer.topic_create(IMU_TOPIC, {}, IMU)
        for i in range(3):
            imu.push(build(IMU_TOPIC, i))
        handler = client.sequence_handler(sequence)
        topic = client.topic_handler(sequence, IMU_TOPIC)
        seen["open_topics"] = None if handler is None else handler.topics
        seen["open_topic"] = None if topic is None else [topic.locked, topic.chunks_number]
    seen["listed"] = sequence in client.list_sequences()
    client.clear_sequence_handlers_cache()
    slashed = client.sequence_handler(f"/{sequence}/")
    seen["slashed_topics"] = None if slashed is None else slashed.topics
    seen["messages"] = len(list(slashed.get_data_streamer())) if slashed else None
    empty = f"{sequence}_empty"
    seen["empty_error"] = _attempt(_empty_block, client, empty)
    seen["empty_listed"] = empty in client.list_sequences()
    return seen


def _empty_block(client: MosaicoClient, name: str) -> None:
    with client.sequence_create(name, {}):
        pass


CASES = {
    "edges": case_edges,
    "report": case_report,
    "delete": case_delete,
    "topic_policies": case_topic_policies,
    "update": case_update,
    "session_delete": case_session_delete,
    "sequence_delete": case_sequence_delete,
}

case, name, *_ = args()
with connect() as connected:
    emit(CASES[case](connected, name))
