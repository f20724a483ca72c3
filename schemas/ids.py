"""Cells that hold several ids, separated (`a;b`), as one id per row."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def split_ids(column: pd.Series, separator: str = ";") -> pd.Series:
    """Every id in `column`, indexed by the row it is in; missing cells give none.

    Vectorised in Arrow: `Series.str.split().explode()` makes a Python list per cell.
    """
    present = column.dropna().astype("str")
    lists = pc.split_pattern(pa.array(present.array, pa.large_string()), separator)
    rows = present.index.to_numpy()[pc.list_parent_indices(lists).to_numpy()]
    return pd.Series(pc.list_flatten(lists), index=rows, name=column.name, dtype="str")
