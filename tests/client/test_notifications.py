"""Notifications: listing and clearing at sequence and topic level, old and new names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smalto.client import MosaicoClient, Notified
from smalto.enums import NotifyType, TopicLevelErrorPolicy
from smalto.ontology import IMU
from tests.client.samples import imu_message


class Glitch(Exception):
    """A recoverable processing failure."""


def _write_with_notes(client: MosaicoClient, name: str) -> None:
    """A sequence whose IMU topic carries two notifications and whose session carries one."""
    with pytest.raises(Glitch), client.sequence_create(name, {}) as writer:
        imu = writer.topic_create("imu", {}, IMU, error_policy=TopicLevelErrorPolicy.Ignore)
        for i in range(4):
            with imu:
                if i in (1, 2):
                    raise Glitch(f"glitch {i}")
                imu.push(imu_message(i))
        raise Glitch("session failed")


def test_list_and_clear_notifications(client: MosaicoClient) -> None:
    before = datetime.now(timezone.utc) - timedelta(minutes=1)
    _write_with_notes(client, "noted")
    [sequence_note] = client.list_sequence_notify("noted")
    assert isinstance(sequence_note, Notified)
    assert sequence_note.sequence_name == "noted"
    assert sequence_note.topic_name is None
    assert sequence_note.notify_type is NotifyType.ERROR
    assert "session failed" in sequence_note.message
    assert sequence_note.created_datetime.tzinfo is not None
    assert before <= sequence_note.created_datetime <= datetime.now(timezone.utc)
    topic_notes = client.list_topic_notify("noted", "/imu")
    assert [n.message for n in topic_notes] == ["glitch 1", "glitch 2", "session failed"]
    assert {n.topic_name for n in topic_notes} == {"/imu"}

    client.clear_topic_notify("noted", "imu")
    assert client.list_topic_notify("noted", "imu") == []
    assert len(client.list_sequence_notify("noted")) == 1
    client.clear_sequence_notify("noted")
    assert client.list_sequence_notify("noted") == []


def test_sdk_032_names_are_aliases(client: MosaicoClient) -> None:
    _write_with_notes(client, "aliases")
    assert client.list_sequence_notifications("aliases") == client.list_sequence_notify("aliases")
    assert client.list_topic_notifications("aliases", "/imu") == client.list_topic_notify(
        "aliases", "/imu"
    )
    client.clear_topic_notifications("aliases", "/imu")
    client.clear_sequence_notifications("aliases")
    assert client.list_topic_notify("aliases", "/imu") == []
    assert client.list_sequence_notify("aliases") == []
