"""Versioned catalog migrations, applied in order on start-up and by ``smalto db upgrade``.

Several replicas may start at once against one PostgreSQL: every migration transaction first
takes a transaction-scoped advisory lock, so one replica migrates and the others then find the
schema current. (On SQLite, ``BEGIN IMMEDIATE`` already serializes writers.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, inspect, select, text

from smalto.catalog import tables
from smalto.catalog.database import Database, now_ns
from smalto.errors import Conflict

__all__ = ["MIGRATIONS", "Migration", "current_version", "upgrade"]


@dataclass(frozen=True)
class Migration:
    """One schema step: its version, what it does, and the function that does it."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _initial_schema(connection: Connection) -> None:
    tables.metadata.create_all(connection)


# Any fixed 64-bit number; it only has to be the same in every smalto process.
_MIGRATION_LOCK_KEY = 0x736D616C746F  # "smalto"


def _lock_schema(connection: Connection) -> None:
    """Serialize migrations across processes until this transaction ends (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "sequences, sessions, topics, chunks with column stats, notifications", _initial_schema
    ),
)


def current_version(connection: Connection) -> int:
    """The schema version of the database (0 when empty)."""
    if not inspect(connection).has_table(tables.schema_version.name):
        return 0
    version = connection.execute(select(func.max(tables.schema_version.c.version))).scalar()
    return int(version or 0)


def upgrade(database: Database) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    with database.write() as connection:
        _lock_schema(connection)
        tables.schema_version.create(connection, checkfirst=True)
    applied = []
    latest = MIGRATIONS[-1].version
    for migration in MIGRATIONS:
        with database.write() as connection:
            _lock_schema(connection)
            version = current_version(connection)
            if version > latest:
                raise Conflict(
                    f"the catalog is at schema version {version}, newer than this smalto "
                    f"({latest}); upgrade smalto"
                )
            if migration.version <= version:
                continue
            migration.apply(connection)
            connection.execute(
                insert(tables.schema_version).values(
                    version=migration.version,
                    applied_at_ns=now_ns(),
                    description=migration.description,
                )
            )
            applied.append(migration)
    return applied
