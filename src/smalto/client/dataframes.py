"""Arrow tables as pandas or polars DataFrames with nested structs flattened to dotted names."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "flatten_structs",
    "require_pandas",
    "require_polars",
    "table_to_dataframe",
    "table_to_polars",
]


def require_pandas() -> None:
    """Raise an ImportError naming the extra to install when pandas is missing."""
    try:
        importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("to_pandas() needs pandas: pip install 'smalto[pandas]'") from exc


def require_polars() -> None:
    """Raise an ImportError naming the extra to install when polars is missing."""
    try:
        importlib.import_module("polars")
    except ImportError as exc:
        raise ImportError("to_polars() needs polars: pip install 'smalto[polars]'") from exc


def flatten_structs(table: pa.Table) -> pa.Table:
    """Replace every struct column by its children, named ``parent.child``, at every depth."""
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table


def table_to_dataframe(table: pa.Table) -> pd.DataFrame:
    """One DataFrame per table: struct fields become columns like ``acceleration.x``."""
    require_pandas()
    return flatten_structs(table).to_pandas()


def table_to_polars(table: pa.Table) -> pl.DataFrame:
    """A polars DataFrame of ``table``, struct fields flattened as in `table_to_dataframe`.

    Zero-copy where Arrow and polars share the layout (numeric columns without nulls).
    """
    require_polars()
    polars = importlib.import_module("polars")
    frame: pl.DataFrame = polars.from_arrow(flatten_structs(table), rechunk=False)
    return frame
