"""`smalto db …`: the catalog database itself (schema migrations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from smalto.errors import SmaltoError

app = typer.Typer(no_args_is_help=True, help="Manage the catalog database.")


@app.command()
def upgrade(
    catalog: Annotated[
        str | None,
        typer.Option(help="Catalog URL (postgresql://user:pw@host/db or sqlite:///path)."),
    ] = None,
    data: Annotated[
        Path, typer.Option(help="Data directory whose SQLite catalog to upgrade (no --catalog).")
    ] = Path("smalto-data"),
) -> None:
    """Apply every pending schema migration (servers also do this when they start)."""
    from smalto.catalog.database import Database, sqlite_url
    from smalto.catalog.migrations import MIGRATIONS
    from smalto.catalog.migrations import upgrade as apply_migrations

    if catalog is None:
        data.mkdir(parents=True, exist_ok=True)
    try:
        database = Database(catalog or sqlite_url(data / "catalog.db"))
    except SmaltoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    try:
        applied = apply_migrations(database)
    except (SmaltoError, SQLAlchemyError) as exc:  # name the catalog (no password), no traceback
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        typer.echo(f"error: cannot upgrade the catalog {database.display_url}: {reason}", err=True)
        raise typer.Exit(code=1) from exc
    finally:
        database.close()
    for migration in applied:
        typer.echo(f"applied {migration.version}: {migration.description}")
    typer.echo(f"catalog {database.display_url} is at schema version {MIGRATIONS[-1].version}")
