"""The client layer imports only protocol, ontology, errors and enums (DESIGN.md "Layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import smalto.client

ALLOWED = ("smalto.client", "smalto.protocol", "smalto.ontology", "smalto.errors", "smalto.enums")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_client_never_imports_the_server_side() -> None:
    package = Path(smalto.client.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in package.glob("*.py")
        for module in _imports(path)
        if module.startswith("smalto") and not module.startswith(ALLOWED)
    }
    assert offenders == set()
