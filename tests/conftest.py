"""Shared fixtures: a real smalto server on 127.0.0.1:0 over every catalog and store backend.

`server_settings` is parametrized over ``sqlite-local``, ``sqlite-s3``, ``postgres-local`` and
``postgres-s3`` (see `tests.backends` for how to enable PostgreSQL and S3 locally); every test
that uses a server therefore runs on each backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.flight as flight
import pytest
from hypothesis import settings
from sqlalchemy import Engine

from smalto.catalog.database import sqlite_url
from smalto.server import ServerSettings, SmaltoServer
from tests.backends import (
    BACKENDS,
    backend_marks,
    postgres_admin_engine,
    postgres_schema,
    s3_store_url,
    s3_test_endpoint,
)

# On CI, property tests run a fixed set of examples, so a run is reproducible and a landing is
# never blocked by a new random example; locally they stay random and keep hunting for bugs.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

if TYPE_CHECKING:
    from smalto.client import MosaicoClient


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the PostgreSQL test database (skips or fails when unset)."""
    engine = postgres_admin_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A catalog URL on a fresh PostgreSQL schema of its own, dropped after the test."""
    with postgres_schema(postgres_admin) as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """The S3 test endpoint, its bucket created (skips or fails when unset)."""
    return s3_test_endpoint()


@pytest.fixture
def s3_url(s3_endpoint: str) -> str:
    """An ``s3://`` store URL under a fresh prefix."""
    return s3_store_url()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty catalog URL on each catalog backend."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return sqlite_url(tmp_path / "catalog.db")


@pytest.fixture(params=[pytest.param(b, id=b, marks=backend_marks(b)) for b in BACKENDS])
def server_settings(request: pytest.FixtureRequest, tmp_path: Path) -> ServerSettings:
    """Settings of a server on a free loopback port over fresh backends of one combination."""
    catalog, store = str(request.param).split("-")
    s3_endpoint = request.getfixturevalue("s3_endpoint") if store == "s3" else None
    return ServerSettings(
        data_dir=tmp_path / "data",
        host="127.0.0.1",
        port=0,
        catalog_url=request.getfixturevalue("postgres_url") if catalog == "postgres" else None,
        store_url=request.getfixturevalue("s3_url") if store == "s3" else None,
        s3_endpoint=s3_endpoint,
    )


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
