"""The server as any Mosaico client sees it: exact envelopes, metadata, windows and ordering."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from smalto.server import ServerSettings, SmaltoServer
from tests.backends import store_keys
from tests.server.wire import act, create_topic, info, put, read_topic, readings


def test_list_flights_names_every_sequence(flight_client: flight.FlightClient) -> None:
    assert list(flight_client.list_flights()) == []
    for name in ("alpha", "beta"):
        act(flight_client, "sequence_create", {"locator": name, "user_metadata": {}})
    infos = list(flight_client.list_flights())
    assert [i.descriptor.path for i in infos] == [[b"alpha"], [b"beta"]]


def test_version_envelope(flight_client: flight.FlightClient) -> None:
    response = act(flight_client, "version", b"{}")
    assert set(response) == {"version", "semver"}
    assert set(response["semver"]) == {"major", "minor", "patch", "pre"}


def test_create_answers_carry_only_uuid(flight_client: flight.FlightClient) -> None:
    act(flight_client, "sequence_create", {"locator": "s", "user_metadata": {"a": 1}})
    session = act(flight_client, "session_create", {"locator": "s"})
    assert list(session) == ["uuid"]
    topic = act(
        flight_client,
        "topic_create",
        {
            "session_uuid": session["uuid"],
            "locator": "s/a/b",
            "serialization_format": "default",
            "ontology_tag": "custom_reading",
            "user_metadata": {"k": "v"},
        },
    )
    assert list(topic) == ["uuid"]


def test_topic_round_trip_with_metadata(flight_client: flight.FlightClient) -> None:
    _, topic_uuid = create_topic(flight_client, "drive", "sensors/reading")
    batches = [readings([30, 10, 20]), readings([5, 40])]
    put(flight_client, "drive/sensors/reading", topic_uuid, batches)

    topic_info = info(flight_client, "drive/sensors/reading")
    metadata = topic_info.schema.metadata
    assert metadata[b"mosaico:context"] == b"topic"
    assert json.loads(metadata[b"mosaico:properties"]) == {
        "serialization_format": "default",
        "ontology_tag": "custom_reading",
    }
    assert json.loads(metadata[b"mosaico:user_metadata"]) == {}
    [endpoint] = topic_info.endpoints
    assert [loc.uri for loc in endpoint.locations] == [b"mosaico:/drive/sensors/reading"]
    app = json.loads(endpoint.app_metadata)
    assert app["locked"] is True
    assert app["resource_locator"] == "drive/sensors/reading"
    assert app["info"]["chunks_number"] == 1
    assert app["info"]["total_bytes"] > 0
    assert app["info"]["timestamp"] == {"start_ns": 5, "end_ns": 40}

    reader = flight_client.do_get(endpoint.ticket)
    assert reader.schema.metadata[b"mosaico:context"] == b"topic"
    table = reader.read_all()
    assert table.column("timestamp_ns").to_pylist() == [5, 10, 20, 30, 40]
    assert table.column("value").to_pylist() == [0.5, 1.0, 2.0, 3.0, 4.0]
    assert table.column("pos").to_pylist()[0] == {"x": 5.0, "y": -5.0}


def test_sequence_info_lists_open_topics(flight_client: flight.FlightClient) -> None:
    session, _ = create_topic(flight_client, "seq", "cam/left", metadata={"env": {"rain": True}})
    sequence_info = info(flight_client, "seq")
    assert sequence_info.schema.metadata[b"mosaico:context"] == b"sequence"
    assert json.loads(sequence_info.schema.metadata[b"mosaico:user_metadata"]) == {
        "env": {"rain": True}
    }
    app = json.loads(sequence_info.app_metadata)
    assert app["resource_locator"] == "seq"
    [entry] = app["sessions"]
    assert entry["uuid"] == session
    assert entry["locked"] is False
    assert entry["topics"] == ["seq/cam/left"]
    [endpoint] = sequence_info.endpoints
    topic_app = json.loads(endpoint.app_metadata)
    assert topic_app["info"] == {"chunks_number": 0, "total_bytes": 0, "timestamp": None}
    assert topic_app["locked"] is False


def test_windows_are_start_inclusive_end_exclusive(flight_client: flight.FlightClient) -> None:
    _, topic_uuid = create_topic(flight_client, "w", "t")
    put(flight_client, "w/t", topic_uuid, [readings(list(range(0, 100, 10)))])
    window = read_topic(flight_client, "w/t", 20, 50)
    assert window.column("timestamp_ns").to_pylist() == [20, 30, 40]
    assert read_topic(flight_client, "w/t", None, 10).column("timestamp_ns").to_pylist() == [0]
    assert read_topic(flight_client, "w/t", 90, None).column("timestamp_ns").to_pylist() == [90]
    empty = read_topic(flight_client, "w/t", 41, 50)
    assert empty.num_rows == 0
    assert empty.schema.names[0] == "timestamp_ns"


def test_empty_window_sends_no_batch(flight_client: flight.FlightClient) -> None:
    _, topic_uuid = create_topic(flight_client, "w", "t")
    put(flight_client, "w/t", topic_uuid, [readings([1, 2, 3])])
    endpoint = info(flight_client, "w/t", 100, 200).endpoints[0]
    reader = flight_client.do_get(endpoint.ticket)
    with pytest.raises(StopIteration):
        reader.read_chunk()


def test_overlapping_chunks_come_back_sorted(
    tmp_path: object, server_settings: ServerSettings
) -> None:
    settings = replace(server_settings, chunk_size_bytes=1)
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        _, topic_uuid = create_topic(client, "o", "t")
        batches = [readings([50, 10, 30]), readings([20, 40]), readings([5, 60, 25])]
        put(client, "o/t", topic_uuid, batches)
        app = json.loads(info(client, "o/t").endpoints[0].app_metadata)
        assert app["info"]["chunks_number"] == 3
        assert read_topic(client, "o/t").column("timestamp_ns").to_pylist() == [
            5,
            10,
            20,
            25,
            30,
            40,
            50,
            60,
        ]
        assert read_topic(client, "o/t", 20, 50).column("timestamp_ns").to_pylist() == [
            20,
            25,
            30,
            40,
        ]
        client.close()


def test_million_rows_span_chunks_and_survive_restart(server_settings: ServerSettings) -> None:
    settings = replace(server_settings, chunk_size_bytes=4 * 1024 * 1024)
    rows = 1_000_000
    step = 100_000
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        session, topic_uuid = create_topic(client, "big", "imu")
        put(
            client,
            "big/imu",
            topic_uuid,
            [readings(list(range(s, s + step))) for s in range(0, rows, step)],
        )
        act(client, "session_finalize", {"session_uuid": session})
        client.close()
    with SmaltoServer(settings) as server:
        client = flight.FlightClient(server.location)
        app = json.loads(info(client, "big/imu").endpoints[0].app_metadata)
        assert app["info"]["chunks_number"] > 5
        assert app["info"]["timestamp"] == {"start_ns": 0, "end_ns": rows - 1}
        table = read_topic(client, "big/imu")
        assert table.num_rows == rows
        assert table.column("timestamp_ns").to_pylist() == list(range(rows))
        window = read_topic(client, "big/imu", 123_456, 123_466)
        assert window.column("timestamp_ns").to_pylist() == list(range(123_456, 123_466))
        client.close()


def test_session_finalize_rules(flight_client: flight.FlightClient) -> None:
    act(flight_client, "sequence_create", {"locator": "f", "user_metadata": {}})
    empty = act(flight_client, "session_create", {"locator": "f"})["uuid"]
    with pytest.raises(pa.ArrowInvalid, match="no topic"):
        act(flight_client, "session_finalize", {"session_uuid": empty})
    session = act(flight_client, "session_create", {"locator": "f"})["uuid"]
    topic_uuid = act(
        flight_client,
        "topic_create",
        {
            "session_uuid": session,
            "locator": "f/t",
            "serialization_format": "default",
            "ontology_tag": "custom_reading",
            "user_metadata": {},
        },
    )["uuid"]
    with pytest.raises(pa.ArrowInvalid, match="upload has not ended"):
        act(flight_client, "session_finalize", {"session_uuid": session})
    put(flight_client, "f/t", topic_uuid, [], schema=readings([1]).schema)
    assert act(flight_client, "session_finalize", {"session_uuid": session}) is None
    app = json.loads(info(flight_client, "f").app_metadata)
    states = {s["uuid"]: s["locked"] for s in app["sessions"]}
    assert states == {empty: False, session: True}


def test_deletes_remove_rows_and_objects(
    server: SmaltoServer, flight_client: flight.FlightClient
) -> None:
    _, topic_uuid = create_topic(flight_client, "gone", "t")
    put(flight_client, "gone/t", topic_uuid, [readings([1, 2])])
    assert any(key.endswith(".parquet") for key, _ in store_keys(server.settings))
    with pytest.raises(pa.ArrowInvalid, match="locked"):
        act(flight_client, "topic_delete", {"locator": "gone/t"})
    act(flight_client, "sequence_delete", {"locator": "gone"})
    assert store_keys(server.settings) == []
    assert list(flight_client.list_flights()) == []
    act(flight_client, "sequence_delete", {"locator": "gone"})  # idempotent


def test_session_delete_drops_only_its_topics(flight_client: flight.FlightClient) -> None:
    first, first_topic = create_topic(flight_client, "s", "a")
    put(flight_client, "s/a", first_topic, [readings([1])])
    act(flight_client, "session_finalize", {"session_uuid": first})
    second = act(flight_client, "session_create", {"locator": "s"})["uuid"]
    act(
        flight_client,
        "topic_create",
        {
            "session_uuid": second,
            "locator": "s/b",
            "serialization_format": "default",
            "ontology_tag": "custom_reading",
            "user_metadata": {},
        },
    )
    act(flight_client, "session_delete", {"session_uuid": second})
    app = json.loads(info(flight_client, "s").app_metadata)
    assert [s["uuid"] for s in app["sessions"]] == [first]
    assert read_topic(flight_client, "s/a").num_rows == 1


def test_notifications_are_ordered_and_cascade(flight_client: flight.FlightClient) -> None:
    create_topic(flight_client, "n", "t")
    for text in ("first", "second"):
        act(
            flight_client,
            "sequence_notification_create",
            {"locator": "n", "notification_type": "error", "msg": text},
        )
    act(
        flight_client,
        "topic_notification_create",
        {"locator": "n/t", "notification_type": "error", "msg": "topic broke"},
    )
    listed = act(flight_client, "sequence_notification_list", {"locator": "n"})["notifications"]
    assert [n["msg"] for n in listed] == ["first", "second"]
    assert all(n["name"] == "n" and n["notification_type"] == "error" for n in listed)
    assert datetime.fromisoformat(listed[0]["created_datetime"]).tzinfo is not None
    topic_listed = act(flight_client, "topic_notification_list", {"locator": "n/t"})
    assert [n["name"] for n in topic_listed["notifications"]] == ["n/t"]
    act(flight_client, "sequence_notification_purge", {"locator": "n"})
    assert act(flight_client, "sequence_notification_list", {"locator": "n"}) == {
        "notifications": []
    }
    assert (
        len(act(flight_client, "topic_notification_list", {"locator": "n/t"})["notifications"]) == 1
    )
    act(flight_client, "sequence_delete", {"locator": "n"})
    act(flight_client, "sequence_create", {"locator": "n", "user_metadata": {}})
    assert act(flight_client, "sequence_notification_list", {"locator": "n"}) == {
        "notifications": []
    }
