"""`smalto db upgrade` migrates a catalog explicitly, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from smalto.catalog.migrations import MIGRATIONS
from smalto.cli.main import app


def test_upgrade_applies_then_has_nothing_left(catalog_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--catalog", catalog_url])
    assert first.exit_code == 0, first.output
    assert "applied 1:" in first.output
    again = runner.invoke(app, ["db", "upgrade", "--catalog", catalog_url])
    assert again.exit_code == 0, again.output
    assert "applied" not in again.output
    assert f"schema version {MIGRATIONS[-1].version}" in again.output
    url = make_url(catalog_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        assert {"sequences", "topics", "chunks"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_of_a_data_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "catalog.db").is_file()


def test_upgrade_names_an_unreachable_catalog() -> None:
    url = "postgresql://smalto:secret@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(app, ["db", "upgrade", "--catalog", url])
    assert result.exit_code == 1
    assert "postgresql://smalto:***@127.0.0.1:1/nowhere" in result.output
    assert "secret" not in result.output
