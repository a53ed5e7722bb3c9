"""Row-group pruning inside a chunk never changes what a scan finds, and intervals are exact.

A chunk of many small row groups (nulls, NaN, negative and extreme values) is scanned with
random conditions; the result equals the brute-force answer over the same rows.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smalto.catalog.records import ChunkRecord
from smalto.engine import clusterize, intersect
from smalto.engine.chunk_scan import ScanDepth, TimeWindow, scan_chunk
from smalto.engine.field_resolution import resolve_conditions
from smalto.protocol.query import parse_ontology
from smalto.storage import LocalObjectStore
from tests.engine.archive import _field_ok

SCHEMA = pa.schema(
    [
        pa.field("timestamp_ns", pa.int64(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("count", pa.int8()),
        pa.field("label", pa.string()),
    ]
)
ROWS = 400


@pytest.fixture(scope="module")
def chunk(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[LocalObjectStore, ChunkRecord, list[dict[str, Any]]]:
    """A sorted chunk in 20 row groups whose value ranges differ from group to group."""
    rng = random.Random(7)
    rows = []
    for i in range(ROWS):
        group = i // 20
        value = rng.choice([None, math.nan, group * 10 + rng.uniform(0, 9), -group])
        rows.append(
            {
                "timestamp_ns": i * 10,
                "value": value,
                "count": rng.choice([None, -128, 127, group - 10]),
                "label": rng.choice([None, f"g{group:02d}", "%", "_x"]),
            }
        )
    store = LocalObjectStore(tmp_path_factory.mktemp("store"), fsync=False)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), sink, row_group_size=20)
    store.put("chunk.parquet", sink.getvalue())
    record = ChunkRecord(1, 1, 0, "chunk.parquet", 0, ROWS, 0, (ROWS - 1) * 10)
    return store, record, rows


NUMBERS = [-200, -129, -128, -5, -1, 0, 0.5, 3, 15, 50.5, 127, 128, 190, 1e6]
CONDITIONS = st.one_of(
    st.tuples(
        st.sampled_from(["value", "count"]),
        st.sampled_from(["$eq", "$neq", "$lt", "$leq", "$gt", "$geq"]),
        st.sampled_from(NUMBERS),
    ).map(lambda c: (c[0], {c[1]: c[2]})),
    st.tuples(
        st.sampled_from(["value", "count"]),
        st.lists(st.sampled_from(NUMBERS), min_size=2, max_size=2),
    ).map(lambda c: (c[0], {"$between": sorted(c[1])})),
    st.tuples(
        st.sampled_from(["value", "count"]),
        st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3),
    ).map(lambda c: (c[0], {"$in": c[1]})),
    st.tuples(
        st.just("label"),
        st.sampled_from(["$eq", "$neq", "$match"]),
        st.sampled_from(["g03", "g19", "%", "_", "x", "g1"]),
    ).map(lambda c: (c[0], {c[1]: c[2]})),
    st.tuples(st.sampled_from(["value", "count", "label"]), st.sampled_from(["$ex", "$nex"])).map(
        lambda c: (c[0], {c[1]: None})
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    conditions=st.lists(CONDITIONS, min_size=1, max_size=2, unique_by=lambda c: c[0]),
    window=st.tuples(st.none() | st.integers(-10, 4000), st.none() | st.integers(-10, 4000)),
)
def test_scans_equal_brute_force(
    chunk: tuple[LocalObjectStore, ChunkRecord, list[dict[str, Any]]],
    conditions: list[tuple[str, dict[str, Any]]],
    window: tuple[int | None, int | None],
) -> None:
    store, record, rows = chunk
    parsed = parse_ontology({f"t.{path}": cond for path, cond in conditions})
    resolved = resolve_conditions(parsed.conditions, SCHEMA)
    assert resolved is not None
    span = TimeWindow(*window)
    found = scan_chunk(store, record, resolved, span, ScanDepth.TIMESTAMPS)
    expected = [
        r["timestamp_ns"]
        for r in rows
        if all(_field_ok(r[path], cond) for path, cond in conditions)
        and (span.start_ns is None or r["timestamp_ns"] >= span.start_ns)
        and (span.end_ns is None or r["timestamp_ns"] < span.end_ns)
    ]
    got = [v for a in found.timestamps or [] for v in a.to_pylist()]
    assert got == expected
    assert found.row_groups_read + found.row_groups_skipped == ROWS // 20


def test_selective_conditions_skip_row_groups(
    chunk: tuple[LocalObjectStore, ChunkRecord, list[dict[str, Any]]],
) -> None:
    store, record, _ = chunk
    parsed = parse_ontology({"t.value": {"$gt": 190}})
    resolved = resolve_conditions(parsed.conditions, SCHEMA)
    assert resolved is not None
    found = scan_chunk(store, record, resolved, TimeWindow(), ScanDepth.RANGE)
    assert found.row_groups_read == 1 and found.row_groups_skipped == 19
    assert found.rows > 0


def test_clusterize_splits_at_gaps_larger_than_the_gap() -> None:
    stamps = np.array([0, 5, 10, 30, 31, 100], dtype=np.int64)
    assert clusterize(stamps, 5) == [(0, 10), (30, 31), (100, 100)]
    assert clusterize(stamps, 100) == [(0, 100)]
    assert clusterize(np.empty(0, dtype=np.int64), 5) == []


def test_intersect_keeps_times_covered_by_every_topic() -> None:
    a = [(0, 10), (20, 30)]
    b = [(5, 25)]
    assert intersect([a, b], 0) == [(5, 10), (20, 25)]
    assert intersect([a, [(12, 14)]], 0) == []
    assert intersect([a, [(12, 14)]], 2) == [(10, 12)]
    assert intersect([a], 0) == a
