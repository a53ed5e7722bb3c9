"""Per-leaf-column statistics of a chunk, stored in the catalog for query pruning.

Leaves are reached through struct fields with dotted paths (``acceleration.x``). Numeric leaves
(integers, floats, booleans as 0/1) get min/max as doubles, widened outward where a 64-bit integer
is not exactly representable; NaN is left out of min/max and flagged. Strings get text min/max
(unknown, None, when a bound contains NUL). Lists, binaries and other types get a null count only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from smalto.catalog.records import ColumnStats

__all__ = ["chunk_column_stats", "iter_leaf_columns"]


def iter_leaf_columns(
    name: str, values: pa.ChunkedArray[Any]
) -> Iterator[tuple[str, pa.ChunkedArray[Any]]]:
    """``(dotted path, values)`` of every non-struct leaf under a column; struct nulls propagate."""
    if not pa.types.is_struct(values.type):
        yield name, values
        return
    for index, field in enumerate(values.type):
        child = pc.struct_field(values, [index])
        yield from iter_leaf_columns(f"{name}.{field.name}", child)


def _bounds(values: pa.ChunkedArray[Any]) -> tuple[Any, Any]:
    kind = values.type
    if not values.null_count and (pa.types.is_integer(kind) or _is_wide_float(kind)):
        # numpy's min/max over the zero-copy buffers: ~15x faster than pc.min_max (measured).
        chunks = [chunk.to_numpy() for chunk in values.chunks if len(chunk)]
        if not chunks:
            return None, None
        return min(c.min() for c in chunks).item(), max(c.max() for c in chunks).item()
    result = pc.min_max(values)
    return result["min"].as_py(), result["max"].as_py()


def _is_wide_float(kind: pa.DataType) -> bool:
    return pa.types.is_float32(kind) or pa.types.is_float64(kind)


def _widen(value: int | float | bool, downward: bool) -> float:
    exact = float(value)
    if isinstance(value, int) and not isinstance(value, bool) and exact != value:
        wrong_side = exact > value if downward else exact < value
        if wrong_side:
            exact = math.nextafter(exact, -math.inf if downward else math.inf)
    return exact


def _numeric(path: str, values: pa.ChunkedArray[Any]) -> ColumnStats:
    null_count = values.null_count
    has_nan = False
    if pa.types.is_floating(values.type):
        if pa.types.is_float16(values.type):
            values = values.cast(pa.float32())
        nan_mask = pc.is_nan(values)
        has_nan = bool(pc.any(nan_mask).as_py())
        if has_nan:
            values = values.filter(pc.invert(nan_mask))
    if pa.types.is_boolean(values.type):
        values = values.cast(pa.uint8())
    low, high = _bounds(values)
    return ColumnStats(
        column_path=path,
        null_count=null_count,
        has_nan=has_nan,
        min_number=None if low is None else _widen(low, downward=True),
        max_number=None if high is None else _widen(high, downward=False),
    )


def _text(path: str, values: pa.ChunkedArray[Any]) -> ColumnStats:
    low, high = _bounds(values)
    if "\x00" in (low or "") or "\x00" in (high or ""):
        # PostgreSQL text cannot hold NUL: leave the bounds unknown (no pruning) on every backend.
        low = high = None
    return ColumnStats(
        column_path=path,
        null_count=values.null_count,
        min_text=low,
        max_text=high,
    )


def _leaf_stats(path: str, values: pa.ChunkedArray[Any]) -> ColumnStats:
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return _numeric(path, values)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _text(path, values)
    return ColumnStats(column_path=path, null_count=values.null_count)


def chunk_column_stats(table: pa.Table) -> tuple[ColumnStats, ...]:
    """Stats of every leaf column of ``table``."""
    return tuple(
        _leaf_stats(path, values)
        for name, column in zip(table.column_names, table.columns, strict=True)
        for path, values in iter_leaf_columns(name, column)
    )
