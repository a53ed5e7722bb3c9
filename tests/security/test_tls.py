"""TLS and mutual TLS with certificates made at test time: round trips, and who is refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from smalto.client import MosaicoClient
from smalto.ontology import IMU
from smalto.server import ServerSettings, SmaltoServer
from tests.client.samples import imu_message
from tests.security.certs import Authority, Pem


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Authority | Pem]:
    """A CA with a server and a client certificate, and an unrelated CA with its own client."""
    directory = tmp_path / "pki"
    directory.mkdir()
    ca, rogue = Authority(directory, "smalto-ca"), Authority(directory, "rogue-ca")
    return {
        "ca": ca,
        "rogue": rogue,
        "server": ca.issue("server", server=True),
        "client": ca.issue("client", server=False),
        "rogue_client": rogue.issue("rogue-client", server=False),
    }


def _start(settings: ServerSettings, **tls: Path) -> Iterator[SmaltoServer]:
    with SmaltoServer(dataclasses.replace(settings, **tls)) as running:
        assert running.location.startswith("grpc+tls://")
        yield running


@pytest.fixture
def tls_server(server_settings: ServerSettings, pki: dict) -> Iterator[SmaltoServer]:
    yield from _start(server_settings, tls_cert=pki["server"].cert, tls_key=pki["server"].key)


@pytest.fixture
def mtls_server(server_settings: ServerSettings, pki: dict) -> Iterator[SmaltoServer]:
    yield from _start(
        server_settings,
        tls_cert=pki["server"].cert,
        tls_key=pki["server"].key,
        tls_client_ca=pki["ca"].pem.cert,
    )


def _round_trip(client: MosaicoClient, name: str) -> None:
    with client.sequence_create(name, {"secure": True}) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        for i in range(5):
            imu.push(imu_message(i))
    handler = client.topic_handler(name, "/imu")
    assert handler is not None
    assert handler.to_arrow().num_rows == 5


def test_tls_round_trip_and_wrong_ca(tls_server: SmaltoServer, pki: dict) -> None:
    host, port = "localhost", tls_server.port
    with MosaicoClient.connect(host, port, tls_cert_path=pki["ca"].pem.cert) as client:
        _round_trip(client, "over_tls")
    with pytest.raises(ConnectionError):
        MosaicoClient.connect(host, port, timeout=1, tls_cert_path=pki["rogue"].pem.cert)
    with pytest.raises(ConnectionError):
        MosaicoClient.connect(host, port, timeout=1)  # plaintext to a TLS port


def test_mutual_tls(mtls_server: SmaltoServer, pki: dict) -> None:
    host, port, roots = "localhost", mtls_server.port, pki["ca"].pem.cert
    with pytest.raises(ConnectionError):
        MosaicoClient.connect(host, port, timeout=1, tls_cert_path=roots)
    rogue = pki["rogue_client"]
    with pytest.raises(ConnectionError):
        MosaicoClient.connect(
            host,
            port,
            timeout=1,
            tls_cert_path=roots,
            tls_client_cert_path=rogue.cert,
            tls_client_key_path=rogue.key,
        )
    mine = pki["client"]
    with MosaicoClient.connect(
        host,
        port,
        tls_cert_path=roots,
        tls_client_cert_path=mine.cert,
        tls_client_key_path=mine.key,
    ) as client:
        _round_trip(client, "over_mtls")


def test_from_env_reads_the_client_certificate(
    mtls_server: SmaltoServer, pki: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICO_TLS_CERT_FILE", str(pki["ca"].pem.cert))
    monkeypatch.setenv("MOSAICO_TLS_CLIENT_CERT_FILE", str(pki["client"].cert))
    monkeypatch.setenv("MOSAICO_TLS_CLIENT_KEY_FILE", str(pki["client"].key))
    monkeypatch.delenv("MOSAICO_API_KEY", raising=False)
    with MosaicoClient.from_env("localhost", mtls_server.port) as client:
        assert client.list_sequences() == []


def test_inconsistent_tls_options_are_refused(server_settings: ServerSettings, pki: dict) -> None:
    with pytest.raises(ValueError, match="both a certificate and its key"):
        dataclasses.replace(server_settings, tls_cert=pki["server"].cert)
    with pytest.raises(ValueError, match="needs TLS on"):
        dataclasses.replace(server_settings, tls_client_ca=pki["ca"].pem.cert)
    with pytest.raises(ValueError, match="tls_cert_path"):
        MosaicoClient.connect(
            "localhost", 1, tls_client_cert_path=pki["client"].cert, tls_client_key_path="x"
        )
    with pytest.raises(ValueError, match="both"):
        MosaicoClient.connect("localhost", 1, tls_client_cert_path=pki["client"].cert)
    not_pem = pki["server"].cert.with_suffix(".txt")
    not_pem.write_text("hello")
    bad = dataclasses.replace(server_settings, tls_cert=not_pem, tls_key=pki["server"].key)
    with pytest.raises(Exception, match="not a PEM file"):
        SmaltoServer(bad).start()
