"""Hostile input: whatever a client sends, the server keeps serving, answers with a clean error
(never INTERNAL/UNKNOWN), and a refused request leaves the catalog and the store unchanged.

Hypothesis drives every action and every RPC with malformed JSON, wrong types, huge and deeply
nested payloads, path-like names, invalid UTF-8, Arrow streams cut short by a corrupt batch
(offsets or UTF-8 that lie; pyarrow's client refuses to send buffers shorter than declared),
oversized batches and schemas that contradict the topic. Example counts are bounded so the suite
stays well under a minute.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smalto.protocol.actions import ActionName
from smalto.server import ServerSettings, SmaltoServer
from tests.security.state import snapshot
from tests.server.wire import act, create_topic, put, readings

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BATCH_LIMIT = 256 * 1024

PATH_LIKE = st.sampled_from(
    [
        "..", "../..", "/etc/passwd", "a/../../b", "..\\..\\win", "C:\\x", "%2e%2e%2f", "a/./b",
        "~root", "a\x00b", "seq/../../../store", "//", "/", "", " ", "a b", "ünï", "a" * 300,
        "base/" + "x/" * 200, "base/done/..", "\u202e", "a\nb", "${HOME}", "*", "base/*",
    ]
)  # fmt: skip
JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
INVALID_UTF8 = st.binary(min_size=1, max_size=50).map(
    lambda b: b'{"locator": "' + b"\xff" + b + b'"}'
)


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for i in range(depth):
        value = {f"k{i}": value} if i % 2 else [value]
    return value


def _body_for(name: str) -> st.SearchStrategy[bytes]:
    """Bodies with the action's real keys but hostile values."""
    keys = {
        "locator": PATH_LIKE | JSON,
        "user_metadata": JSON | st.integers(1, 1200).map(nested),
        "session_uuid": PATH_LIKE | JSON,
        "serialization_format": JSON,
        "ontology_tag": PATH_LIKE | JSON,
        "notification_type": JSON,
        "msg": JSON,
        "permissions": JSON,
        "description": JSON,
        "expires_at_ns": JSON,
        "api_key_fingerprint": PATH_LIKE | JSON,
    }
    return st.fixed_dictionaries({}, optional={k: v for k, v in keys.items()}).map(
        lambda d: json.dumps(d).encode()
    )


BODIES = st.one_of(
    st.binary(max_size=300),
    INVALID_UTF8,
    JSON.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"{" * 50_000, b"[" * 5000 + b"]" * 5000, b'{"locator": 1e999}']),
    st.integers(1, 5).map(lambda n: b'{"msg": "' + b"x" * (n * 1024 * 1024) + b'"}'),
)


@pytest.fixture
def fuzz_server(server_settings: ServerSettings) -> Iterator[SmaltoServer]:
    limited = dataclasses.replace(server_settings, max_put_batch_bytes=BATCH_LIMIT)
    with SmaltoServer(limited) as running:
        yield running


@pytest.fixture
def world(fuzz_server: SmaltoServer) -> Iterator[tuple[flight.FlightClient, dict[str, str]]]:
    """A finished topic, an open custom topic and an open ``imu`` topic (uuids by name)."""
    client = flight.FlightClient(fuzz_server.location)
    _, done = create_topic(client, "base", "done")
    put(client, "base/done", done, [readings([1, 2, 3])])
    _, open_topic = create_topic(client, "other", "open")
    _, imu = create_topic(client, "typed", "imu", tag="imu")
    yield client, {"base/done": done, "other/open": open_topic, "typed/imu": imu}
    client.close()


def survives(server: SmaltoServer, client: flight.FlightClient, call: Callable[[], object]) -> None:
    """Run a hostile call: a clean verdict, nothing changed if refused, the server still up."""
    before = snapshot(server.settings)
    try:
        call()
    except (flight.FlightInternalError, flight.FlightServerError) as exc:
        pytest.fail(f"the server failed instead of refusing: {exc}")
    except (pa.ArrowException, flight.FlightError) as exc:
        assert "smalto[" in str(exc), f"refused without a smalto error code: {exc}"
        assert snapshot(server.settings) == before, f"refused ({exc}) but state changed"
    assert [i.descriptor.path for i in client.list_flights()], "the server stopped serving"


@FUZZ
@given(name=st.sampled_from([a.value for a in ActionName]) | st.text(max_size=40), body=BODIES)
def test_actions_with_garbage_bodies(
    fuzz_server: SmaltoServer,
    world: tuple[flight.FlightClient, dict[str, str]],
    name: str,
    body: bytes,
) -> None:
    client, _ = world
    survives(fuzz_server, client, lambda: list(client.do_action(flight.Action(name, body))))


