"""Arrow schemas of ontology classes: the data fields and the full topic (message) schema."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import pyarrow as pa

from smalto.ontology.envelope import ENVELOPE_SCHEMA
from smalto.ontology.layout import struct_node
from smalto.ontology.serializable import Serializable, ontology_tag

__all__ = ["data_fields", "message_schema"]

_schemas: WeakKeyDictionary[type[Serializable], pa.Schema] = WeakKeyDictionary()


def data_fields(cls: type[Serializable]) -> list[pa.Field[Any]]:
    """The Arrow fields of ``cls``, in declaration order (nested classes are structs)."""
    ontology_tag(cls)  # rejects non-ontology classes with a clear message
    return [field.arrow_field for field in struct_node(cls).fields]


def message_schema(cls: type[Serializable]) -> pa.Schema:
    """The topic schema for ``cls``: the four envelope columns, then its data fields.

    Fields may carry ``description`` metadata; the schema itself has none.
    """
    schema = _schemas.get(cls)
    if schema is None:
        schema = pa.schema([*ENVELOPE_SCHEMA, *data_fields(cls)])
        _schemas[cls] = schema
    return schema
