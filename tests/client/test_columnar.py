"""Columnar paths: `push_batch` of tables, DataFrames and arrays; `to_arrow`/`to_pandas`/
`to_polars` with server-side column projection, on handlers and streamers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from smalto.client import MosaicoClient
from smalto.errors import InvalidRequest
from smalto.ontology import GPS, IMU, messages_to_batch

from .samples import gps_message, imu_message

N = 50


def _imu_arrays(n: int, start: int = 0) -> dict[str, np.ndarray]:
    i = np.arange(start, start + n)
    return {
        "timestamp_ns": i * 1_000,
        "acceleration.x": i * 0.5,
        "acceleration.y": -i * 0.25,
        "acceleration.z": np.full(n, 9.81),
        "angular_velocity.x": i * 0.001,
        "angular_velocity.y": np.zeros(n),
        "angular_velocity.z": -i * 0.002,
    }


def _timestamps(client: MosaicoClient, sequence: str, topic: str = "/imu") -> list[int]:
    handler = client.topic_handler(sequence, topic)
    assert handler is not None
    return [m.timestamp_ns for m in handler.get_data_streamer()]


def test_a_table_of_nested_columns_reads_back_as_the_same_messages(
    client: MosaicoClient,
) -> None:
    sent = [imu_message(i) for i in range(N)]
    with client.sequence_create("table_in", {}) as writer:
        writer.topic_create("imu", {}, IMU).push_batch(messages_to_batch(sent, IMU))
    handler = client.topic_handler("table_in", "/imu")
    assert handler is not None
    assert list(handler.get_data_streamer()) == sent


def test_dataframes_and_arrays_with_dotted_columns_mix_with_pushed_messages(
    client: MosaicoClient,
) -> None:
    with client.sequence_create("mixed_in", {}, max_batch_size_records=7) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        imu.push(imu_message(0))
        imu.push_batch(pd.DataFrame(_imu_arrays(N - 1, start=1)))
        imu.push(imu_message(N))
        imu.push_batch(_imu_arrays(5, start=N + 1))
        imu.push_batch(pl.DataFrame(_imu_arrays(4, start=N + 6)))
    frame = client.topic_handler("mixed_in", "/imu").to_pandas()  # type: ignore[union-attr]
    assert frame["timestamp_ns"].tolist() == [i * 1_000 for i in range(N + 10)]
    assert frame["acceleration.x"].tolist() == [i * 0.5 for i in range(N + 10)]
    assert frame["orientation.w"].isna().all()
    pushed = frame["frame_id"].notna()
    assert pushed.tolist() == [i in (0, N) for i in range(N + 10)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: [d.pop(f"acceleration.{axis}") for axis in "xyz"],
            "'acceleration' is required",
        ),
        (lambda d: d.pop("timestamp_ns"), "'timestamp_ns' is required"),
        (lambda d: d.update(speed=np.zeros(3)), "'speed' is not in the topic's schema"),
        (lambda d: d.update({"acceleration.q": np.zeros(3)}), "'acceleration.q' is not"),
        (lambda d: d.update({"acceleration.y": ["a", "b", "c"]}), "'acceleration.y' is string"),
        (lambda d: d.update(sequence_id=np.array([-1, 0, 1])), "'sequence_id' is int64"),
        (
            lambda d: d.update({"acceleration.covariance_type": np.array([1, 2, 70_000])}),
            "'acceleration.covariance_type'",
        ),
    ],
)
def test_a_bad_column_is_named_and_nothing_is_sent(
    client: MosaicoClient, change: object, message: str
) -> None:
    data = _imu_arrays(3)
    with client.sequence_create("bad_columns", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        change(data)  # type: ignore[operator]
        with pytest.raises(InvalidRequest, match=message):
            imu.push_batch(data)
    assert _timestamps(client, "bad_columns") == []


def test_null_in_a_required_column_is_refused(client: MosaicoClient) -> None:
    table = pa.table({"timestamp_ns": pa.array([1, None], pa.int64())})
    with client.sequence_create("null_required", {}) as writer:
        gps = writer.topic_create("gps", {}, GPS)
        with pytest.raises(InvalidRequest, match="'timestamp_ns' is non-null but has 1 null"):
            gps.push_batch(table)
        with pytest.raises(InvalidRequest, match="takes a pyarrow Table"):
            gps.push_batch([1, 2, 3])


def test_column_projection_is_applied_by_the_server(client: MosaicoClient) -> None:
    with client.sequence_create("projected", {}) as writer:
        writer.topic_create("imu", {}, IMU).push_batch(_imu_arrays(N))
        gps = writer.topic_create("gps", {}, GPS)
        for i in range(10):
            gps.push(gps_message(i))
    handler = client.topic_handler("projected", "/imu")
    assert handler is not None
    table = handler.to_arrow(columns=["acceleration"])
    assert table.column_names == ["timestamp_ns", "acceleration"]
    window = handler.to_arrow(10_000, 20_000, columns=["angular_velocity", "timestamp_ns"])
    assert window.column_names == ["timestamp_ns", "angular_velocity"]
    assert window.column("timestamp_ns").to_pylist() == list(range(10_000, 20_000, 1_000))
    polars = handler.to_polars(columns=["acceleration"])
    assert polars.columns[:2] == ["timestamp_ns", "acceleration.x"]
    assert polars["acceleration.x"].to_list() == [i * 0.5 for i in range(N)]
    with pytest.raises(InvalidRequest, match="no column"):
        handler.to_arrow(columns=["nope"])
    with pytest.raises(ValueError, match="list of column names"):
        handler.to_arrow(columns="acceleration")
    sequence = client.sequence_handler("projected")
    assert sequence is not None
    tables = sequence.to_arrow(columns=["frame_id"])
    assert {name: t.column_names for name, t in tables.items()} == {
        "/imu": ["timestamp_ns", "frame_id"],
        "/gps": ["timestamp_ns", "frame_id"],
    }
    frames = sequence.to_polars(topics=["/gps"], start_timestamp_ns=3_000)
    assert isinstance(frames["/gps"], pl.DataFrame)
    assert frames["/gps"]["timestamp_ns"].to_list() == [i * 1_000 for i in range(3, 10)]


def test_streamers_hand_over_their_rows_as_tables(client: MosaicoClient) -> None:
    with client.sequence_create("streamed", {}) as writer:
        writer.topic_create("imu", {}, IMU).push_batch(_imu_arrays(N))
        gps = writer.topic_create("gps", {}, GPS)
        for i in range(10):
            gps.push(gps_message(i))
    handler = client.topic_handler("streamed", "/imu")
    assert handler is not None
    with handler.get_data_streamer() as streamer:
        assert streamer.to_arrow().num_rows == N
    assert handler.get_data_streamer().to_polars().height == N
    sequence = client.sequence_handler("streamed")
    assert sequence is not None
    frames = sequence.get_data_streamer().to_pandas()
    assert {name: len(frame) for name, frame in frames.items()} == {"/imu": N, "/gps": 10}
    merged = sequence.get_data_streamer()
    next(merged)
    with pytest.raises(RuntimeError, match="before iterating"):
        merged.to_arrow()
    merged.close()
    single = sequence.get_data_streamer(topics=["/gps"])
    assert [(name, m.timestamp_ns) for name, m in single][:2] == [("/gps", 0), ("/gps", 1_000)]


def test_whole_row_reads_equal_the_arrow_stream(client: MosaicoClient) -> None:
    # to_arrow without columns travels as Parquet parts; naming every column forces the Arrow
    # stream. Both must give the same table, schema metadata included, for every window.
    with client.sequence_create("parts", {}) as writer:
        imu = writer.topic_create("imu", {}, IMU)
        imu.push_batch(_imu_arrays(N))
        imu.push_batch(_imu_arrays(N, start=N // 2))  # overlaps the first rows in time
        writer.topic_create("gps", {}, GPS)  # no rows at all
    handler = client.topic_handler("parts", "/imu")
    assert handler is not None
    every = handler.to_arrow().column_names
    for window in [(None, None), (10_000, 30_000), (60_000, None), (None, 0), (10**9, None)]:
        whole = handler.to_arrow(*window)
        assert whole.equals(handler.to_arrow(*window, columns=every), check_metadata=True)
    assert handler.to_arrow().num_rows == 2 * N
    sequence = client.sequence_handler("parts")
    assert sequence is not None
    tables = sequence.to_arrow()
    assert tables["/imu"].equals(handler.to_arrow(), check_metadata=True)
    assert tables["/gps"].num_rows == 0
    assert (
        tables["/gps"].schema.metadata
        == sequence.to_arrow(columns=["frame_id"])["/gps"].schema.metadata
    )
