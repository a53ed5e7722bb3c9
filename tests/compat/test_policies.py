"""Scenario 5: error policies, notifications, updates and deletes driven by the official SDK.

smalto locks a sequence when a session finalizes cleanly (a Report-finalized one stays unlocked),
and refuses to delete a locked sequence or one of its finalized sessions until an administrator
unlocks it; mosaicod 0.3/0.4 delete regardless (docs/compatibility.md).
"""

from __future__ import annotations

from typing import Any

import pytest

import smalto
from tests.compat.conftest import ServeProcess
from tests.compat.scripts import samples

pytestmark = pytest.mark.e2e

IMU_TOPIC = "/sensors/imu"


def _imu(indices: range) -> list[Any]:
    return [samples.normalize(samples.message(IMU_TOPIC, i)) for i in indices]


def _smalto(serve: ServeProcess) -> smalto.MosaicoClient:
    return smalto.MosaicoClient.connect(serve.host, serve.port)


def test_report_policy_keeps_the_sequence_and_notifies(serve: ServeProcess) -> None:
    name = "policy_report"
    got = serve.run("policies", "report", name)
    uuid = got["session_uuid"]
    report = (
        f"Exception caught in _BaseSessionWriter block for session {uuid}, sequence  '{name}'."
        "\nInner err: 'boom in report'"
    )
    notified = {"sequence_name": name, "type": "error", "has_datetime": True}
    assert got == {
        "error": {"type": "RuntimeError", "message": "boom in report"},
        "session_uuid": uuid,
        "status": "error",
        "sequences": [name],
        "sessions": [{"uuid": uuid, "locked": True, "topics": [IMU_TOPIC]}],
        # the unflushed buffer is dropped on error; the topic is still closed and locked
        "topic": {
            "locked": True,
            "chunks_number": 0,
            "timestamp_ns_min": None,
            "timestamp_ns_max": None,
            "messages": [],
        },
        "sequence_notifications": [{**notified, "topic_name": None, "message": report}],
        "topic_notifications": [{**notified, "topic_name": IMU_TOPIC, "message": "boom in report"}],
        "after_clear": [[], []],
    }
    with _smalto(serve) as client:
        handler = client.sequence_handler(name)
        assert handler is not None
        assert handler.locked is False
    # a Report-finalized sequence stays deletable: the double delete of 0.3.2 succeeds
    deleted = serve.run("policies", "sequence_delete", name)
    assert deleted == {
        "before": True,
        "errors": [None, None],
        "after": False,
        "handler": False,
        "topic_handler": False,
    }


def test_delete_policy_removes_the_sequence_despite_the_double_delete(
    serve: ServeProcess,
) -> None:
    name = "policy_delete"
    got = serve.run("policies", "delete", name)
    # the original error surfaces: the second sequence_delete 0.3.2 sends succeeded too
    assert got["error"] == {"type": "RuntimeError", "message": "boom in delete"}
    assert got["status"] == "error"
    assert name not in got["sequences"]
    assert got["sessions"] is None
    with _smalto(serve) as client:
        assert client.sequence_handler(name) is None
        assert name not in client.list_sequences()


def test_topic_level_policies(serve: ServeProcess) -> None:
    name = "policy_topics"
    got = serve.run("policies", "topic_policies", name)
    ts = [samples.timestamp_ns(IMU_TOPIC, i) for i in (0, 9)]
    assert got == {
        "raised": "raised failure",
        "statuses": {
            "ignore": "active",
            "finalize": "finalized_with_error",
            "raise": "raised_exception",
        },
        "status": "finalized",
        "topics": {
            # Ignore: the stream stays open, every message pushed before and after arrives
            "/ignore": {
                "locked": True,
                "chunks_number": 1,
                "timestamp_ns_min": ts[0],
                "timestamp_ns_max": ts[1],
                "messages": _imu(range(10)),
            },
            # Finalize: closed at once without flushing the buffer
            "/finalize": {
                "locked": True,
                "chunks_number": 0,
                "timestamp_ns_min": None,
                "timestamp_ns_max": None,
                "messages": [],
            },
            # Raise: the error propagated (caught in the session block); the buffer is flushed
            "/raise": {
                "locked": True,
                "chunks_number": 1,
                "timestamp_ns_min": ts[0],
                "timestamp_ns_max": ts[0],
                "messages": _imu(range(1)),
            },
        },
        "notifications": {
            "/ignore": [
                {
                    "sequence_name": name,
                    "topic_name": "/ignore",
                    "type": "error",
                    "message": "ignored failure",
                    "has_datetime": True,
                }
            ],
            "/finalize": [
                {
                    "sequence_name": name,
                    "topic_name": "/finalize",
                    "type": "error",
                    "message": "finalized failure",
                    "has_datetime": True,
                }
            ],
            "/raise": [],
        },
        "sequence_notifications": [],
    }


