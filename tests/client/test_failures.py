"""Failures that happen away from the caller: in the background upload, or a missing extra."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from smalto.client import MosaicoClient
from smalto.enums import SequenceStatus, TopicWriterStatus
from smalto.errors import SmaltoError
from smalto.ontology import IMU
from smalto.server import ServerSettings
from tests.client.samples import imu_message, write_imu_sequence


@pytest.fixture
def server_settings(server_settings: ServerSettings) -> ServerSettings:
    """Tiny server chunks, so an upload commits (and can fail) while it is still being written."""
    return replace(server_settings, chunk_size_bytes=10_000)


def test_a_failed_upload_surfaces_and_fails_the_session(client: MosaicoClient) -> None:
    with (
        pytest.raises(SmaltoError),
        client.sequence_create("vanishing", {}, max_batch_size_records=50) as writer,
    ):
        imu = writer.topic_create("imu", {}, IMU)
        for i in range(200):
            imu.push(imu_message(i))
        imu.flush()
        client.sequence_delete("vanishing")  # pulls the ground from under the upload
        for i in range(200, 5_000):
            imu.push(imu_message(i))
    assert writer.status is SequenceStatus.Error
    assert imu.status is TopicWriterStatus.FinalizedWithError
    with pytest.raises(RuntimeError):
        imu.push(imu_message(0))


def test_to_pandas_names_the_extra_when_pandas_is_missing(
    client: MosaicoClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_imu_sequence(client, "no_pandas", count=3)
    handler = client.sequence_handler("no_pandas")
    topic = client.topic_handler("no_pandas", "/imu")
    assert handler is not None and topic is not None
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'smalto\[pandas\]'"):
        handler.to_pandas()
    with pytest.raises(ImportError, match=r"pip install 'smalto\[pandas\]'"):
        topic.to_pandas()
