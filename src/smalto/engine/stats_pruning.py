"""Whether a chunk or row group *may* hold a matching row, judged from its column statistics.

`may_match` answers False only when no row can match, so pruning never changes a result: with
``$eq v`` a part is kept when ``min <= v <= max`` (not only when ``min == max == v``, a mosaicod
quirk); ``$neq v`` prunes only a part whose every non-null value equals ``v`` and that holds no
NaN; ``$match`` prunes only all-null parts; ``$ex`` prunes all-null parts and ``$nex`` parts
without nulls. Unknown bounds never prune. Nulls match nothing but ``$nex``; NaN matches only
``$neq`` (and ``$ex``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from smalto.catalog.records import ColumnStats
from smalto.ontology.query_expression import QueryOperator
from smalto.ontology.query_proxy import FieldKind
from smalto.protocol.query import Condition

__all__ = ["Bounds", "bounds_from_catalog", "bounds_from_parquet", "may_match"]

_Op = QueryOperator


@dataclass(frozen=True)
class Bounds:
    """What statistics say about one column of one part (chunk or row group).

    ``low``/``high`` exclude NaN and nulls (None: unknown); ``null_count`` None is unknown;
    ``has_nan`` None means NaN may be present.
    """

    low: Any
    high: Any
    null_count: int | None
    row_count: int
    has_nan: bool | None


def bounds_from_catalog(stats: ColumnStats | None, kind: FieldKind, row_count: int) -> Bounds:
    """Bounds from a chunk's catalog stats row (None: the column has no stats there)."""
    if stats is None:
        return Bounds(None, None, None, row_count, None)
    if kind is FieldKind.STRING:
        return Bounds(stats.min_text, stats.max_text, stats.null_count, row_count, False)
    return Bounds(stats.min_number, stats.max_number, stats.null_count, row_count, stats.has_nan)


def bounds_from_parquet(statistics: Any, row_count: int, arrow_type: pa.DataType) -> Bounds:
    """Bounds from a Parquet column chunk's statistics (NaN is never counted there)."""
    nan = None if pa.types.is_floating(arrow_type) else False
    if statistics is None:
        return Bounds(None, None, None, row_count, nan)
    null_count = statistics.null_count if statistics.has_null_count else None
    if not statistics.has_min_max:
        return Bounds(None, None, null_count, row_count, nan)
    low, high = statistics.min, statistics.max
    if isinstance(low, bytes) or isinstance(high, bytes):
        low = high = None
    return Bounds(low, high, null_count, row_count, nan)


def _bounded(bounds: Bounds, condition: Condition) -> bool:
    low, high = bounds.low, bounds.high
    values = condition.values
    op = condition.op
    if op is _Op.EQ:
        return bool(low <= values[0] <= high)
    if op is _Op.NEQ:
        return bounds.has_nan is not False or not (low == high == values[0])
    if op is _Op.IN:
        return any(low <= v <= high for v in values)
    if op is _Op.BETWEEN:
        return bool(low <= values[1] and high >= values[0])
    if op is _Op.LT:
        return bool(low < values[0])
    if op is _Op.LEQ:
        return bool(low <= values[0])
    if op is _Op.GT:
        return bool(high > values[0])
    if op is _Op.GEQ:
        return bool(high >= values[0])
    return True


def may_match(bounds: Bounds, condition: Condition) -> bool:
    """False only if no row of the part can satisfy ``condition``."""
    op = condition.op
    if op is _Op.NEX:
        return bounds.null_count is None or bounds.null_count > 0
    if bounds.null_count is not None and bounds.null_count >= bounds.row_count:
        return False  # all null: only $nex matches
    if op in (_Op.EX, _Op.MATCH) or bounds.low is None or bounds.high is None:
        return True
    try:
        return _bounded(bounds, condition)
    except TypeError:  # bounds of another kind than the value: cannot judge
        return True
