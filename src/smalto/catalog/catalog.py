"""The catalog: sequences, sessions, topics and notifications (the only code that writes SQL).

Every method is one transaction. Methods that remove rows return the store scopes whose objects must
go too; the caller deletes them *after* the commit, so the catalog never points at a missing
object (a crash in between leaves orphans, which garbage collection removes).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from smalto.catalog import tables as t
from smalto.catalog.chunk_index import ChunkIndex
from smalto.catalog.database import Database, now_ns
from smalto.catalog.migrations import upgrade
from smalto.catalog.records import (
    NotificationRecord,
    SequenceRecord,
    SessionRecord,
    StoreScope,
    TopicRecord,
)
from smalto.errors import (
    Conflict,
    InvalidRequest,
    SequenceAlreadyExists,
    SequenceNotFound,
    SessionNotFound,
    TopicAlreadyExists,
    TopicNotFound,
)

__all__ = ["Catalog"]

_TOPIC_COLUMNS = (
    *t.topics.c,
    t.sequences.c.name.label("sequence_name"),
    t.sequences.c.uuid.label("sequence_uuid"),
    t.sessions.c.uuid.label("session_uuid"),
)


def _sequence(row: Row[Any]) -> SequenceRecord:
    m = row._mapping
    return SequenceRecord(
        id=m["id"],
        uuid=m["uuid"],
        name=m["name"],
        user_metadata=dict(m["user_metadata"] or {}),
        created_at_ns=m["created_at_ns"],
        locked=bool(m["locked"]),
    )


def _topic(row: Row[Any]) -> TopicRecord:
    m = dict(row._mapping)
    m["user_metadata"] = dict(m["user_metadata"] or {})
    m["locked"] = bool(m["locked"])
    m["uploading"] = bool(m["uploading"])
    return TopicRecord(**m)


def _topic_query() -> Any:
    return (
        select(*_TOPIC_COLUMNS)
        .join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
        .join(t.sessions, t.sessions.c.id == t.topics.c.session_id)
    )


class Catalog(ChunkIndex):
    """Catalog operations over one database (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        upgrade(self.db)

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    # -- sequences ---------------------------------------------------------------------------

    def create_sequence(self, name: str, user_metadata: Mapping[str, Any]) -> SequenceRecord:
        """Register a new, empty sequence; `SequenceAlreadyExists` if the name is taken."""
        values = {
            "uuid": str(uuid.uuid4()),
            "name": name,
            "user_metadata": dict(user_metadata),
            "created_at_ns": now_ns(),
            "locked": False,
        }
        try:
            with self.db.write() as c:
                new_id = c.execute(insert(t.sequences).values(**values)).inserted_primary_key
        except IntegrityError:
            raise SequenceAlreadyExists(
                f"sequence {name!r} already exists; pick another name or delete it first"
            ) from None
        assert new_id is not None
        return SequenceRecord(id=int(new_id[0]), **values)  # type: ignore[arg-type]

    def _sequence_row(self, c: Connection, name: str) -> SequenceRecord:
        row = c.execute(select(t.sequences).where(t.sequences.c.name == name)).first()
        if row is None:
            raise SequenceNotFound(f"sequence {name!r} does not exist")
        return _sequence(row)

    def get_sequence(self, name: str) -> SequenceRecord:
        """The sequence called ``name``; `SequenceNotFound` otherwise."""
        with self.db.read() as c:
            return self._sequence_row(c, name)

    def list_sequence_names(self) -> list[str]:
        """Every sequence name, in creation order."""
        with self.db.read() as c:
            rows = c.execute(select(t.sequences.c.name).order_by(t.sequences.c.id))
            return [r[0] for r in rows]

    def delete_sequence(self, name: str) -> list[StoreScope]:
        """Remove a sequence with everything in it; returns the store scopes to delete.

        A missing sequence is not an error (delete is idempotent): the result is then empty.
        """
        with self.db.write() as c:
            row = c.execute(select(t.sequences).where(t.sequences.c.name == name)).first()
            if row is None:
                return []
            sequence = _sequence(row)
            c.execute(delete(t.sequences).where(t.sequences.c.id == sequence.id))
        return [StoreScope(sequence.uuid)]

    # -- sessions ----------------------------------------------------------------------------

    def create_session(self, sequence_name: str) -> SessionRecord:
        """Open a new writing session on an existing sequence."""
        with self.db.write() as c:
            sequence = self._sequence_row(c, sequence_name)
            values = {
                "uuid": str(uuid.uuid4()),
                "sequence_id": sequence.id,
                "created_at_ns": now_ns(),
                "completed_at_ns": None,
                "locked": False,
            }
            new_id = c.execute(insert(t.sessions).values(**values)).inserted_primary_key
        assert new_id is not None
        return SessionRecord(id=int(new_id[0]), **values)  # type: ignore[arg-type]

    def _session_row(self, c: Connection, session_uuid: str) -> SessionRecord:
        row = c.execute(select(t.sessions).where(t.sessions.c.uuid == session_uuid)).first()
        if row is None:
            raise SessionNotFound(f"session {session_uuid!r} does not exist")
        m = row._mapping
        paths = c.execute(
            select(t.topics.c.path).where(t.topics.c.session_id == m["id"]).order_by(t.topics.c.id)
        )
        return SessionRecord(
            id=m["id"],
            uuid=m["uuid"],
            sequence_id=m["sequence_id"],
            created_at_ns=m["created_at_ns"],
            completed_at_ns=m["completed_at_ns"],
            locked=bool(m["locked"]),
            topic_paths=tuple(p[0] for p in paths),
        )

    def get_session(self, session_uuid: str) -> SessionRecord:
        """The session with that uuid; `SessionNotFound` otherwise."""
        with self.db.read() as c:
            return self._session_row(c, session_uuid)

    def list_sessions(self, sequence_id: int) -> list[SessionRecord]:
        """The sessions of a sequence in creation order, each with its topic paths."""
        with self.db.read() as c:
            rows = c.execute(
                select(t.sessions.c.uuid)
                .where(t.sessions.c.sequence_id == sequence_id)
                .order_by(t.sessions.c.id)
            )
            return [self._session_row(c, r[0]) for r in rows.all()]

    def finalize_session(self, session_uuid: str) -> SessionRecord:
        """Lock a session: it needs at least one topic and every topic locked.

        Finalizing an already finalized session succeeds again and changes nothing.
        """
        with self.db.write() as c:
            session = self._session_row(c, session_uuid)
            if session.locked:
                return session
            if not session.topic_paths:
                raise Conflict(
                    f"session {session_uuid} has no topic; create a topic before finalizing, "
                    "or delete the session"
                )
            open_topics = c.execute(
                select(t.topics.c.path).where(
                    t.topics.c.session_id == session.id, t.topics.c.locked.is_(False)
                )
            ).all()
            if open_topics:
                names = ", ".join(f"/{r[0]}" for r in open_topics)
                raise Conflict(
                    f"session {session_uuid} still has topics whose upload has not ended "
                    f"({names}); close their writers first"
                )
            completed = now_ns()
            c.execute(
                update(t.sessions)
                .where(t.sessions.c.id == session.id)
                .values(locked=True, completed_at_ns=completed)
            )
        return SessionRecord(
            id=session.id,
            uuid=session.uuid,
            sequence_id=session.sequence_id,
            created_at_ns=session.created_at_ns,
            completed_at_ns=completed,
            locked=True,
            topic_paths=session.topic_paths,
        )

    def delete_session(self, session_uuid: str) -> list[StoreScope]:
        """Remove a session and the topics it created; returns the store scopes to delete."""
        with self.db.write() as c:
            session = self._session_row(c, session_uuid)
            rows = c.execute(_topic_query().where(t.topics.c.session_id == session.id)).all()
            c.execute(delete(t.sessions).where(t.sessions.c.id == session.id))
        return [StoreScope(r.sequence_uuid, r.uuid) for r in rows]

    # -- topics ------------------------------------------------------------------------------

    def create_topic(
        self,
        session_uuid: str,
        sequence_name: str,
        path: str,
        ontology_tag: str,
        serialization_format: str,
        user_metadata: Mapping[str, Any],
    ) -> TopicRecord:
        """Register a topic in an open session of its own sequence."""
        try:
            with self.db.write() as c:
                session = self._session_row(c, session_uuid)
                sequence = self._sequence_row(c, sequence_name)
                self._check_session_accepts_topic(session, sequence, path)
                values = {
                    "uuid": str(uuid.uuid4()),
                    "sequence_id": sequence.id,
                    "session_id": session.id,
                    "path": path,
                    "ontology_tag": ontology_tag,
                    "serialization_format": serialization_format,
                    "user_metadata": dict(user_metadata),
                    "arrow_schema": None,
                    "created_at_ns": now_ns(),
                    "completed_at_ns": None,
                    "locked": False,
                    "uploading": False,
                    "chunk_count": 0,
                    "total_bytes": 0,
                    "row_count": 0,
                }
                c.execute(insert(t.topics).values(**values))
                row = c.execute(_topic_query().where(t.topics.c.uuid == values["uuid"])).one()
        except IntegrityError:
            raise TopicAlreadyExists(
                f"topic '/{path}' already exists in sequence {sequence_name!r}; topic names are "
                "unique within a sequence"
            ) from None
        return _topic(row)

    @staticmethod
    def _check_session_accepts_topic(
        session: SessionRecord, sequence: SequenceRecord, path: str
    ) -> None:
        if session.sequence_id != sequence.id:
            raise InvalidRequest(
                f"topic '/{path}' must belong to the sequence of session {session.uuid}, "
                f"not to {sequence.name!r}"
            )
        if session.locked:
            raise Conflict(f"session {session.uuid} is finalized; open a new session to add topics")

    def get_topic(self, sequence_name: str, path: str) -> TopicRecord:
        """The topic at ``sequence_name/path``; `TopicNotFound` otherwise."""
        with self.db.read() as c:
            row = c.execute(
                _topic_query().where(t.sequences.c.name == sequence_name, t.topics.c.path == path)
            ).first()
        if row is None:
            raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence_name!r}")
        return _topic(row)

    def get_topic_by_uuid(self, topic_uuid: str) -> TopicRecord | None:
        """The topic with that internal uuid, if any."""
        with self.db.read() as c:
            row = c.execute(_topic_query().where(t.topics.c.uuid == topic_uuid)).first()
        return None if row is None else _topic(row)

    def list_topics(self, sequence_id: int) -> list[TopicRecord]:
        """The topics of a sequence, in creation order."""
        with self.db.read() as c:
            rows = c.execute(
                _topic_query().where(t.topics.c.sequence_id == sequence_id).order_by(t.topics.c.id)
            )
            return [_topic(r) for r in rows]

    def delete_topic(self, sequence_name: str, path: str) -> list[StoreScope]:
        """Remove an unlocked topic; returns the store scopes to delete."""
        with self.db.write() as c:
            row = c.execute(
                _topic_query().where(t.sequences.c.name == sequence_name, t.topics.c.path == path)
            ).first()
            if row is None:
                raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence_name!r}")
            topic = _topic(row)
            if topic.locked:
                raise Conflict(
                    f"topic '{topic.locator}' is locked (its upload ended); delete its session "
                    "or its sequence instead"
                )
            c.execute(delete(t.topics).where(t.topics.c.id == topic.id))
        return [StoreScope(topic.sequence_uuid, topic.uuid)]

    # -- notifications -----------------------------------------------------------------------

    def _target(
        self, c: Connection, sequence_name: str, path: str | None
    ) -> tuple[int, int | None]:
        sequence = self._sequence_row(c, sequence_name)
        if path is None:
            return sequence.id, None
        topic_id = c.execute(
            select(t.topics.c.id).where(
                t.topics.c.sequence_id == sequence.id, t.topics.c.path == path
            )
        ).scalar()
        if topic_id is None:
            raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence_name!r}")
        return sequence.id, int(topic_id)

    def add_notification(
        self, sequence_name: str, path: str | None, notification_type: str, message: str
    ) -> None:
        """Attach a notification to a sequence (``path`` None) or to one of its topics."""
        with self.db.write() as c:
            sequence_id, topic_id = self._target(c, sequence_name, path)
            c.execute(
                insert(t.notifications).values(
                    sequence_id=sequence_id,
                    topic_id=topic_id,
                    notification_type=notification_type,
                    message=message,
                    created_at_ns=now_ns(),
                )
            )

    def _notification_filter(self, sequence_id: int, topic_id: int | None) -> Any:
        if topic_id is None:
            return (t.notifications.c.sequence_id == sequence_id) & t.notifications.c.topic_id.is_(
                None
            )
        return t.notifications.c.topic_id == topic_id

    def list_notifications(self, sequence_name: str, path: str | None) -> list[NotificationRecord]:
        """Notifications of a sequence or topic, oldest first."""
        with self.db.read() as c:
            sequence_id, topic_id = self._target(c, sequence_name, path)
            rows = c.execute(
                select(t.notifications)
                .where(self._notification_filter(sequence_id, topic_id))
                .order_by(t.notifications.c.created_at_ns, t.notifications.c.id)
            )
            return [
                NotificationRecord(
                    sequence_name=sequence_name,
                    topic_path=path,
                    notification_type=r.notification_type,
                    message=r.message,
                    created_at_ns=r.created_at_ns,
                )
                for r in rows
            ]

    def purge_notifications(self, sequence_name: str, path: str | None) -> int:
        """Delete the notifications of a sequence or topic; returns how many went."""
        with self.db.write() as c:
            sequence_id, topic_id = self._target(c, sequence_name, path)
            result = c.execute(
                delete(t.notifications).where(self._notification_filter(sequence_id, topic_id))
            )
            return int(result.rowcount)
