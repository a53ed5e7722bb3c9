"""Arrow arrays → ontology objects, one column at a time (the read hot path).

Rows come from a server that checked them against the topic schema, so nothing is revalidated:
leaves become Python values with one ``to_pylist`` each, structs become instances through the
class's generated builder, lists are cut from their flattened values by offsets. Columns are
found by name, so their order does not matter and unknown columns are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any, cast

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology.layout import FieldNode, ListNode, StructNode

__all__ = ["ColumnReader", "column_reader", "decode_column", "struct_child"]

ColumnReader = Callable[[int, int], list[Any]]
"""``read(start, stop)`` → the Python values of rows ``start`` to ``stop`` of one column."""


def decode_column(
    array: pa.Array[Any] | None, field: FieldNode, length: int, path: str
) -> list[Any]:
    """The Python values of ``field`` in ``array`` (None: the column is absent)."""
    if array is None:
        if field.nullable:
            return [None] * length
        raise InvalidRequest(f"column '{path}' is missing but non-null in the ontology")
    if array.null_count == len(array):
        return [None] * len(array)
    node = field.node
    if isinstance(node, StructNode):
        return _decode_struct(array, node, path)
    if isinstance(node, ListNode):
        return _decode_list(array, node, path)
    return array.to_pylist()


def column_reader(
    array: pa.Array[Any] | None, field: FieldNode, length: int, path: str
) -> ColumnReader:
    """Like `decode_column`, but structs are built only for the rows asked for.

    Leaves (and lists) are converted once, up front; objects are made range by range, so a
    caller can keep few of them alive at a time (the garbage collector then has little to
    traverse).
    """
    node = field.node
    if (
        array is None
        or array.null_count == len(array)
        or not isinstance(node, StructNode)
        or not isinstance(array, pa.StructArray)
    ):
        values = decode_column(array, field, length, path)
        return lambda start, stop: values[start:stop]
    children = [
        column_reader(struct_child(array, f.name), f, length, f"{path}.{f.name}")
        for f in node.fields
    ]
    build = node.build
    nulls = array.is_null().to_pylist() if array.null_count else None

    def read(start: int, stop: int) -> list[Any]:
        objs = build(stop - start, *[child(start, stop) for child in children])
        if nulls is None:
            return objs
        return [None if null else obj for obj, null in zip(objs, nulls[start:stop], strict=True)]

    return read


def struct_child(array: pa.StructArray, name: str) -> pa.Array[Any] | None:
    """The child array called ``name`` (sliced like its parent), or None if there is none."""
    index = array.type.get_field_index(name)
    return array.field(index) if index >= 0 else None


def _decode_struct(array: pa.Array[Any], node: StructNode, path: str) -> list[Any]:
    if not isinstance(array, pa.StructArray):
        raise _kind_error(array, "a struct", path)
    n = len(array)
    columns = [
        decode_column(struct_child(array, f.name), f, n, f"{path}.{f.name}") for f in node.fields
    ]
    objs = node.build(n, *columns)
    if array.null_count:
        return _with_nulls(objs, array)
    return objs


def _decode_list(array: pa.Array[Any], node: ListNode, path: str) -> list[Any]:
    n = len(array)
    if isinstance(array, pa.FixedSizeListArray):
        size = array.type.list_size
        values: pa.Array[Any] = array.values.slice(array.offset * size, n * size)
        bounds: range | list[int] = range(0, n * size + 1, size)
    elif isinstance(array, (pa.ListArray, pa.LargeListArray)):
        offsets = cast("list[int]", array.offsets.to_pylist())
        start = offsets[0]
        values = array.values.slice(start, offsets[-1] - start)
        bounds = [o - start for o in offsets] if start else offsets
    else:
        raise _kind_error(array, "a list", path)
    flat = decode_column(values, node.item, len(values), f"{path}[]")
    lists = [flat[a:b] for a, b in pairwise(bounds)]
    if array.null_count:
        return _with_nulls(lists, array)
    return lists


def _with_nulls(values: list[Any], array: pa.Array[Any]) -> list[Any]:
    nulls = array.is_null().to_pylist()
    return [None if null else value for value, null in zip(values, nulls, strict=True)]


def _kind_error(array: pa.Array[Any], expected: str, path: str) -> InvalidRequest:
    return InvalidRequest(f"column '{path}' is {array.type} but the ontology expects {expected}")
