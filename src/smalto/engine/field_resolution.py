"""Ontology keys against topic schemas: which leaf column a key names, and whether the
operator and value suit that column's type (PROTOCOL.md §5.1 operator sets)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology.query_proxy import OPERATORS, FieldKind, field_kind
from smalto.protocol.query import FieldCondition

__all__ = ["ResolvedCondition", "decode_schema", "missing_field_error", "resolve_conditions"]

_VALUE_KINDS: dict[FieldKind, str] = {
    FieldKind.NUMBER: "numbers",
    FieldKind.STRING: "strings",
    FieldKind.BOOL: "true/false",
}
_SCHEMA_CACHE_SIZE = 256
_schemas: OrderedDict[bytes, pa.Schema] = OrderedDict()
_schemas_lock = Lock()


@dataclass(frozen=True)
class ResolvedCondition:
    """A field condition bound to a leaf column of a topic's schema."""

    field: FieldCondition
    arrow_type: pa.DataType
    kind: FieldKind

    @property
    def column_path(self) -> str:
        """The dotted leaf path inside the topic (``acceleration.x``), as in chunk stats."""
        return ".".join(self.field.path)


def decode_schema(data: bytes) -> pa.Schema:
    """A topic's stored Arrow schema (IPC bytes), decoded once and cached."""
    with _schemas_lock:
        cached = _schemas.get(data)
        if cached is not None:
            _schemas.move_to_end(data)
            return cached
    schema = pa.ipc.read_schema(pa.py_buffer(data))
    with _schemas_lock:
        _schemas[data] = schema
        while len(_schemas) > _SCHEMA_CACHE_SIZE:
            _schemas.popitem(last=False)
    return schema


def _leaf(field: FieldCondition, fields: list[pa.Field[Any]]) -> pa.DataType | str:
    """The leaf type at ``field.path``, or why there is none (for the error message)."""
    kind: pa.DataType | None = None
    for depth, name in enumerate(field.path):
        names = {f.name: f for f in fields}
        where = ".".join(field.path[:depth]) or field.tag
        if name not in names:
            return f"field {name!r} not in {where} (fields: {', '.join(names)})"
        kind = names[name].type
        if depth + 1 < len(field.path):
            if not pa.types.is_struct(kind):
                return f"{'.'.join(field.path[: depth + 1])!r} is {kind}, it has no fields"
            fields = list(kind)
    assert kind is not None
    if pa.types.is_struct(kind):
        inner = ", ".join(f.name for f in kind)
        return f"{'.'.join(field.path)!r} is a struct; name one of its fields: {inner}"
    return kind


def _check_usable(field: FieldCondition, arrow_type: pa.DataType) -> FieldKind:
    kind = field_kind(arrow_type)
    where = f"ontology key {field.key!r}"
    path = ".".join(field.path)
    allowed = OPERATORS[kind]
    if not allowed:
        raise InvalidRequest(
            f"{where}: {path!r} is {arrow_type}; lists, binaries and other non-scalar "
            "fields are not queryable"
        )
    op = field.condition.op
    if op not in allowed:
        names = ", ".join(o.value for o in allowed)
        raise InvalidRequest(
            f"{where}: operator {op.value!r} does not apply to {path!r} ({arrow_type}); "
            f"use one of {names}"
        )
    for value in field.condition.values:
        is_bool = isinstance(value, bool)
        fits = {
            FieldKind.NUMBER: isinstance(value, (int, float)) and not is_bool,
            FieldKind.STRING: isinstance(value, str),
            FieldKind.BOOL: is_bool,
        }[kind]
        if not fits:
            raise InvalidRequest(
                f"{where}: {op.value} {value!r} does not fit {path!r} ({arrow_type}); "
                f"compare it with {_VALUE_KINDS[kind]}"
            )
    return kind


def resolve_conditions(
    conditions: tuple[FieldCondition, ...], schema: pa.Schema
) -> list[ResolvedCondition] | None:
    """Bind every condition to a leaf of ``schema``; None if a field is missing there.

    A key naming a struct, a list or a missing field, and an operator or value that does not
    suit the leaf, raise `InvalidRequest` naming the key.
    """
    resolved = []
    for field in conditions:
        leaf = _leaf(field, list(schema))
        if isinstance(leaf, str):
            if leaf.startswith("field "):
                return None
            raise InvalidRequest(f"ontology key {field.key!r}: {leaf}")
        resolved.append(ResolvedCondition(field, leaf, _check_usable(field, leaf)))
    return resolved


def missing_field_error(conditions: tuple[FieldCondition, ...], schema: pa.Schema) -> None:
    """Raise `InvalidRequest` for the first key whose field ``schema`` lacks, if any."""
    for field in conditions:
        leaf = _leaf(field, list(schema))
        if isinstance(leaf, str):
            raise InvalidRequest(f"ontology key {field.key!r}: {leaf}")
