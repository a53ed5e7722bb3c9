"""`smalto sequences …`: look at and manage the sequences of a running server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from smalto.client import MosaicoClient
from smalto.errors import SmaltoError

app = typer.Typer(no_args_is_help=True, help="List, unlock and delete sequences on a server.")

Host = Annotated[str, typer.Option(help="Server host.")]
Port = Annotated[int, typer.Option(help="Server port.")]
Name = Annotated[str, typer.Argument(help="Sequence name.")]


@contextmanager
def _client(host: str, port: int) -> Iterator[MosaicoClient]:
    try:
        with MosaicoClient.connect(host, port) as client:
            yield client
    except ConnectionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    except SmaltoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@app.command("list")
def list_sequences(host: Host = "127.0.0.1", port: Port = 6726) -> None:
    """Print every sequence name, one per line."""
    with _client(host, port) as client:
        for name in client.list_sequences():
            typer.echo(name)


@app.command()
def unlock(name: Name, host: Host = "127.0.0.1", port: Port = 6726) -> None:
    """Unlock a finalized sequence so it can be deleted."""
    with _client(host, port) as client:
        client.sequence_unlock(name)
    typer.echo(f"unlocked {name}")


@app.command()
def delete(
    name: Name,
    host: Host = "127.0.0.1",
    port: Port = 6726,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an unlocked sequence with all its data."""
    if not yes:
        typer.confirm(f"delete sequence {name!r} and all its data?", abort=True)
    with _client(host, port) as client:
        client.sequence_delete(name)
    typer.echo(f"deleted {name}")
