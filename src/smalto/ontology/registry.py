"""The ontology registry: every `Serializable` subclass, found by its tag.

Classes register themselves when they are defined, so reading a topic only needs the module that
defines its class to be imported. Redefining a class (same qualified name, as a notebook cell
re-run does) replaces the old one; another class may not claim a tag that is taken, and nobody
may claim a built-in tag.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from smalto.errors import InvalidRequest

if TYPE_CHECKING:
    from smalto.ontology.serializable import Serializable

__all__ = ["find_ontology", "get_ontology", "register_ontology", "registered_ontologies"]

_lock = threading.Lock()
_by_tag: dict[str, type[Serializable]] = {}

# Classes shipped in the smalto package are the built-in catalogue.
_BUILTIN_MODULE_PREFIX = "smalto."


def _is_builtin(cls: type) -> bool:
    return cls.__module__.startswith(_BUILTIN_MODULE_PREFIX)


def _describe(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_ontology(cls: type[Serializable], tag: str) -> None:
    """Record ``cls`` under ``tag``, replacing an earlier definition of the same class."""
    with _lock:
        current = _by_tag.get(tag)
        if current is not None and current is not cls:
            _check_replaceable(current, cls, tag)
        _by_tag[tag] = cls


def _check_replaceable(current: type, new: type, tag: str) -> None:
    if _is_builtin(current) and not _is_builtin(new):
        raise InvalidRequest(
            f"{_describe(new)} claims ontology tag {tag!r}, which belongs to the built-in "
            f"{_describe(current)}; set __ontology_tag__ on your class to another name"
        )
    if current.__qualname__ != new.__qualname__:
        raise InvalidRequest(
            f"{_describe(new)} claims ontology tag {tag!r}, already used by "
            f"{_describe(current)}; set __ontology_tag__ on one of them to another name"
        )


def find_ontology(tag: str) -> type[Serializable] | None:
    """The class registered under ``tag``, or None."""
    return _by_tag.get(tag)


def get_ontology(tag: str) -> type[Serializable]:
    """The class registered under ``tag``; InvalidRequest if no imported module defines one."""
    cls = _by_tag.get(tag)
    if cls is None:
        raise InvalidRequest(
            f"unknown ontology tag {tag!r}: import the module that defines it "
            "(a subclass of smalto.Serializable)"
        )
    return cls


def registered_ontologies() -> Mapping[str, type[Serializable]]:
    """A read-only snapshot of every registered tag and its class."""
    with _lock:
        return MappingProxyType(dict(_by_tag))
