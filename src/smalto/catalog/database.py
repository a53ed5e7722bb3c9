"""Engines and transactions for the catalog: SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with foreign keys on; write transactions start with ``BEGIN IMMEDIATE`` so
two writers queue on the busy timeout instead of failing half-way with "database is locked".

PostgreSQL runs at READ COMMITTED through psycopg 3 with a connection pool. Races between
replicas are settled by the database, never by in-process locks: unique constraints (names),
conditional UPDATEs (upload claims) and ``SELECT … FOR UPDATE`` on the row a decision depends on
(a session while its topics are checked or added).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError

from smalto.errors import InvalidRequest

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["Database", "is_unique_violation", "now_ns", "sqlite_url"]

_SQLITE_BUSY_TIMEOUT_MS = 60_000


def now_ns() -> int:
    """Wall-clock time in ns since the Unix epoch."""
    return time.time_ns()


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether ``error`` broke a UNIQUE constraint (rather than a foreign key or NOT NULL)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:  # psycopg
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(error.orig)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidRequest(
            f"invalid catalog URL {url!r}: {exc}; use sqlite:///path/catalog.db or "
            "postgresql://user:password@host/database"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise InvalidRequest(
            f"unsupported catalog URL {parsed.render_as_string(hide_password=True)!r}: "
            "smalto's catalog runs on sqlite:// or postgresql://"
        )
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _postgres_engine(url: URL) -> Engine:
    try:
        return create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=True)
    except ImportError as exc:
        raise InvalidRequest(
            "a PostgreSQL catalog needs psycopg 3: pip install 'smalto[postgres]'"
        ) from exc


class Database:
    """One catalog database: an engine plus read and write transaction scopes."""

    def __init__(self, url: str) -> None:
        parsed = _parse(url)
        self.url = url
        self.display_url = parsed.render_as_string(hide_password=True)
        """The URL with its password masked, for messages and logs."""
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = create_engine(parsed, pool_size=8, max_overflow=16)
            _configure_sqlite(self.engine)
            self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            self.engine = _postgres_engine(parsed)
            self._writer = self.engine.execution_options()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._writer.begin() as connection:
            yield connection

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
