"""Hypothesis strategies for ontology objects and messages, derived from the classes.

Python optionality comes from the pydantic fields, value ranges and float widths from the Arrow
types `data_fields` reports (which `test_schemas` pins to the Mosaico catalogue).
"""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

import pyarrow as pa
from hypothesis import strategies as st
from pydantic import BaseModel

from smalto.ontology import Message, Serializable, data_fields

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UINT32_MAX = 2**32 - 1


def _strip(annotation: Any) -> tuple[Any, bool]:
    """(base type, accepts None) with Annotated and `| None` layers removed."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = annotation.__origin__
        elif origin is typing.Union or origin is types.UnionType:
            (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
            optional = True
        else:
            return annotation, optional


def _integers(arrow_type: pa.DataType) -> st.SearchStrategy[int]:
    bits = arrow_type.bit_width
    if pa.types.is_signed_integer(arrow_type):
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2**bits - 1
    # Bias towards the edges, where conversions overflow when they are wrong.
    return st.sampled_from([low, high, 0]) | st.integers(low, high)


def _floats(arrow_type: pa.DataType) -> st.SearchStrategy[float]:
    width = arrow_type.bit_width
    return st.floats(allow_nan=False, width=width)


def values(base: Any, arrow_type: pa.DataType) -> st.SearchStrategy[Any]:
    """Valid Python values of annotation ``base`` stored as ``arrow_type``."""
    if isinstance(base, type) and issubclass(base, BaseModel):
        return instances(base)
    if get_origin(base) is list:
        item_base, item_optional = _strip(get_args(base)[0])
        items = values(item_base, arrow_type.value_type)
        if item_optional:
            items = st.none() | items
        if pa.types.is_fixed_size_list(arrow_type):
            size = arrow_type.list_size
            return st.lists(items, min_size=size, max_size=size)
        return st.lists(items, max_size=4)
    if base is bool:
        return st.booleans()
    if base is int:
        return _integers(arrow_type)
    if base is float:
        return _floats(arrow_type)
    if base is str:
        return st.text(max_size=12)
    if base is bytes:
        return st.binary(max_size=24)
    raise AssertionError(f"no strategy for {base!r}")


def instances(cls: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Valid instances of ``cls``, None in optional fields included."""
    assert issubclass(cls, Serializable)
    arrow_types = {field.name: field.type for field in data_fields(cls)}
    kwargs = {}
    for name, info in cls.model_fields.items():
        base, optional = _strip(info.annotation)
        strategy = values(base, arrow_types[name])
        kwargs[name] = st.none() | strategy if optional else strategy
    return st.builds(cls, **kwargs)


def messages(cls: type[Serializable]) -> st.SearchStrategy[Message]:
    """Messages carrying ``cls`` objects, with every envelope field exercised."""
    return st.builds(
        Message,
        timestamp_ns=st.sampled_from([INT64_MIN, INT64_MAX]) | st.integers(INT64_MIN, INT64_MAX),
        data=instances(cls),
        recording_timestamp_ns=st.none() | st.integers(INT64_MIN, INT64_MAX),
        frame_id=st.none() | st.text(max_size=8),
        sequence_id=st.none() | st.integers(0, UINT32_MAX),
    )
