"""Ontology objects → Arrow arrays, one column at a time (the write hot path).

Each object is visited once to fetch its ``__dict__`` (where pydantic keeps field values); each
field is then gathered from those dicts with one C-level ``map(itemgetter)`` pass and converted
with one ``pa.array`` call. Structs are assembled from their children with a null mask, lists of
structs from flattened items and offsets. Nothing goes through ``model_dump`` or row dicts of
our own.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import Any

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology.layout import FieldNode, ListNode, StructNode

__all__ = ["Position", "encode_column", "encode_fields", "to_arrow"]


@dataclass(frozen=True)
class Position:
    """Where a column sits in the batch being built, for error messages and null handling."""

    tag: str
    path: str
    hidden: list[bool] | None = None
    """Rows whose value is irrelevant because an enclosing struct is null there."""
    rows: list[int] | None = None
    """Message index of each value (None: value ``i`` belongs to message ``first + i``)."""
    first: int = 0
    """Index of the first message in the batch being built (batches are built in chunks)."""

    def child(self, name: str, hidden: list[bool] | None) -> Position:
        path = f"{self.path}.{name}" if self.path else name
        return Position(self.tag, path, hidden, self.rows, self.first)

    def message_index(self, i: int) -> int:
        return self.first + i if self.rows is None else self.rows[i]


class _NullRow(dict[str, Any]):
    """The fields of an absent (None) object: every field reads as None."""

    def __missing__(self, key: str) -> None:
        return None


_NULL_ROW = _NullRow()


def encode_fields(
    objs: Sequence[Any], node: StructNode, at: Position, hidden: list[bool] | None = None
) -> list[pa.Array[Any]]:
    """One array per field of ``node`` for ``objs`` (None allowed only where ``hidden``)."""
    try:
        if hidden is None:
            dicts: Iterable[Any] = map(vars, objs)
        else:
            dicts = [_NULL_ROW if h else vars(o) for o, h in zip(objs, hidden, strict=True)]
        columns = _columns_of(dicts, node)
    except (TypeError, KeyError) as exc:
        raise _type_error(objs, node, at) from exc
    return [
        encode_column(values, field, at.child(field.name, hidden))
        for values, field in zip(columns, node.fields, strict=True)
    ]


def _columns_of(dicts: Iterable[Any], node: StructNode) -> list[Sequence[Any]]:
    """One sequence of values per field, reading each instance dict once (memory-bound)."""
    if len(node.fields) == 1:
        return [list(map(node.fields[0].from_dict, dicts))]
    rows = list(map(node.read_values, dicts))
    return list(zip(*rows, strict=True)) or [()] * len(node.fields)


def encode_column(values: Sequence[Any], field: FieldNode, at: Position) -> pa.Array[Any]:
    """The Arrow array of ``field`` for ``values`` (one per row; None where absent)."""
    node = field.node
    if isinstance(node, StructNode):
        return _encode_struct(values, field, node, at)
    if at.hidden is not None and not field.nullable:
        values = [field.placeholder if h else v for v, h in zip(values, at.hidden, strict=True)]
    if isinstance(node, ListNode) and node.has_struct:
        array = _encode_struct_list(values, node, at)
    else:
        array = to_arrow(values, node.arrow_type, at)
    if array.null_count and not field.nullable:
        _raise_for_none(values, at)
    return array


def to_arrow(values: Sequence[Any], arrow_type: pa.DataType, at: Position) -> pa.Array[Any]:
    """``pa.array(values, arrow_type)``, with conversion failures turned into InvalidRequest."""
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"field '{at.path}' of {at.tag} holds a value that is not {arrow_type}: {exc}"
        ) from exc


def _encode_struct(
    objs: Sequence[Any], field: FieldNode, node: StructNode, at: Position
) -> pa.Array[Any]:
    is_none = list(map(operator.is_, objs, repeat(None)))
    hidden = is_none if True in is_none else None
    if hidden is not None and not field.nullable:
        _raise_for_none(objs, at)
    mask = pa.array(hidden, pa.bool_()) if hidden is not None and field.nullable else None
    if not node.fields:
        empty: list[dict[str, Any] | None] = [
            None if o is None and field.nullable else {} for o in objs
        ]
        return pa.array(empty, node.arrow_type)
    children = encode_fields(objs, node, at, hidden)
    arrow_fields = [child.arrow_field for child in node.fields]
    return pa.StructArray.from_arrays(children, fields=arrow_fields, mask=mask)


def _encode_struct_list(values: Sequence[Any], node: ListNode, at: Position) -> pa.Array[Any]:
    """A list column whose items hold structs: encode the flattened items, then wrap them."""
    flat: list[Any] = []
    rows: list[int] = []
    lengths: list[int] = []
    for i, items in enumerate(values):
        if items is None:
            # A null fixed-size entry still occupies `size` (null) item slots.
            items = [None] * (node.size or 0)
        elif node.size is not None and len(items) != node.size:
            raise InvalidRequest(
                f"field '{at.path}' of {at.tag} needs {node.size} items but message "
                f"{at.message_index(i)} has {len(items)}"
            )
        flat.extend(items)
        rows.extend([at.message_index(i)] * len(items))
        lengths.append(len(items))
    item_array = encode_column(flat, node.item, Position(at.tag, f"{at.path}[]", rows=rows))
    mask = pa.array([v is None for v in values], pa.bool_()) if None in values else None
    if node.size is not None:
        # The default item field (nullable "item") is the one node.arrow_type has.
        return pa.FixedSizeListArray.from_arrays(item_array, node.size, mask=mask)
    offsets = pa.array([0, *accumulate(lengths)], pa.int32())
    return pa.ListArray.from_arrays(offsets, item_array, type=node.arrow_type, mask=mask)


def _raise_for_none(values: Sequence[Any], at: Position) -> None:
    for i, value in enumerate(values):
        if value is None and not (at.hidden is not None and at.hidden[i]):
            raise InvalidRequest(
                f"field '{at.path}' of {at.tag} is non-null but message {at.message_index(i)} "
                "has None there; give it a value"
            )


def _type_error(objs: Sequence[Any], node: StructNode, at: Position) -> InvalidRequest:
    expected = node.model.__name__
    where = f"field '{at.path}'" if at.path else "data"
    wrong = [i for i, obj in enumerate(objs) if obj is not None and not isinstance(obj, node.model)]
    absent = [i for i, obj in enumerate(objs) if obj is None]
    culprits = wrong or absent
    if culprits:
        return InvalidRequest(
            f"{where} of {at.tag} must hold {expected} but message "
            f"{at.message_index(culprits[0])} has {type(objs[culprits[0]]).__name__}"
        )
    return InvalidRequest(f"{where} of {at.tag} holds a {expected} with missing fields")
