"""Configurable limits are enforced with errors that name the limit and the option."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from smalto.server import ServerSettings, SmaltoServer
from tests.security.state import snapshot
from tests.server.wire import act, create_topic, put, readings


@pytest.fixture
def strict(server_settings: ServerSettings) -> Iterator[tuple[SmaltoServer, flight.FlightClient]]:
    settings = dataclasses.replace(server_settings, max_name_length=8, max_put_batch_bytes=4096)
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        yield server, client
        client.close()


def test_name_length_and_batch_size(strict: tuple[SmaltoServer, flight.FlightClient]) -> None:
    server, client = strict
    _, topic = create_topic(client, "short", "t")
    before = snapshot(server.settings)
    with pytest.raises(pa.ArrowInvalid, match=r"at most 8 .*--max-name-length"):
        act(client, "sequence_create", {"locator": "longer_than_8", "user_metadata": {}})
    with pytest.raises(pa.ArrowInvalid, match=r"limit is 4096 bytes .*--max-batch-bytes"):
        put(client, "short/t", topic, [readings(list(range(1000)))])
    assert snapshot(server.settings) == before
    put(client, "short/t", topic, [readings([1, 2, 3])])


def test_settings_refuse_a_name_limit_beyond_the_catalog(server_settings: ServerSettings) -> None:
    with pytest.raises(ValueError, match="between 1 and 256"):
        dataclasses.replace(server_settings, max_name_length=1000)
