"""smalto.local: an in-process server over a data directory, stopped with its client."""

from __future__ import annotations

from pathlib import Path

import pytest

import smalto
from tests.client.samples import imu_message


def test_local_serves_a_directory_and_stops_with_the_client(tmp_path: Path) -> None:
    with smalto.local(tmp_path / "data") as client:
        with client.sequence_create("notebook", {"who": "me"}) as writer:
            topic = writer.topic_create("imu", {}, smalto.IMU)
            for i in range(10):
                topic.push(imu_message(i))
        port = client.port
    with smalto.local(tmp_path / "data") as reopened:
        handler = reopened.topic_handler("notebook", "/imu")
        assert handler is not None
        assert handler.to_arrow().num_rows == 10
    with pytest.raises(ConnectionError):
        smalto.MosaicoClient.connect("127.0.0.1", port, timeout=1)
