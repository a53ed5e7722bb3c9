"""The ``query`` action end to end (PROTOCOL.md §5.3, with mosaicod's quirks fixed).

1. Candidate topics from the sequence and topic filters, in SQL (`catalog_filter`).
2. Without ontology conditions: the candidates, grouped by sequence.
3. With them, per tag: candidates of that tag, chunks pruned by their catalog stats
   (`chunk_selection`), survivors scanned row group by row group (`chunk_scan`), several topics
   at once. A topic matches when one row satisfies every condition of its tag; its
   ``timestamp_range`` spans the matching rows of *all* its chunks. Tags combine by
   intersecting sequences and uniting their topics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa

from smalto.catalog.database import Database
from smalto.engine.catalog_filter import CandidateTopic, candidate_where, list_candidates
from smalto.engine.chunk_scan import ChunkMatch, ScanDepth, TimeWindow, scan_chunk
from smalto.engine.chunk_selection import ChunkCandidate, chunk_survives, list_chunk_candidates
from smalto.engine.field_resolution import (
    ResolvedCondition,
    decode_schema,
    missing_field_error,
    resolve_conditions,
)
from smalto.ontology.registry import find_ontology
from smalto.ontology.schema import message_schema
from smalto.protocol.query import (
    FieldCondition,
    QueryItem,
    QueryPlan,
    QueryResponseBody,
    TopicHit,
)
from smalto.storage.object_store import ObjectStore

__all__ = ["QueryEngine", "ScanStats", "TopicMatch"]

_log = logging.getLogger("smalto.engine")
_BUILTIN_MODULES = "smalto.ontology."


@dataclass
class ScanStats:
    """How much a query read: chunks pruned by catalog stats vs scanned, row groups read."""

    chunks_total: int = 0
    chunks_pruned: int = 0
    chunks_scanned: int = 0
    row_groups_read: int = 0
    row_groups_skipped: int = 0

    def add(self, match: ChunkMatch) -> None:
        """Count one scanned chunk."""
        self.chunks_scanned += 1
        self.row_groups_read += match.row_groups_read
        self.row_groups_skipped += match.row_groups_skipped


@dataclass
class TopicMatch:
    """A topic's matching rows: the first and last ``timestamp_ns`` (None: no rows)."""

    topic: CandidateTopic
    first_ns: int | None = None
    last_ns: int | None = None
    timestamps: list[pa.Array] = field(default_factory=list)  # type: ignore[type-arg]


def reference_schemas(tag: str, topics: Sequence[CandidateTopic]) -> list[pa.Schema]:
    """Schemas an ontology key of ``tag`` is checked against: the built-in class, else the
    distinct stored schemas of the topics."""
    builtin = find_ontology(tag)
    if builtin is not None and builtin.__module__.startswith(_BUILTIN_MODULES):
        return [message_schema(builtin)]
    stored = dict.fromkeys(t.arrow_schema for t in topics if t.arrow_schema is not None)
    return [decode_schema(data) for data in stored]


def check_keys(conditions: tuple[FieldCondition, ...], schemas: Sequence[pa.Schema]) -> None:
    """`InvalidRequest` if a key fits none of ``schemas`` or misuses its field's type."""
    if schemas and all(resolve_conditions(conditions, s) is None for s in schemas):
        missing_field_error(conditions, schemas[0])


