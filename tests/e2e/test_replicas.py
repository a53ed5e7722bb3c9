"""Two `smalto serve` processes over one PostgreSQL catalog and one S3 bucket act as one server.

Clients hop between replicas as a gRPC load balancer would send them: a session created on one
is finalized on the other, racing creates get exactly one winner, and concurrent uploads through
both replicas lose no chunk.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from smalto.server import ServerSettings
from tests.backends import store_keys
from tests.server.wire import act, create_topic, info, put, read_topic, readings

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.s3]

_SERVING = re.compile(rb"serving on grpc://127\.0\.0\.1:(\d+),")
ROWS = 200_000
BATCH_ROWS = 20_000


@dataclass
class Replica:
    """One `smalto serve` subprocess and a Flight client of it."""

    process: subprocess.Popen[bytes]
    client: flight.FlightClient
    log: Path


def _start(settings: ServerSettings, log: Path) -> Replica:
    assert settings.catalog_url and settings.store_url and settings.s3_endpoint
    command = [sys.executable, "-m", "smalto.cli", "serve", "--port", "0"]
    command += ["--catalog", settings.catalog_url, "--store", settings.store_url]
    command += ["--s3-endpoint", settings.s3_endpoint, "--data", str(settings.data_dir)]
    command += ["--chunk-size-mb", "1", "--log-level", "info"]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = _SERVING.search(log.read_bytes())
        if found:
            return Replica(
                process, flight.FlightClient(f"grpc://127.0.0.1:{found[1].decode()}"), log
            )
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=30)
    raise AssertionError(f"replica did not start:\n{log.read_text()}")


def _stop(replica: Replica) -> None:
    replica.client.close()
    replica.process.send_signal(signal.SIGTERM)
    try:
        replica.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        replica.process.kill()
        raise


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str, s3_url: str, s3_endpoint: str) -> ServerSettings:
    """The backends both replicas share (each replica gets its own, unused, data dir)."""
    return ServerSettings(
        data_dir=tmp_path / "unused",
        catalog_url=postgres_url,
        store_url=s3_url,
        s3_endpoint=s3_endpoint,
    )


@pytest.fixture
def replicas(shared: ServerSettings, tmp_path: Path) -> Iterator[tuple[Replica, Replica]]:
    """Two running replicas over the shared backends."""
    first = _start(shared, tmp_path / "a.log")
    try:
        second = _start(shared, tmp_path / "b.log")
    except BaseException:
        _stop(first)
        raise
    try:
        yield first, second
    finally:
        _stop(first)
        _stop(second)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: dict[int, Any] = {}

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [results[i] for i in range(len(calls))]


def _app(client: flight.FlightClient, locator: str) -> dict[str, Any]:
    return dict(json.loads(info(client, locator).endpoints[0].app_metadata))


def test_a_session_moves_between_replicas(replicas: tuple[Replica, Replica]) -> None:
    a, b = (r.client for r in replicas)
    act(a, "sequence_create", {"locator": "hop", "user_metadata": {"site": "lab"}})
    session = act(b, "session_create", {"locator": "hop"})["uuid"]
    topic = act(
        a,
        "topic_create",
        {
            "session_uuid": session,
            "locator": "hop/imu",
            "serialization_format": "default",
            "ontology_tag": "custom_reading",
            "user_metadata": {},
        },
    )["uuid"]
    put(b, "hop/imu", topic, [readings([3, 1, 2])])
    assert act(a, "session_finalize", {"session_uuid": session}) is None
    for client in (a, b):
        sequence = json.loads(info(client, "hop").app_metadata)
        assert sequence["user_metadata"] == {"site": "lab"}
        assert [s["locked"] for s in sequence["sessions"]] == [True]
        assert read_topic(client, "hop/imu").column("timestamp_ns").to_pylist() == [1, 2, 3]


def test_racing_creates_have_one_winner(replicas: tuple[Replica, Replica]) -> None:
    a, b = (r.client for r in replicas)
    for round_ in range(5):
        body = {"locator": f"race_{round_}", "user_metadata": {}}
        results = _race([lambda c=c, x=body: act(c, "sequence_create", x) for c in (a, b, a, b)])
        errors = [r for r in results if isinstance(r, Exception)]
        assert sum(r is None for r in results) == 1, results
        assert len(errors) == 3
        assert all("smalto[sequence_already_exists]" in str(e) for e in errors), errors
    names = [i.descriptor.path[0].decode() for i in b.list_flights()]
    assert names == [f"race_{i}" for i in range(5)]


def test_one_topic_accepts_one_upload(replicas: tuple[Replica, Replica]) -> None:
    a, b = (r.client for r in replicas)
    _, topic = create_topic(a, "twice", "imu")
    batches = [readings(list(range(s, s + 1000))) for s in range(0, 20_000, 1000)]
    results = _race([lambda c=c: put(c, "twice/imu", topic, batches) for c in (a, b)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert "already being uploaded" in str(errors[0]) or "locked" in str(errors[0])
    assert read_topic(b, "twice/imu").num_rows == 20_000


def test_concurrent_writers_lose_no_chunk(
    replicas: tuple[Replica, Replica], shared: ServerSettings
) -> None:
    clients = [r.client for r in replicas]
    act(clients[0], "sequence_create", {"locator": "fleet", "user_metadata": {}})
    session = act(clients[1], "session_create", {"locator": "fleet"})["uuid"]
    paths = [f"robot_{i}/imu" for i in range(6)]
    uploads = []
    for index, path in enumerate(paths):
        client = clients[index % 2]
        topic = act(
            client,
            "topic_create",
            {
                "session_uuid": session,
                "locator": f"fleet/{path}",
                "serialization_format": "default",
                "ontology_tag": "custom_reading",
                "user_metadata": {},
            },
        )["uuid"]
        batches = [
            readings(list(range(s, s + BATCH_ROWS)), value_offset=index)
            for s in range(0, ROWS, BATCH_ROWS)
        ]
        # Upload through the *other* replica than the one that created the topic.
        uploads.append(
            lambda c=clients[(index + 1) % 2], p=path, t=topic, b=batches: put(
                c, f"fleet/{p}", t, b
            )
        )
    assert _race(uploads) == [None] * len(paths)
    assert act(clients[0], "session_finalize", {"session_uuid": session}) is None

    total_chunks = 0
    for index, path in enumerate(paths):
        app = _app(clients[index % 2], f"fleet/{path}")
        table = read_topic(clients[(index + 1) % 2], f"fleet/{path}")
        assert app["locked"] is True
        assert app["row_count"] == table.num_rows == ROWS
        assert table.column("timestamp_ns").to_pylist() == list(range(ROWS))
        assert table.column("value")[5].as_py() == pytest.approx(0.5 + index)
        assert app["info"]["chunks_number"] > 1
        total_chunks += app["info"]["chunks_number"]
    keys = [key for key, _ in store_keys(shared)]
    assert len(keys) == total_chunks
    assert all(key.endswith(".parquet") for key in keys)


def test_a_replica_refuses_a_missing_bucket(shared: ServerSettings, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "smalto.cli", "serve", "--port", "0"]
    command += ["--catalog", str(shared.catalog_url), "--store", "s3://no-such-bucket/x"]
    command += ["--s3-endpoint", str(shared.s3_endpoint), "--data", str(tmp_path / "d")]
    done = subprocess.run(command, capture_output=True, timeout=60)
    assert done.returncode == 1
    assert b"bucket 'no-such-bucket'" in done.stderr
    assert b"s3://no-such-bucket/x" in done.stderr
    assert b"Traceback" not in done.stderr


def test_schema_is_shared(replicas: tuple[Replica, Replica]) -> None:
    a, b = (r.client for r in replicas)
    _, topic = create_topic(a, "schema", "imu")
    put(a, "schema/imu", topic, [readings([1])])
    schema = info(b, "schema/imu").schema
    assert schema.field("pos").type == pa.struct([("x", pa.float64()), ("y", pa.float64())])
