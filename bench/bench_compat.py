"""smalto's SDK against the official mosaicolabs 0.3.2 SDK on the same `smalto serve` process.

The same 200,000 IMU messages are written, then read back one message at a time, by each SDK.
The official SDK runs in its own virtualenv (``.venv-compat``, ``make venv-compat``) through
``bench/official_imu.py``. Targets: smalto's SDK is at least 10x faster on both.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench import harness
from bench.harness import Result, local_server, timed
from bench.samples import push_imu

COUNT = 200_000
OFFICIAL_PYTHON = Path(__file__).resolve().parents[1] / ".venv-compat" / "bin" / "python"
OFFICIAL_SCRIPT = Path(__file__).with_name("official_imu.py")


def _official(host: str, port: int, count: int) -> dict[str, float]:
    """Seconds the official SDK takes to write and to read ``count`` messages."""
    if not OFFICIAL_PYTHON.exists():
        raise SystemExit(f"{OFFICIAL_PYTHON} is missing: run `make venv-compat` first")
    command = [str(OFFICIAL_PYTHON), str(OFFICIAL_SCRIPT), host, str(port), "bench_official"]
    done = subprocess.run([*command, str(count)], capture_output=True, check=True, timeout=3600)
    timings: dict[str, float] = json.loads(done.stdout)
    assert timings["read_count"] == count, timings
    return timings


def run(count: int = COUNT) -> list[Result]:
    """Write and per-message read rates of both SDKs (msg/s); ratios smalto / official."""
    with local_server() as (_store, client):
        official = _official(client.host, client.port, count)

        _, write_s = timed(lambda: push_imu(client, "bench_smalto", count))
        handler = client.topic_handler("bench_smalto", "/imu")
        assert handler is not None
        read_count, read_s = timed(lambda: sum(1 for _ in handler.get_data_streamer()))
        assert read_count == count, read_count
    rate = "msg/s"
    return [
        Result(
            "compat write, smalto SDK vs official 0.3.2",
            count / write_s,
            count / official["write_s"],
            rate,
            ">= 10",
        ),
        Result(
            "compat per-message read, smalto SDK vs official 0.3.2",
            count / read_s,
            count / official["read_s"],
            rate,
            ">= 10",
        ),
    ]


if __name__ == "__main__":
    harness.main(run, COUNT)
