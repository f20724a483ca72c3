"""Render: published tables as deterministic CSV, Parquet and Stata bytes.

Nothing here reads the clock or the environment: the same tables give the same bytes.
Parquet carries no pandas metadata and a schema derived from the Pandera model (dates as
`date32`, counts as `int64`, nullable where the model allows missing values).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.steps.memo import TableMemo, frame_digest
from flows.steps.stata import stata_bytes
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


def arrow_table(name: str, frame: pd.DataFrame) -> pa.Table:
    """A table as Arrow, with the schema of its model and no pandas metadata."""
    table = pa.Table.from_pandas(frame, schema=arrow_schema(name), preserve_index=False)
    return table.replace_schema_metadata(None)


def csv_bytes(table: pa.Table) -> bytes:
    """UTF-8 CSV, header row, `\\n` line ends, ISO dates, `true`/`false`, empty for missing.

    Byte for byte what pandas' `to_csv` writes (minimal quoting: a cell is quoted when it
    holds a comma, a quote or a newline), built column-wise in Arrow: ten times faster.
    """
    header = ",".join(
        _quoted_if_needed(pa.array(table.column_names, pa.large_string())).to_pylist()
    )
    cells = [_csv_cells(column) for column in table.columns]
    if len(cells) == 1:  # a lone empty cell would read as a blank line
        cells[0] = pc.if_else(pc.equal(cells[0], ""), '""', cells[0])
    newline = pa.scalar("\n", pa.large_string())
    empty = pa.scalar("", pa.large_string())
    rows = pc.binary_join_element_wise(
        pc.binary_join_element_wise(*cells, pa.scalar(",", pa.large_string())), newline, empty
    )
    return (header + "\n").encode() + b"".join(_string_bytes(chunk) for chunk in rows.chunks)


def _csv_cells(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One column as the text of its CSV cells."""
    if pa.types.is_date(column.type):
        text = column.cast(pa.string())  # ISO: YYYY-MM-DD
    elif pa.types.is_boolean(column.type):
        text = pc.if_else(column, "true", "false")
    elif pa.types.is_integer(column.type):
        text = column.cast(pa.string())
    else:
        text = _quoted_if_needed(column)
    return pc.fill_null(text.cast(pa.large_string()), "")


def _quoted_if_needed(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    text = text.cast(pa.large_string())
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
    return pc.if_else(pc.match_substring_regex(text, '[,"\\n]'), quoted, text)


def _string_bytes(chunk: pa.Array) -> bytes:
    """The characters of a string array, all of its values one after another."""
    offsets = np.frombuffer(chunk.buffers()[1], np.int64)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    return chunk.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]] if len(chunk) else b""


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, store_schema=False, compression="zstd")
    return sink.getvalue()


# The files of each table in a release, by suffix.
TABLE_SUFFIXES = (".csv", ".parquet", ".dta")
# The largest file a release may hold: the repository host refuses a larger one in a push
# (GitHub's limit is 100 MiB), so the scheduled run could never publish it.
MAX_FILE_BYTES = 100 * 1024**2


# The files of each table content rendered in this process (the Stata writer alone takes
# a tenth of a second for a small table): a table rendered again is taken from here.
_RENDERED: TableMemo[tuple[bytes, bytes, bytes]] = TableMemo()


def render_tables(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """`<table>.csv`, `<table>.parquet` and `<table>.dta` for every table."""
    files: dict[str, bytes] = {}
    for name, frame in tables.items():
        digest = frame_digest(frame)
        rendered = _RENDERED.get(TABLES[name], digest)
        if rendered is None:
            table = arrow_table(name, frame)
            rendered = (csv_bytes(table), parquet_bytes(table), stata_bytes(name, frame))
            _RENDERED.put(TABLES[name], digest, rendered)
        for suffix, data in zip(TABLE_SUFFIXES, rendered, strict=True):
            files[f"{name}{suffix}"] = data
    return files


def csv_text(data: bytes, nrows: int | None = None) -> pd.DataFrame:
    """A published CSV as text cells, missing values as empty strings: how users see it."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, nrows=nrows)


def first_values(data: bytes, chunk: int = 1000) -> dict[str, str]:
    """The first non-empty cell of each column of a published CSV ("" if it has none).

    Reads only as many rows as it needs: usually the first chunk.
    """
    found: dict[str, str] = {}
    with pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, chunksize=chunk) as rows:
        for part in rows:
            for column in part.columns.difference(list(found)):
                given = part[column][part[column] != ""]
                if len(given):
                    found[column] = given.iloc[0]
            if len(found) == len(part.columns):
                break
    return found


def parquet_rows(data: bytes) -> int:
    """The number of rows of a Parquet file, from its footer."""
    rows: int = pq.read_metadata(pa.BufferReader(data)).num_rows
    return rows
