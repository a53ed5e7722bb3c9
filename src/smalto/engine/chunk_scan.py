"""Step 3 of a content query: scan one surviving chunk for rows that match every condition.

Only the row groups whose Parquet statistics may match are read, and of those only the leaf
columns the conditions name plus ``timestamp_ns``. A scan reports how many rows matched, the
first and last matching ``timestamp_ns`` and, when asked, every matching timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smalto.catalog.records import ChunkRecord
from smalto.engine.arrow_filters import condition_mask, leaf_column
from smalto.engine.field_resolution import ResolvedCondition
from smalto.engine.stats_pruning import bounds_from_parquet, may_match
from smalto.ontology.query_expression import QueryOperator
from smalto.protocol.query import Condition
from smalto.storage.chunk_codec import TIMESTAMP_COLUMN
from smalto.storage.object_store import ObjectStore

__all__ = ["ChunkMatch", "ScanDepth", "TimeWindow", "scan_chunk"]


class ScanDepth(str, Enum):
    """How much a scan must find: any match, the matched time range, or every timestamp."""

    ANY = "any"
    RANGE = "range"
    TIMESTAMPS = "timestamps"


@dataclass(frozen=True)
class TimeWindow:
    """``start_ns <= timestamp_ns < end_ns`` (None: open), in ns since the Unix epoch."""

    start_ns: int | None = None
    end_ns: int | None = None

    def conditions(self) -> list[Condition]:
        """The window as ``timestamp_ns`` conditions."""
        found = []
        if self.start_ns is not None:
            found.append(Condition(QueryOperator.GEQ, self.start_ns))
        if self.end_ns is not None:
            found.append(Condition(QueryOperator.LT, self.end_ns))
        return found


@dataclass
class ChunkMatch:
    """What a chunk scan found; times are ``timestamp_ns`` values."""

    rows: int = 0
    first_ns: int | None = None
    last_ns: int | None = None
    timestamps: list[pa.Array[Any]] | None = None
    row_groups_read: int = 0
    row_groups_skipped: int = 0

    def add(self, matched: pa.ChunkedArray[Any], keep: bool) -> None:
        """Fold in the matching timestamps of one row group."""
        if len(matched) == 0:
            return
        self.rows += len(matched)
        bounds = pc.min_max(matched)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        self.first_ns = low if self.first_ns is None else min(self.first_ns, low)
        self.last_ns = high if self.last_ns is None else max(self.last_ns, high)
        if keep:
            self.timestamps = (self.timestamps or []) + matched.chunks


def _group_may_match(
    metadata: pq.RowGroupMetaData,
    columns: dict[str, int],
    conditions: Sequence[ResolvedCondition],
    window: TimeWindow,
) -> bool:
    rows = metadata.num_rows
    for resolved in conditions:
        index = columns.get(resolved.column_path)
        if index is None:
            continue
        stats = metadata.column(index).statistics
        bounds = bounds_from_parquet(stats, rows, resolved.arrow_type)
        if not may_match(bounds, resolved.field.condition):
            return False
    ts_index = columns.get(TIMESTAMP_COLUMN)
    if ts_index is None:
        return True
    ts_bounds = bounds_from_parquet(metadata.column(ts_index).statistics, rows, pa.int64())
    return all(may_match(ts_bounds, c) for c in window.conditions())


def _matching_timestamps(
    table: pa.Table, conditions: Sequence[ResolvedCondition], window: TimeWindow
) -> pa.ChunkedArray[Any]:
    timestamps = table.column(TIMESTAMP_COLUMN)
    mask: Any = None
    for resolved in conditions:
        part = condition_mask(leaf_column(table, resolved.field.path), resolved)
        mask = part if mask is None else pc.and_(mask, part)
    if window.start_ns is not None:
        part = pc.greater_equal(timestamps, pa.scalar(window.start_ns, pa.int64()))
        mask = part if mask is None else pc.and_(mask, part)
    if window.end_ns is not None:
        part = pc.less(timestamps, pa.scalar(window.end_ns, pa.int64()))
        mask = part if mask is None else pc.and_(mask, part)
    return timestamps if mask is None else timestamps.filter(mask)


def scan_chunk(
    store: ObjectStore,
    chunk: ChunkRecord,
    conditions: Sequence[ResolvedCondition],
    window: TimeWindow,
    depth: ScanDepth,
) -> ChunkMatch:
    """Scan ``chunk`` row group by row group; with `ScanDepth.ANY` stop at the first match."""
    parquet = pq.ParquetFile(store.open(chunk.object_key))
    metadata = parquet.metadata
    columns = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
    wanted = list(dict.fromkeys([*(c.column_path for c in conditions), TIMESTAMP_COLUMN]))
    found = ChunkMatch()
    for group in range(metadata.num_row_groups):
        if not _group_may_match(metadata.row_group(group), columns, conditions, window):
            found.row_groups_skipped += 1
            continue
        found.row_groups_read += 1
        table = parquet.read_row_group(group, columns=wanted, use_threads=False)
        found.add(_matching_timestamps(table, conditions, window), depth is ScanDepth.TIMESTAMPS)
        if depth is ScanDepth.ANY and found.rows:
            break
    return found
