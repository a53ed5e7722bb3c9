"""Arrow tables as pandas DataFrames with nested structs flattened to dotted column names."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["flatten_structs", "require_pandas", "table_to_dataframe"]


def require_pandas() -> None:
    """Raise an ImportError naming the extra to install when pandas is missing."""
    try:
        importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("to_pandas() needs pandas: pip install 'smalto[pandas]'") from exc


def flatten_structs(table: pa.Table) -> pa.Table:
    """Replace every struct column by its children, named ``parent.child``, at every depth."""
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table


def table_to_dataframe(table: pa.Table) -> pd.DataFrame:
    """One DataFrame per table: struct fields become columns like ``acceleration.x``."""
    require_pandas()
    return flatten_structs(table).to_pandas()
