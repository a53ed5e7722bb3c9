"""The public surface: a sorted ``__all__`` that resolves, and imports that flow one way."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest

import smalto

SRC = Path(smalto.__file__).parent

# package -> smalto packages it may import (DESIGN.md "Layers")
ALLOWED = {
    "errors": set(),
    "enums": set(),
    "_version": set(),
    "ontology": {"errors", "enums"},
    "protocol": {"errors", "enums", "ontology"},
    "client": {"errors", "enums", "ontology", "protocol", "_version"},
    "catalog": {"errors", "enums"},
    "storage": {"errors", "enums", "catalog"},
    "engine": {"errors", "enums", "ontology", "protocol", "catalog", "storage"},
    "server": {
        *("errors", "enums", "ontology", "protocol", "catalog", "storage", "engine", "_version"),
    },
}


def _isort_key(name: str) -> tuple[int, list[object]]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then the rest; numbers compare as numbers."""
    group = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def test_all_is_sorted_and_resolves() -> None:
    assert smalto.__all__ == sorted(smalto.__all__, key=_isort_key)
    assert len(set(smalto.__all__)) == len(smalto.__all__)
    for name in smalto.__all__:
        assert getattr(smalto, name) is not None, name


def test_on_error_policy_is_a_deprecated_alias() -> None:
    with pytest.warns(DeprecationWarning, match="SessionLevelErrorPolicy"):
        alias = smalto.OnErrorPolicy  # type: ignore[attr-defined]
    assert alias is smalto.SessionLevelErrorPolicy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert smalto.SessionLevelErrorPolicy.Report.value == "report"


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("smalto."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("smalto."))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    target = SRC / package
    files = list(target.rglob("*.py")) if target.is_dir() else [SRC / f"{package}.py"]
    for path in files:
        extra = _imported_packages(path) - ALLOWED[package] - {package}
        assert not extra, f"{path.relative_to(SRC)} imports smalto.{', smalto.'.join(extra)}"
