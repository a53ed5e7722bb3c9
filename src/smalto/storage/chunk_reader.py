"""Reading a time window of a topic back from its chunks, sorted by ``timestamp_ns``.

Only chunks whose time range overlaps the window are opened, and inside each only the row groups
whose ``timestamp_ns`` statistics overlap it. Chunks that do not overlap each other stream one
after the other; chunks that do (out-of-order uploads) are merged and sorted together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smalto.catalog.records import ChunkRecord
from smalto.storage.chunk_codec import TIMESTAMP_COLUMN, sort_by_timestamp
from smalto.storage.object_store import ObjectStore

__all__ = ["iter_window_batches", "overlap_groups", "read_chunk_window"]

_BATCH_BYTES = 4 * 1024 * 1024
_MAX_BATCH_ROWS = 65_536


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
    timestamps = table.column(TIMESTAMP_COLUMN)
    masks = []
    if start_ns is not None:
        masks.append(pc.greater_equal(timestamps, pa.scalar(start_ns, pa.int64())))
    if end_ns is not None:
        masks.append(pc.less(timestamps, pa.scalar(end_ns, pa.int64())))
    if not masks:
        return table
    mask = masks[0] if len(masks) == 1 else pc.and_(masks[0], masks[1])
    return table.filter(mask)


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
    whole = (start_ns is None or chunk.start_ns >= start_ns) and (
        end_ns is None or chunk.end_ns < end_ns
    )
    if whole:
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

    def load(group: list[ChunkRecord]) -> pa.Table:
        tables = [read_chunk_window(store, c, start_ns, end_ns, columns) for c in group]
        table = tables[0] if len(tables) == 1 else _merge(tables, schema)
        return table.cast(schema) if table.schema != schema else table

    groups = overlap_groups(chunks)
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


def _merge(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    merged: Any = pa.concat_tables([t.cast(schema) for t in tables])
    return sort_by_timestamp(merged)
