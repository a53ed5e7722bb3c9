"""Scenario 4: the official SDK queries `smalto serve`.

smalto writes three sequences (IMU with acceleration spikes, GPS); the official SDK's
`MosaicoClient.query` filters them by sequence metadata (builder and ``Sequence.Q`` proxy), by
topic name and tag, by sensor content with ``include_timestamp_range``, by all three at once,
and chains results with ``to_query_sequence()`` / ``to_query_topic()``.
"""

from __future__ import annotations

from typing import Any

import pytest

import smalto
from smalto import GPS, IMU, Message
from tests.compat.conftest import ServeProcess

pytestmark = pytest.mark.e2e


def _vec(x: float) -> dict[str, float]:
    return {"x": x, "y": 0.0, "z": 9.81}


def _write(client: smalto.MosaicoClient, name: str, planner: str, spikes: dict[int, float]) -> None:
    metadata = {"vehicle": {"software_stack": {"planning": planner}}, "visibility": 40}
    with client.sequence_create(name, metadata) as writer:
        imu = writer.topic_create("/sensors/imu", {"interface": {"type": "UART"}}, IMU)
        for i in range(300):
            data = IMU(acceleration=_vec(spikes.get(i, 0.1)), angular_velocity=_vec(0.0))
            imu.push(Message(timestamp_ns=1_000 * i, frame_id="imu", data=data))
        gps = writer.topic_create("/sensors/gps", {}, GPS)
        for i in range(5):
            gps.push(Message(timestamp_ns=1_000 * i, data=GPS(position=_vec(45.0))))


@pytest.fixture(scope="module")
def answers(serve: ServeProcess) -> dict[str, Any]:
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        _write(client, "drive_a", "plan-4.1.7", {10: 5.0, 250: 8.0})
        _write(client, "drive_b", "plan-4.1.7", {})
        _write(client, "calib_c", "plan-5.0.0", {20: 5.5})
    result: dict[str, Any] = serve.run("query")
    return result


BOTH = {"/sensors/imu": None, "/sensors/gps": None}


def test_sequence_filters(answers: dict[str, Any]) -> None:
    assert answers["by_metadata"] == {"drive_a": BOTH, "drive_b": BOTH}
    assert answers["by_proxy"] == {"drive_a": BOTH, "drive_b": BOTH, "calib_c": BOTH}
    assert answers["nothing"] == {}


def test_topic_filter(answers: dict[str, Any]) -> None:
    imu = {"/sensors/imu": None}
    assert answers["by_topic"] == {"drive_a": imu, "drive_b": imu, "calib_c": imu}


def test_content_filter_with_time_ranges(answers: dict[str, Any]) -> None:
    assert answers["by_content"] == {
        "drive_a": {"/sensors/imu": [10_000, 250_000]},
        "calib_c": {"/sensors/imu": [20_000, 20_000]},
    }


def test_all_filters_together(answers: dict[str, Any]) -> None:
    assert answers["all_three"] == {"drive_a": {"/sensors/imu": None}}


def test_chaining(answers: dict[str, Any]) -> None:
    imu = {"/sensors/imu": None}
    assert answers["chained_sequence"] == {"drive_a": imu, "drive_b": imu}
    assert answers["chained_topic"] == {"calib_c": BOTH}
