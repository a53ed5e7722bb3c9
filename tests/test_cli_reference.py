"""docs/cli.md is the generated `--help` of every command, kept current."""

from __future__ import annotations

from pathlib import Path

from smalto.cli.reference import render_reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text() == render_reference(), (
        "docs/cli.md is stale: run `python -m smalto.cli.reference > docs/cli.md`"
    )
