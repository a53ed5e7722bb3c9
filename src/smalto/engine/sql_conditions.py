"""Query conditions as SQLAlchemy Core expressions, the same on SQLite and PostgreSQL.

User metadata is JSON text on SQLite and JSONB on PostgreSQL; one function (`_json_value`) hides
the difference. A metadata condition compares values of its own kind only: numbers as numbers
(ints and floats alike), strings as strings (code-point order, ``COLLATE "C"`` on PostgreSQL),
booleans as booleans; a stored value of another kind never matches and never makes the query
fail. Keys and values always travel as bound parameters, never inside the SQL text.
``$match`` is a literal substring test (``instr``/``strpos``), so ``%`` and ``_`` are plain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Numeric, String, and_, case, false, func, literal, not_, or_, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from smalto.ontology.query_expression import QueryOperator, Scalar
from smalto.protocol.query import Condition, MetadataCondition

__all__ = ["column_condition", "metadata_condition"]

_Op = QueryOperator
Expr = ColumnElement[Any]

_COMPARE: dict[QueryOperator, Callable[[Expr, Any], Expr]] = {
    _Op.EQ: lambda a, b: a == b,
    _Op.LT: lambda a, b: a < b,
    _Op.LEQ: lambda a, b: a <= b,
    _Op.GT: lambda a, b: a > b,
    _Op.GEQ: lambda a, b: a >= b,
}


def _kind(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    return "string" if isinstance(value, str) else "number"


@dataclass(frozen=True)
class _JsonValue:
    """The value at a JSON path: its JSON type name and a typed accessor per kind."""

    type_name: Expr
    kinds: dict[str, tuple[str, ...]]
    number: Expr
    text: Expr
    sqlite: bool

    def is_kind(self, kind: str) -> Expr:
        return self.type_name.in_(self.kinds[kind])

    def typed(self, kind: str) -> Expr:
        """The value when it is of ``kind``, else NULL (guards casts on PostgreSQL)."""
        raw = self.number if kind == "number" else self.text
        guarded: Expr = case((self.is_kind(kind), raw), else_=None)
        if kind == "string" and not self.sqlite:
            guarded = guarded.collate("C")
        return guarded


def _json_value(column: Expr, keys: tuple[str, ...], sqlite: bool) -> _JsonValue:
    if sqlite:
        path = literal("$" + "".join(f'."{key}"' for key in keys), String)
        extracted = func.json_extract(column, path)
        return _JsonValue(
            type_name=func.json_type(column, path),
            kinds={"number": ("integer", "real"), "string": ("text",), "bool": ("true", "false")},
            number=extracted,
            text=extracted,
            sqlite=True,
        )
    node = column
    for key in keys[:-1]:
        node = node.op("->", return_type=JSONB)(literal(key, String))
    last = literal(keys[-1], String)
    text = node.op("->>", return_type=String)(last)
    return _JsonValue(
        type_name=func.jsonb_typeof(node.op("->", return_type=JSONB)(last)),
        kinds={"number": ("number",), "string": ("string",), "bool": ("boolean",)},
        number=text.cast(Numeric),
        text=text,
        sqlite=False,
    )


def _json_equal(value: _JsonValue, target: Scalar) -> Expr:
    kind = _kind(target)
    if kind == "bool":
        if value.sqlite:
            return value.type_name == ("true" if target else "false")
        return and_(value.is_kind("bool"), value.text == ("true" if target else "false"))
    return and_(value.is_kind(kind), value.typed(kind) == literal(target))


def _json_present(value: _JsonValue) -> Expr:
    return and_(value.type_name.is_not(None), value.type_name != "null")


def _json_condition(value: _JsonValue, condition: Condition) -> Expr:
    op, values = condition.op, condition.values
    if op is _Op.EX:
        return _json_present(value)
    if op is _Op.NEX:
        return not_(_json_present(value))
    if op is _Op.EQ:
        return _json_equal(value, values[0])
    if op is _Op.NEQ:
        return and_(_json_present(value), not_(_json_equal(value, values[0])))
    if op is _Op.IN:
        return or_(*(_json_equal(value, v) for v in values))
    if op is _Op.MATCH:
        return _substring(value.typed("string"), str(values[0]), value.sqlite)
    if op is _Op.BETWEEN:
        low, high = values
        typed = value.typed(_kind(low))
        return and_(typed >= literal(low), typed <= literal(high))
    target = values[0]
    if isinstance(target, bool):
        return false()  # booleans have no order (refused by the builders; safe here)
    return _COMPARE[op](value.typed(_kind(target)), literal(target))


def _substring(text: Expr, needle: str, sqlite: bool) -> Expr:
    position = func.instr(text, literal(needle)) if sqlite else func.strpos(text, literal(needle))
    return position > 0


def metadata_condition(column: Expr, item: MetadataCondition, sqlite: bool) -> Expr:
    """``item`` on the JSON ``column``; a missing key, JSON null or another kind never matches
    (except ``$nex``, which matches exactly those absent or null)."""
    return _json_condition(_json_value(column, item.keys, sqlite), item.condition)


def column_condition(column: Expr, condition: Condition, sqlite: bool) -> Expr:
    """``condition`` on a plain, non-null text or integer column (locator, tag, time)."""
    op, values = condition.op, condition.values
    if op is _Op.EX:
        return true()
    if op is _Op.NEX:
        return false()
    if op is _Op.NEQ:
        return column != literal(values[0])
    if op is _Op.IN:
        return column.in_([literal(v) for v in values])
    if op is _Op.MATCH:
        return _substring(column, str(values[0]), sqlite)
    if op is _Op.BETWEEN:
        return and_(column >= literal(values[0]), column <= literal(values[1]))
    return _COMPARE[op](column, literal(values[0]))
