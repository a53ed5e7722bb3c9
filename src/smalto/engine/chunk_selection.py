"""Step 2 of a content query: the chunks of the candidate topics and which ones stats prune.

One SQL statement fetches every chunk of the candidate topics with its stats rows for the
columns the conditions name; the keep/prune decision is `stats_pruning.may_match`, in Python,
so it is the same on every catalog backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from smalto.catalog import tables as t
from smalto.catalog.database import Database
from smalto.catalog.records import ChunkRecord, ColumnStats
from smalto.catalog.rows import chunk_record
from smalto.engine.catalog_filter import candidate_ids
from smalto.engine.field_resolution import ResolvedCondition
from smalto.engine.sql_conditions import Expr
from smalto.engine.stats_pruning import bounds_from_catalog, may_match

__all__ = ["ChunkCandidate", "chunk_survives", "list_chunk_candidates"]


@dataclass
class ChunkCandidate:
    """A chunk with the catalog stats of the columns a query looks at (by dotted path)."""

    chunk: ChunkRecord
    stats: dict[str, ColumnStats] = field(default_factory=dict)


def _stats(row: object) -> ColumnStats:
    return ColumnStats(
        column_path=row.column_path,  # type: ignore[attr-defined]
        null_count=row.null_count,  # type: ignore[attr-defined]
        has_nan=bool(row.has_nan),  # type: ignore[attr-defined]
        min_number=row.min_number,  # type: ignore[attr-defined]
        max_number=row.max_number,  # type: ignore[attr-defined]
        min_text=row.min_text,  # type: ignore[attr-defined]
        max_text=row.max_text,  # type: ignore[attr-defined]
    )


def list_chunk_candidates(
    db: Database, where: Expr, paths: Sequence[str]
) -> dict[int, list[ChunkCandidate]]:
    """Chunks of the topics ``where`` selects, by topic id, in time order, with their stats."""
    c, s = t.chunks.c, t.chunk_columns.c
    joined = t.chunks.outerjoin(
        t.chunk_columns, and_(s.chunk_id == c.id, s.column_path.in_(list(paths) or [""]))
    )
    query = (
        select(
            *t.chunks.c,
            s.column_path,
            s.null_count,
            s.has_nan,
            s.min_number,
            s.max_number,
            s.min_text,
            s.max_text,
        )
        .select_from(joined)
        .where(c.topic_id.in_(candidate_ids(where)))
        .order_by(c.topic_id, c.start_ns, c.chunk_index)
    )
    found: dict[int, dict[int, ChunkCandidate]] = {}
    with db.read() as connection:
        for row in connection.execute(query):
            per_topic = found.setdefault(row.topic_id, {})
            candidate = per_topic.get(row.id)
            if candidate is None:
                candidate = per_topic[row.id] = ChunkCandidate(chunk_record(row))
            if row.column_path is not None:
                candidate.stats[row.column_path] = _stats(row)
    return {topic: list(chunks.values()) for topic, chunks in found.items()}


def chunk_survives(candidate: ChunkCandidate, conditions: Sequence[ResolvedCondition]) -> bool:
    """Whether the chunk's stats allow a row that satisfies every condition."""
    rows = candidate.chunk.row_count
    return all(
        may_match(
            bounds_from_catalog(candidate.stats.get(r.column_path), r.kind, rows),
            r.field.condition,
        )
        for r in conditions
    )
