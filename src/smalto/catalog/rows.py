"""Row-to-record conversion and the lookups every part of the catalog shares."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from smalto.catalog import tables as t
from smalto.catalog.records import ChunkRecord, SequenceRecord, TopicRecord
from smalto.errors import SequenceNotFound

__all__ = ["chunk_record", "sequence_record", "sequence_row", "topic_query", "topic_record"]

_TOPIC_COLUMNS = (
    *t.topics.c,
    t.sequences.c.name.label("sequence_name"),
    t.sequences.c.uuid.label("sequence_uuid"),
    t.sessions.c.uuid.label("session_uuid"),
)


def sequence_record(row: Row[Any]) -> SequenceRecord:
    """A sequences row as a record."""
    m = row._mapping
    return SequenceRecord(
        id=m["id"],
        uuid=m["uuid"],
        name=m["name"],
        user_metadata=dict(m["user_metadata"] or {}),
        created_at_ns=m["created_at_ns"],
        locked=bool(m["locked"]),
    )


def topic_record(row: Row[Any]) -> TopicRecord:
    """A row of `topic_query` as a record."""
    m = dict(row._mapping)
    m["user_metadata"] = dict(m["user_metadata"] or {})
    m["locked"] = bool(m["locked"])
    return TopicRecord(**m)


def topic_query() -> Any:
    """Topics joined with their sequence and session (names and uuids)."""
    return (
        select(*_TOPIC_COLUMNS)
        .join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
        .join(t.sessions, t.sessions.c.id == t.topics.c.session_id)
    )


def sequence_row(c: Connection, name: str) -> SequenceRecord:
    """The sequence called ``name`` inside transaction ``c``; `SequenceNotFound` otherwise."""
    row = c.execute(select(t.sequences).where(t.sequences.c.name == name)).first()
    if row is None:
        raise SequenceNotFound(f"sequence {name!r} does not exist")
    return sequence_record(row)


def chunk_record(row: Any) -> ChunkRecord:
    """A row carrying the ``chunks`` columns as a record."""
    return ChunkRecord(
        id=row.id,
        topic_id=row.topic_id,
        chunk_index=row.chunk_index,
        object_key=row.object_key,
        size_bytes=row.size_bytes,
        row_count=row.row_count,
        start_ns=row.start_ns,
        end_ns=row.end_ns,
    )
