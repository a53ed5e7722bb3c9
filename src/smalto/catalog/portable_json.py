"""User metadata every catalog backend stores identically.

PostgreSQL's JSONB refuses NUL characters (``\\u0000``) in strings and keys and has no NaN or
Infinity; SQLite would store them. Refusing them on every backend keeps results identical
whichever catalog a deployment runs on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from smalto.errors import InvalidRequest

__all__ = ["check_portable_json"]

_MAX_DEPTH = 64


def _problem(value: Any, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return f"is nested deeper than {_MAX_DEPTH} levels"
    if isinstance(value, str):
        return "contains a NUL character (\\u0000)" if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"contains the non-finite number {value}"
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = _problem(str(key), depth + 1) or _problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        return next((p for item in value if (p := _problem(item, depth + 1))), None)
    return None


def check_portable_json(what: str, document: Mapping[str, Any]) -> None:
    """Refuse metadata that some backend cannot store; `InvalidRequest` names what to fix."""
    problem = _problem(document, 0)
    if problem:
        raise InvalidRequest(
            f"user metadata of {what} {problem}; metadata must be plain JSON (no NUL characters, "
            "NaN or Infinity)"
        )
