"""Chunk column statistics: the numpy fast path agrees with Arrow's min_max."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from smalto.storage.column_stats import chunk_column_stats

_NUMBERS = st.one_of(
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=20).map(lambda v: (v, pa.int64())),
    st.lists(st.integers(0, 2**32 - 1), max_size=20).map(lambda v: (v, pa.uint32())),
    st.lists(st.floats(allow_nan=True, width=32), max_size=20).map(lambda v: (v, pa.float32())),
    st.lists(st.floats(allow_nan=True) | st.none(), max_size=20).map(lambda v: (v, pa.float64())),
)


@settings(max_examples=60, deadline=None)
@given(data=_NUMBERS, split=st.integers(0, 20))
def test_stats_match_arrow_min_max(data: tuple[list[object], pa.DataType], split: int) -> None:
    values, kind = data
    whole = pa.array(values, kind)
    column = pa.chunked_array([whole[:split], whole[split:]], kind)
    [stats] = chunk_column_stats(pa.table({"v": column}))
    clean = pc.drop_null(whole)
    if pa.types.is_floating(kind):
        clean = clean.filter(pc.invert(pc.is_nan(clean)))
    expected = pc.min_max(clean)
    low, high = expected["min"].as_py(), expected["max"].as_py()
    assert (stats.min_number is None) == (low is None)
    if low is not None:
        assert stats.min_number is not None and stats.max_number is not None
        # Exact, or one step outward where an int64 has no exact double.
        assert stats.min_number in (float(low), math.nextafter(float(low), -math.inf))
        assert stats.max_number in (float(high), math.nextafter(float(high), math.inf))
    assert stats.null_count == whole.null_count
