"""Scenario 1 with API keys: the official SDK against `smalto serve --require-api-key`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.flight as flight
import pytest

import smalto
from tests.compat.conftest import REPO, _free_port, run_official

pytestmark = pytest.mark.e2e

CLI = (sys.executable, "-m", "smalto.cli")


def _mint(data: Path, permission: str) -> str:
    done = subprocess.run(
        [*CLI, "keys", "create", "--permission", permission, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def keyed(
    compat_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, dict[str, str]]]:
    """A server that requires keys, and a read and a write key minted on its host."""
    data = tmp_path_factory.mktemp("keyed") / "data"
    keys = {level: _mint(data, level) for level in ("read", "write")}
    port = _free_port()
    command = [*CLI, "serve", "--port", str(port)]
    command += ["--data", str(data), "--require-api-key", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO)
    probe = flight.FlightClient(f"grpc://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                list(probe.list_flights())
            except flight.FlightUnauthenticatedError:
                break  # up, and refusing calls without a key
            except flight.FlightUnavailableError:
                assert time.monotonic() < deadline, "smalto serve did not come up"
                time.sleep(0.05)
        with (
            smalto.MosaicoClient.connect("127.0.0.1", port, api_key=keys["write"]) as client,
            client.sequence_create("seeded", {}) as writer,
        ):
            writer.topic_create("/flag", {}, smalto.Boolean).push(
                smalto.Message(timestamp_ns=0, data=smalto.Boolean(data=False))
            )
        yield port, keys
    finally:
        probe.close()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0


def test_official_sdk_connects_with_a_write_key(keyed: tuple[int, dict[str, str]]) -> None:
    port, keys = keyed
    answer = run_official("connect_key", "127.0.0.1", port, keys["write"])
    assert answer["connected"] is True and answer["created"] is True and answer["error"] is None
    assert "seeded" in answer["sequences"]


def test_a_read_key_connects_but_cannot_write(keyed: tuple[int, dict[str, str]]) -> None:
    port, keys = keyed
    answer = run_official("connect_key", "127.0.0.1", port, keys["read"])
    assert answer["connected"] is True
    assert "seeded" in answer["sequences"]
    assert answer["created"] is False
    assert answer["error"] is not None


def test_without_a_valid_key_connect_fails(keyed: tuple[int, dict[str, str]]) -> None:
    port, keys = keyed
    payload, fingerprint = keys["read"].split("_")[1:]
    unknown = f"msco_{payload[::-1]}_{fingerprint}"  # right format, wrong key
    assert run_official("connect_key", "127.0.0.1", port, unknown)["connected"] is False
    assert run_official("connect_key", "127.0.0.1", port, "not-a-key")["connected"] is False
