"""The Parquet-parts DoGet encoding: stored files pass through untouched, everything else is
re-encoded, and the rows always equal those of the Arrow stream."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

from smalto.catalog import Catalog
from smalto.protocol.parquet_parts import PART_COLUMN, is_parts_stream, table_schema
from smalto.server import ServerSettings, SmaltoServer
from smalto.server.state import open_store
from smalto.storage.chunk_reader import iter_window_parquet
from smalto.storage.object_store import LocalObjectStore
from tests.server.wire import create_topic, put, read_topic, readings


def _parts(
    client: flight.FlightClient, locator: str, start: int | None = None, end: int | None = None
) -> tuple[pa.Schema, list[pa.Buffer]]:
    command: dict[str, Any] = {"resource_locator": locator, "encoding": "parquet"}
    if start is not None:
        command["timestamp_ns_start"] = start
    if end is not None:
        command["timestamp_ns_end"] = end
    descriptor = flight.FlightDescriptor.for_command(json.dumps(command).encode())
    ticket = client.get_flight_info(descriptor).endpoints[0].ticket
    reader = client.do_get(ticket)
    if not is_parts_stream(reader.schema):
        reader.read_all()
        return reader.schema, []
    parts = [chunk.data.column(0)[0].as_buffer() for chunk in reader]
    return reader.schema, parts


def _rows(parts: list[pa.Buffer]) -> list[int]:
    tables = [pq.read_table(pa.BufferReader(part)) for part in parts]
    return [t for table in tables for t in table.column("timestamp_ns").to_pylist()]


def test_whole_chunks_travel_as_their_stored_files(server_settings: ServerSettings) -> None:
    settings = replace(server_settings, chunk_size_bytes=1)  # one chunk per batch
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        _, topic_uuid = create_topic(client, "p", "t")
        put(client, "p/t", topic_uuid, [readings([1, 2, 3]), readings([10, 11])])
        stream, parts = _parts(client, "p/t")
        assert stream.names == [PART_COLUMN]
        schema = table_schema(stream)
        assert schema == read_topic(client, "p/t").schema  # with its mosaico: metadata
        store = open_store(settings)  # local directory or S3
        stored = [store.open(key).read() for key in store.iter_keys()]  # in chunk order
        assert [part.to_pybytes() for part in parts] == stored
        client.close()


def test_cut_and_overlapping_chunks_are_re_encoded_in_time_order(
    server_settings: ServerSettings,
) -> None:
    settings = replace(server_settings, chunk_size_bytes=1)
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        _, topic_uuid = create_topic(client, "o", "t")
        # Three chunks overlapping in time, then two that overlap nothing.
        batches = [readings([50, 10, 30]), readings([20, 40]), readings([5, 60, 25])]
        batches += [readings([100, 110]), readings([200, 210, 220])]
        put(client, "o/t", topic_uuid, batches)
        for window in [(None, None), (25, 215), (100, 111), (6, 300)]:
            stream, parts = _parts(client, "o/t", *window)
            assert is_parts_stream(stream)
            expected = read_topic(client, "o/t", *window)
            assert _rows(parts) == expected.column("timestamp_ns").to_pylist()
            assert all(pq.read_metadata(pa.BufferReader(p)).num_rows for p in parts)
        # No stored file would pass through whole: the server answers with the Arrow stream.
        for window in [(20, 50), (101, 215), (300, 400)]:
            stream, _ = _parts(client, "o/t", *window)
            assert not is_parts_stream(stream)
        client.close()


def test_an_unknown_encoding_is_refused(flight_client: flight.FlightClient) -> None:
    create_topic(flight_client, "e", "t")
    command = {"resource_locator": "e/t", "encoding": "csv"}
    descriptor = flight.FlightDescriptor.for_command(json.dumps(command).encode())
    with pytest.raises(pa.ArrowInvalid, match="encoding"):
        flight_client.get_flight_info(descriptor)


def test_large_re_encoded_groups_are_split_into_parts(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path, port=0, chunk_size_bytes=1, fsync=False)
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        _, topic_uuid = create_topic(client, "big", "t")
        # Two chunks overlapping in time: one merged group of 2,000 rows.
        evens, odds = list(range(0, 2000, 2)), list(range(1, 2000, 2))
        put(client, "big/t", topic_uuid, [readings(evens), readings(odds)])
        schema = read_topic(client, "big/t").schema.remove_metadata()
        client.close()
    catalog = Catalog(settings.resolved_catalog_url)
    try:
        topic = catalog.get_topic("big", "t")
        chunks = catalog.list_chunks(topic.id, None, None)
    finally:
        catalog.close()
    store = LocalObjectStore(tmp_path / "store")
    parts = list(iter_window_parquet(store, chunks, schema, part_bytes=20_000))
    assert len(parts) > 1
    assert _rows(parts) == list(range(2000))
