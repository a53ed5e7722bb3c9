"""Fixtures of the compat suite: the official SDK's virtualenv and a `smalto serve` subprocess.

The official ``mosaicolabs==0.3.2`` lives in its own virtualenv (``.venv-compat``, made by
``make test``), never in smalto's; tests run small scripts there and read their JSON answer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.flight as flight
import pytest

REPO = Path(__file__).resolve().parents[2]
COMPAT_PYTHON = REPO / ".venv-compat" / "bin" / "python"
SCRIPTS = Path(__file__).with_name("scripts")
SCRIPT_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServeProcess:
    """A running ``smalto serve`` subprocess."""

    host: str
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]

    def run(self, script: str, *args: object) -> Any:
        """Run ``scripts/<script>.py <host> <port> *args`` with the official SDK; its JSON."""
        return run_official(script, self.host, self.port, *args)

    def stored_bytes(self) -> int:
        """Bytes of every chunk object in the server's store."""
        return sum(p.stat().st_size for p in (self.data_dir / "store").rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def compat_python() -> Path:
    """The official SDK's interpreter; skips (fails on CI) when ``.venv-compat`` is missing."""
    if COMPAT_PYTHON.exists():
        return COMPAT_PYTHON
    message = (
        f"{COMPAT_PYTHON.parent.parent} is missing: `make test` creates it "
        "(pip install mosaicolabs==0.3.2 into its own virtualenv)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def run_official(script: str, *args: object) -> Any:
    """Run a script of ``tests/compat/scripts`` in ``.venv-compat``; parse its stdout as JSON."""
    command = [str(COMPAT_PYTHON), str(SCRIPTS / f"{script}.py"), *map(str, args)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        command, capture_output=True, timeout=SCRIPT_TIMEOUT_S, env=env, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"{script}.py exited {done.returncode}\n--- stderr ---\n"
            f"{done.stderr.decode(errors='replace')[-6000:]}"
        )
    return json.loads(done.stdout)


def _wait_ready(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    client = flight.FlightClient(f"grpc://{host}:{port}")
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"smalto serve exited with {process.returncode}")
            try:
                list(client.list_flights())
                return
            except flight.FlightUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        client.close()


@pytest.fixture(scope="module")
def serve(compat_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """A real ``python -m smalto.cli serve`` process on a free port and a fresh data dir."""
    data = tmp_path_factory.mktemp("serve") / "data"
    host, port = "127.0.0.1", _free_port()
    command = [sys.executable, "-m", "smalto.cli", "serve", "--host", host, "--port", str(port)]
    command += ["--data", str(data), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO)
    try:
        _wait_ready(host, port, process)
        yield ServeProcess(host, port, data, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, f"smalto serve exited with {process.returncode}"
