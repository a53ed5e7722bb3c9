"""The real backends the tests run on: SQLite or PostgreSQL catalogs, local or S3 object stores.

PostgreSQL comes from ``SMALTO_TEST_POSTGRES_URL`` (a database the tests may create schemas in;
each test gets its own schema, dropped afterwards). S3 comes from ``SMALTO_TEST_S3_ENDPOINT`` (an
S3-compatible endpoint such as ``moto_server``; the tests create their bucket and give each test
its own prefix). A missing backend skips its tests locally and fails them under ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pyarrow.fs as pafs
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from smalto.server import ServerSettings
from smalto.server.state import open_store

POSTGRES_ENV = "SMALTO_TEST_POSTGRES_URL"
S3_ENV = "SMALTO_TEST_S3_ENDPOINT"
TEST_BUCKET = "smalto-test"

# Every parametrization of the `server_settings` fixture: catalog-store.
BACKENDS = ("sqlite-local", "sqlite-s3", "postgres-local", "postgres-s3")

_HOW_TO = {
    POSTGRES_ENV: "set SMALTO_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/<db> "
    "(a database the tests may create schemas in), or run .ci/run",
    S3_ENV: "start `moto_server -p 5000` and set SMALTO_TEST_S3_ENDPOINT=http://127.0.0.1:5000, "
    "or run .ci/run",
}


def backend_marks(backend: str) -> list[pytest.MarkDecorator]:
    """The markers of a ``catalog-store`` backend id (``postgres``, ``s3``)."""
    catalog, store = backend.split("-")
    marks = [pytest.mark.postgres] if catalog == "postgres" else []
    return marks + ([pytest.mark.s3] if store == "s3" else [])


def missing_backend(variable: str) -> NoReturn:
    """Skip (locally) or fail (``CI=true``) a test whose backend is not configured."""
    message = f"{variable} is not set: {_HOW_TO[variable]}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI runs every backend, but {message}")
    pytest.skip(message)


def postgres_admin_engine() -> Engine:
    """An autocommit engine on the test database (creates and drops per-test schemas)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        missing_backend(POSTGRES_ENV)
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(parsed, isolation_level="AUTOCOMMIT", pool_size=1)


@contextmanager
def postgres_schema(admin: Engine) -> Iterator[str]:
    """A fresh schema; yields a catalog URL whose connections use only it."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def s3_test_endpoint() -> str:
    """The S3 endpoint under test, with its bucket created and dummy credentials set."""
    endpoint = os.environ.get(S3_ENV)
    if not endpoint:
        missing_backend(S3_ENV)
    # moto accepts any credentials; without them the AWS SDK would probe instance metadata.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "smalto-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "smalto-test")
    filesystem = s3_filesystem(endpoint, allow_bucket_creation=True)
    if filesystem.get_file_info(TEST_BUCKET).type == pafs.FileType.NotFound:
        filesystem.create_dir(TEST_BUCKET)
    return endpoint


def s3_filesystem(endpoint: str, allow_bucket_creation: bool = False) -> pafs.S3FileSystem:
    """A pyarrow filesystem on the test endpoint (for fixtures and raw listings)."""
    scheme, _, host = endpoint.partition("://")
    return pafs.S3FileSystem(
        endpoint_override=host,
        scheme="http" if scheme == "http" else "https",
        region="us-east-1",
        allow_bucket_creation=allow_bucket_creation,
    )


def s3_store_url() -> str:
    """A store URL under a fresh prefix of the test bucket."""
    return f"s3://{TEST_BUCKET}/{uuid.uuid4().hex}"


def store_keys(settings: ServerSettings) -> list[tuple[str, int]]:
    """``(key, size in bytes)`` of every object in the store of ``settings``."""
    store = open_store(settings)
    return [(key, store.size(key)) for key in store.iter_keys()]
