"""Bad requests get a clear error and change nothing in the catalog or the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from smalto.server import SmaltoServer
from tests.backends import store_keys
from tests.server.wire import act, create_topic, info, put, readings


def snapshot(server: SmaltoServer, client: flight.FlightClient) -> Any:
    """Everything a client can observe plus every file of the store."""
    files = store_keys(server.settings)
    sequences = []
    for flight_info in client.list_flights():
        name = flight_info.descriptor.path[0].decode()
        described = info(client, name)
        endpoints = [json.loads(e.app_metadata) for e in described.endpoints]
        sequences.append((name, json.loads(described.app_metadata), endpoints))
    return files, sequences


@pytest.fixture
def populated(flight_client: flight.FlightClient) -> str:
    """A sequence with one uploaded topic and one topic still open; returns the open uuid."""
    _, done = create_topic(flight_client, "base", "done")
    put(flight_client, "base/done", done, [readings([1, 2, 3])])
    session = act(flight_client, "session_create", {"locator": "base"})["uuid"]
    return str(
        act(
            flight_client,
            "topic_create",
            {
                "session_uuid": session,
                "locator": "base/open",
                "serialization_format": "default",
                "ontology_tag": "custom_reading",
                "user_metadata": {},
            },
        )["uuid"]
    )


def refused(
    server: SmaltoServer,
    client: flight.FlightClient,
    call: Callable[[], object],
    error: type[Exception],
    message: str,
) -> None:
    before = snapshot(server, client)
    with pytest.raises(error, match=message):
        call()
    assert snapshot(server, client) == before


def _topic_body(locator: str, session: str = "x", tag: str = "custom_reading") -> dict[str, Any]:
    return {
        "session_uuid": session,
        "locator": locator,
        "serialization_format": "default",
        "ontology_tag": tag,
        "user_metadata": {},
    }


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("sequence_create", b"{not json", "Invalid JSON"),
        ("sequence_create", b"[1, 2]", "invalid body"),
        ("sequence_create", b'{"locator": 5, "user_metadata": {}}', "locator"),
        ("sequence_create", b'{"locator": "a", "user_metadata": {}, "x": 1}', "x: Extra"),
        ("sequence_create", b'{"user_metadata": {}}', "locator: Field required"),
        ("sequence_create", b'{"locator": "a", "user_metadata": [1]}', "user_metadata"),
        ("no_such_action", b"{}", "unknown action 'no_such_action'"),
        ("sequence_create", b'{"locator": "base", "user_metadata": {}}', "already exists"),
        ("session_create", b'{"locator": "missing"}', "does not exist"),
        ("session_finalize", b'{"session_uuid": "nope"}', "does not exist"),
        ("topic_create", json.dumps(_topic_body("base/x")).encode(), "does not exist"),
        ("topic_create", json.dumps(_topic_body("base")).encode(), "expected '<sequence>/"),
        (
            "topic_create",
            b'{"session_uuid": "x", "locator": "base/y", "serialization_format": "zip",'
            b' "ontology_tag": "t", "user_metadata": {}}',
            "serialization_format",
        ),
        ("topic_create", json.dumps(_topic_body("base/y", tag="a.b")).encode(), "ontology tag"),
        ("topic_delete", b'{"locator": "base/done"}', "locked"),
        (
            "sequence_notification_create",
            b'{"locator": "base", "notification_type": "info", "msg": "m"}',
            "notification_type",
        ),
        ("topic_notification_list", b'{"locator": "base/none"}', "does not exist"),
        ("sequence_create", b"{" * 100_000, "Invalid JSON"),
    ],
)
def test_malformed_actions(
    server: SmaltoServer,
    flight_client: flight.FlightClient,
    populated: str,
    name: str,
    body: bytes,
    message: str,
) -> None:
    refused(
        server,
        flight_client,
        lambda: act(flight_client, name, body),
        (pa.ArrowInvalid, pa.ArrowKeyError),  # type: ignore[arg-type]
        message,
    )


@pytest.mark.parametrize(
    "name",
    ["/..", "..", "a/../b", "with space", "caffè", "", "a.b", "x" * 300],
)
def test_bad_sequence_names(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str, name: str
) -> None:
    refused(
        server,
        flight_client,
        lambda: act(flight_client, "sequence_create", {"locator": name, "user_metadata": {}}),
        pa.ArrowInvalid,
        "sequence name",
    )


@pytest.mark.parametrize("path", ["..", "a/../b", "a//b", "sp ace", "ünï", "./x", "a/."])
def test_bad_topic_names(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str, path: str
) -> None:
    session = act(flight_client, "session_create", {"locator": "base"})["uuid"]
    refused(
        server,
        flight_client,
        lambda: act(flight_client, "topic_create", _topic_body(f"base/{path}", session)),
        pa.ArrowInvalid,
        "topic name",
    )


def test_ten_megabytes_of_metadata(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str
) -> None:
    metadata = {"blob": "x" * (10 * 1024 * 1024)}
    refused(
        server,
        flight_client,
        lambda: act(
            flight_client, "sequence_create", {"locator": "big", "user_metadata": metadata}
        ),
        pa.ArrowInvalid,
        "limit is 1048576 bytes",
    )


def test_put_with_wrong_topic_uuid(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str
) -> None:
    refused(
        server,
        flight_client,
        lambda: put(
            flight_client, "base/open", "00000000-0000-0000-0000-000000000000", [readings([1])]
        ),
        pa.ArrowInvalid,
        "wrong topic_uuid",
    )


def test_put_without_int64_timestamp(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str
) -> None:
    no_timestamp = readings([1]).drop_columns(["timestamp_ns"])
    refused(
        server,
        flight_client,
        lambda: put(flight_client, "base/open", populated, [no_timestamp]),
        pa.ArrowInvalid,
        "no int64 column 'timestamp_ns'",
    )
    as_int32 = readings([1]).set_column(0, "timestamp_ns", pa.array([1], pa.int32()))
    refused(
        server,
        flight_client,
        lambda: put(flight_client, "base/open", populated, [as_int32]),
        pa.ArrowInvalid,
        "no int64 column 'timestamp_ns'",
    )


def test_second_put_on_a_locked_topic(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str
) -> None:
    done_uuid = json.loads(info(flight_client, "base/done").endpoints[0].app_metadata)
    assert done_uuid["locked"] is True
    sequence_info = json.loads(info(flight_client, "base").app_metadata)
    assert sequence_info["sessions"][0]["topics"] == ["base/done"]
    _, other = create_topic(flight_client, "second", "t")
    put(flight_client, "second/t", other, [readings([1])])
    refused(
        server,
        flight_client,
        lambda: put(flight_client, "second/t", other, [readings([5])]),
        pa.ArrowInvalid,
        "is locked",
    )


def test_put_with_a_schema_that_contradicts_the_ontology(
    server: SmaltoServer, flight_client: flight.FlightClient
) -> None:
    _, topic_uuid = create_topic(flight_client, "typed", "imu", tag="imu")
    refused(
        server,
        flight_client,
        lambda: put(flight_client, "typed/imu", topic_uuid, [readings([1, 2])]),
        pa.ArrowInvalid,
        "does not match ontology 'imu'",
    )


def test_bad_descriptors_and_tickets(
    server: SmaltoServer, flight_client: flight.FlightClient, populated: str
) -> None:
    path_descriptor = flight.FlightDescriptor.for_path("base")
    refused(
        server,
        flight_client,
        lambda: flight_client.get_flight_info(path_descriptor),
        pa.ArrowInvalid,
        "CMD descriptor",
    )
    refused(
        server,
        flight_client,
        lambda: flight_client.do_get(flight.Ticket(b"garbage")).read_all(),
        pa.ArrowInvalid,
        "invalid ticket",
    )
    refused(
        server,
        flight_client,
        lambda: info(flight_client, "base/done", 10, 5),
        pa.ArrowInvalid,
        "is after its end",
    )
    refused(
        server, flight_client, lambda: info(flight_client, "missing"), pa.ArrowKeyError, "missing"
    )
