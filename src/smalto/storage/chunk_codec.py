"""Turning uploaded record batches into chunk objects: buffer, sort, encode as Parquet, stats.

Parquet settings follow the serialization format and were chosen by measurement (see
docs/performance.md): every format compresses with zstd level 1; dictionary encoding is kept for
text columns only (on sensor numbers it more than doubled the write time and grew the file);
float leaves use BYTE_STREAM_SPLIT (smaller and faster with zstd) and ``timestamp_ns`` uses
DELTA_BINARY_PACKED (it grows steadily). ``image`` chunks are not compressed (blobs are compressed
already or incompressible, and their row groups hold a row or two). Statistics (except on blobs,
where min/max prunes nothing and cost 10x the write time) and the page index are on, and row
groups are sized so a time-window read touches only the row groups it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smalto.catalog.records import ColumnStats
from smalto.storage.column_stats import chunk_column_stats
from smalto.storage.direct_io import aligned_buffer

__all__ = [
    "TIMESTAMP_COLUMN",
    "ChunkBuffer",
    "EncodedChunk",
    "encode_chunk",
    "encoded_size_bound",
    "parquet_write_options",
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


def _leaves(schema: pa.Schema) -> list[tuple[str, pa.DataType]]:
    """``(dotted path, type)`` of every leaf reached through structs only (not lists)."""
    leaves: list[tuple[str, pa.DataType]] = []

    def walk(path: str, kind: pa.DataType) -> None:
        if pa.types.is_struct(kind):
            for child in kind:
                walk(f"{path}.{child.name}", child.type)
        else:
            leaves.append((path, kind))

    for top in schema:
        walk(top.name, top.type)
    return leaves


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _is_blob(kind: pa.DataType) -> bool:
    return pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def _parquet_options(table: pa.Table, serialization_format: str) -> dict[str, Any]:
    leaves = _leaves(table.schema)
    encodings = {path: "BYTE_STREAM_SPLIT" for path, kind in leaves if pa.types.is_floating(kind)}
    if pa.types.is_int64(table.schema.field(TIMESTAMP_COLUMN).type):
        encodings[TIMESTAMP_COLUMN] = "DELTA_BINARY_PACKED"
    options: dict[str, Any] = {
        "compression": "zstd",
        "compression_level": _ZSTD_LEVEL,
        "use_dictionary": [path for path, kind in leaves if _is_text(kind)],
        "column_encoding": encodings,
        "write_page_index": True,
        "store_schema": True,
    }
    blobs = [path for path, kind in leaves if _is_blob(kind)]
    # Min/max of blobs prunes nothing and cost 10x the write time of 6 MB images.
    options["write_statistics"] = [path for path, _ in leaves if path not in blobs] or False
    if serialization_format == "image" and blobs:
        # Blobs are compressed already or barely shrink; the other columns hold a few rows per
        # row group, where a zstd context per column chunk cost more than it saved.
        options["compression"] = "none"
        options["compression_level"] = None
    return options


def _row_group_rows(table: pa.Table) -> int:
    bytes_per_row = max(1, table.nbytes // max(1, table.num_rows))
    return max(1, min(_MAX_ROW_GROUP_ROWS, _ROW_GROUP_BYTES // bytes_per_row))


def parquet_write_options(table: pa.Table, serialization_format: str = "default") -> dict[str, Any]:
    """The ``pyarrow.parquet.write_table`` keyword arguments a chunk of ``table`` is written
    with (row-group size, compression, encodings, statistics)."""
    return {
        "row_group_size": _row_group_rows(table),
        **_parquet_options(table, serialization_format),
    }


def encoded_size_bound(table: pa.Table) -> int:
    """Bytes of an output buffer that holds the Parquet encoding of ``table`` in practice (its
    Arrow size plus a margin for headers and incompressible data)."""
    return table.nbytes + table.nbytes // 16 + (1 << 20)


def _write_parquet(table: pa.Table, options: dict[str, Any], out: pa.Buffer | None) -> pa.Buffer:
    """``table`` as Parquet bytes, written into ``out`` (a mutable buffer), or into one buffer
    sized up front when ``out`` is None.

    A growing output stream reallocates and copies as it grows (measured: 40 % of the encode
    time of 6 MB images); a buffer of `encoded_size_bound` bytes holds the file in practice,
    and the rare file that does not fit is written again into a growing stream. The buffer is
    aligned for direct I/O (`smalto.storage.direct_io`).
    """
    buffer = aligned_buffer(encoded_size_bound(table)) if out is None else out
    writer = pa.FixedSizeBufferWriter(buffer)
    try:
        pq.write_table(table, writer, **options)
    except (OSError, pa.ArrowException):
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, **options)
        return sink.getvalue()
    return buffer.slice(0, writer.tell())


def encode_chunk(
    table: pa.Table, serialization_format: str, out: pa.Buffer | None = None
) -> EncodedChunk:
    """Sort ``table`` by ``timestamp_ns`` and encode it as one Parquet object with its stats.

    The bytes are written into ``out`` when given (a mutable buffer of `encoded_size_bound`
    bytes, e.g. from a `BufferPool`; the chunk's ``data`` is then a slice of it).
    """
    table = sort_by_timestamp(table)
    data = _write_parquet(table, parquet_write_options(table, serialization_format), out)
    timestamps = table.column(TIMESTAMP_COLUMN)
    return EncodedChunk(
        data=data,
        row_count=table.num_rows,
        start_ns=int(timestamps[0].as_py()),
        end_ns=int(timestamps[-1].as_py()),
        columns=chunk_column_stats(table),
    )
