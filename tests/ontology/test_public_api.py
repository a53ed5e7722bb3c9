"""The names `smalto.ontology` exports."""

from __future__ import annotations

import re

import smalto.ontology


def _isort_key(name: str) -> tuple[int, list[object]]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions; natural numbers."""
    group = 0 if name.isupper() else 1 if name[0].isupper() else 2
    parts = re.split(r"(\d+)", name)
    return group, [int(part) if part.isdigit() else part for part in parts]


def test_all_is_sorted_unique_and_importable() -> None:
    names = smalto.ontology.__all__
    assert names == sorted(names, key=_isort_key)
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(smalto.ontology, name) is not None


def test_every_builtin_class_is_exported() -> None:
    registered = smalto.ontology.registered_ontologies()
    exported = {getattr(smalto.ontology, name) for name in smalto.ontology.__all__}
    builtins = {cls for cls in registered.values() if cls.__module__.startswith("smalto.")}
    assert builtins <= exported
