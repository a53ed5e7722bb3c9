"""Servers that enforce API keys, with one key per permission level minted in their catalog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pyarrow.flight as flight
import pytest

from smalto.catalog import Catalog
from smalto.enums import APIKeyPermissionEnum
from smalto.protocol.api_keys import API_KEY_HEADER
from smalto.server import ServerSettings, SmaltoServer
from smalto.server.api_keys import ApiKeyRing


def with_key(token: str | bytes | None) -> flight.FlightCallOptions:
    """Call options that send ``token`` as the API-key header (none when None)."""
    if token is None:
        return flight.FlightCallOptions()
    value = token if isinstance(token, bytes) else token.encode()
    return flight.FlightCallOptions(headers=[(API_KEY_HEADER.encode(), value)])


def mint(
    settings: ServerSettings,
    permission: APIKeyPermissionEnum,
    description: str = "",
    expires_at_ns: int | None = None,
) -> str:
    """Create a key straight in the catalog of ``settings`` (as `smalto keys create` does)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(settings.resolved_catalog_url)
    try:
        return ApiKeyRing(catalog).create(permission, description, expires_at_ns)
    finally:
        catalog.close()


@pytest.fixture
def keyed_settings(server_settings: ServerSettings) -> ServerSettings:
    """The backend's settings with API keys required."""
    return dataclasses.replace(server_settings, require_api_key=True)


@pytest.fixture
def tokens(keyed_settings: ServerSettings) -> dict[APIKeyPermissionEnum, str]:
    """One live token per permission level."""
    return {
        level: mint(keyed_settings, level, description=level.value)
        for level in APIKeyPermissionEnum
    }


@pytest.fixture
def keyed_server(
    keyed_settings: ServerSettings, tokens: dict[APIKeyPermissionEnum, str]
) -> Iterator[SmaltoServer]:
    """A running server that requires API keys."""
    with SmaltoServer(keyed_settings) as running:
        yield running


@pytest.fixture
def raw_client(keyed_server: SmaltoServer) -> Iterator[flight.FlightClient]:
    """A pyarrow Flight client without any key (pass `with_key` options per call)."""
    client = flight.FlightClient(keyed_server.location)
    yield client
    client.close()
