"""Notifications attached to sequences and topics (errors reported by writers and recovery)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select

from smalto.catalog import tables as t
from smalto.catalog.database import now_ns
from smalto.catalog.records import NotificationRecord
from smalto.catalog.rows import sequence_row
from smalto.errors import TopicNotFound

if TYPE_CHECKING:
    from smalto.catalog.database import Database

__all__ = ["NotificationLog"]


class NotificationLog:
    """Notification bookkeeping; mixed into `Catalog`, which provides ``db``."""

    db: Database

    def _target(
        self, c: Connection, sequence_name: str, path: str | None
    ) -> tuple[int, int | None]:
        sequence = sequence_row(c, sequence_name)
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
