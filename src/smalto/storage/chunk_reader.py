"""Reading a time window of a topic back from its chunks, sorted by ``timestamp_ns``.

Only chunks whose time range overlaps the window are opened, and inside each only the row groups
whose ``timestamp_ns`` statistics overlap it. Chunks that do not overlap each other stream one
after the other; chunks that do (out-of-order uploads) are merged and sorted together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smalto.catalog.records import ChunkRecord
from smalto.storage.chunk_codec import TIMESTAMP_COLUMN, sort_by_timestamp
from smalto.storage.object_store import ObjectStore

__all__ = [
    "iter_window_batches",
    "iter_window_parquet",
    "overlap_groups",
    "passes_through",
    "read_chunk_window",
]

_BATCH_BYTES = 4 * 1024 * 1024
_MAX_BATCH_ROWS = 65_536
_PART_BYTES = 64 * 1024 * 1024
"""Arrow bytes of rows re-encoded into one Parquet part (far below the 2 GiB of a binary value)."""
_MAX_PASS_BYTES = 1024 * 1024 * 1024
"""Largest stored file sent as it is (bytes); larger ones (``--chunk-size-mb`` in the
gigabytes) are re-encoded in parts."""


def _row_group_overlaps(
    meta: pq.RowGroupMetaData, column: int, start_ns: int | None, end_ns: int | None
) -> bool:
    stats = meta.column(column).statistics
    if stats is None or not stats.has_min_max:
        return True
    low: Any = stats.min
    high: Any = stats.max
    return (start_ns is None or high >= start_ns) and (end_ns is None or low < end_ns)


def _window_filter(table: pa.Table, start_ns: int | None, end_ns: int | None) -> pa.Table:
    """The rows of ``table`` inside the window: a zero-copy slice found by binary search, as
    chunks are stored sorted by ``timestamp_ns`` (a mask filter for any that would not be)."""
    timestamps = table.column(TIMESTAMP_COLUMN)
    values = timestamps.to_numpy()
    if not timestamps.null_count and bool(np.all(values[1:] >= values[:-1])):
        low = 0 if start_ns is None else int(np.searchsorted(values, start_ns, side="left"))
        high = len(values) if end_ns is None else int(np.searchsorted(values, end_ns, "left"))
        return table.slice(low, max(0, high - low))
    masks = []
    if start_ns is not None:
        masks.append(pc.greater_equal(timestamps, pa.scalar(start_ns, pa.int64())))
    if end_ns is not None:
        masks.append(pc.less(timestamps, pa.scalar(end_ns, pa.int64())))
    if not masks:
        return table
    mask = masks[0] if len(masks) == 1 else pc.and_(masks[0], masks[1])
    return table.filter(mask)


def _inside(chunk: ChunkRecord, start_ns: int | None, end_ns: int | None) -> bool:
    """Whether every row of ``chunk`` lies in the window ``[start_ns, end_ns)``."""
    return (start_ns is None or chunk.start_ns >= start_ns) and (
        end_ns is None or chunk.end_ns < end_ns
    )


def read_chunk_window(
    store: ObjectStore,
    chunk: ChunkRecord,
    start_ns: int | None,
    end_ns: int | None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Rows of one chunk with ``start_ns <= timestamp_ns < end_ns``, in chunk (time) order."""
    parquet = pq.ParquetFile(store.open(chunk.object_key))
    schema = parquet.schema_arrow
    if _inside(chunk, start_ns, end_ns):
        return parquet.read(columns=None if columns is None else list(columns))
    column = schema.get_field_index(TIMESTAMP_COLUMN)
    metadata = parquet.metadata
    groups = [
        i
        for i in range(metadata.num_row_groups)
        if _row_group_overlaps(metadata.row_group(i), column, start_ns, end_ns)
    ]
    needed = None if columns is None else list(dict.fromkeys([*columns, TIMESTAMP_COLUMN]))
    table = parquet.read_row_groups(groups, columns=needed)
    table = _window_filter(table, start_ns, end_ns)
    return table if columns is None else table.select(list(columns))


def overlap_groups(chunks: Iterable[ChunkRecord]) -> list[list[ChunkRecord]]:
    """Chunks (sorted by start) grouped so that groups are disjoint in time and ordered."""
    groups: list[list[ChunkRecord]] = []
    group_end: int | None = None
    for chunk in sorted(chunks, key=lambda c: (c.start_ns, c.chunk_index)):
        if groups and group_end is not None and chunk.start_ns < group_end:
            groups[-1].append(chunk)
            group_end = max(group_end, chunk.end_ns)
        else:
            groups.append([chunk])
            group_end = chunk.end_ns
    return groups


