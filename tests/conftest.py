"""Shared fixtures: a real smalto server on 127.0.0.1:0 over a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.flight as flight
import pytest

from smalto.server import ServerSettings, SmaltoServer

if TYPE_CHECKING:
    from smalto.client import MosaicoClient


@pytest.fixture
def server_settings(tmp_path: Path) -> ServerSettings:
    """Settings of a server on a free loopback port over a fresh data directory."""
    return ServerSettings(data_dir=tmp_path / "data", host="127.0.0.1", port=0)


@pytest.fixture
def server(server_settings: ServerSettings) -> Iterator[SmaltoServer]:
    """A running server, stopped after the test."""
    with SmaltoServer(server_settings) as running:
        yield running


@pytest.fixture
def flight_client(server: SmaltoServer) -> Iterator[flight.FlightClient]:
    """A raw pyarrow Flight client of the server (what any Mosaico client sees)."""
    client = flight.FlightClient(server.location)
    yield client
    client.close()


@pytest.fixture
def client(server: SmaltoServer) -> Iterator[MosaicoClient]:
    """smalto's SDK connected to the server."""
    from smalto.client import MosaicoClient

    with MosaicoClient.connect(server.host, server.port) as connected:
        yield connected
