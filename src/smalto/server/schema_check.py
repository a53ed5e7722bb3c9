"""Checks on an upload's Arrow schema before any row is accepted."""

from __future__ import annotations

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology import find_ontology, message_schema
from smalto.storage.chunk_codec import TIMESTAMP_COLUMN

__all__ = ["check_upload_schema", "same_type"]


def same_type(left: pa.DataType, right: pa.DataType) -> bool:
    """Type equality ignoring nullability and field metadata, recursively."""
    if pa.types.is_struct(left) and pa.types.is_struct(right):
        return len(left) == len(right) and all(
            a.name == b.name and same_type(a.type, b.type) for a, b in zip(left, right, strict=True)
        )
    if (pa.types.is_list(left) and pa.types.is_list(right)) or (
        pa.types.is_large_list(left) and pa.types.is_large_list(right)
    ):
        return same_type(left.value_type, right.value_type)
    if pa.types.is_fixed_size_list(left) and pa.types.is_fixed_size_list(right):
        return left.list_size == right.list_size and same_type(left.value_type, right.value_type)
    return left.equals(right)


def check_upload_schema(schema: pa.Schema, ontology_tag: str, locator: str) -> None:
    """Refuse a schema without int64 ``timestamp_ns`` or one that contradicts a known ontology.

    Tags smalto knows (the built-ins and any registered in this process) must carry exactly the
    ontology's columns and types; other tags (users' own types) only need ``timestamp_ns``.
    """
    index = schema.get_field_index(TIMESTAMP_COLUMN)
    if index < 0 or not pa.types.is_int64(schema.field(index).type):
        raise InvalidRequest(
            f"upload to '{locator}' has no int64 column '{TIMESTAMP_COLUMN}'; every topic row "
            "needs its timestamp in int64 nanoseconds"
        )
    ontology = find_ontology(ontology_tag)
    if ontology is None:
        return
    expected = message_schema(ontology)
    problems = []
    for field in expected:
        position = schema.get_field_index(field.name)
        if position < 0:
            problems.append(f"missing column {field.name!r} ({field.type})")
        elif not same_type(schema.field(position).type, field.type):
            problems.append(
                f"column {field.name!r} is {schema.field(position).type}, expected {field.type}"
            )
    extra = [name for name in schema.names if expected.get_field_index(name) < 0]
    if extra:
        problems.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
    if problems:
        raise InvalidRequest(
            f"upload to '{locator}' does not match ontology {ontology_tag!r}: "
            + "; ".join(problems)
        )
