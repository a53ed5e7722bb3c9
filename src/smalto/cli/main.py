"""Entry point of the `smalto` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from smalto._version import __version__
from smalto.cli import db, keys, sequences
from smalto.errors import SmaltoError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="smalto: push robotics recordings, search them, pull time windows back.",
)
app.add_typer(sequences.app, name="sequences")
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")


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


DataOption = Annotated[
    Path, typer.Option(help="Data directory: SQLite catalog and local object store.")
]
CatalogOption = Annotated[
    str | None,
    typer.Option(help="Catalog URL, e.g. postgresql://user:pw@host/db (default: SQLite)."),
]
StoreOption = Annotated[
    str | None,
    typer.Option(help="Object store: s3://bucket/prefix or a directory (default: DATA/store)."),
]
S3EndpointOption = Annotated[
    str | None,
    typer.Option(help="S3 endpoint URL, e.g. http://minio:9000 (default: AWS_ENDPOINT_URL)."),
]
S3RegionOption = Annotated[
    str | None, typer.Option(help="S3 region (default: AWS_REGION or the bucket's).")
]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 6726,
    data: DataOption = Path("smalto-data"),
    catalog: CatalogOption = None,
    store: StoreOption = None,
    s3_endpoint: S3EndpointOption = None,
    s3_region: S3RegionOption = None,
    chunk_size_mb: Annotated[
        int, typer.Option(min=1, help="Upload size (MiB, in memory) at which a chunk is cut.")
    ] = 64,
    max_metadata_bytes: Annotated[
        int, typer.Option(min=1, help="Largest accepted user metadata (bytes of JSON).")
    ] = 1024 * 1024,
    max_action_body_bytes: Annotated[
        int, typer.Option(min=1, help="Largest accepted DoAction body (bytes).")
    ] = 16 * 1024 * 1024,
    max_batch_bytes: Annotated[
        int, typer.Option(min=1, help="Largest accepted DoPut record batch (bytes of Arrow data).")
    ] = 64 * 1024 * 1024,
    max_name_length: Annotated[
        int,
        typer.Option(min=1, max=256, help="Longest sequence name or topic path a create accepts."),
    ] = 256,
    require_api_key: Annotated[
        bool,
        typer.Option(
            "--require-api-key",
            help="Refuse calls without a valid API key and enforce key levels "
            "(create the first key with `smalto keys create --permission manage`).",
        ),
    ] = False,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate chain: serve grpc+tls (with --tls-key).")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option(help="PEM CA bundle: require client certificates signed by it (mutual TLS)."),
    ] = None,
    upload_lease_seconds: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds without heartbeat after which an upload is closed."),
    ] = 30.0,
    direct_io: Annotated[
        bool,
        typer.Option(
            help="Write large chunk files of a local store with direct I/O (O_DIRECT), "
            "bypassing the page cache."
        ),
    ] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Start a server; Ctrl-C (SIGINT) or SIGTERM stops it cleanly."""
    from smalto.server import ServerSettings, SmaltoServer
    from smalto.server.memory import keep_freed_memory

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = ServerSettings(
            data_dir=data,
            host=host,
            port=port,
            catalog_url=catalog,
            store_url=store,
            s3_endpoint=s3_endpoint,
            s3_region=s3_region,
            chunk_size_bytes=chunk_size_mb * 1024 * 1024,
            max_metadata_bytes=max_metadata_bytes,
            max_action_body_bytes=max_action_body_bytes,
            max_put_batch_bytes=max_batch_bytes,
            max_name_length=max_name_length,
            require_api_key=require_api_key,
            tls_cert=tls_cert,
            tls_key=tls_key,
            tls_client_ca=tls_client_ca,
            upload_lease_seconds=upload_lease_seconds,
            direct_io=direct_io,
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    keep_freed_memory()  # this process is the server's own
    server = SmaltoServer(settings)
    try:
        server.serve_forever()
    except SmaltoError as exc:  # a backend refused at start-up: say which and why, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@app.command()
def gc(
    data: DataOption = Path("smalto-data"),
    catalog: CatalogOption = None,
    store: StoreOption = None,
    s3_endpoint: S3EndpointOption = None,
    s3_region: S3RegionOption = None,
    upload_lease_seconds: Annotated[
        float, typer.Option(min=0.1, help="Close uploads whose server is silent this long (s).")
    ] = 30.0,
) -> None:
    """Close interrupted uploads and delete objects the catalog does not reference.

    Safe while servers run: topics still being uploaded are left alone.
    """
    from smalto.server import ServerSettings
    from smalto.server.maintenance import collect_garbage, recover_uploads
    from smalto.server.state import ServerState

    settings = ServerSettings(
        data_dir=data,
        catalog_url=catalog,
        store_url=store,
        s3_endpoint=s3_endpoint,
        s3_region=s3_region,
    )
    try:
        state = ServerState.open(settings)
    except SmaltoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    try:
        recovered = recover_uploads(state.catalog, upload_lease_seconds)
        report = collect_garbage(state.catalog, state.store)
    finally:
        state.close()
    typer.echo(
        f"closed {len(recovered)} interrupted upload(s); scanned {report.scanned} object(s), "
        f"deleted {len(report.deleted)} orphan(s)"
    )
    for key in report.deleted:
        typer.echo(f"  deleted {key}")
