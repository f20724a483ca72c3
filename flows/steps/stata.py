"""Stata `.dta` files of the published tables, for the users of ATOP and COW, which ship in
that format: Stata 14 and later (format 118, UTF-8), byte for byte the same for the same
table.

Columns of a controlled vocabulary and `true`/`false` columns become labelled integers
(Stata's value labels, in the vocabulary's order); every variable is labelled with the
start of its description; text has no missing value in Stata, so a missing text is "".
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from schemas import TABLES

# Stata stamps each file with the time it was written; a fixed stamp keeps the bytes a
# function of the table (the day the treaty was signed, for want of a neutral date).
TIME_STAMP = dt.datetime(1992, 5, 15)
LABEL_LENGTH = 80  # Stata's limit for variable and data labels
STR_LIMIT = 2045  # longer text needs Stata's strL type


def allowed_values(column: object) -> list[str] | None:
    """The vocabulary of a column checked with `isin`, in its declared order."""
    for check in getattr(column, "checks", []):
        if check.name == "isin":
            return list(check.statistics["allowed_values"])
    return None


def label(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def stata_bytes(name: str, frame: pd.DataFrame) -> bytes:
    table = TABLES[name]
    columns = table.model.to_schema().columns
    out = pd.DataFrame(index=frame.index)
    dates = {}
    for column, spec in columns.items():
        values = frame[column]
        vocabulary = allowed_values(spec)
        if str(values.dtype) in ("boolean", "bool"):
            text = values.astype("object").map({True: "true", False: "false"})
            out[column] = pd.Categorical(text, categories=["false", "true"])
        elif vocabulary:
            out[column] = pd.Categorical(values, categories=vocabulary)
        elif str(values.dtype).startswith("datetime64"):
            out[column] = values
            dates[column] = "td"
        elif str(values.dtype) == "Int64":
            out[column] = values
        else:
            out[column] = values.astype("object").where(values.notna(), "").astype(str)
    long_text = [
        c
        for c in out.columns
        if out[c].dtype == object and out[c].str.encode("utf-8").str.len().max() > STR_LIMIT
    ]
    value_labels = None
    if out.empty:  # pandas cannot label an empty categorical: give the codes their labels
        value_labels = {
            c: dict(enumerate(out[c].cat.categories))
            for c in out.columns
            if isinstance(out[c].dtype, pd.CategoricalDtype)
        }
        out = out.astype({c: "int8" for c in value_labels})
    sink = io.BytesIO()
    out.to_stata(
        sink,
        write_index=False,
        version=118,
        time_stamp=TIME_STAMP,
        convert_dates=dates,
        convert_strl=long_text,
        data_label=label(table.title),
        variable_labels={c: label(s.description or c) for c, s in columns.items()},
        value_labels=value_labels,
    )
    return sink.getvalue()


_STATA_EPOCH = dt.date(1960, 1, 1)


def stata_text(data: bytes) -> pd.DataFrame:
    """A `.dta` file's cells spelled as its CSV file spells them: labels for labelled
    values, ISO dates, whole numbers without a decimal point, "" for missing.

    Dates are counted from Stata's epoch in Python, not by pandas, whose timestamps end
    in 1677 and 2262.
    """
    with pd.io.stata.StataReader(io.BytesIO(data)) as reader:
        frame = reader.read(convert_dates=False, convert_categoricals=True)
        formats = dict(zip(frame.columns, reader._fmtlist, strict=True))
    spelled = {}
    for column in frame.columns:
        values = frame[column].astype(object).where(frame[column].notna(), None)
        if formats[column].startswith("%td"):
            spelled[column] = [
                "" if v is None else (_STATA_EPOCH + dt.timedelta(days=int(v))).isoformat()
                for v in values
            ]
        elif pd.api.types.is_numeric_dtype(frame[column].dtype):
            spelled[column] = ["" if v is None else _whole(v) for v in values]
        else:
            spelled[column] = ["" if v is None else str(v) for v in values]
    return pd.DataFrame(spelled, columns=frame.columns, dtype="str")


def _whole(value: object) -> str:
    number = float(str(value))
    return str(int(number)) if number.is_integer() else repr(number)
