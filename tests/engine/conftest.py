"""One server per test module for the query tests, on each catalog backend.

The server keeps tiny chunks (a few KiB) so every topic spans many chunks, and its `Archive`
remembers everything uploaded so brute-force answers cover the whole server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow.flight as flight
import pytest

from smalto.server import ServerSettings, SmaltoServer
from tests.backends import backend_marks, postgres_schema
from tests.engine.archive import Archive

TINY_CHUNK_BYTES = 256


@dataclass
class QueryWorld:
    """A running server, a raw Flight client on it and the archive uploaded so far."""

    server: SmaltoServer
    flight: flight.FlightClient
    archive: Archive


def _settings(data_dir: Path, catalog_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=data_dir,
        host="127.0.0.1",
        port=0,
        catalog_url=catalog_url,
        chunk_size_bytes=TINY_CHUNK_BYTES,
    )


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(b, id=b, marks=backend_marks(b)) for b in ("sqlite-local", "postgres-local")
    ],
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[QueryWorld]:
    """A module-wide server with tiny chunks over a fresh catalog of one backend."""
    data_dir = tmp_path_factory.mktemp("query") / "data"
    if request.param == "postgres-local":
        admin = request.getfixturevalue("postgres_admin")
        with postgres_schema(admin) as url, _running(_settings(data_dir, url)) as running:
            yield running
    else:
        with _running(_settings(data_dir, None)) as running:
            yield running


@contextmanager
def _running(settings: ServerSettings) -> Iterator[QueryWorld]:
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        try:
            yield QueryWorld(server, client, Archive())
        finally:
            client.close()
