"""``typing.Annotated`` markers that pin the Arrow type and nullability of ontology fields.

Plain annotations map to Arrow on their own (``int`` → int64, ``float`` → float64, ``str`` → utf8,
``bool`` → bool, ``bytes`` → binary, ``list[X]`` → list<X>, a nested `Serializable` → struct,
``X | None`` → nullable). The markers here say more::

    class Wheel(Serializable):
        ticks: UInt32                                    # uint32, range-checked at construction
        speed: Float32                                   # float
        pose: Annotated[list[float], FixedSize(6)]       # fixed_size_list<double>[6]
        slip: Annotated[float, ArrowNullable()]          # required in Python, nullable in Arrow

Integer markers also bound the Python value to the Arrow type's range, so ``UInt8`` rejects 300
when the object is built rather than when the batch is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, ClassVar

import annotated_types as at
import pyarrow as pa

__all__ = [
    "ArrowNullable",
    "ArrowType",
    "Binary",
    "FixedSize",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "LargeBinary",
    "LargeUtf8",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "integer_bounds",
]


def integer_bounds(arrow_type: pa.DataType) -> tuple[int, int] | None:
    """The inclusive ``(min, max)`` an Arrow integer type holds, or None for other types."""
    if not pa.types.is_integer(arrow_type):
        return None
    bits = arrow_type.bit_width
    if pa.types.is_signed_integer(arrow_type):
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


@dataclass(frozen=True)
class ArrowType:
    """Pins a field's Arrow type (``Annotated[int, ArrowType(pa.int16())]``).

    For integer types it also carries pydantic range constraints, so out-of-range values fail
    when the model is constructed, with the field name in the message.
    """

    arrow_type: pa.DataType

    # Makes pydantic expand this marker into the constraints `__iter__` yields.
    __is_annotated_types_grouped_metadata__: ClassVar[bool] = True

    def __iter__(self) -> Iterator[at.BaseMetadata]:
        bounds = integer_bounds(self.arrow_type)
        if bounds is not None:
            yield at.Ge(bounds[0])
            yield at.Le(bounds[1])


@dataclass(frozen=True)
class FixedSize:
    """Makes a list field an Arrow fixed-size list of ``size`` items; other lengths are rejected."""

    size: int

    __is_annotated_types_grouped_metadata__: ClassVar[bool] = True

    def __iter__(self) -> Iterator[at.BaseMetadata]:
        yield at.MinLen(self.size)
        yield at.MaxLen(self.size)


@dataclass(frozen=True)
class ArrowNullable:
    """Overrides a field's Arrow nullability, which otherwise follows Python optionality.

    ``x: Annotated[float, ArrowNullable()]`` must be given in Python yet is a nullable Arrow
    column, as the built-in vector components are in the Mosaico catalogue.
    """

    nullable: bool = True


Int8 = Annotated[int, ArrowType(pa.int8())]
Int16 = Annotated[int, ArrowType(pa.int16())]
Int32 = Annotated[int, ArrowType(pa.int32())]
Int64 = Annotated[int, ArrowType(pa.int64())]
UInt8 = Annotated[int, ArrowType(pa.uint8())]
UInt16 = Annotated[int, ArrowType(pa.uint16())]
UInt32 = Annotated[int, ArrowType(pa.uint32())]
UInt64 = Annotated[int, ArrowType(pa.uint64())]
Float16 = Annotated[float, ArrowType(pa.float16())]
Float32 = Annotated[float, ArrowType(pa.float32())]
Float64 = Annotated[float, ArrowType(pa.float64())]
LargeUtf8 = Annotated[str, ArrowType(pa.large_string())]
Binary = Annotated[bytes, ArrowType(pa.binary())]
LargeBinary = Annotated[bytes, ArrowType(pa.large_binary())]
