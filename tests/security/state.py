"""What "nothing changed" means: every catalog row and every object of the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from smalto.catalog import tables
from smalto.server import ServerSettings
from tests.backends import store_keys

# Rows that change by themselves while a server runs (heartbeats), or record history.
_VOLATILE = {tables.server_instances.name, tables.schema_version.name}


def catalog_rows(settings: ServerSettings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table but the volatile ones, in a stable order."""
    url = make_url(settings.resolved_catalog_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return {
                table.name: sorted((tuple(row) for row in c.execute(select(table))), key=repr)
                for table in tables.metadata.sorted_tables
                if table.name not in _VOLATILE
            }
    finally:
        engine.dispose()


def snapshot(settings: ServerSettings) -> tuple[Any, ...]:
    """The catalog rows and the store's objects (keys and sizes)."""
    return catalog_rows(settings), sorted(store_keys(settings))
