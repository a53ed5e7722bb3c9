"""Server instances and their upload claims: heartbeats, recovery of dead claims, GC queries.

Every running server registers an instance row and refreshes its heartbeat. An upload claimed by
an instance that stopped heartbeating (a crash, a SIGKILL, a lost replica) is recovered: the topic
is locked with the chunks already committed, and an error notification says what happened, so
its session can be finalized (Report semantics) or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update

from smalto.catalog import tables as t
from smalto.catalog.database import now_ns

if TYPE_CHECKING:
    from smalto.catalog.database import Database

__all__ = ["InstanceRegistry", "LiveObjects", "RecoveredUpload"]


@dataclass(frozen=True)
class RecoveredUpload:
    """A topic whose interrupted upload was closed by recovery."""

    locator: str
    row_count: int
    chunk_count: int


@dataclass(frozen=True)
class LiveObjects:
    """What garbage collection must keep: registered chunk keys and topics still uploading."""

    chunk_keys: frozenset[str]
    topic_uuids: frozenset[str]
    uploading_topic_uuids: frozenset[str]


class InstanceRegistry:
    """Instance bookkeeping; mixed into `Catalog`, which provides ``db``."""

    db: Database

    def register_instance(self, instance_id: str, host: str) -> None:
        """Record a starting server instance."""
        now = now_ns()
        with self.db.write() as c:
            c.execute(
                insert(t.server_instances).values(
                    id=instance_id, host=host, started_at_ns=now, heartbeat_ns=now
                )
            )

    def heartbeat(self, instance_id: str) -> None:
        """Refresh an instance's heartbeat (ns since the epoch)."""
        with self.db.write() as c:
            c.execute(
                update(t.server_instances)
                .where(t.server_instances.c.id == instance_id)
                .values(heartbeat_ns=now_ns())
            )

    def retire_instance(self, instance_id: str) -> None:
        """Remove a cleanly stopping instance; claims it still holds become recoverable."""
        with self.db.write() as c:
            c.execute(delete(t.server_instances).where(t.server_instances.c.id == instance_id))

    def _dead_claims(self, stale_before_ns: int) -> list[tuple[int, str, str, int, int]]:
        instances = t.server_instances
        alive = select(instances.c.id).where(instances.c.heartbeat_ns >= stale_before_ns)
        query = (
            select(
                t.topics.c.id,
                t.sequences.c.name,
                t.topics.c.path,
                t.topics.c.row_count,
                t.topics.c.chunk_count,
            )
            .join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
            .where(
                t.topics.c.upload_instance.is_not(None),
                t.topics.c.upload_instance.not_in(alive),
            )
        )
        with self.db.read() as c:
            return [tuple(row) for row in c.execute(query)]

    def recover_interrupted_uploads(self, stale_after_ns: int) -> list[RecoveredUpload]:
        """Close uploads whose instance has not heartbeaten for ``stale_after_ns``."""
        recovered = []
        stale_before = now_ns() - stale_after_ns
        for topic_id, sequence, path, rows, chunks in self._dead_claims(stale_before):
            with self.db.write() as c:
                closed = c.execute(
                    update(t.topics)
                    .where(t.topics.c.id == topic_id, t.topics.c.upload_instance.is_not(None))
                    .values(upload_instance=None, locked=True, completed_at_ns=now_ns())
                )
                if closed.rowcount != 1:
                    continue  # another server recovered it first
                sequence_id = c.execute(
                    select(t.topics.c.sequence_id).where(t.topics.c.id == topic_id)
                ).scalar_one()
                message = (
                    f"upload of '/{path}' interrupted: the server receiving it stopped; kept the "
                    f"{rows} row(s) in {chunks} chunk(s) committed before it stopped"
                )
                # One note on the topic, one on the sequence: its session failed (Report).
                c.execute(
                    insert(t.notifications),
                    [
                        {
                            "sequence_id": sequence_id,
                            "topic_id": target,
                            "notification_type": "error",
                            "message": message,
                            "created_at_ns": now_ns(),
                        }
                        for target in (topic_id, None)
                    ],
                )
            recovered.append(RecoveredUpload(f"{sequence}/{path}", rows, chunks))
        self._forget_dead_instances(stale_before)
        return recovered

    def _forget_dead_instances(self, stale_before_ns: int) -> None:
        with self.db.write() as c:
            c.execute(
                delete(t.server_instances).where(
                    t.server_instances.c.heartbeat_ns < stale_before_ns
                )
            )

    def live_objects(self) -> LiveObjects:
        """Chunk keys in the catalog, and topics (by uuid) that exist or are uploading."""
        with self.db.read() as c:
            keys = frozenset(r[0] for r in c.execute(select(t.chunks.c.object_key)))
            topics = c.execute(select(t.topics.c.uuid, t.topics.c.upload_instance)).all()
        return LiveObjects(
            chunk_keys=keys,
            topic_uuids=frozenset(r[0] for r in topics),
            uploading_topic_uuids=frozenset(r[0] for r in topics if r[1] is not None),
        )
