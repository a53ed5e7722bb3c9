"""Turning uploaded record batches into chunk objects: buffer, sort, encode as Parquet, stats.

Parquet settings follow the serialization format: ``default`` compresses everything with zstd,
``image`` stores binary blobs uncompressed (they are already compressed or incompressible) and
``ragged`` turns dictionaries off for large lists. Statistics and the page index are always on,
and row groups are sized so a time-window read touches only the row groups it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smalto.catalog.records import ColumnStats
from smalto.storage.column_stats import chunk_column_stats

__all__ = [
    "TIMESTAMP_COLUMN",
    "ChunkBuffer",
    "EncodedChunk",
    "encode_chunk",
    "sort_by_timestamp",
]

TIMESTAMP_COLUMN = "timestamp_ns"
_ROW_GROUP_BYTES = 8 * 1024 * 1024
_MAX_ROW_GROUP_ROWS = 128 * 1024
_ZSTD_LEVEL = 1


@dataclass
class ChunkBuffer:
    """Record batches of one upload waiting to become a chunk; full at ``limit_bytes``."""

    limit_bytes: int
    batches: list[pa.RecordBatch] = field(default_factory=list)
    nbytes: int = 0

    def add(self, batch: pa.RecordBatch) -> bool:
        """Buffer ``batch``; True when the buffer reached its size limit and should be taken."""
        if batch.num_rows:
            self.batches.append(batch)
            self.nbytes += batch.nbytes
        return self.nbytes >= self.limit_bytes

    def take(self, schema: pa.Schema) -> pa.Table | None:
        """Everything buffered as one table (None when empty), leaving the buffer empty."""
        if not self.batches:
            return None
        table = pa.Table.from_batches(self.batches, schema=schema)
        self.batches, self.nbytes = [], 0
        return table


@dataclass(frozen=True)
class EncodedChunk:
    """A chunk ready for the store: Parquet bytes, row count, time range and column stats."""

    data: pa.Buffer
    row_count: int
    start_ns: int
    end_ns: int
    columns: tuple[ColumnStats, ...]


def sort_by_timestamp(table: pa.Table) -> pa.Table:
    """``table`` ordered by ``timestamp_ns`` (stable; no copy when already sorted)."""
    timestamps = table.column(TIMESTAMP_COLUMN)
    if len(timestamps) < 2:
        return table
    ordered = pc.all(pc.greater_equal(timestamps[1:], timestamps[:-1])).as_py()
    if ordered:
        return table
    return table.take(pc.sort_indices(timestamps))


def _parquet_options(table: pa.Table, serialization_format: str) -> dict[str, Any]:
    binary_columns = [
        f.name
        for f in table.schema
        if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)
    ]
    options: dict[str, Any] = {
        "compression": "zstd",
        "compression_level": _ZSTD_LEVEL,
        "write_statistics": True,
        "write_page_index": True,
        "store_schema": True,
    }
    if serialization_format == "image" and binary_columns:
        options["compression"] = {
            f.name: "none" if f.name in binary_columns else "zstd" for f in table.schema
        }
        options["compression_level"] = None
        options["use_dictionary"] = [f.name for f in table.schema if f.name not in binary_columns]
    elif serialization_format == "ragged":
        options["use_dictionary"] = False
    return options


def _row_group_rows(table: pa.Table) -> int:
    bytes_per_row = max(1, table.nbytes // max(1, table.num_rows))
    return max(1, min(_MAX_ROW_GROUP_ROWS, _ROW_GROUP_BYTES // bytes_per_row))


def encode_chunk(table: pa.Table, serialization_format: str) -> EncodedChunk:
    """Sort ``table`` by ``timestamp_ns`` and encode it as one Parquet object with its stats."""
    table = sort_by_timestamp(table)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        row_group_size=_row_group_rows(table),
        **_parquet_options(table, serialization_format),
    )
    timestamps = table.column(TIMESTAMP_COLUMN)
    return EncodedChunk(
        data=sink.getvalue(),
        row_count=table.num_rows,
        start_ns=int(timestamps[0].as_py()),
        end_ns=int(timestamps[-1].as_py()),
        columns=chunk_column_stats(table),
    )