class QueryEngine:
    """Evaluates queries against one catalog and object store."""

    def __init__(self, db: Database, store: ObjectStore, workers: int = 8) -> None:
        self.db = db
        self.store = store
        self.workers = workers

    def run(self, plan: QueryPlan, stats: ScanStats | None = None) -> QueryResponseBody:
        """Evaluate ``plan``; ``stats`` (optional) collects what was pruned and scanned."""
        stats = stats if stats is not None else ScanStats()
        ontology = plan.ontology
        include_range = ontology is not None and ontology.include_timestamp_range
        if ontology is None or not ontology.conditions:
            where = candidate_where(plan.sequence, plan.topic, None, self.db.is_sqlite)
            topics = list_candidates(self.db, where, with_schema=False)
            matches = [TopicMatch(t, t.start_ns, t.end_ns) for t in topics]
            return _response(matches, include_range)
        per_tag = [self._match_tag(plan, tag, stats) for tag in ontology.tags]
        return _response(_combine(per_tag), include_range)

    def _match_tag(self, plan: QueryPlan, tag: str, stats: ScanStats) -> list[TopicMatch]:
        assert plan.ontology is not None
        conditions = plan.ontology.for_tag(tag)
        where = candidate_where(plan.sequence, plan.topic, [tag], self.db.is_sqlite)
        topics = list_candidates(self.db, where, with_schema=True)
        check_keys(conditions, reference_schemas(tag, topics))
        resolved = {
            t.id: r
            for t in topics
            if t.arrow_schema is not None
            and (r := resolve_conditions(conditions, decode_schema(t.arrow_schema))) is not None
        }
        if not resolved:
            return []
        paths = sorted({".".join(c.path) for c in conditions})
        chunks = list_chunk_candidates(self.db, where, paths)
        depth = ScanDepth.RANGE if plan.ontology.include_timestamp_range else ScanDepth.ANY
        work = []
        for topic in topics:
            if topic.id not in resolved:
                continue
            mine = chunks.get(topic.id, [])
            kept = [c for c in mine if chunk_survives(c, resolved[topic.id])]
            stats.chunks_total += len(mine)
            stats.chunks_pruned += len(mine) - len(kept)
            if kept:
                work.append((topic, kept, resolved[topic.id]))
        found = self._scan_topics(work, depth, stats)
        return [m for m in found if m.first_ns is not None]

    def _scan_topics(
        self,
        work: list[tuple[CandidateTopic, list[ChunkCandidate], list[ResolvedCondition]]],
        depth: ScanDepth,
        stats: ScanStats,
    ) -> list[TopicMatch]:
        def scan(
            item: tuple[CandidateTopic, list[ChunkCandidate], list[ResolvedCondition]],
        ) -> tuple[TopicMatch, list[ChunkMatch]]:
            topic, chunks, conditions = item
            match, scanned = TopicMatch(topic), []
            for candidate in chunks:
                found = scan_chunk(self.store, candidate.chunk, conditions, TimeWindow(), depth)
                scanned.append(found)
                _fold(match, found)
                if depth is ScanDepth.ANY and found.rows:
                    break
            return match, scanned

        if len(work) <= 1:
            results = [scan(item) for item in work]
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(work))) as pool:
                results = list(pool.map(scan, work))
        for _, scanned in results:
            for found in scanned:
                stats.add(found)
        _log.debug("query scan: %s", stats)
        return [match for match, _ in results]


def _fold(match: TopicMatch, found: ChunkMatch) -> None:
    if found.first_ns is None or found.last_ns is None:
        return
    match.first_ns = (
        found.first_ns if match.first_ns is None else min(match.first_ns, found.first_ns)
    )
    match.last_ns = found.last_ns if match.last_ns is None else max(match.last_ns, found.last_ns)
    if found.timestamps:
        match.timestamps.extend(found.timestamps)


def _combine(per_tag: list[list[TopicMatch]]) -> list[TopicMatch]:
    """Intersect the tags' sequences, unite their topics (PROTOCOL.md §5.3)."""
    sequences = set.intersection(*({m.topic.sequence_name for m in tag} for tag in per_tag))
    return [m for tag in per_tag for m in tag if m.topic.sequence_name in sequences]


def _items(matches: list[TopicMatch], include_range: bool) -> Iterator[QueryItem]:
    by_sequence: dict[str, list[TopicHit]] = {}
    for m in sorted(matches, key=lambda m: (m.topic.sequence_name, m.topic.path)):
        span = None
        if include_range and m.first_ns is not None and m.last_ns is not None:
            span = [m.first_ns, m.last_ns]
        hit = TopicHit(
            locator=m.topic.locator, ontology_tag=m.topic.ontology_tag, timestamp_range=span
        )
        by_sequence.setdefault(m.topic.sequence_name, []).append(hit)
    for sequence, hits in by_sequence.items():
        yield QueryItem(sequence=sequence, topics=hits)


def _response(matches: list[TopicMatch], include_range: bool) -> QueryResponseBody:
    return QueryResponseBody(items=list(_items(matches, include_range)))
