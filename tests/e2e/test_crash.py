"""SIGKILL in the middle of a multi-topic upload loses no committed chunk, shows no half chunk."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from tests.server.wire import act, info, read_topic, readings

pytestmark = pytest.mark.e2e

TOPICS = ("sensors/a", "sensors/b")
ROWS_PER_BATCH = 40_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(data: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "smalto.cli", "serve", "--port", str(port)]
    command += ["--data", str(data), "--chunk-size-mb", "1", "--upload-lease-seconds", "1"]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(command)
    flight.FlightClient(f"grpc://127.0.0.1:{port}").wait_for_available(timeout=30)
    return process


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"


def _topic_app(client: flight.FlightClient, locator: str) -> dict[str, object]:
    return dict(json.loads(info(client, locator).endpoints[0].app_metadata))


def _open_uploads(client: flight.FlightClient) -> tuple[str, list[flight.FlightStreamWriter]]:
    act(client, "sequence_create", {"locator": "crash", "user_metadata": {}})
    session = act(client, "session_create", {"locator": "crash"})["uuid"]
    writers = []
    for path in TOPICS:
        topic_uuid = act(
            client,
            "topic_create",
            {
                "session_uuid": session,
                "locator": f"crash/{path}",
                "serialization_format": "default",
                "ontology_tag": "custom_reading",
                "user_metadata": {},
            },
        )["uuid"]
        command = json.dumps({"resource_locator": f"crash/{path}", "topic_uuid": topic_uuid})
        descriptor = flight.FlightDescriptor.for_command(command.encode())
        writer, _ = client.do_put(descriptor, readings([0]).schema)
        writers.append(writer)
    return session, writers


def _upload_until_committed(
    client: flight.FlightClient, writers: list[flight.FlightStreamWriter]
) -> None:
    start = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for writer in writers:
            writer.write_batch(readings(list(range(start, start + ROWS_PER_BATCH))))
        start += ROWS_PER_BATCH
        chunks = [_topic_app(client, f"crash/{p}")["info"]["chunks_number"] for p in TOPICS]  # type: ignore[index]
        if min(chunks) >= 3:
            return
    raise AssertionError("the server never committed three chunks per topic")


def _plant_orphans(store: Path) -> list[Path]:
    chunk_dir = next(store.rglob("chunks"))
    orphans = [
        chunk_dir / "000777.parquet",
        chunk_dir / "000778.parquet.tmp-0123456789abcdef",
        store
        / "sequences"
        / "00000000-dead-beef-0000-000000000000"
        / "topics"
        / "x"
        / "chunks"
        / "000000.parquet",
    ]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"half a chunk")
    return orphans


def _wait_locked(client: flight.FlightClient) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(_topic_app(client, f"crash/{p}")["locked"] for p in TOPICS):
            return
        time.sleep(0.2)
    raise AssertionError("interrupted uploads were not recovered")


def _kill_mid_upload(data_dir: Path) -> tuple[str, dict[str, int]]:
    port = _free_port()
    server = _start(data_dir, port)
    client = flight.FlightClient(f"grpc://127.0.0.1:{port}")
    try:
        session, writers = _open_uploads(client)
        _upload_until_committed(client, writers)
        seen = {p: int(_topic_app(client, f"crash/{p}")["row_count"]) for p in TOPICS}  # type: ignore[call-overload]
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    finally:
        client.close()
        if server.poll() is None:
            server.kill()
    return session, seen


def _check_recovered(client: flight.FlightClient, seen: dict[str, int]) -> None:
    for path in TOPICS:
        locator = f"crash/{path}"
        app = _topic_app(client, locator)
        table = read_topic(client, locator)
        assert table.num_rows == app["row_count"] >= seen[path] > 0
        timestamps = table.column("timestamp_ns").to_pylist()
        assert timestamps == list(range(len(timestamps)))
        assert table.column("value").to_pylist() == [t / 10 for t in timestamps]
        notes = act(client, "topic_notification_list", {"locator": locator})["notifications"]
        assert any(f"upload of '/{path}' interrupted" in n["msg"] for n in notes)
    sequence_notes = act(client, "sequence_notification_list", {"locator": "crash"})
    assert len(sequence_notes["notifications"]) == len(TOPICS)


def test_sigkill_then_finalize_with_report_semantics(data_dir: Path) -> None:
    session, seen = _kill_mid_upload(data_dir)
    orphans = _plant_orphans(data_dir / "store")
    port = _free_port()
    server = _start(data_dir, port)
    client = flight.FlightClient(f"grpc://127.0.0.1:{port}")
    try:
        _wait_locked(client)
        _check_recovered(client, seen)
        assert not any(o.exists() for o in orphans)
        chunk_files = list((data_dir / "store").rglob("*.parquet"))
        chunks = sum(_topic_app(client, f"crash/{p}")["info"]["chunks_number"] for p in TOPICS)  # type: ignore[misc]
        assert len(chunk_files) == chunks
        sessions = json.loads(info(client, "crash").app_metadata)["sessions"]
        assert [s["locked"] for s in sessions] == [False]
        act(client, "session_finalize", {"session_uuid": session})
        assert json.loads(info(client, "crash").app_metadata)["locked"] is False
        act(client, "sequence_delete", {"locator": "crash"})
        assert not any((data_dir / "store").rglob("*.parquet"))
    finally:
        client.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0


def test_sigkill_then_delete_the_session(data_dir: Path) -> None:
    session, _ = _kill_mid_upload(data_dir)
    port = _free_port()
    server = _start(data_dir, port)
    client = flight.FlightClient(f"grpc://127.0.0.1:{port}")
    try:
        _wait_locked(client)
        act(client, "session_delete", {"session_uuid": session})
        assert json.loads(info(client, "crash").app_metadata)["sessions"] == []
        assert not any((data_dir / "store").rglob("*.parquet"))
        with pytest.raises(pa.ArrowKeyError):
            info(client, "crash/sensors/a")
    finally:
        client.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
