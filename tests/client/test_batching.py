"""`BatchBuilder` and batch combining with the real ontology: thresholds, blobs, bad messages."""

from __future__ import annotations

import pyarrow as pa
import pytest

from smalto.client.batching import (
    CONVERSION_CHUNK_ROWS,
    BatchBuilder,
    BatchLimits,
    combine_batches,
)
from smalto.errors import InvalidRequest
from smalto.ontology import IMU, Image, Message, Vector3d
from tests.client.samples import image_message, imu_message


def _fill(builder: BatchBuilder, messages: list[Message]) -> None:
    """What `TopicWriter.push` does with each message (before batches are taken)."""
    for message in messages:
        if builder.add(message):
            builder.convert()


def test_rows_are_converted_first_alone_then_checked_then_by_the_batch() -> None:
    builder = BatchBuilder(IMU, BatchLimits(max_records=1000))
    _fill(builder, [imu_message(0)])
    assert (builder.pending, builder.convert_at) == (0, CONVERSION_CHUNK_ROWS)
    _fill(builder, [imu_message(i) for i in range(1, CONVERSION_CHUNK_ROWS + 1)])
    assert builder.convert_at == 1000 - CONVERSION_CHUNK_ROWS - 1
    _fill(builder, [imu_message(i) for i in range(200)])
    assert builder.pending == 200
    assert not builder.full
    builder.convert()
    chunks = builder.take()
    assert [c.num_rows for c in chunks] == [1, CONVERSION_CHUNK_ROWS, 200]
    assert builder.convert_at == 1000
    assert builder.take() == []


def test_batches_are_full_at_the_record_limit() -> None:
    builder = BatchBuilder(IMU, BatchLimits(max_records=300))
    _fill(builder, [imu_message(i) for i in range(299)])
    assert not builder.full
    _fill(builder, [imu_message(i) for i in range(CONVERSION_CHUNK_ROWS)])
    assert builder.full
    builder.convert()
    [combined, rest] = combine_batches(builder.take(), builder.limits)
    assert (combined.num_rows, rest.num_rows) == (300, 299 + CONVERSION_CHUNK_ROWS - 300)
    assert combined.column("timestamp_ns").to_pylist() == [i * 1_000 for i in range(299)] + [0]


def test_image_bytes_trigger_conversion_and_batches_stay_under_the_byte_limit() -> None:
    limits = BatchLimits(max_bytes=100_000)
    builder = BatchBuilder(Image, limits)
    _fill(builder, [image_message(i, size=30_000) for i in range(3)])
    assert not builder.full
    assert builder.pending == 2  # the first one was converted alone, to measure a row
    _fill(builder, [image_message(3, size=30_000)])
    assert builder.pending == 0
    assert builder.full
    batches = combine_batches(builder.take(), limits)
    assert sum(b.num_rows for b in batches) == 4
    assert all(b.nbytes <= 100_000 for b in batches)


def test_a_bad_message_is_dropped_and_its_error_raised_at_the_next_conversion() -> None:
    builder = BatchBuilder(IMU, BatchLimits())
    bad = Message(
        timestamp_ns=5,
        data=IMU.model_construct(acceleration=None, angular_velocity=Vector3d(x=0, y=0, z=0)),
    )
    _fill(builder, [imu_message(i) for i in range(3)])
    assert not builder.add(bad)
    _fill(builder, [imu_message(i) for i in range(6, 9)])
    with pytest.raises(InvalidRequest, match="acceleration"):
        builder.convert()
    kept = pa.Table.from_batches(builder.take())
    assert kept.column("timestamp_ns").to_pylist() == [0, 1_000, 2_000, 6_000, 7_000, 8_000]
    builder.convert()  # reported once


def test_combine_handles_a_single_and_an_empty_list() -> None:
    limits = BatchLimits()
    batch = pa.record_batch([pa.array([1, 2], pa.int64())], names=["timestamp_ns"])
    assert combine_batches([batch], limits) == [batch]
    empty = batch.slice(0, 0)
    assert combine_batches([empty], limits) == []