@FUZZ
@given(data=st.data())
def test_actions_with_hostile_values(
    fuzz_server: SmaltoServer,
    world: tuple[flight.FlightClient, dict[str, str]],
    data: st.DataObject,
) -> None:
    client, _ = world
    name = data.draw(st.sampled_from([a.value for a in ActionName]))
    body = data.draw(_body_for(name))
    survives(fuzz_server, client, lambda: act(client, name, body))


@FUZZ
@given(
    raw=st.binary(max_size=200)
    | INVALID_UTF8
    | JSON.map(lambda v: json.dumps(v).encode())
    | st.builds(
        lambda loc, extra: json.dumps({"resource_locator": loc, **extra}).encode(),
        PATH_LIKE | JSON,
        st.dictionaries(
            st.sampled_from(["timestamp_ns_start", "timestamp_ns_end", "columns", "x"]), JSON
        ),
    )
)
def test_read_rpcs_with_garbage(
    fuzz_server: SmaltoServer, world: tuple[flight.FlightClient, dict[str, str]], raw: bytes
) -> None:
    client, _ = world
    survives(
        fuzz_server,
        client,
        lambda: client.get_flight_info(flight.FlightDescriptor.for_command(raw)),
    )
    # A path is a protobuf string: invalid UTF-8 there is refused by protobuf (INTERNAL) before
    # any smalto code runs, so paths get text.
    path = flight.FlightDescriptor.for_path(raw.decode("utf-8", "replace"))
    survives(fuzz_server, client, lambda: client.get_flight_info(path))
    survives(fuzz_server, client, lambda: client.do_get(flight.Ticket(raw)).read_all())


FIELD_TYPES = st.sampled_from(
    [
        pa.int64(),
        pa.int32(),
        pa.float64(),
        pa.string(),
        pa.binary(),
        pa.bool_(),
        pa.list_(pa.int64()),
    ]
)
SCHEMAS = st.lists(
    st.tuples(
        st.sampled_from(["timestamp_ns", "value", "pos", "frame_id", "x", "../y", ""]), FIELD_TYPES
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda f: f[0],
)


def _empty_batch(fields: list[tuple[str, pa.DataType]], rows: int) -> pa.RecordBatch:
    schema = pa.schema(fields)
    return pa.RecordBatch.from_arrays(
        [pa.array([None] * rows, type=f.type) for f in schema], schema=schema
    )


def _forged(kind: str) -> pa.RecordBatch:
    """A batch whose buffers lie: non-monotonic offsets or invalid UTF-8 in ``frame_id``."""
    good = readings([1, 2])
    if kind == "offsets":
        offsets, data = struct.pack("<3i", 0, 4, 2), b"basebase"
    else:
        offsets, data = struct.pack("<3i", 0, 2, 4), b"\xff\xfe\xc3\x28"
    frame = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return good.set_column(2, "frame_id", frame)


@FUZZ
@given(
    target=st.sampled_from(["other/open", "typed/imu", "base/done"]),
    command=st.sampled_from(["right", "wrong_uuid", "garbage", "path_like"]),
    payload=st.one_of(
        SCHEMAS.map(lambda fields: [_empty_batch(fields, 3)]),
        st.sampled_from(["offsets", "utf8"]).map(lambda k: [readings([0]), _forged(k)]),
        st.just("oversized"),
    ),
)
def test_put_with_hostile_streams(
    fuzz_server: SmaltoServer,
    world: tuple[flight.FlightClient, dict[str, str]],
    target: str,
    command: str,
    payload: Any,
) -> None:
    client, uuids = world
    body = {
        "right": {"resource_locator": target, "topic_uuid": uuids[target]},
        "wrong_uuid": {"resource_locator": target, "topic_uuid": uuids["base/done"][::-1]},
        "garbage": {"resource_locator": 5, "topic_uuid": None},
        "path_like": {"resource_locator": "../../" + target, "topic_uuid": uuids[target]},
    }[command]
    descriptor = flight.FlightDescriptor.for_command(json.dumps(body).encode())

    def upload() -> None:
        if payload == "oversized":
            big = readings(list(range(BATCH_LIMIT // 16)))
            writer, _ = client.do_put(descriptor, big.schema)
            writer.write_batch(big)
        else:
            writer, _ = client.do_put(descriptor, payload[-1].schema)
            for batch in payload:
                writer.write_batch(batch)
        writer.done_writing()
        writer.close()

    if isinstance(payload, list) and len(payload) == 1:
        # A random schema may, by chance, fit the custom topic: then acceptance is legitimate.
        survives(fuzz_server, client, upload)
        return
    before = snapshot(fuzz_server.settings)
    with pytest.raises((pa.ArrowException, flight.FlightError)) as refused:  # type: ignore[arg-type]
        upload()
    assert not isinstance(refused.value, (flight.FlightInternalError, flight.FlightServerError))
    assert snapshot(fuzz_server.settings) == before
    assert list(client.list_flights())
