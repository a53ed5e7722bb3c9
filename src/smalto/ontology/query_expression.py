"""One query condition on one field, as the `.Q` proxies and the query builders make them.

A `QueryExpression` is ``key`` + operator + value, for one of three scopes: the sequence
catalog, the topic catalog or the sensor data (ontology). Builders gather expressions of their
own scope and serialize them as ``{key: {"$op": value}}`` (PROTOCOL.md §5.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Union

from smalto.errors import InvalidRequest

__all__ = [
    "ExpressionScope",
    "QueryExpression",
    "QueryOperator",
    "QueryValue",
    "Scalar",
    "check_scalar",
]

Scalar = Union[bool, int, float, str]  # noqa: UP007 (runtime alias; `|` needs 3.10 types)
"""A JSON scalar a condition compares with (never None, never a container)."""

QueryValue = Union[Scalar, tuple[Scalar, ...], None]  # noqa: UP007
"""A condition's value: a scalar, a tuple (``$in``, ``$between``) or None (``$ex``/``$nex``)."""


class QueryOperator(str, Enum):
    """The condition operators of the query grammar (PROTOCOL.md §5.1)."""

    EQ = "$eq"
    NEQ = "$neq"
    LT = "$lt"
    LEQ = "$leq"
    GT = "$gt"
    GEQ = "$geq"
    IN = "$in"
    BETWEEN = "$between"
    MATCH = "$match"
    EX = "$ex"
    NEX = "$nex"

    @property
    def method(self) -> str:
        """The proxy method that makes this operator (``in_`` for ``$in``)."""
        return "in_" if self is QueryOperator.IN else self.value[1:]


class ExpressionScope(str, Enum):
    """Which builder an expression belongs to."""

    SEQUENCE = "sequence"
    TOPIC = "topic"
    ONTOLOGY = "ontology"


@dataclass(frozen=True)
class QueryExpression:
    """``key op value`` in one scope; ``key`` is dotted (``imu.acceleration.x``)."""

    scope: ExpressionScope
    key: str
    op: QueryOperator
    value: QueryValue

    def to_dict(self) -> dict[str, object]:
        """The wire form ``{key: {op: value}}`` (tuples become lists)."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {self.key: {self.op.value: value}}


def check_scalar(where: str, value: object) -> Scalar:
    """``value`` if it is a bool, int, finite float or str; `InvalidRequest` otherwise."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequest(f"{where}: {value!r} is not a finite number; JSON has no NaN")
    if isinstance(value, (bool, int, float, str)):
        return value
    raise InvalidRequest(
        f"{where}: {value!r} ({type(value).__name__}) is not a bool, number or string"
    )
