"""The Parquet-parts stream: a DoGet encoding of our own for whole-table reads.

A ticket with ``encoding="parquet"`` asks for the window as Parquet files, one per record batch
in a single binary column, in time order: a chunk that lies wholly inside the window goes out as
its stored file, untouched (no decoding on the server, and zstd-compressed on the wire: about a
third of the Arrow bytes for IMU data); the rows of a chunk cut by the window, or of chunks that
overlap in time, go out re-encoded (uncompressed). The client decodes the parts in parallel as
they arrive and concatenates them. The stream schema carries the topic's Arrow schema, with its
``mosaico:`` metadata, in its own metadata. When no stored file would pass through whole, the
server answers with the ordinary Arrow stream instead; `is_parts_stream` tells them apart.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["PART_COLUMN", "is_parts_stream", "part_batch", "parts_schema", "table_schema"]

PART_COLUMN = "parquet"
"""The one column of a Parquet-parts stream: each value is a whole Parquet file."""
_SCHEMA_KEY = b"smalto:table_schema"


def parts_schema(table: pa.Schema) -> pa.Schema:
    """The stream schema for parts of a table of schema ``table``."""
    serialized = table.serialize().to_pybytes()
    return pa.schema([pa.field(PART_COLUMN, pa.binary(), nullable=False)]).with_metadata(
        {_SCHEMA_KEY: serialized}
    )


def part_batch(stream: pa.Schema, parquet: pa.Buffer) -> pa.RecordBatch:
    """One part: the Parquet file ``parquet`` as a one-row batch (no copy of its bytes)."""
    offsets = pa.array([0, parquet.size], pa.int32()).buffers()[1]
    column = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, parquet])
    return pa.RecordBatch.from_arrays([column], schema=stream)


def is_parts_stream(stream: pa.Schema) -> bool:
    """Whether a DoGet stream of schema ``stream`` carries Parquet parts."""
    return stream.names == [PART_COLUMN] and _SCHEMA_KEY in (stream.metadata or {})


def table_schema(stream: pa.Schema) -> pa.Schema:
    """The table schema a parts stream carries; ValueError if ``stream`` is not one."""
    if not is_parts_stream(stream):
        raise ValueError(f"not a Parquet-parts stream (schema: {stream})")
    metadata = stream.metadata or {}
    return pa.ipc.read_schema(pa.py_buffer(metadata[_SCHEMA_KEY]))
