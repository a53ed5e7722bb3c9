"""The column layout of an ontology class: each field's Arrow type, nullability and shape.

A class compiles once (then is cached) into a tree of nodes that both the Arrow schema and the
columnar converters walk: a `StructNode` per class, a `ListNode` per list, a `LeafNode` per
scalar. See `smalto.ontology.types` for the annotation → Arrow mapping.
"""

from __future__ import annotations

import threading
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Annotated, Any, get_args, get_origin
from weakref import WeakKeyDictionary

import pyarrow as pa
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from smalto.errors import InvalidRequest
from smalto.ontology.construction import InstanceBuilder, instance_builder
from smalto.ontology.types import ArrowNullable, ArrowType, FixedSize

__all__ = ["FieldNode", "LeafNode", "ListNode", "Node", "StructNode", "struct_node"]


@dataclass(frozen=True, eq=False)
class LeafNode:
    """A scalar column (number, bool, string, binary)."""

    arrow_type: pa.DataType


@dataclass(frozen=True, eq=False)
class ListNode:
    """A list column; ``size`` is set for fixed-size lists."""

    arrow_type: pa.DataType
    item: FieldNode
    size: int | None
    has_struct: bool
    """Whether a struct sits somewhere below, so values cannot go to Arrow in one call."""


@dataclass(frozen=True, eq=False)
class StructNode:
    """A nested ontology object (or a whole row): an Arrow struct of its fields."""

    model: type[BaseModel]
    arrow_type: pa.StructType
    fields: tuple[FieldNode, ...]
    build: InstanceBuilder
    """Makes instances from one column per field, without validation."""
    read_values: Callable[[Any], Any]
    """Reads all field values, as a tuple, from an instance ``__dict__`` (2+ fields only)."""


Node = LeafNode | ListNode | StructNode


@dataclass(frozen=True, eq=False)
class FieldNode:
    """One named field: its node, Arrow nullability and how to read it off an instance."""

    name: str
    node: Node
    nullable: bool
    arrow_field: pa.Field[Any]
    from_dict: Callable[[Any], Any]
    """Reads the field's value from an instance ``__dict__`` (pydantic keeps fields there)."""
    placeholder: object
    """Stand-in for a non-null column where an enclosing struct is null (Parquet needs one)."""


_PYTHON_TYPES: tuple[tuple[type, pa.DataType, Callable[[pa.DataType], bool]], ...] = (
    # bool before int: bool is an int subclass.
    (bool, pa.bool_(), pa.types.is_boolean),
    (int, pa.int64(), pa.types.is_integer),
    (float, pa.float64(), pa.types.is_floating),
    (str, pa.string(), lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)),
    (
        bytes,
        pa.binary(),
        lambda t: (
            pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
        ),
    ),
)
_PLACEHOLDERS: dict[type, object] = {bool: False, int: 0, float: 0.0, str: "", bytes: b""}

_layouts: WeakKeyDictionary[type[BaseModel], StructNode] = WeakKeyDictionary()
_in_progress: set[type[BaseModel]] = set()
_compile_lock = threading.RLock()


def struct_node(cls: type[BaseModel]) -> StructNode:
    """The (cached) layout of ``cls``; InvalidRequest if a field has no Arrow mapping."""
    cached = _layouts.get(cls)
    if cached is not None:
        return cached
    with _compile_lock:
        cached = _layouts.get(cls)
        if cached is not None:
            return cached
        if cls in _in_progress:
            raise InvalidRequest(
                f"{cls.__qualname__} contains itself: a recursive ontology has no Arrow schema"
            )
        _in_progress.add(cls)
        try:
            node = _compile_struct(cls)
        finally:
            _in_progress.discard(cls)
        _layouts[cls] = node
        return node


