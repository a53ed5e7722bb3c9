"""Unvalidated bulk construction of model instances from per-field columns (the read hot path).

Rows read back from the server were checked against the topic schema when they were written, so
revalidating every value would only burn time. A builder does what ``model_construct`` does,
minus its per-call overhead: ``cls.__new__`` plus the four slots pydantic keeps on an instance.
Its source is generated per class (as `dataclasses` does) so the instance dicts come from one
comprehension of dict literals and every other step is a C-level ``map``; a generic
``dict(zip(names, row))`` loop is about twice as slow.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

from pydantic import BaseModel

__all__ = ["InstanceBuilder", "gc_paused", "instance_builder"]

InstanceBuilder = Callable[..., list[Any]]
"""``build(n, column_0, column_1, ...)`` → ``n`` instances, one column per field in order."""

_SLOTS = BaseModel.__dict__
_NAMESPACE: dict[str, Any] = {
    "new": object.__new__,
    "repeat": repeat,
    "consume": deque(maxlen=0).extend,
    "set_dict": _SLOTS["__dict__"].__set__,
    "set_fields_set": _SLOTS["__pydantic_fields_set__"].__set__,
    "set_extra": _SLOTS["__pydantic_extra__"].__set__,
    "set_private": _SLOTS["__pydantic_private__"].__set__,
}


def instance_builder(cls: type[BaseModel], names: Sequence[str]) -> InstanceBuilder:
    """Compile a builder of ``cls`` instances whose fields ``names`` come from columns."""
    namespace = {**_NAMESPACE, "cls": cls}
    exec(_builder_source(cls, names), namespace)  # the source holds only repr()s of field names
    builder: InstanceBuilder = namespace["build"]
    return builder


def _builder_source(cls: type[BaseModel], names: Sequence[str]) -> str:
    columns = [f"c{i}" for i in range(len(names))]
    values = [f"v{i}" for i in range(len(names))]
    items = (f"{name!r}: {value}" for name, value in zip(names, values, strict=True))
    rows = (
        f"for {', '.join(values)}, in zip({', '.join(columns)})" if names else "for _ in range(n)"
    )
    # All instances share one fields-set: it already holds every field, so pydantic's
    # ``__setattr__`` (which adds the assigned name) never changes it.
    fields_set = "{" + ", ".join(repr(name) for name in names) + "}" if names else "set()"
    allows_extra = cls.model_config.get("extra") == "allow"
    extra = "({} for _ in range(n))" if allows_extra else "repeat(None)"
    lines = [
        f"def build(n, {''.join(c + ', ' for c in columns)}):",
        "    objs = list(map(new, repeat(cls, n)))",
        f"    consume(map(set_dict, objs, [{{{', '.join(items)}}} {rows}]))",
        f"    consume(map(set_fields_set, objs, repeat({fields_set})))",
        f"    consume(map(set_extra, objs, {extra}))",
        "    consume(map(set_private, objs, repeat(None)))",
    ]
    if cls.__pydantic_post_init__:
        lines.append("    consume(o.model_post_init(None) for o in objs)")
    lines.append("    return objs")
    return "\n".join(lines) + "\n"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Suspend automatic cyclic garbage collection while many new objects are built.

    Allocating millions of container objects triggers collections that traverse the whole heap
    over and over (measured: reads several times slower). Instances built from columns hold no
    reference cycles, so nothing is lost by deferring collection until the batch is done.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
