"""Query edge cases found by the oracle, kept as plain regression tests."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.flight as flight

from tests.server.wire import act, create_topic, put, readings


def test_in_matches_negative_zero(flight_client: flight.FlightClient) -> None:
    """Arrow's is_in hashes floats bitwise, so -0.0 once missed ``$in [0]`` (0.0 == -0.0)."""
    _, topic_uuid = create_topic(flight_client, "signed_zero", "r")
    batch = readings([1, 2])
    batch = batch.set_column(4, "value", pa.array([-0.0, 5.0], pa.float64()))
    put(flight_client, "signed_zero/r", topic_uuid, [batch])
    body = {"ontology": {"custom_reading.value": {"$in": [0]}, "include_timestamp_range": True}}
    [item] = act(flight_client, "query", body)["items"]
    [topic] = item["topics"]
    assert topic["locator"] == "signed_zero/r"
    assert topic["timestamp_range"] == [1, 1]
