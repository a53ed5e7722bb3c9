"""Raw protocol calls for server tests: JSON actions, DoPut and DoGet over pyarrow Flight."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight


def act(client: flight.FlightClient, name: str, body: dict[str, Any] | bytes) -> Any:
    """Run an action; return its ``response`` member (asserting the envelope)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    results = list(client.do_action(flight.Action(name, raw)))
    assert len(results) == 1, "exactly one Result per action"
    document = json.loads(results[0].body.to_pybytes())
    assert document["action"] == name
    return document["response"]


def create_topic(
    client: flight.FlightClient,
    sequence: str,
    topic: str,
    tag: str = "custom_reading",
    metadata: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """Create a sequence with one session and one topic; returns (session uuid, topic uuid)."""
    act(client, "sequence_create", {"locator": sequence, "user_metadata": metadata or {}})
    session = act(client, "session_create", {"locator": sequence})["uuid"]
    topic_uuid = act(
        client,
        "topic_create",
        {
            "session_uuid": session,
            "locator": f"{sequence}/{topic}",
            "serialization_format": "default",
            "ontology_tag": tag,
            "user_metadata": {},
        },
    )["uuid"]
    return session, topic_uuid


def put(
    client: flight.FlightClient,
    locator: str,
    topic_uuid: str,
    batches: list[pa.RecordBatch],
    schema: pa.Schema | None = None,
) -> None:
    """Upload ``batches`` to a topic in one DoPut stream."""
    command = json.dumps({"resource_locator": locator, "topic_uuid": topic_uuid}).encode()
    descriptor = flight.FlightDescriptor.for_command(command)
    writer, _ = client.do_put(descriptor, schema or batches[0].schema)
    for batch in batches:
        writer.write_batch(batch)
    writer.done_writing()
    writer.close()


def info(
    client: flight.FlightClient, locator: str, start: int | None = None, end: int | None = None
) -> flight.FlightInfo:
    """GetFlightInfo of a sequence or topic, optionally windowed."""
    command: dict[str, Any] = {"resource_locator": locator}
    if start is not None:
        command["timestamp_ns_start"] = start
    if end is not None:
        command["timestamp_ns_end"] = end
    return client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(command).encode()))


def read_topic(
    client: flight.FlightClient, locator: str, start: int | None = None, end: int | None = None
) -> pa.Table:
    """All rows of a topic window through its endpoint's ticket."""
    endpoint = info(client, locator, start, end).endpoints[0]
    return client.do_get(endpoint.ticket).read_all()


def readings(timestamps: list[int], value_offset: float = 0.0) -> pa.RecordBatch:
    """A batch of a small custom ontology (envelope + ``value`` + nested ``pos``)."""
    n = len(timestamps)
    return pa.RecordBatch.from_pydict(
        {
            "timestamp_ns": pa.array(timestamps, pa.int64()),
            "recording_timestamp_ns": pa.array([None] * n, pa.int64()),
            "frame_id": pa.array(["base"] * n, pa.string()),
            "sequence_id": pa.array([None] * n, pa.uint32()),
            "value": pa.array([t / 10 + value_offset for t in timestamps], pa.float64()),
            "pos": pa.array(
                [{"x": float(t), "y": -float(t)} for t in timestamps],
                pa.struct([("x", pa.float64()), ("y", pa.float64())]),
            ),
        }
    )
