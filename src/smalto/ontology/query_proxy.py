"""The ``.Q`` query proxies: ``IMU.Q.acceleration.x.gt(5.0)`` → a `QueryExpression`.

Every ontology class, built-in or user-defined, gets ``Q`` from `Serializable`; the proxy is
generated from the class's Arrow message schema (envelope columns included), so its attributes
are exactly the queryable columns. Operators depend on the leaf's Arrow type (PROTOCOL.md §5.1):
numbers take ``eq neq lt leq gt geq in_ between``, strings ``eq neq match in_``, booleans ``eq``;
every leaf takes ``ex``/``nex`` (present / absent). Lists, binaries and other types are not
queryable. Mistakes fail here, client-side, with the valid choices listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology.query_expression import (
    ExpressionScope,
    QueryExpression,
    QueryOperator,
    QueryValue,
    Scalar,
    check_scalar,
)

if TYPE_CHECKING:
    from smalto.ontology.serializable import Serializable

__all__ = [
    "OPERATORS",
    "FieldKind",
    "QueryField",
    "QueryNode",
    "QueryProxyDescriptor",
    "field_kind",
]

_Op = QueryOperator


class FieldKind(str, Enum):
    """What a queryable leaf holds, which decides its operators and value types."""

    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"
    ANY = "any"
    """User metadata: any JSON scalar; compared by kind on the server."""
    UNSUPPORTED = "unsupported"


_PRESENCE = (_Op.EX, _Op.NEX)
OPERATORS: dict[FieldKind, tuple[QueryOperator, ...]] = {
    FieldKind.NUMBER: (
        *(_Op.EQ, _Op.NEQ, _Op.LT, _Op.LEQ, _Op.GT, _Op.GEQ, _Op.IN, _Op.BETWEEN),
        *_PRESENCE,
    ),
    FieldKind.STRING: (_Op.EQ, _Op.NEQ, _Op.MATCH, _Op.IN, *_PRESENCE),
    FieldKind.BOOL: (_Op.EQ, *_PRESENCE),
    FieldKind.ANY: tuple(_Op),
    FieldKind.UNSUPPORTED: (),
}
"""The operators each kind of field accepts."""

_VALUE_TYPES: dict[FieldKind, tuple[type, ...]] = {
    FieldKind.NUMBER: (int, float),
    FieldKind.STRING: (str,),
    FieldKind.BOOL: (bool,),
    FieldKind.ANY: (bool, int, float, str),
}


def field_kind(arrow_type: pa.DataType) -> FieldKind:
    """The `FieldKind` of an Arrow leaf type."""
    if pa.types.is_boolean(arrow_type):
        return FieldKind.BOOL
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return FieldKind.NUMBER
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return FieldKind.STRING
    return FieldKind.UNSUPPORTED


def _flatten(values: tuple[object, ...]) -> tuple[object, ...]:
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        return tuple(values[0])
    return values


class QueryField:
    """A queryable leaf (``IMU.Q.acceleration.x``); its methods make `QueryExpression`s."""

    def __init__(
        self, key: str, kind: FieldKind, scope: ExpressionScope, type_name: str = ""
    ) -> None:
        self._key = key
        self._kind = kind
        self._scope = scope
        self._type_name = type_name or kind.value

    def __repr__(self) -> str:
        return f"<query field {self._key!r} ({self._type_name})>"

    def _check(self, op: QueryOperator) -> None:
        allowed = OPERATORS[self._kind]
        if op in allowed:
            return
        if not allowed:
            raise InvalidRequest(
                f"{self._key!r} is {self._type_name}: lists, binaries and nested types are "
                "not queryable; query a number, string or bool field"
            )
        names = ", ".join(o.method for o in allowed)
        raise InvalidRequest(
            f"{self._key!r} is {self._type_name}: operator {op.method!r} does not apply; "
            f"use one of {names}"
        )

    def _make(self, op: QueryOperator, value: QueryValue) -> QueryExpression:
        return QueryExpression(self._scope, self._key, op, value)

    def _single(self, op: QueryOperator, value: object) -> QueryExpression:
        self._check(op)
        return self._make(op, self._scalar(value))

    def _scalar(self, value: object) -> Scalar:
        checked = check_scalar(self._key, value)
        allowed = _VALUE_TYPES.get(self._kind, ())
        is_bool = isinstance(checked, bool)
        if (is_bool and bool not in allowed) or not isinstance(checked, allowed):
            kinds = "/".join(t.__name__ for t in allowed) or "nothing"
            raise InvalidRequest(
                f"{self._key!r} is {self._type_name}: compare it with {kinds}, "
                f"not {type(value).__name__} {value!r}"
            )
        return checked

    def eq(self, value: Scalar) -> QueryExpression:
        """Equal to ``value``."""
        return self._single(_Op.EQ, value)

    def neq(self, value: Scalar) -> QueryExpression:
        """Present and not equal to ``value``."""
        return self._single(_Op.NEQ, value)

    def lt(self, value: Scalar) -> QueryExpression:
        """Less than ``value``."""
        return self._single(_Op.LT, value)

    def leq(self, value: Scalar) -> QueryExpression:
        """Less than or equal to ``value``."""
        return self._single(_Op.LEQ, value)

    def gt(self, value: Scalar) -> QueryExpression:
        """Greater than ``value``."""
        return self._single(_Op.GT, value)

    def geq(self, value: Scalar) -> QueryExpression:
        """Greater than or equal to ``value``."""
        return self._single(_Op.GEQ, value)

    def match(self, value: str) -> QueryExpression:
        """Contains ``value`` as a literal substring (``%`` and ``_`` are plain characters)."""
        self._check(_Op.MATCH)
        if not isinstance(value, str):
            raise InvalidRequest(f"{self._key!r}: match() takes a string, not {value!r}")
        return self._make(_Op.MATCH, value)

    def in_(self, *values: Any) -> QueryExpression:
        """Equal to one of ``values`` (``in_(a, b)`` or ``in_([a, b])``)."""
        self._check(_Op.IN)
        items = tuple(self._scalar(v) for v in _flatten(values))
        if not items:
            raise InvalidRequest(f"{self._key!r}: in_() needs at least one value")
        return self._make(_Op.IN, items)

    def between(self, *values: Any) -> QueryExpression:
        """Within ``[low, high]``, both inclusive (``between(lo, hi)`` or ``between([lo, hi])``)."""
        self._check(_Op.BETWEEN)
        items = tuple(self._scalar(v) for v in _flatten(values))
        if len(items) != 2:
            raise InvalidRequest(f"{self._key!r}: between() takes exactly two values [low, high]")
        low, high = items
        if isinstance(low, str) != isinstance(high, str) or isinstance(low, bool):
            raise InvalidRequest(f"{self._key!r}: between() needs two numbers or two strings")
        if low > high:  # type: ignore[operator]
            raise InvalidRequest(f"{self._key!r}: between() needs low <= high, got {list(items)}")
        return self._make(_Op.BETWEEN, items)

    def ex(self) -> QueryExpression:
        """The field is present (not null)."""
        self._check(_Op.EX)
        return self._make(_Op.EX, None)

    def nex(self) -> QueryExpression:
        """The field is absent (null)."""
        self._check(_Op.NEX)
        return self._make(_Op.NEX, None)


class QueryNode:
    """A struct level of a `.Q` proxy: attribute access walks to fields and leaves."""

    def __init__(self, key: str, owner: str, fields: Iterable[pa.Field[Any]]) -> None:
        self._key = key
        self._owner = owner
        self._fields = {f.name: f for f in fields}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        field = self._fields.get(name)
        if field is None:
            valid = ", ".join(self._fields)
            raise AttributeError(f"{self._owner} has no field {name!r}; valid fields: {valid}")
        key = f"{self._key}.{name}"
        if pa.types.is_struct(field.type):
            return QueryNode(key, f"{self._owner}.{name}", list(field.type))
        kind = field_kind(field.type)
        return QueryField(key, kind, ExpressionScope.ONTOLOGY, str(field.type))

    def __dir__(self) -> list[str]:
        return list(self._fields)

    def __repr__(self) -> str:
        return f"<query proxy {self._key!r}: {', '.join(self._fields)}>"


_proxies: WeakKeyDictionary[type[Serializable], QueryNode] = WeakKeyDictionary()


class QueryProxyDescriptor:
    """``Serializable.Q``: the (cached) `QueryNode` of the class it is read from."""

    def __get__(self, instance: object, owner: type[Serializable]) -> Any:
        if "__ontology_tag__" not in owner.__dict__:
            return self  # the base class, or a class still being defined (pydantic inspects it)
        proxy = _proxies.get(owner)
        if proxy is None:
            from smalto.ontology.schema import message_schema
            from smalto.ontology.serializable import ontology_tag

            tag = ontology_tag(owner)
            proxy = QueryNode(tag, owner.__qualname__, message_schema(owner))
            _proxies[owner] = proxy
        return proxy
