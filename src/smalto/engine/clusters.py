"""Matched time intervals of topics (smalto's ``topic_filter_clusterize`` / ``_intersect``).

A *cluster* is a maximal run of matching rows of one topic in which consecutive rows are at
most ``gap_ns`` apart; it spans ``[first, last]`` ``timestamp_ns`` of the run (both inclusive).
Intersecting topics gives the times covered by a cluster of every topic, each cluster widened
by a tolerance on both sides first. All times are int ns since the Unix epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from sqlalchemy import and_, true

from smalto.catalog import tables as t
from smalto.catalog.database import Database
from smalto.engine.chunk_scan import ScanDepth, TimeWindow, scan_chunk
from smalto.engine.chunk_selection import chunk_survives, list_chunk_candidates
from smalto.engine.field_resolution import decode_schema, missing_field_error, resolve_conditions
from smalto.errors import InvalidRequest, TopicNotFound
from smalto.protocol.query import FieldCondition
from smalto.storage.object_store import ObjectStore

__all__ = ["Interval", "clusterize", "intersect", "matching_timestamps"]

Interval = tuple[int, int]


def clusterize(timestamps: npt.NDArray[np.int64], gap_ns: int) -> list[Interval]:
    """Maximal runs of sorted ``timestamps`` whose consecutive gaps are ``<= gap_ns``."""
    if len(timestamps) == 0:
        return []
    breaks = np.flatnonzero(np.diff(timestamps) > gap_ns)
    starts = timestamps[np.concatenate(([0], breaks + 1))]
    ends = timestamps[np.concatenate((breaks, [len(timestamps) - 1]))]
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def _widen_and_merge(intervals: Sequence[Interval], tolerance_ns: int) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted((s - tolerance_ns, e + tolerance_ns) for s, e in intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersect_two(left: list[Interval], right: list[Interval]) -> list[Interval]:
    found: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start <= end:
            found.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return found


def intersect(per_topic: Sequence[Sequence[Interval]], tolerance_ns: int) -> list[Interval]:
    """Times inside a cluster of every topic, each cluster widened by ``tolerance_ns``."""
    if not per_topic:
        return []
    result = _widen_and_merge(per_topic[0], tolerance_ns)
    for intervals in per_topic[1:]:
        result = _intersect_two(result, _widen_and_merge(intervals, tolerance_ns))
    return result


def _topic_row(db: Database, sequence: str, path: str) -> tuple[int, str, bytes | None]:
    where = and_(t.sequences.c.name == sequence, t.topics.c.path == path)
    query = (
        t.topics.join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
        .select()
        .with_only_columns(t.topics.c.id, t.topics.c.ontology_tag, t.topics.c.arrow_schema)
        .where(where)
    )
    with db.read() as c:
        row = c.execute(query).first()
    if row is None:
        raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence!r}")
    return int(row[0]), str(row[1]), row[2]


def matching_timestamps(
    db: Database,
    store: ObjectStore,
    locator: tuple[str, str],
    conditions: tuple[FieldCondition, ...],
    window: TimeWindow,
) -> npt.NDArray[np.int64]:
    """Sorted ``timestamp_ns`` of the rows of topic ``(sequence, path)`` matching every
    condition inside ``window``; keys must use the topic's own tag."""
    topic_id, tag, schema_bytes = _topic_row(db, *locator)
    for field in conditions:
        if field.tag != tag:
            raise InvalidRequest(
                f"ontology key {field.key!r}: topic '/{locator[1]}' holds {tag!r} data; "
                f"use keys '{tag}.<field>'"
            )
    if schema_bytes is None:
        return np.empty(0, dtype=np.int64)
    schema = decode_schema(schema_bytes)
    resolved = resolve_conditions(conditions, schema)
    if resolved is None:
        missing_field_error(conditions, schema)
        return np.empty(0, dtype=np.int64)
    paths = sorted({r.column_path for r in resolved})
    candidates = list_chunk_candidates(db, and_(true(), t.topics.c.id == topic_id), paths)
    arrays: list[pa.Array] = []  # type: ignore[type-arg]
    for candidate in candidates.get(topic_id, []):
        chunk = candidate.chunk
        outside = (window.start_ns is not None and chunk.end_ns < window.start_ns) or (
            window.end_ns is not None and chunk.start_ns >= window.end_ns
        )
        if outside or not chunk_survives(candidate, resolved):
            continue
        found = scan_chunk(store, chunk, resolved, window, ScanDepth.TIMESTAMPS)
        arrays.extend(found.timestamps or [])
    if not arrays:
        return np.empty(0, dtype=np.int64)
    values = np.concatenate([a.to_numpy(zero_copy_only=False) for a in arrays]).astype(np.int64)
    values.sort(kind="stable")
    return values
