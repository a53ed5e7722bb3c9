"""Connecting: the factory rule, readiness, TLS, API keys, typed errors, closing."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow.flight as flight
import pytest

from smalto.client import MosaicoClient
from smalto.errors import InvalidRequest, SequenceAlreadyExists, SmaltoError, Unavailable
from smalto.ontology import IMU
from smalto.server import SmaltoServer

PAYLOAD = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
VALID_KEY = f"msco_{PAYLOAD}_{zlib.crc32(PAYLOAD.encode()):08x}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _HeaderRecorder(flight.ServerMiddlewareFactory):
    """Records the API-key header of every call; refuses calls whose key is not ``accepted``."""

    def __init__(self, accepted: str | None) -> None:
        super().__init__()
        self.accepted = accepted
        self.seen: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    def start_call(
        self, info: flight.CallInfo, headers: dict[str, list[str]]
    ) -> flight.ServerMiddleware | None:
        values = headers.get("mosaico-api-key-token", [])
        with self._lock:
            self.seen.append((str(info.method), values))
        if self.accepted is not None and values != [self.accepted]:
            raise flight.FlightUnauthenticatedError("missing or unknown API key")
        return None


class _TinyServer(flight.FlightServerBase):
    """Answers ListFlights (empty) and the ``version`` action; nothing else."""

    def list_flights(
        self, context: flight.ServerCallContext, criteria: bytes
    ) -> Iterator[flight.FlightInfo]:
        return iter([])

    def do_action(
        self, context: flight.ServerCallContext, action: flight.Action
    ) -> Iterator[bytes]:
        payload = {"version": "9.9.9", "semver": {"major": 9, "minor": 9, "patch": 9, "pre": ""}}
        yield json.dumps({"action": action.type, "response": payload}).encode()


@pytest.fixture
def keyed_server() -> Iterator[tuple[_TinyServer, _HeaderRecorder]]:
    recorder = _HeaderRecorder(accepted=VALID_KEY)
    server = _TinyServer("grpc://127.0.0.1:0", middleware={"key": recorder})
    yield server, recorder
    server.shutdown()


def test_direct_construction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="connect"):
        MosaicoClient()
    with pytest.raises(RuntimeError, match="connect"):
        MosaicoClient("127.0.0.1", 6726)  # type: ignore[arg-type]


def test_unreachable_server_raises_connection_error() -> None:
    port = _free_port()
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        MosaicoClient.connect("127.0.0.1", port, timeout=0.3)


@pytest.mark.parametrize(
    "token",
    [
        "msco_abc_12345678",
        f"mosaico_{PAYLOAD}_00000000",
        f"msco_{PAYLOAD.upper()}_{zlib.crc32(PAYLOAD.upper().encode()):08x}",
        f"msco_{'a' * 32}_{zlib.crc32(b'a' * 32):08x}",
        f"msco_{'1' * 32}_{zlib.crc32(b'1' * 32):08x}",
        f"msco_{PAYLOAD}_00000000",
        f"msco_{PAYLOAD}",
    ],
)
def test_malformed_api_keys_fail_before_any_traffic(token: str) -> None:
    with pytest.raises(ValueError, match="invalid API key"):
        MosaicoClient.connect("127.0.0.1", _free_port(), timeout=0.1, api_key=token)


def test_api_key_is_sent_on_every_call(keyed_server: tuple[_TinyServer, _HeaderRecorder]) -> None:
    server, recorder = keyed_server
    with MosaicoClient.connect("127.0.0.1", server.port, api_key=VALID_KEY) as client:
        assert client.version() == "9.9.9"
        assert client.list_sequences() == []
    methods = {method for method, _ in recorder.seen}
    assert any("LIST_FLIGHTS" in m for m in methods)
    assert any("DO_ACTION" in m for m in methods)
    assert all(values == [VALID_KEY] for _, values in recorder.seen)


def test_refused_key_raises_connection_error(
    keyed_server: tuple[_TinyServer, _HeaderRecorder],
) -> None:
    server, _ = keyed_server
    with pytest.raises(ConnectionError, match="refused"):
        MosaicoClient.connect("127.0.0.1", server.port, timeout=1)


def test_from_env_reads_key_and_certificate(
    keyed_server: tuple[_TinyServer, _HeaderRecorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, recorder = keyed_server
    monkeypatch.setenv("MOSAICO_API_KEY", VALID_KEY)
    monkeypatch.setenv("MOSAICO_TLS_CERT_FILE", "")
    with MosaicoClient.from_env("127.0.0.1", server.port) as client:
        assert client.version() == "9.9.9"
    assert recorder.seen
    assert all(values == [VALID_KEY] for _, values in recorder.seen)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_with_a_root_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = _TinyServer(
        "grpc+tls://127.0.0.1:0", tls_certificates=[(cert.read_bytes(), key.read_bytes())]
    )
    try:
        with MosaicoClient.connect("127.0.0.1", server.port, tls_cert_path=cert) as client:
            assert client.version() == "9.9.9"
        with pytest.raises(ConnectionError):
            MosaicoClient.connect("127.0.0.1", server.port, timeout=0.5)
    finally:
        server.shutdown()


def test_version_and_listing(client: MosaicoClient) -> None:
    assert client.version()
    assert client.list_sequences() == []
    for name in ("alpha", "beta"):
        with client.sequence_create(name, {}) as writer:
            writer.topic_create("t", {}, IMU)
    assert sorted(client.list_sequences()) == ["alpha", "beta"]


def test_typed_errors_cross_the_wire(client: MosaicoClient) -> None:
    with client.sequence_create("dup", {}) as writer:
        writer.topic_create("t", {}, IMU)
    with pytest.raises(SequenceAlreadyExists), client.sequence_create("dup", {}):
        pass
    with pytest.raises(InvalidRequest):
        client.sequence_create("bad name!", {})
    with pytest.raises(InvalidRequest), client.sequence_create("json", {"when": {1, 2}}):
        pass


def test_deleting_a_missing_sequence_succeeds(client: MosaicoClient) -> None:
    client.sequence_delete("never_created")
    assert client.sequence_handler("never_created") is None


def test_stopped_server_is_unavailable_and_names_the_address(
    server: SmaltoServer, client: MosaicoClient
) -> None:
    address = f"{server.host}:{server.port}"
    server.stop()
    with pytest.raises(Unavailable, match=address):
        client.list_sequences()
    with pytest.raises(SmaltoError):
        client.sequence_handler("anything")


def test_close_is_idempotent_and_final(server: SmaltoServer) -> None:
    client = MosaicoClient.connect(server.host, server.port)
    closed: list[str] = []
    client.add_close_callback(lambda: closed.append("first"))
    client.add_close_callback(lambda: closed.append("second"))
    client.close()
    client.close()
    assert closed == ["second", "first"]
    client.add_close_callback(lambda: closed.append("late"))
    assert closed[-1] == "late"
    assert client.closed
    with pytest.raises(RuntimeError, match="closed"):
        client.list_sequences()
