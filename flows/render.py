"""Render: published tables as deterministic CSV and Parquet bytes.

Nothing here reads the clock or the environment: the same tables give the same bytes.
Parquet carries no pandas metadata and a schema derived from the Pandera model (dates as
`date32`, counts as `int64`, nullable where the model allows missing values).
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import TABLES


def arrow_type(dtype: object) -> pa.DataType:
    text = str(dtype)
    if text.startswith("datetime64"):
        return pa.date32()
    if text == "Int64":
        return pa.int64()
    if text in ("boolean", "bool"):
        return pa.bool_()
    return pa.string()


def arrow_schema(name: str) -> pa.Schema:
    """The Parquet schema of a table, from its Pandera model."""
    columns = TABLES[name].model.to_schema().columns
    return pa.schema(
        [pa.field(c, arrow_type(col.dtype), nullable=col.nullable) for c, col in columns.items()]
    )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV, header row, `\\n` line ends, ISO dates, `true`/`false`, empty for missing."""
    out = frame.copy()
    for column in out.columns:
        if str(out[column].dtype) in ("boolean", "bool"):
            out[column] = out[column].map({True: "true", False: "false"}).astype("str")
    return out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode("utf-8")


def parquet_bytes(name: str, frame: pd.DataFrame) -> bytes:
    schema = arrow_schema(name)
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)
    sink = io.BytesIO()
    pq.write_table(table, sink, store_schema=False, compression="zstd")
    return sink.getvalue()


def render_tables(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """`<table>.csv` and `<table>.parquet` for every table."""
    files: dict[str, bytes] = {}
    for name, frame in tables.items():
        files[f"{name}.csv"] = csv_bytes(frame)
        files[f"{name}.parquet"] = parquet_bytes(name, frame)
    return files


def csv_text(data: bytes) -> pd.DataFrame:
    """A published CSV as text cells, missing values as empty strings: how users see it."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
