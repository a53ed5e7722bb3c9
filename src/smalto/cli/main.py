"""Entry point of the `smalto` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from smalto import __version__

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="smalto: push robotics recordings, search them, pull time windows back.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"smalto {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """smalto: push robotics recordings, search them, pull time windows back."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 6726,
    data: Annotated[
        Path, typer.Option(help="Data directory: SQLite catalog and local object store.")
    ] = Path("smalto-data"),
    chunk_size_mb: Annotated[
        int, typer.Option(min=1, help="Upload size (MiB, in memory) at which a chunk is cut.")
    ] = 64,
    max_metadata_bytes: Annotated[
        int, typer.Option(min=1, help="Largest accepted user metadata (bytes of JSON).")
    ] = 1024 * 1024,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Start a server; Ctrl-C (SIGINT) or SIGTERM stops it cleanly."""
    from smalto.server import ServerSettings, SmaltoServer

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = ServerSettings(
        data_dir=data,
        host=host,
        port=port,
        chunk_size_bytes=chunk_size_mb * 1024 * 1024,
        max_metadata_bytes=max_metadata_bytes,
    )
    server = SmaltoServer(settings)
    server.serve_forever()
