"""Pure client pieces: batch limits and splitting, API-key format, notification parsing."""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from smalto.client.api_key import api_key_fingerprint, validate_api_key
from smalto.client.batching import BatchLimits, binary_fields, split_batch
from smalto.client.notifications import parse_notifications
from smalto.client.transport import translate_flight_errors
from smalto.enums import NotifyType
from smalto.errors import InvalidRequest, NotFound, SequenceNotFound, Unavailable
from smalto.protocol.errors import to_flight_error


def test_batch_limits_defaults_and_bounds() -> None:
    limits = BatchLimits.build(None, None)
    assert (limits.max_bytes, limits.max_records) == (10 * 1024 * 1024, 5000)
    with pytest.raises(ValueError, match="90 %"):
        BatchLimits.build(int(16 * 1024 * 1024 * 0.9), None)
    with pytest.raises(ValueError):
        BatchLimits.build(0, None)
    with pytest.raises(ValueError):
        BatchLimits.build(None, 0)
    assert limits.records_for(100.0) == 5000
    assert limits.records_for(1024 * 1024.0) == 10
    assert limits.records_for(64 * 1024 * 1024.0) == 1


def test_split_batch_respects_the_byte_limit() -> None:
    blobs = pa.array([bytes(1000)] * 100, pa.binary())
    batch = pa.record_batch([pa.array(range(100), pa.int64()), blobs], names=["ts", "data"])
    parts = split_batch(batch, 10_000)
    assert sum(p.num_rows for p in parts) == 100
    assert all(p.nbytes <= 10_000 for p in parts)
    assert pa.Table.from_batches(parts).equals(pa.Table.from_batches([batch]))
    assert split_batch(batch, 10**9) == [batch]
    huge = pa.record_batch([pa.array([bytes(50_000)], pa.binary())], names=["data"])
    assert split_batch(huge, 1_000) == [huge]


def test_binary_fields_are_top_level_binaries() -> None:
    schema = pa.schema([("a", pa.binary()), ("b", pa.string()), ("c", pa.large_binary())])
    assert binary_fields(schema) == ("a", "c")


def test_api_key_validation() -> None:
    payload = "0123456789abcdef0123456789abcdef"
    fingerprint = f"{zlib.crc32(payload.encode()):08x}"
    assert api_key_fingerprint(payload) == fingerprint
    assert validate_api_key(f"msco_{payload}_{fingerprint}") == fingerprint
    with pytest.raises(ValueError, match="checksum"):
        validate_api_key(f"msco_{payload}_{'0' * 8 if fingerprint != '0' * 8 else '1' * 8}")
    with pytest.raises(ValueError, match="letter and one digit"):
        validate_api_key(f"msco_{'b' * 32}_{api_key_fingerprint('b' * 32)}")


def test_notifications_parse_server_dates() -> None:
    response = {
        "notifications": [
            {"name": "seq", "notification_type": "error", "msg": "m1",
             "created_datetime": "2025-01-02 03:04 UTC"},
            {"name": "seq/a/b", "notification_type": "error", "msg": "m2",
             "created_datetime": "2025-01-02T03:04:05.123456"},
        ]
    }  # fmt: skip
    first, second = parse_notifications(response)
    assert (first.sequence_name, first.topic_name, first.message) == ("seq", None, "m1")
    assert first.created_datetime == datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)
    assert (second.sequence_name, second.topic_name) == ("seq", "/a/b")
    assert second.notify_type is NotifyType.ERROR
    assert second.created_datetime.tzinfo is timezone.utc
    assert parse_notifications(None) == []


def test_flight_errors_map_to_the_smalto_tree() -> None:
    with (
        pytest.raises(SequenceNotFound, match="no sequence") as caught,
        translate_flight_errors("h:1"),
    ):
        raise pa.ArrowKeyError(str(to_flight_error(SequenceNotFound("no sequence 'x'"))))
    assert caught.value.__cause__ is not None
    with pytest.raises(Unavailable, match="h:1"), translate_flight_errors("h:1"):
        import pyarrow.flight as flight

        raise flight.FlightUnavailableError("connection refused")
    with pytest.raises(NotFound), translate_flight_errors("h:1"):
        raise pa.ArrowKeyError("plain key error from a foreign server")
    with pytest.raises(InvalidRequest), translate_flight_errors("h:1"):
        raise pa.ArrowInvalid("plain invalid from a foreign server")
