"""`smalto keys …`: API keys, written straight to the catalog on the server host.

This is how the first ``manage`` key comes to be (the ``api_key_*`` actions need one already).
Anyone who can open the catalog can mint keys, so run it where the catalog's credentials live.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from smalto.enums import APIKeyPermissionEnum
from smalto.errors import SmaltoError

if TYPE_CHECKING:
    from smalto.server.api_keys import ApiKeyRing

app = typer.Typer(
    no_args_is_help=True,
    help="Manage API keys in the catalog (run on the server host; needs no running server).",
)

_DURATION = re.compile(r"(\d+)([smhd])")
_UNIT_NS = {"s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9}

CatalogOption = Annotated[
    str | None,
    typer.Option(help="Catalog URL (postgresql://user:pw@host/db or sqlite:///path)."),
]
DataOption = Annotated[
    Path, typer.Option(help="Data directory whose SQLite catalog holds the keys (no --catalog).")
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@contextmanager
def _key_ring(catalog: str | None, data: Path) -> Iterator[ApiKeyRing]:
    from smalto.catalog import Catalog
    from smalto.catalog.database import sqlite_url
    from smalto.server.api_keys import ApiKeyRing

    if catalog is None:
        data.mkdir(parents=True, exist_ok=True)
    try:
        opened = Catalog(catalog or sqlite_url(data / "catalog.db"))
    except SmaltoError as exc:
        raise _fail(str(exc)) from exc
    try:
        yield ApiKeyRing(opened)
    except SmaltoError as exc:
        raise _fail(str(exc)) from exc
    finally:
        opened.close()


def _expiry_ns(expires_in: str | None, expires_at: str | None) -> int | None:
    if expires_in is not None and expires_at is not None:
        raise _fail("pass --expires-in or --expires-at, not both")
    if expires_in is not None:
        match = _DURATION.fullmatch(expires_in.strip())
        if match is None:
            raise _fail(f"invalid --expires-in {expires_in!r}: use a number and s, m, h or d (90d)")
        return time.time_ns() + int(match.group(1)) * _UNIT_NS[match.group(2)]
    if expires_at is not None:
        try:
            moment = datetime.fromisoformat(expires_at)
        except ValueError as exc:
            raise _fail(f"invalid --expires-at {expires_at!r}: use ISO 8601") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp()) * 10**9
    return None


def _when(ns: int | None) -> str:
    if ns is None:
        return "never"
    return datetime.fromtimestamp(ns / 1e9, tz=timezone.utc).isoformat(timespec="seconds")


@app.command()
def create(
    permission: Annotated[
        APIKeyPermissionEnum, typer.Option(help="Level: read < write < delete < manage.")
    ],
    description: Annotated[str, typer.Option(help="What the key is for.")] = "",
    expires_in: Annotated[
        str | None, typer.Option(help="Lifetime, e.g. 12h or 90d (default: never expires).")
    ] = None,
    expires_at: Annotated[
        str | None, typer.Option(help="Expiry as ISO 8601, e.g. 2030-01-01T00:00:00+00:00.")
    ] = None,
    catalog: CatalogOption = None,
    data: DataOption = Path("smalto-data"),
) -> None:
    """Create a key and print its token once (only a hash of it is stored)."""
    expires_at_ns = _expiry_ns(expires_in, expires_at)
    with _key_ring(catalog, data) as keys:
        token = keys.create(permission, description, expires_at_ns)
    typer.echo(token)


@app.command(name="list")
def list_keys(catalog: CatalogOption = None, data: DataOption = Path("smalto-data")) -> None:
    """List every key: fingerprint, level, state, expiry and description (never the token)."""
    with _key_ring(catalog, data) as keys:
        records = keys.list()
    now = time.time_ns()
    for record in records:
        state = (
            "revoked"
            if record.revoked_at_ns is not None
            else "expired"
            if record.expired(now)
            else "active"
        )
        typer.echo(
            f"{record.fingerprint}  {record.permission:<7} {state:<8} "
            f"expires {_when(record.expires_at_ns):<25} {record.description}"
        )


@app.command()
def status(
    fingerprint: Annotated[str, typer.Argument(help="The key's last 8 hex digits.")],
    catalog: CatalogOption = None,
    data: DataOption = Path("smalto-data"),
) -> None:
    """Describe one live key."""
    with _key_ring(catalog, data) as keys:
        described = keys.status(fingerprint)
    typer.echo(f"fingerprint  {described.api_key_fingerprint}")
    typer.echo(f"description  {described.description}")
    typer.echo(f"created      {_when(described.created_at_ns)}")
    typer.echo(f"expires      {_when(described.expires_at_ns)}")


@app.command()
def revoke(
    fingerprint: Annotated[str, typer.Argument(help="The key's last 8 hex digits.")],
    catalog: CatalogOption = None,
    data: DataOption = Path("smalto-data"),
) -> None:
    """Revoke a key: every call made with it is refused from now on."""
    with _key_ring(catalog, data) as keys:
        keys.revoke(fingerprint)
    typer.echo(f"revoked {fingerprint}")