def _compile_struct(cls: type[BaseModel]) -> StructNode:
    if not cls.__pydantic_complete__ and not cls.model_rebuild(raise_errors=False):
        raise InvalidRequest(
            f"{cls.__qualname__} has unresolved annotations; define the types it refers to "
            "before using it"
        )
    fields = tuple(
        _field_node(name, info, f"{cls.__qualname__}.{name}")
        for name, info in cls.model_fields.items()
    )
    names = [f.name for f in fields]
    return StructNode(
        model=cls,
        arrow_type=pa.struct([f.arrow_field for f in fields]),
        fields=fields,
        build=instance_builder(cls, names),
        read_values=itemgetter(*names) if len(names) > 1 else tuple,
    )


def _field_node(name: str, info: FieldInfo, where: str) -> FieldNode:
    base, metadata, optional = _unwrap(info.annotation, list(info.metadata))
    node = _node(base, metadata, where)
    nullable = optional
    for marker in metadata:
        if isinstance(marker, ArrowNullable):
            nullable = marker.nullable
    if optional and not nullable:
        raise InvalidRequest(f"{where} accepts None but is marked non-nullable in Arrow")
    description = {"description": info.description} if info.description else None
    return FieldNode(
        name=name,
        node=node,
        nullable=nullable,
        arrow_field=pa.field(name, node.arrow_type, nullable=nullable, metadata=description),
        from_dict=itemgetter(name),
        placeholder=_placeholder(node, base),
    )


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any], bool]:
    """Strip ``Annotated`` and ``| None`` layers: (base type, all metadata, accepts None)."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin is typing.Union or origin is types.UnionType:
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, metadata, optional  # rejected by _node
            optional = True
            annotation = members[0]
        else:
            return annotation, metadata, optional


def _node(base: Any, metadata: list[Any], where: str) -> Node:
    if isinstance(base, type) and issubclass(base, BaseModel):
        return struct_node(base)
    if get_origin(base) is list:
        return _list_node(base, metadata, where)
    return LeafNode(_leaf_type(base, metadata, where))


def _list_node(base: Any, metadata: list[Any], where: str) -> ListNode:
    (item_annotation,) = get_args(base) or (Any,)
    item_base, item_metadata, _ = _unwrap(item_annotation, [])
    item = _node(item_base, item_metadata, f"{where}[]")
    sizes = [m.size for m in metadata if isinstance(m, FixedSize)]
    size = sizes[-1] if sizes else None
    # Arrow list items stay nullable, as in pa.list_(t): that is the catalogue's `list<t>`.
    item_field = FieldNode(
        name="item",
        node=item,
        nullable=True,
        arrow_field=pa.field("item", item.arrow_type),
        from_dict=itemgetter("item"),
        placeholder=None,
    )
    arrow_type = pa.list_(item.arrow_type) if size is None else pa.list_(item.arrow_type, size)
    has_struct = isinstance(item, StructNode) or (isinstance(item, ListNode) and item.has_struct)
    return ListNode(arrow_type=arrow_type, item=item_field, size=size, has_struct=has_struct)


def _leaf_type(base: Any, metadata: list[Any], where: str) -> pa.DataType:
    pinned = [m.arrow_type for m in metadata if isinstance(m, ArrowType)]
    for python_type, default, accepts in _PYTHON_TYPES:
        if isinstance(base, type) and issubclass(base, python_type):
            if not pinned:
                return default
            if accepts(pinned[-1]):
                return pinned[-1]
            raise InvalidRequest(
                f"{where} is annotated {python_type.__name__} but pinned to Arrow type "
                f"{pinned[-1]}; use a marker that matches the Python type"
            )
    raise InvalidRequest(
        f"{where} has type {base!r}, which has no Arrow mapping; use int, float, str, bool, "
        "bytes, list[...], X | None, a Serializable subclass or a smalto.ontology.types marker"
    )


def _placeholder(node: Node, base: Any) -> object:
    if isinstance(node, ListNode):
        return [] if node.size is None else [node.item.placeholder] * node.size
    if isinstance(node, LeafNode):
        for python_type, value in _PLACEHOLDERS.items():
            if isinstance(base, type) and issubclass(base, python_type):
                return value
    return None
