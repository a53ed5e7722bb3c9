"""Built-in single-value ontologies: one ``data`` column of the named Arrow type."""

from __future__ import annotations

from smalto.ontology.serializable import Serializable
from smalto.ontology.types import (
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    LargeUtf8,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
)

__all__ = [
    "Boolean",
    "Floating16",
    "Floating32",
    "Floating64",
    "Integer8",
    "Integer16",
    "Integer32",
    "Integer64",
    "LargeString",
    "String",
    "Unsigned8",
    "Unsigned16",
    "Unsigned32",
    "Unsigned64",
]


class Integer8(Serializable):
    """A signed 8-bit integer (-128 … 127)."""

    __ontology_tag__ = "integer8"

    data: Int8
    """The value."""


class Integer16(Serializable):
    """A signed 16-bit integer."""

    __ontology_tag__ = "integer16"

    data: Int16
    """The value."""


class Integer32(Serializable):
    """A signed 32-bit integer."""

    __ontology_tag__ = "integer32"

    data: Int32
    """The value."""


class Integer64(Serializable):
    """A signed 64-bit integer."""

    __ontology_tag__ = "integer64"

    data: Int64
    """The value."""


class Unsigned8(Serializable):
    """An unsigned 8-bit integer (0 … 255)."""

    __ontology_tag__ = "unsigned8"

    data: UInt8
    """The value."""


class Unsigned16(Serializable):
    """An unsigned 16-bit integer."""

    __ontology_tag__ = "unsigned16"

    data: UInt16
    """The value."""


class Unsigned32(Serializable):
    """An unsigned 32-bit integer."""

    __ontology_tag__ = "unsigned32"

    data: UInt32
    """The value."""


class Unsigned64(Serializable):
    """An unsigned 64-bit integer."""

    __ontology_tag__ = "unsigned64"

    data: UInt64
    """The value."""


class Floating16(Serializable):
    """A half-precision float (stored as Arrow halffloat; precision is about 3 digits)."""

    __ontology_tag__ = "floating16"

    data: Float16
    """The value."""


class Floating32(Serializable):
    """A single-precision float."""

    __ontology_tag__ = "floating32"

    data: Float32
    """The value."""


class Floating64(Serializable):
    """A double-precision float."""

    __ontology_tag__ = "floating64"

    data: Float64
    """The value."""


class Boolean(Serializable):
    """A boolean."""

    __ontology_tag__ = "boolean"

    data: bool
    """The value."""


class String(Serializable):
    """A UTF-8 string."""

    __ontology_tag__ = "string"

    data: str
    """The value."""


class LargeString(Serializable):
    """A UTF-8 string stored with 64-bit offsets (Arrow large_string), for very long texts."""

    __ontology_tag__ = "large_string"

    data: LargeUtf8
    """The value."""
