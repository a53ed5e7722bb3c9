"""The catalog: sequences, sessions and topics (with its mixins, the only code that writes SQL).

Every method is one transaction. Methods that remove rows return the store scopes whose objects must
go too; the caller deletes them *after* the commit, so the catalog never points at a missing
object (a crash in between leaves orphans, which garbage collection removes).

The same code runs on SQLite and PostgreSQL, and is safe with several server processes on one
database: decisions that depend on a session's state lock its row (``FOR UPDATE``; a no-op on
SQLite, whose write transactions are already serialized), and name clashes are settled by unique
constraints.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from smalto.catalog import tables as t
from smalto.catalog.api_keys import ApiKeyRegistry
from smalto.catalog.chunk_index import ChunkIndex
from smalto.catalog.database import Database, is_unique_violation, now_ns
from smalto.catalog.instances import InstanceRegistry
from smalto.catalog.migrations import upgrade
from smalto.catalog.notification_log import NotificationLog
from smalto.catalog.portable_json import check_portable_json
from smalto.catalog.records import (
    SequenceRecord,
    SessionRecord,
    StoreScope,
    TopicRecord,
)
from smalto.catalog.rows import sequence_record, sequence_row, topic_query, topic_record
from smalto.errors import (
    Conflict,
    InvalidRequest,
    SequenceAlreadyExists,
    SequenceNotFound,
    SessionNotFound,
    TopicAlreadyExists,
    TopicNotFound,
    Unavailable,
)

__all__ = ["Catalog"]


class Catalog(ChunkIndex, InstanceRegistry, ApiKeyRegistry, NotificationLog):
    """Catalog operations over one database (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        """Connect to the catalog at ``url`` and apply any pending schema migration."""
        self.db = Database(url)
        try:
            upgrade(self.db)
        except OperationalError as exc:
            self.db.close()
            raise Unavailable(
                f"cannot open the catalog at {self.db.display_url}: {exc.orig}; check that the "
                "database server is running, the database exists and the credentials are right"
            ) from exc

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    # -- sequences ---------------------------------------------------------------------------

    def create_sequence(self, name: str, user_metadata: Mapping[str, Any]) -> SequenceRecord:
        """Register a new, empty sequence; `SequenceAlreadyExists` if the name is taken."""
        check_portable_json(f"sequence {name!r}", user_metadata)
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

    @staticmethod
    def _sequence_locked(c: Connection, sequence_id: int) -> bool:
        locked = c.execute(
            select(t.sequences.c.locked).where(t.sequences.c.id == sequence_id)
        ).scalar()
        return bool(locked)

    def get_sequence(self, name: str) -> SequenceRecord:
        """The sequence called ``name``; `SequenceNotFound` otherwise."""
        with self.db.read() as c:
            return sequence_row(c, name)

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
            sequence = sequence_record(row)
            if sequence.locked:
                raise Conflict(
                    f"sequence {name!r} is locked (it was finalized); unlock it first "
                    f"(`smalto sequences unlock {name}` or MosaicoClient.sequence_unlock)"
                )
            c.execute(delete(t.sequences).where(t.sequences.c.id == sequence.id))
        return [StoreScope(sequence.uuid)]

    def set_sequence_lock(self, name: str, locked: bool) -> SequenceRecord:
        """Lock or unlock a sequence (unlocking is an administrator's decision)."""
        with self.db.write() as c:
            sequence = sequence_row(c, name)
            c.execute(
                update(t.sequences).where(t.sequences.c.id == sequence.id).values(locked=locked)
            )
        return SequenceRecord(
            id=sequence.id,
            uuid=sequence.uuid,
            name=sequence.name,
            user_metadata=sequence.user_metadata,
            created_at_ns=sequence.created_at_ns,
            locked=locked,
        )

    # -- sessions ----------------------------------------------------------------------------

    def create_session(self, sequence_name: str) -> SessionRecord:
        """Open a new writing session on an existing sequence."""
        try:
            with self.db.write() as c:
                sequence = sequence_row(c, sequence_name)
                values = {
                    "uuid": str(uuid.uuid4()),
                    "sequence_id": sequence.id,
                    "created_at_ns": now_ns(),
                    "completed_at_ns": None,
                    "locked": False,
                }
                new_id = c.execute(insert(t.sessions).values(**values)).inserted_primary_key
        except IntegrityError:  # another replica deleted the sequence in between
            raise SequenceNotFound(f"sequence {sequence_name!r} does not exist") from None
        assert new_id is not None
        return SessionRecord(id=int(new_id[0]), **values)  # type: ignore[arg-type]

    def _session_row(
        self, c: Connection, session_uuid: str, for_update: bool = False
    ) -> SessionRecord:
        query = select(t.sessions).where(t.sessions.c.uuid == session_uuid)
        row = c.execute(query.with_for_update() if for_update else query).first()
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

        Finalizing an already finalized session succeeds again and changes nothing. A clean
        finalize also locks the sequence; one that follows a sequence-level error notification
        recorded during the session (the Report policy) leaves it unlocked, so it stays deletable.
        """
        with self.db.write() as c:
            # The row lock orders this against topic_create on the same session elsewhere.
            session = self._session_row(c, session_uuid, for_update=True)
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
            if not self._reported_errors_since(c, session.sequence_id, session.created_at_ns):
                c.execute(
                    update(t.sequences)
                    .where(t.sequences.c.id == session.sequence_id)
                    .values(locked=True)
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

    @staticmethod
    def _reported_errors_since(c: Connection, sequence_id: int, since_ns: int) -> bool:
        found = c.execute(
            select(t.notifications.c.id)
            .where(
                t.notifications.c.sequence_id == sequence_id,
                t.notifications.c.topic_id.is_(None),
                t.notifications.c.notification_type == "error",
                t.notifications.c.created_at_ns >= since_ns,
            )
            .limit(1)
        ).first()
        return found is not None

    def delete_session(self, session_uuid: str) -> list[StoreScope]:
        """Remove a session and the topics it created; returns the store scopes to delete.

        A session still open can always go; a finalized one only while its sequence is unlocked.
        """
        with self.db.write() as c:
            session = self._session_row(c, session_uuid, for_update=True)
            if session.locked and self._sequence_locked(c, session.sequence_id):
                raise Conflict(
                    f"session {session_uuid} is finalized and its sequence is locked; unlock the "
                    "sequence first (`smalto sequences unlock` or MosaicoClient.sequence_unlock)"
                )
            rows = c.execute(topic_query().where(t.topics.c.session_id == session.id)).all()
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
        check_portable_json(f"topic '{sequence_name}/{path}'", user_metadata)
        try:
            with self.db.write() as c:
                session = self._session_row(c, session_uuid, for_update=True)
                sequence = sequence_row(c, sequence_name)
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
                    "upload_instance": None,
                    "chunk_count": 0,
                    "total_bytes": 0,
                    "row_count": 0,
                }
                c.execute(insert(t.topics).values(**values))
                row = c.execute(topic_query().where(t.topics.c.uuid == values["uuid"])).one()
        except IntegrityError as exc:
            if not is_unique_violation(exc):  # the session went away in between
                raise SessionNotFound(f"session {session_uuid!r} does not exist") from None
            raise TopicAlreadyExists(
                f"topic '/{path}' already exists in sequence {sequence_name!r}; topic names are "
                "unique within a sequence"
            ) from None
        return topic_record(row)

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
                topic_query().where(t.sequences.c.name == sequence_name, t.topics.c.path == path)
            ).first()
        if row is None:
            raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence_name!r}")
        return topic_record(row)

    def get_topic_by_uuid(self, topic_uuid: str) -> TopicRecord | None:
        """The topic with that internal uuid, if any."""
        with self.db.read() as c:
            row = c.execute(topic_query().where(t.topics.c.uuid == topic_uuid)).first()
        return None if row is None else topic_record(row)

    def list_topics(self, sequence_id: int) -> list[TopicRecord]:
        """The topics of a sequence, in creation order."""
        with self.db.read() as c:
            rows = c.execute(
                topic_query().where(t.topics.c.sequence_id == sequence_id).order_by(t.topics.c.id)
            )
            return [topic_record(r) for r in rows]

    def delete_topic(self, sequence_name: str, path: str) -> list[StoreScope]:
        """Remove an unlocked topic; returns the store scopes to delete."""
        with self.db.write() as c:
            row = c.execute(
                topic_query().where(t.sequences.c.name == sequence_name, t.topics.c.path == path)
            ).first()
            if row is None:
                raise TopicNotFound(f"topic '/{path}' does not exist in sequence {sequence_name!r}")
            topic = topic_record(row)
            if topic.locked:
                raise Conflict(
                    f"topic '{topic.locator}' is locked (its upload ended); delete its session "
                    "or its sequence instead"
                )
            c.execute(delete(t.topics).where(t.topics.c.id == topic.id))
        return [StoreScope(topic.sequence_uuid, topic.uuid)]
