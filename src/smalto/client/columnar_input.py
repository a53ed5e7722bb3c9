"""Columnar data given to `TopicWriter.push_batch`, checked and shaped to the topic's schema.

Accepted: a ``pyarrow.Table`` or ``RecordBatch`` (nested struct columns, or flattened ones), a
pandas or polars DataFrame, or a mapping of column name → numpy array / list / Arrow array.
Flattened columns use dotted names (``acceleration.x``) and are nested back into the topic's
structs. Everything is done by Arrow, column at a time: no Python runs per row. A problem is
reported as `InvalidRequest` naming the first bad column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pyarrow as pa

from smalto.errors import InvalidRequest

__all__ = ["ColumnarData", "as_topic_table"]

ColumnarData = Any
"""``pa.Table | pa.RecordBatch | pandas.DataFrame | polars.DataFrame | Mapping[str, array-like]``
(pandas and polars are optional, so the union cannot be spelled statically)."""


def as_topic_table(data: ColumnarData, schema: pa.Schema, topic: str) -> pa.Table:
    """``data`` as a table with exactly ``schema`` (same columns, order, types, nullability).

    Columns may come nested or flattened with dotted names; absent nullable columns become
    nulls; values are cast safely (``int64`` → ``int16`` fails on overflow, not silently).
    """
    columns = _columns_of(data, topic)
    arrays = [_column(field, field.name, columns, topic) for field in schema]
    unknown = [name for name in columns if not _used(name, schema)]
    if unknown:
        raise InvalidRequest(
            f"push_batch to {topic!r}: column {unknown[0]!r} is not in the topic's schema; "
            f"its columns are {', '.join(_leaf_names(schema))}"
        )
    return pa.Table.from_arrays(arrays, schema=schema)


def _columns_of(data: ColumnarData, topic: str) -> dict[str, pa.ChunkedArray[Any]]:
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    elif not isinstance(data, pa.Table):
        data = _table_from_foreign(data, topic)
    names = data.column_names
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise InvalidRequest(f"push_batch to {topic!r}: column {duplicate!r} appears twice")
    return dict(zip(names, data.columns, strict=True))


def _table_from_foreign(data: ColumnarData, topic: str) -> pa.Table:
    library = type(data).__module__.split(".")[0]
    if library == "polars" and hasattr(data, "to_arrow"):
        table: pa.Table = data.to_arrow()
        return table
    if library == "pandas" and hasattr(data, "columns"):
        try:
            return pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise InvalidRequest(f"push_batch to {topic!r}: {exc}") from exc
    if isinstance(data, Mapping):
        arrays: dict[str, Any] = {}
        for name, values in data.items():
            try:
                arrays[str(name)] = values if isinstance(values, pa.Array) else pa.array(values)
            except (pa.ArrowException, TypeError, ValueError) as exc:
                raise InvalidRequest(
                    f"push_batch to {topic!r}: column {name!r} cannot become an Arrow array: {exc}"
                ) from exc
        try:
            return pa.table(arrays)
        except pa.ArrowInvalid as exc:
            raise InvalidRequest(f"push_batch to {topic!r}: {exc}") from exc
    raise InvalidRequest(
        f"push_batch takes a pyarrow Table or RecordBatch, a pandas or polars DataFrame or a "
        f"dict of arrays, got {type(data).__name__}"
    )


def _column(
    field: pa.Field[Any], path: str, columns: dict[str, pa.ChunkedArray[Any]], topic: str
) -> pa.ChunkedArray[Any]:
    """The values of ``field`` (at dotted ``path``), from its own column or its children's."""
    given = columns.get(path)
    if given is not None:
        return _checked(given, field, path, topic)
    if pa.types.is_struct(field.type) and _has_children(path, columns):
        children = [_column(child, f"{path}.{child.name}", columns, topic) for child in field.type]
        chunks = [
            pa.StructArray.from_arrays(parts, fields=list(field.type))
            for parts in zip(*(child.chunks for child in _aligned(children)), strict=True)
        ]
        if not chunks:
            chunks = [
                pa.StructArray.from_arrays(
                    [c.combine_chunks() for c in children], fields=list(field.type)
                )
            ]
        return pa.chunked_array(cast("list[pa.Array[Any]]", chunks))
    if not field.nullable:
        raise InvalidRequest(
            f"push_batch to {topic!r}: column {path!r} is required (non-null) but missing"
        )
    return pa.chunked_array([pa.nulls(_length(columns), field.type)])


def _checked(
    values: pa.ChunkedArray[Any], field: pa.Field[Any], path: str, topic: str
) -> pa.ChunkedArray[Any]:
    if values.type != field.type:
        try:
            values = values.cast(field.type, safe=True)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise InvalidRequest(
                f"push_batch to {topic!r}: column {path!r} is {values.type}, which does not "
                f"convert to the topic's {field.type}: {exc}"
            ) from exc
    if values.null_count and not field.nullable:
        raise InvalidRequest(
            f"push_batch to {topic!r}: column {path!r} is non-null but has "
            f"{values.null_count} null value(s)"
        )
    return values


def _aligned(children: list[pa.ChunkedArray[Any]]) -> list[pa.ChunkedArray[Any]]:
    """The children with the same chunk boundaries (combined when they differ)."""
    layouts = {tuple(len(chunk) for chunk in child.chunks) for child in children}
    if len(layouts) == 1:
        return children
    return [pa.chunked_array([child.combine_chunks()], child.type) for child in children]


def _has_children(path: str, columns: dict[str, pa.ChunkedArray[Any]]) -> bool:
    prefix = f"{path}."
    return any(name.startswith(prefix) for name in columns)


def _length(columns: dict[str, pa.ChunkedArray[Any]]) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _used(name: str, schema: pa.Schema) -> bool:
    """Whether ``name`` (possibly dotted) names a column or nested field of ``schema``."""
    head, *rest = name.split(".")
    index = schema.get_field_index(head)
    if index < 0:
        return False
    kind = schema.field(index).type
    for part in rest:
        if not pa.types.is_struct(kind) or kind.get_field_index(part) < 0:
            return False
        kind = kind.field(part).type
    return True


def _leaf_names(schema: pa.Schema) -> list[str]:
    names: list[str] = []

    def walk(prefix: str, kind: pa.DataType) -> None:
        if pa.types.is_struct(kind):
            for child in kind:
                walk(f"{prefix}.{child.name}", child.type)
        else:
            names.append(prefix)

    for field in schema:
        walk(field.name, field.type)
    return names