def test_update_session_delete_and_sequence_delete(serve: ServeProcess) -> None:
    name = "policy_update"
    count = 300
    got = serve.run("policies", "update", name, count)
    first, second, third = got["first_uuid"], got["second_uuid"], got["third_uuid"]
    two = [
        {"uuid": first, "locked": True, "topics": [IMU_TOPIC]},
        {"uuid": second, "locked": True, "topics": ["/sensors/gps"]},
    ]
    assert got["after_update"] == two
    assert got["merged"] == samples.expected_stream(count, [IMU_TOPIC, "/sensors/gps"])
    # Delete policy on an updater drops only its own session
    assert got["error"] == "update failed"
    assert got["failed_uuid"] not in {first, second, third}
    assert got["after_failed_update"] == two
    assert got["raw_topic"] is None
    assert got["after_third"] == [*two, {"uuid": third, "locked": True, "topics": ["/arm/joints"]}]
    assert got["user_metadata"] == {"stage": "first"}

    # a cleanly finalized sequence is locked: its finalized sessions cannot be deleted ...
    refused = serve.run("policies", "session_delete", name, third)
    assert "is finalized and its sequence is locked" in refused["error"]
    assert refused["sessions"] == got["after_third"]
    with _smalto(serve) as client:
        client.sequence_unlock(name)
    # ... until an administrator unlocks it
    deleted = serve.run("policies", "session_delete", name, third)
    assert deleted == {"error": None, "sessions": two, "joints": None}

    gone = serve.run("policies", "sequence_delete", name)
    assert gone == {
        "before": True,
        "errors": [None, None],
        "after": False,
        "handler": False,
        "topic_handler": False,
    }


def test_locked_sequence_delete_is_refused_until_unlocked(serve: ServeProcess) -> None:
    name = "policy_locked"
    serve.run("write_sequence", name, 20, IMU_TOPIC)
    refused = serve.run("policies", "sequence_delete", name)
    assert refused["before"] is True
    assert refused["after"] is True
    for error in refused["errors"]:
        assert f"sequence '{name}' is locked" in error
    with _smalto(serve) as client:
        client.sequence_unlock(name)
    gone = serve.run("policies", "sequence_delete", name)
    assert gone["errors"] == [None, None]
    assert gone["after"] is False
    # the name is free again
    serve.run("write_sequence", name, 5, IMU_TOPIC)
    read = serve.run("read_sequence", name)
    assert read["stream"] == samples.expected_stream(5, [IMU_TOPIC])
    assert read["sequence"]["user_metadata"] == samples.SEQUENCE_METADATA


def test_open_sessions_slashes_and_empty_sessions(serve: ServeProcess) -> None:
    got = serve.run("policies", "edges", "edge_cases")
    error = got.pop("empty_error")
    assert got == {
        # topics of an open session are listed, unlocked, with an `info` object (no data yet)
        "open_topics": [IMU_TOPIC],
        "open_topic": [False, 0],
        # "/edge_cases" and "edge_cases" are one sequence
        "listed": True,
        "slashed_topics": [IMU_TOPIC],
        "messages": 3,
        # finalize of a session without topics is refused; the sequence stays, pending
        "empty_listed": True,
    }
    assert "has no topic" in error