def _slices(table: pa.Table, target_bytes: int) -> Iterator[pa.RecordBatch]:
    if table.num_rows == 0:
        return
    bytes_per_row = max(1, table.nbytes // table.num_rows)
    rows = max(1, min(_MAX_BATCH_ROWS, target_bytes // bytes_per_row))
    for batch in table.to_batches(max_chunksize=rows):
        if batch.num_rows:
            yield batch


def _load_group(
    store: ObjectStore,
    group: list[ChunkRecord],
    schema: pa.Schema,
    start_ns: int | None,
    end_ns: int | None,
    columns: Sequence[str] | None,
) -> pa.Table:
    """The window's rows of one overlap group, sorted, as ``schema``."""
    tables = [read_chunk_window(store, c, start_ns, end_ns, columns) for c in group]
    table = tables[0] if len(tables) == 1 else _merge(tables, schema)
    return table.cast(schema) if table.schema != schema else table


def iter_window_batches(
    store: ObjectStore,
    chunks: Sequence[ChunkRecord],
    schema: pa.Schema,
    start_ns: int | None = None,
    end_ns: int | None = None,
    columns: Sequence[str] | None = None,
    target_bytes: int = _BATCH_BYTES,
) -> Iterator[pa.RecordBatch]:
    """Non-empty record batches of the window, globally sorted by ``timestamp_ns``.

    While the batches of one group of chunks are consumed (sent), the next group is read and
    decoded on a helper thread (Parquet decoding releases the GIL), so reading and sending
    overlap; at most two groups are in memory at once.
    """
    groups = overlap_groups(chunks)
    load = partial(
        _load_group, store, schema=schema, start_ns=start_ns, end_ns=end_ns, columns=columns
    )
    if len(groups) <= 1:
        for group in groups:
            yield from _slices(load(group), target_bytes)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="smalto-read") as reader:
        upcoming = reader.submit(load, groups[0])
        for following in groups[1:]:
            table = upcoming.result()
            upcoming = reader.submit(load, following)
            yield from _slices(table, target_bytes)
        yield from _slices(upcoming.result(), target_bytes)


def _passes(group: list[ChunkRecord], start_ns: int | None, end_ns: int | None) -> bool:
    """Whether an overlap group goes out as its stored file: one chunk, wholly inside the window,
    small enough for one binary value of a record batch."""
    return (
        len(group) == 1
        and group[0].size_bytes <= _MAX_PASS_BYTES
        and _inside(group[0], start_ns, end_ns)
    )


def passes_through(chunks: Sequence[ChunkRecord], start_ns: int | None, end_ns: int | None) -> bool:
    """Whether some chunk of the window would go out as its stored file in
    `iter_window_parquet` (wholly inside the window, overlapping no other chunk)."""
    return any(_passes(group, start_ns, end_ns) for group in overlap_groups(chunks))


def iter_window_parquet(
    store: ObjectStore,
    chunks: Sequence[ChunkRecord],
    schema: pa.Schema,
    start_ns: int | None = None,
    end_ns: int | None = None,
    part_bytes: int = _PART_BYTES,
) -> Iterator[pa.Buffer]:
    """The window's whole rows as Parquet files in time order, for
    `smalto.protocol.parquet_parts`.

    A chunk wholly inside the window, overlapping no other, is its stored file as it is (no
    copy from a local store); other rows are re-encoded, uncompressed, in files of about
    ``part_bytes`` of Arrow data at most. Empty parts are left out.
    """
    for group in overlap_groups(chunks):
        if _passes(group, start_ns, end_ns):
            yield store.open(group[0].object_key).read_buffer()
            continue
        table = _load_group(store, group, schema, start_ns, end_ns, None)
        rows = max(1, part_bytes // max(1, table.nbytes // max(1, table.num_rows)))
        for offset in range(0, table.num_rows, rows):
            sink = pa.BufferOutputStream()
            pq.write_table(
                table.slice(offset, rows),
                sink,
                compression="none",
                use_dictionary=False,
                write_statistics=False,
                store_schema=True,
            )
            yield sink.getvalue()


def _merge(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    merged: Any = pa.concat_tables([t.cast(schema) for t in tables])
    return sort_by_timestamp(merged)
