"""The CSV writer gives the bytes pandas' `to_csv` gives, for any text, at any size."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.steps.render import csv_bytes

# Characters that CSV quoting, UTF-8 and line handling care about, and some ordinary ones.
TEXT = st.text(alphabet=st.sampled_from(list(",\"\n\r\t '#;=é€😀ab1-")), max_size=8)


def pandas_csv(frame: pd.DataFrame) -> bytes:
    """How the release wrote CSV before: pandas, with `true`/`false` for booleans."""
    out = frame.copy()
    for column in out.columns:
        if str(out[column].dtype) == "boolean":
            out[column] = out[column].map({True: "true", False: "false"}).astype("str")
    return out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode()


FRAMES = st.tuples(
    st.lists(
        st.tuples(
            st.none() | TEXT,
            st.none() | st.integers(-(2**63), 2**63 - 1),
            st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
            st.none() | st.booleans(),
        ),
        max_size=6,
    ),
    st.integers(1, 4),
)


# Each example is a batch of small tables: the profile's number of examples
# (tests/conftest.py) then writes about fifteen times as many, which cost little each.
@settings(deadline=None)
@given(frames=st.lists(FRAMES, min_size=10, max_size=20))
def test_csv_is_byte_for_byte_what_pandas_writes(frames: list[tuple[list[tuple], int]]) -> None:
    for rows, columns in frames:
        names = ["text", "count", "day", "flag"][:columns]
        dtypes = {"text": "str", "count": "Int64", "day": "datetime64[us]", "flag": "boolean"}
        frame = pd.DataFrame(
            {n: pd.Series([r[i] for r in rows], dtype=dtypes[n]) for i, n in enumerate(names)}
        )
        types = {"text": pa.string(), "count": pa.int64(), "day": pa.date32(), "flag": pa.bool_()}
        schema = pa.schema([(n, types[n]) for n in names])
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        assert csv_bytes(table) == pandas_csv(frame)


def test_a_table_rendered_again_after_a_change_gets_its_new_files() -> None:
    """`render_tables` keeps each table content's files: the same content is given the
    same bytes, a changed cell is rendered anew."""
    from flows.steps.render import render_tables

    row = {"table": "members", "record_id": "ARM", "source_id": "a", "role": "supports"}
    frame = pd.DataFrame([row]).astype("str")
    first = render_tables({"citations": frame})
    assert render_tables({"citations": frame.copy()}) == first
    changed = render_tables({"citations": frame.assign(source_id="b")})
    assert all(changed[n] != first[n] for n in first)
