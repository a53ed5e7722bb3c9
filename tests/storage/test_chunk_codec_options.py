"""Parquet settings of chunks: encodings per column kind, blob statistics, output sizing."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from smalto.storage.chunk_codec import encode_chunk, parquet_write_options


def _table() -> pa.Table:
    return pa.table(
        {
            "timestamp_ns": pa.array([3, 1, 2], pa.int64()),
            "frame_id": pa.array(["a", "b", "a"]),
            "pose": pa.StructArray.from_arrays(
                [pa.array([0.5, 1.5, 2.5]), pa.array([1, 2, 3], pa.int32())], names=["x", "n"]
            ),
            "data": pa.array([b"\x00" * 10, b"\x01" * 10, b"\x02" * 10]),
        }
    )


def test_encodings_follow_the_column_kind() -> None:
    options = parquet_write_options(_table(), "image")
    assert options["use_dictionary"] == ["frame_id"]
    assert options["column_encoding"] == {
        "pose.x": "BYTE_STREAM_SPLIT",
        "timestamp_ns": "DELTA_BINARY_PACKED",
    }
    assert "data" not in options["write_statistics"]
    assert options["compression"] == "none"
    assert parquet_write_options(_table())["compression"] == "zstd"


def test_a_chunk_reads_back_sorted_without_blob_statistics() -> None:
    encoded = encode_chunk(_table(), "default")
    parquet = pq.ParquetFile(pa.BufferReader(encoded.data))
    assert parquet.read().column("timestamp_ns").to_pylist() == [1, 2, 3]
    group = parquet.metadata.row_group(0)
    stats = {group.column(i).path_in_schema: group.column(i).statistics for i in range(5)}
    assert stats["timestamp_ns"] is not None and stats["timestamp_ns"].min == 1
    assert stats["data"] is None


def test_a_file_larger_than_its_table_is_still_written() -> None:
    # 2 MiB of schema metadata lands in the footer but not in the table's nbytes.
    table = _table().replace_schema_metadata({"note": "x" * (2 << 20)})
    encoded = encode_chunk(table, "default")
    assert encoded.data.size > table.nbytes + (1 << 20)
    assert pq.read_table(pa.BufferReader(encoded.data)).num_rows == 3
