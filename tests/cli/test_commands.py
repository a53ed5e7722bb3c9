"""The `smalto` command, run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
from pathlib import Path

import smalto
from smalto import Image, Message
from smalto.client import MosaicoClient
from smalto.server import SmaltoServer
from tests.client.samples import write_imu_sequence


def smalto_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smalto.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version() -> None:
    result = smalto_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"smalto {smalto.__version__}"


def test_gc_removes_orphans_and_keeps_chunks(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with smalto.local(data) as client:
        write_imu_sequence(client, "kept", count=20)
    store = data / "store"
    [chunk] = list(store.rglob("*.parquet"))
    orphans = [
        chunk.with_name("000099.parquet"),
        chunk.with_name("000100.parquet.tmp-feedface"),
        store / "sequences" / "gone" / "topics" / "t" / "chunks" / "000000.parquet",
    ]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"orphan")
    result = smalto_cli("gc", "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert "deleted 3 orphan(s)" in result.stdout
    assert not any(o.exists() for o in orphans)
    assert chunk.exists()
    with smalto.local(data) as client:
        handler = client.topic_handler("kept", "/imu")
        assert handler is not None and handler.to_arrow().num_rows == 20


def test_sequences_list_unlock_delete(server: SmaltoServer) -> None:
    with smalto.MosaicoClient.connect(server.host, server.port) as client:
        write_imu_sequence(client, "cli_seq", count=3)
    port = str(server.port)
    listed = smalto_cli("sequences", "list", "--port", port)
    assert listed.returncode == 0 and listed.stdout.split() == ["cli_seq"]
    refused = smalto_cli("sequences", "delete", "cli_seq", "--port", port, "--yes")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: sequence 'cli_seq' is locked")
    assert smalto_cli("sequences", "unlock", "cli_seq", "--port", port).returncode == 0
    deleted = smalto_cli("sequences", "delete", "cli_seq", "--port", port, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert smalto_cli("sequences", "list", "--port", port).stdout.split() == []


def test_sequences_without_a_server_says_so() -> None:
    result = smalto_cli("sequences", "list", "--port", "1")
    assert result.returncode == 2
    assert "error:" in result.stderr


def _serve(data: Path, *options: str) -> tuple[subprocess.Popen[bytes], MosaicoClient]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "smalto.cli", "serve", "--port", str(port)]
    command += ["--data", str(data), "--log-level", "warning", *options]
    process = subprocess.Popen(command)
    return process, MosaicoClient.connect("127.0.0.1", port, timeout=30)


def test_serve_stores_large_chunks_with_and_without_direct_io(tmp_path: Path) -> None:
    # 6 MiB frames are sent one per batch and make one chunk each (cut at 1 MiB): large enough
    # for direct I/O, with a tail that is not a whole block.
    frames = [os.urandom(6 * 1024 * 1024 + 7) for _ in range(3)]
    for option in ("--direct-io", "--no-direct-io"):
        process, client = _serve(tmp_path / option, "--chunk-size-mb", "1", option)
        try:
            with client.sequence_create("frames", {}) as writer:
                camera = writer.topic_create("camera", {}, Image)
                for i, frame in enumerate(frames):
                    data = Image(
                        data=frame,
                        format="raw",
                        width=1,
                        height=len(frame),
                        stride=1,
                        encoding="mono8",
                    )
                    camera.push(Message(timestamp_ns=i, data=data))
            handler = client.topic_handler("frames", "/camera")
            assert handler is not None
            assert handler.to_arrow().column("data").to_pylist() == frames
        finally:
            client.close()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        assert len(list((tmp_path / option).rglob("*.parquet"))) == len(frames)


def test_serve_keeps_freed_memory_on_glibc() -> None:
    code = "from smalto.server.memory import keep_freed_memory as k; print(k())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert result.stdout.strip() == str(expected)
