"""`ColumnBuffer`: the leaf values of messages, taken apart as they arrive (the write hot path).

Appending a message copies each of its leaf values into one Python list per Arrow column, with a
function generated per ontology class from its layout (attribute-dict reads and ``list.append``,
nothing else), so the message object can die at once instead of waiting, with its nested objects,
for a batch to fill: long-lived objects are what make the cyclic garbage collector rescan the
heap. `to_batch` then converts each column with one ``pa.array`` call per batch (thousands of
rows), not per few hundred messages.

A struct that is None gets a null in its validity list and, below it, None in nullable columns
and a placeholder in non-nullable ones (Parquet needs a value there). Top-level fields that do
not flatten into leaf lists (lists of structs, empty structs) keep their objects and go through
the generic object encoder. A message that cannot be taken apart is rolled back and refused; a
value Arrow refuses later drops its row from the batch, and the first such error is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from typing import Any
from weakref import WeakKeyDictionary

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology.arrow_encoder import Position, encode_column
from smalto.ontology.envelope import ENVELOPE_SCHEMA
from smalto.ontology.layout import FieldNode, LeafNode, ListNode, Node, StructNode, struct_node
from smalto.ontology.message import Message
from smalto.ontology.schema import message_schema
from smalto.ontology.serializable import Serializable, ontology_tag

__all__ = ["ColumnBuffer"]


@dataclass(frozen=True, eq=False)
class _Leaf:
    """A column converted with one ``pa.array`` (a scalar or a list of scalars)."""

    slot: int
    field: FieldNode
    path: str


@dataclass(frozen=True, eq=False)
class _Objects:
    """A top-level column whose objects go through the generic object encoder."""

    slot: int
    field: FieldNode
    path: str


@dataclass(frozen=True, eq=False)
class _Struct:
    """A struct assembled from its children; ``null_slot`` holds its null flags if nullable."""

    field: FieldNode
    null_slot: int | None
    children: tuple[_Column, ...]


_Column = _Leaf | _Objects | _Struct


@dataclass(frozen=True, eq=False)
class _Plan:
    """What one ontology class compiles to: the appender factory and the column tree."""

    tag: str
    schema: pa.Schema
    slots: int
    make_appender: Callable[..., Callable[[Message], None]]
    columns: tuple[_Column, ...]


_plans: WeakKeyDictionary[type[Serializable], _Plan] = WeakKeyDictionary()


def _flat(node: Node) -> bool:
    """Whether values of ``node`` go to leaf lists (else its objects are kept whole)."""
    if isinstance(node, LeafNode):
        return True
    if isinstance(node, ListNode):
        return not node.has_struct
    return bool(node.fields) and all(_flat(child.node) for child in node.fields)


class _Generator:
    """Writes the source of one class's appender while laying out its columns."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.slots = 0
        self.names = 0

    def slot(self) -> int:
        self.slots += 1
        return self.slots - 1

    def name(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def constant(self, value: object) -> str:
        name = self.name("k")
        self.constants[name] = value
        return name

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("    " * depth + line)

    def field(self, field: FieldNode, value: str, path: str, depth: int) -> _Column:
        """Append ``value`` (an expression) as ``field``; returns the column tree of it."""
        node = field.node
        if not isinstance(node, StructNode):
            slot = self.slot()
            self.emit(f"a{slot}({value})", depth)
            return _Leaf(slot, field, path)
        obj, fields = self.name("o"), self.name("d")
        null_slot = self.slot() if field.nullable else None
        self.emit(f"{obj} = {value}", depth)
        self.emit(f"if {obj} is None:", depth)
        if null_slot is None:
            self.emit(f"raise none_error({path!r})", depth + 1)
        else:
            self.emit(f"a{null_slot}(True)", depth + 1)
        start = len(self.lines)
        self.emit("else:", depth)
        if null_slot is not None:
            self.emit(f"a{null_slot}(False)", depth + 1)
        self.emit(f"{fields} = {obj}.__dict__", depth + 1)
        children = tuple(
            self.field(child, f"{fields}[{child.name!r}]", f"{path}.{child.name}", depth + 1)
            for child in node.fields
        )
        if null_slot is not None:
            absent = self._absent(children, depth + 1)
            self.lines[start:start] = absent
        return _Struct(field, null_slot, children)

    def _absent(self, children: tuple[_Column, ...], depth: int) -> list[str]:
        """Lines appending what the columns below a None struct hold."""
        lines: list[str] = []
        for child in children:
            if isinstance(child, _Struct):
                if child.null_slot is not None:
                    lines.append("    " * depth + f"a{child.null_slot}(True)")
                lines.extend(self._absent(child.children, depth))
            else:
                placeholder = None if child.field.nullable else child.field.placeholder
                value = "None" if placeholder is None else self.constant(placeholder)
                lines.append("    " * depth + f"a{child.slot}({value})")
        return lines


def _compile(cls: type[Serializable]) -> _Plan:
    tag = ontology_tag(cls)
    root = struct_node(cls)
    gen = _Generator(tag)
    gen.emit("m = message.__dict__", 2)
    columns: list[_Column] = []
    for arrow_field in ENVELOPE_SCHEMA:
        slot = gen.slot()
        gen.emit(f"a{slot}(m[{arrow_field.name!r}])", 2)
        node = LeafNode(arrow_field.type)
        envelope = FieldNode(arrow_field.name, node, arrow_field.nullable, arrow_field, id, None)
        columns.append(_Leaf(slot, envelope, arrow_field.name))
    gen.emit("data = m['data'].__dict__", 2)
    for field in root.fields:
        value = f"data[{field.name!r}]"
        if _flat(field.node):
            columns.append(gen.field(field, value, field.name, 2))
        else:
            slot = gen.slot()
            gen.emit(f"a{slot}({value})", 2)
            columns.append(_Objects(slot, field, field.name))
    lists = [f"c{i}" for i in range(gen.slots)]
    source = [
        f"def make_appender({', '.join(lists)}):",
        *(f"    a{i} = c{i}.append" for i in range(gen.slots)),
        "    def append(message):",
        *gen.lines,
        "    return append",
    ]
    namespace: dict[str, Any] = {**gen.constants, "none_error": _none_error(tag)}
    exec("\n".join(source) + "\n", namespace)  # only field names (as repr) and generated names
    return _Plan(tag, message_schema(cls), gen.slots, namespace["make_appender"], tuple(columns))


def _plan(cls: type[Serializable]) -> _Plan:
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = _compile(cls)
    return plan


def _none_error(tag: str) -> Callable[[str], InvalidRequest]:
    def none_error(path: str) -> InvalidRequest:
        return InvalidRequest(
            f"field '{path}' of {tag} is non-null but a message has None there; give it a value"
        )

    return none_error


class ColumnBuffer:
    """Messages of one ontology class held as per-column Python lists until `to_batch`.

    Not thread-safe: one producer at a time.
    """

    def __init__(self, cls: type[Serializable]) -> None:
        self._plan = _plan(cls)
        self._lists: list[list[Any]] = [[] for _ in range(self._plan.slots)]
        self.timestamps: list[Any] = self._lists[0]
        """The ``timestamp_ns`` column: one entry per buffered message (``len`` = rows)."""
        self.appender: Callable[[Message], None] = self._plan.make_appender(*self._lists)
        """Takes a message apart without a safety net: the hot path. When it raises, call
        `rollback` before anything else."""

    @property
    def rows(self) -> int:
        """Messages buffered."""
        return len(self.timestamps)

    def append(self, message: Message) -> None:
        """Take ``message`` apart into the columns; InvalidRequest (and nothing kept) if it
        does not fit the class's layout."""
        try:
            self.appender(message)
        except Exception as exc:
            raise self.rollback(exc) from exc

    def rollback(self, error: Exception) -> InvalidRequest:
        """Undo the partial append that raised ``error``; returns the error to report."""
        rows = min(map(len, self._lists))
        for values in self._lists:
            del values[rows:]
        if isinstance(error, InvalidRequest):
            return error
        return InvalidRequest(
            f"a message of {self._plan.tag} does not match its ontology class: "
            f"{type(error).__name__}: {error}"
        )

    def clear(self) -> None:
        """Forget every buffered message."""
        for values in self._lists:
            values.clear()

    def to_batch(self) -> tuple[pa.RecordBatch | None, InvalidRequest | None]:
        """Everything buffered as one record batch (None when empty), and the buffer emptied.

        Rows holding a value Arrow refuses are left out; the error of the first one comes
        second (None when every row converted).
        """
        lists, rows = self._lists, self.rows
        if rows == 0:
            return None, None
        try:
            return self._convert(lists), None
        except (InvalidRequest, pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            first_error = exc
            bad = self._bad_rows(lists, rows)
            if not bad:
                raise first_error from None
            keep = [i not in bad for i in range(rows)]
            kept = [list(compress(values, keep)) for values in lists]
            batch = self._convert(kept) if len(bad) < rows else None
            return batch, self._row_error(lists, min(bad))
        finally:
            for values in lists:
                values.clear()

    def _convert(self, lists: list[list[Any]]) -> pa.RecordBatch:
        plan = self._plan
        arrays = [_array(column, lists, plan.tag) for column in plan.columns]
        return pa.RecordBatch.from_arrays(arrays, schema=plan.schema)

    def _bad_rows(self, lists: list[list[Any]], rows: int) -> set[int]:
        """Rows whose values fail to convert alone (slow path, after a failed batch)."""
        bad: set[int] = set()
        for i in range(rows):
            try:
                self._convert([[values[i]] for values in lists])
            except (InvalidRequest, pa.ArrowException, TypeError, ValueError, OverflowError):
                bad.add(i)
        return bad

    def _row_error(self, lists: list[list[Any]], row: int) -> InvalidRequest:
        try:
            self._convert([[values[row]] for values in lists])
        except InvalidRequest as exc:
            return exc
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            return InvalidRequest(f"a message of {self._plan.tag} cannot be stored: {exc}")
        return InvalidRequest(f"a message of {self._plan.tag} cannot be stored")


def _array(column: _Column, lists: list[list[Any]], tag: str) -> pa.Array[Any]:
    if isinstance(column, _Objects):
        return encode_column(lists[column.slot], column.field, Position(tag, column.path))
    if isinstance(column, _Leaf):
        values = lists[column.slot]
        arrow_type = column.field.node.arrow_type
        # Optional fields left unset need no conversion. (count() compares each value with
        # None through ==, slow for numbers: only run it on a column that starts with None.)
        if values[0] is None and values.count(None) == len(values):
            array: pa.Array[Any] = pa.nulls(len(values)).cast(arrow_type)
        else:
            array = _leaf_array(values, arrow_type, column.path, tag)
        if array.null_count and not column.field.nullable:
            raise InvalidRequest(
                f"field '{column.path}' of {tag} is non-null but a message has None there; "
                "give it a value"
            )
        return array
    children = [_array(child, lists, tag) for child in column.children]
    node = column.field.node
    assert isinstance(node, StructNode)
    nulls = lists[column.null_slot] if column.null_slot is not None else None
    mask = pa.array(nulls, pa.bool_()) if nulls is not None and True in nulls else None
    fields = [child.arrow_field for child in node.fields]
    return pa.StructArray.from_arrays(children, fields=fields, mask=mask)


def _leaf_array(values: list[Any], arrow_type: pa.DataType, path: str, tag: str) -> pa.Array[Any]:
    if len(values) == 1 and type(values[0]) is bytes and arrow_type in _BLOB_OFFSETS:
        return _wrapped_blob(values[0], arrow_type)
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"field '{path}' of {tag} holds a value that is not {arrow_type}: {exc}"
        ) from exc


_BLOB_OFFSETS: dict[pa.DataType, pa.DataType] = {
    pa.binary(): pa.int32(),
    pa.large_binary(): pa.int64(),
}


def _wrapped_blob(blob: bytes, arrow_type: pa.DataType) -> pa.Array[Any]:
    """A one-row binary array over ``blob`` itself: no copy of a large image (a topic sends
    each blob bigger than half a batch alone, so this is the common case for images)."""
    offsets = pa.array([0, len(blob)], _BLOB_OFFSETS[arrow_type]).buffers()[1]
    return pa.Array.from_buffers(arrow_type, 1, [None, offsets, pa.py_buffer(blob)])
