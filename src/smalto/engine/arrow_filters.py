"""Field conditions as Arrow compute masks over a column (true where a row matches).

Nulls never match (except ``$nex``); NaN satisfies only ``$neq`` and ``$ex``. Integer columns
compare exactly: a float value is first turned into the equivalent integer condition
(``x < 2.5`` → ``x <= 2``; ``x == 2.5`` matches nothing), and values outside the column type's
range resolve without comparing. Float columns compare as doubles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smalto.engine.field_resolution import ResolvedCondition
from smalto.ontology.query_expression import QueryOperator, Scalar
from smalto.protocol.query import Condition

__all__ = ["condition_mask", "leaf_column"]

_Op = QueryOperator
_ALL_NON_NULL = "all"
_NOTHING = "none"

_COMPARE: dict[QueryOperator, Callable[[Any, Any], Any]] = {
    _Op.EQ: pc.equal,
    _Op.NEQ: pc.not_equal,
    _Op.LT: pc.less,
    _Op.LEQ: pc.less_equal,
    _Op.GT: pc.greater,
    _Op.GEQ: pc.greater_equal,
}


def leaf_column(table: pa.Table, path: tuple[str, ...]) -> pa.ChunkedArray[Any]:
    """The leaf at ``path`` (struct nulls propagate to the leaf)."""
    column = table.column(path[0])
    for name in path[1:]:
        column = pc.struct_field(column, name)
    return column


def _exact_int(value: Scalar) -> int | None:
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return int(value)


def _int_range(arrow_type: pa.DataType) -> tuple[int, int]:
    info = np.iinfo(arrow_type.to_pandas_dtype())
    return int(info.min), int(info.max)


def _int_order(op: QueryOperator, value: Any, low: int, high: int) -> Condition | str:
    """``x op value`` on integers in ``[low, high]``: an equivalent condition or a constant."""
    if op in (_Op.LT, _Op.LEQ):
        limit = math.ceil(value) - 1 if op is _Op.LT else math.floor(value)
        if limit < low:
            return _NOTHING
        return _ALL_NON_NULL if limit >= high else Condition(_Op.LEQ, limit)
    limit = math.floor(value) + 1 if op is _Op.GT else math.ceil(value)
    if limit > high:
        return _NOTHING
    return _ALL_NON_NULL if limit <= low else Condition(_Op.GEQ, limit)


def _int_condition(condition: Condition, arrow_type: pa.DataType) -> Condition | str:
    """An integer-only equivalent of ``condition`` for an integer column, or a constant."""
    low, high = _int_range(arrow_type)
    op, values = condition.op, condition.values
    exact = [_exact_int(v) for v in values]
    in_range = [v for v in exact if v is not None and low <= v <= high]
    if op is _Op.EQ:
        return Condition(op, in_range[0]) if in_range else _NOTHING
    if op is _Op.NEQ:
        return Condition(op, in_range[0]) if in_range else _ALL_NON_NULL
    if op is _Op.IN:
        return Condition(op, tuple(in_range)) if in_range else _NOTHING
    if op is _Op.BETWEEN:
        first = math.ceil(values[0])  # type: ignore[arg-type]
        last = math.floor(values[1])  # type: ignore[arg-type]
        first, last = max(first, low), min(last, high)
        return Condition(op, (first, last)) if first <= last else _NOTHING
    return _int_order(
        op, float(values[0]) if isinstance(values[0], float) else int(values[0]), low, high
    )


def _typed_mask(array: Any, condition: Condition, arrow_type: pa.DataType) -> Any:
    op, values = condition.op, condition.values
    if op is _Op.MATCH:
        return pc.match_substring(array, pattern=str(values[0]))
    if op is _Op.IN:
        value_set = pa.array(values, type=arrow_type)
        if pa.types.is_floating(arrow_type):
            # is_in hashes floats bit by bit, so -0.0 would miss 0.0 although they compare
            # equal; adding +0.0 turns every -0.0 into 0.0 and leaves every other value alone.
            array, value_set = pc.add(array, 0.0), pc.add(value_set, 0.0)
        return pc.is_in(array, value_set=value_set)
    if op is _Op.BETWEEN:
        low, high = (pa.scalar(v, type=arrow_type) for v in values)
        return pc.and_(pc.greater_equal(array, low), pc.less_equal(array, high))
    return _COMPARE[op](array, pa.scalar(values[0], type=arrow_type))


def condition_mask(array: pa.ChunkedArray[Any], resolved: ResolvedCondition) -> Any:
    """Boolean mask (no nulls) of the rows of ``array`` that satisfy ``resolved``."""
    condition = resolved.field.condition
    if condition.op is _Op.EX:
        return pc.is_valid(array)
    if condition.op is _Op.NEX:
        return pc.is_null(array)
    arrow_type = array.type
    if pa.types.is_integer(arrow_type):
        normalized = _int_condition(condition, arrow_type)
        if normalized == _ALL_NON_NULL:
            return pc.is_valid(array)
        if normalized == _NOTHING:
            return pa.chunked_array([pa.array(np.zeros(len(array), dtype=bool))])
        assert isinstance(normalized, Condition)
        condition = normalized
    elif pa.types.is_floating(arrow_type):
        if pa.types.is_float16(arrow_type):
            array, arrow_type = array.cast(pa.float32()), pa.float32()
        condition = Condition(condition.op, _floats(condition))
    return pc.fill_null(_typed_mask(array, condition, arrow_type), False)


def _floats(condition: Condition) -> Any:
    values = tuple(float(v) for v in condition.values)
    return values if isinstance(condition.value, tuple) else values[0]
