"""Scenario 1: the official SDK connects to `smalto serve` and lists sequences.

Connecting with API keys is in `test_api_keys.py`.
"""

from __future__ import annotations

import pytest

import smalto
from smalto._version import __version__
from tests.compat.conftest import ServeProcess

pytestmark = pytest.mark.e2e


def test_connect_and_list_sequences(serve: ServeProcess) -> None:
    assert serve.run("connect_list") == {
        "sequences": [],
        "version": {
            "version": __version__,
            "semver": dict(
                zip(("major", "minor", "patch"), map(int, __version__.split(".")[:3]), strict=True),
                pre="",
            ),
        },
    }
    with smalto.MosaicoClient.connect(serve.host, serve.port) as client:
        for name in ("drive_b", "drive_a"):
            with client.sequence_create(name, {}) as writer:
                writer.topic_create("/imu", {}, smalto.IMU)
    assert serve.run("connect_list")["sequences"] == ["drive_a", "drive_b"]
