"""The chunk half of the catalog: upload claims, chunk registration with stats, window lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import case, func, insert, select, update

from smalto.catalog import tables as t
from smalto.catalog.database import now_ns
from smalto.catalog.records import ChunkRecord, ColumnStats, NewChunk
from smalto.catalog.rows import chunk_record
from smalto.errors import Conflict, TopicNotFound

if TYPE_CHECKING:
    from smalto.catalog.database import Database

__all__ = ["ChunkIndex"]


class ChunkIndex:
    """Chunk bookkeeping; mixed into `Catalog`, which provides ``db``."""

    db: Database

    def claim_upload(self, topic_id: int, arrow_schema: bytes, instance_id: str) -> None:
        """Claim a topic's upload for a server instance; refuse a locked or already claimed topic.

        The claim is a conditional UPDATE, so two servers racing for one topic get one winner.
        A claim whose instance stops heartbeating is recovered by `recover_interrupted_uploads`.
        """
        with self.db.write() as c:
            result = c.execute(
                update(t.topics)
                .where(
                    t.topics.c.id == topic_id,
                    t.topics.c.locked.is_(False),
                    t.topics.c.upload_instance.is_(None),
                )
                .values(upload_instance=instance_id, arrow_schema=arrow_schema)
            )
            if result.rowcount == 1:
                return
            row = c.execute(
                select(t.topics.c.locked, t.topics.c.path).where(t.topics.c.id == topic_id)
            ).first()
        if row is None:
            raise TopicNotFound(f"topic {topic_id} was deleted before its upload started")
        if row.locked:
            raise Conflict(
                f"topic '/{row.path}' is locked: its upload already ended and its data is "
                "immutable; write to a new topic instead"
            )
        raise Conflict(f"topic '/{row.path}' is already being uploaded by another stream")

    def next_chunk_index(self, topic_id: int) -> int:
        """The index the topic's next chunk gets (0 for the first)."""
        with self.db.read() as c:
            current = c.execute(
                select(func.max(t.chunks.c.chunk_index)).where(t.chunks.c.topic_id == topic_id)
            ).scalar()
        return 0 if current is None else int(current) + 1

    def add_chunk(self, topic_id: int, chunk: NewChunk) -> None:
        """Register a chunk already in the store, with its column stats and the topic totals."""
        with self.db.write() as c:
            chunk_id = c.execute(
                insert(t.chunks).values(
                    topic_id=topic_id,
                    chunk_index=chunk.chunk_index,
                    object_key=chunk.object_key,
                    size_bytes=chunk.size_bytes,
                    row_count=chunk.row_count,
                    start_ns=chunk.start_ns,
                    end_ns=chunk.end_ns,
                    created_at_ns=now_ns(),
                )
            ).inserted_primary_key
            assert chunk_id is not None
            if chunk.columns:
                c.execute(
                    insert(t.chunk_columns),
                    [_stats_row(int(chunk_id[0]), stats) for stats in chunk.columns],
                )
            topic = t.topics.c
            c.execute(
                update(t.topics)
                .where(topic.id == topic_id)
                .values(
                    chunk_count=topic.chunk_count + 1,
                    total_bytes=topic.total_bytes + chunk.size_bytes,
                    row_count=topic.row_count + chunk.row_count,
                    start_ns=case(
                        (
                            topic.start_ns.is_(None) | (topic.start_ns > chunk.start_ns),
                            chunk.start_ns,
                        ),
                        else_=topic.start_ns,
                    ),
                    end_ns=case(
                        (topic.end_ns.is_(None) | (topic.end_ns < chunk.end_ns), chunk.end_ns),
                        else_=topic.end_ns,
                    ),
                )
            )

    def complete_upload(self, topic_id: int) -> None:
        """End a topic's upload: lock it (its data is now immutable)."""
        with self.db.write() as c:
            c.execute(
                update(t.topics)
                .where(t.topics.c.id == topic_id)
                .values(upload_instance=None, locked=True, completed_at_ns=now_ns())
            )

    def release_upload(self, topic_id: int) -> None:
        """Give up an upload claim after a failed stream (chunks already registered stay).

        A topic left without chunks also forgets the schema of the failed stream, so a refused
        upload leaves the topic exactly as `topic_create` made it.
        """
        with self.db.write() as c:
            c.execute(
                update(t.topics)
                .where(t.topics.c.id == topic_id, t.topics.c.locked.is_(False))
                .values(upload_instance=None)
            )
            c.execute(
                update(t.topics)
                .where(
                    t.topics.c.id == topic_id,
                    t.topics.c.locked.is_(False),
                    t.topics.c.chunk_count == 0,
                )
                .values(arrow_schema=None)
            )

    def list_chunks(
        self, topic_id: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> list[ChunkRecord]:
        """Chunks holding rows with ``start_ns <= timestamp_ns < end_ns``, by start then index."""
        query = select(t.chunks).where(t.chunks.c.topic_id == topic_id)
        if start_ns is not None:
            query = query.where(t.chunks.c.end_ns >= start_ns)
        if end_ns is not None:
            query = query.where(t.chunks.c.start_ns < end_ns)
        query = query.order_by(t.chunks.c.start_ns, t.chunks.c.chunk_index)
        with self.db.read() as c:
            return [chunk_record(r) for r in c.execute(query)]

    def chunk_columns(self, chunk_id: int) -> list[ColumnStats]:
        """The per-leaf-column stats of one chunk."""
        with self.db.read() as c:
            rows = c.execute(
                select(t.chunk_columns)
                .where(t.chunk_columns.c.chunk_id == chunk_id)
                .order_by(t.chunk_columns.c.column_path)
            )
            return [
                ColumnStats(
                    column_path=r.column_path,
                    null_count=r.null_count,
                    has_nan=bool(r.has_nan),
                    min_number=r.min_number,
                    max_number=r.max_number,
                    min_text=r.min_text,
                    max_text=r.max_text,
                )
                for r in rows
            ]


def _stats_row(chunk_id: int, stats: ColumnStats) -> dict[str, object]:
    return {
        "chunk_id": chunk_id,
        "column_path": stats.column_path,
        "min_number": stats.min_number,
        "max_number": stats.max_number,
        "min_text": stats.min_text,
        "max_text": stats.max_text,
        "null_count": stats.null_count,
        "has_nan": stats.has_nan,
    }
