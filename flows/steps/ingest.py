"""Ingest: read `raw/*.yaml` into typed DataFrames, remembering where each value came from.

Values are read as text and typed here, column by column, not by the YAML parser, so that
`1993-12` stays a month, `200.5` is caught as not a whole number, and every problem can
name its line. `flows/steps/yaml_cells.py` reads the files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from flows.steps.memo import TableMemo
from flows.steps.problems import Problem
from flows.steps.versioning import release_day
from flows.steps.yaml_cells import (
    BAD_LIST,
    CELL_SCHEMA,
    LIST,
    MAPPING,
    PLAIN,
    QUOTED,
    Cells,
    cells_of,
    compose_text,
    file_bytes,
    true_at,
)
from schemas import RAW_TABLES
from schemas.spec import RawField, Table

DATASET_FILE = "dataset.yaml"
_NULLS = ["", "~", "null", "Null", "NULL"]  # a plain null is the same as no value
# The largest whole number every published format and reader holds exactly: Stata keeps
# a number beyond its `long` as a double, whose 53-bit mantissa rounds 2**53 + 1, and so do
# JSON readers in JavaScript (their `Number.MAX_SAFE_INTEGER`).
LARGEST = 2**53 - 1


@dataclass
class RawRecords:
    """The raw tables, typed, with the file and line of every record and field."""

    raw_dir: Path
    as_of: dt.date
    tables: dict[str, pd.DataFrame]
    # per table: the line of each record ("") and of each raw field (0: not given)
    lines: dict[str, pd.DataFrame] = field(default_factory=dict)
    # per raw file name: the bytes read (None: refused), which the release is made of
    read: dict[str, bytes | None] = field(default_factory=dict)

    def file_of(self, table: Table | str) -> str:
        name = table if isinstance(table, str) else table.name
        spec = next(t for t in RAW_TABLES if t.name == name)
        return str(self.raw_dir / str(spec.raw_file))

    def locate(self, table: Table, row: int, column: str | None, message: str) -> Problem:
        """A problem at a row and published column, placed on the raw field's line."""
        raw_field = table.raw_field_of(column) if column else None
        lines = self.lines[table.name]
        line = int(lines.at[row, raw_field]) if raw_field in lines else 0
        line = line or int(lines.at[row, ""])
        return Problem(self.file_of(table), line, table.name, raw_field or "record", message)


def ingest(raw_dir: Path) -> tuple[RawRecords, list[Problem]]:
    """Read every raw table; return the records and every problem found while typing them."""
    problems: list[Problem] = []
    records = RawRecords(raw_dir=raw_dir, as_of=dt.date(dt.MAXYEAR, 1, 1), tables={})
    records.as_of = _read_as_of(records, problems)
    for table in RAW_TABLES:
        path = raw_dir / str(table.raw_file)
        data, found = file_bytes(path, table.name)
        records.read[str(table.raw_file)] = data
        problems += found
        frame, lines = _read_table(path, table, data, problems)
        records.tables[table.name] = frame
        records.lines[table.name] = lines
    return records, problems


# Tables typed from files read without a problem, by declaration and bytes; handed out as
# copies, so that a caller that changes its frames changes nothing another caller gets.
_TYPED: TableMemo[tuple[pd.DataFrame, pd.DataFrame]] = TableMemo()


def _read_table(
    path: Path, table: Table, data: bytes | None, problems: list[Problem]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The typed frame of a raw file's bytes (None: unreadable) and the line of every field."""
    digest = hashlib.sha256(data).digest() if data is not None else b""
    kept = _TYPED.get(table, digest) if data is not None else None
    if kept is not None:
        return kept[0].copy(), kept[1].copy()
    found: list[Problem] = []
    cells: Cells | None = None
    if data is not None:
        cells, found = cells_of(data, path, table.name, tuple(f.name for f in table.raw_fields))
    frame, lines = _typed_table(str(path), table, cells, found)
    problems += found
    if data is not None and not found:
        _TYPED.put(table, digest, (frame.copy(), lines.copy()))
    return frame, lines


def _read_as_of(records: RawRecords, problems: list[Problem]) -> dt.date:
    path = records.raw_dir / DATASET_FILE
    fallback = records.as_of
    where = str(path)
    data, found = file_bytes(path, "dataset")
    records.read[DATASET_FILE] = data
    if data is not None:
        node, found = compose_text(data, path, "dataset")
    problems += found
    if data is None or node is None:
        return fallback
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(where, 1, "dataset", "as_of", "expected a mapping"))
        return fallback
    for key, value in node.value:
        if key.value == "as_of" and isinstance(value, yaml.ScalarNode):
            day, today = _a_day(value.value), release_day()
            if day is not None and day <= today:
                return day
            line = value.start_mark.line + 1
            message = (
                f"not a day (found {value.value!r})"
                if day is None
                else f"after today, {today.isoformat()}: the records cannot be current as of "
                f"a day still to come (found {value.value})"
            )
            problems.append(Problem(where, line, "dataset", "as_of", message))
            return fallback
    problems.append(Problem(where, 1, "dataset", "as_of", "required field is missing"))
    return fallback


def _a_day(text: str) -> dt.date | None:
    """`text` as a day written `YYYY-MM-DD`, by the rule of every date field, or None."""
    ok, days = _as_date(pa.array([text], pa.string()))
    return days[0].as_py().date() if len(text) == 10 and ok[0].as_py() else None


def _typed_table(
    path: str, table: Table, cells: Cells | None, problems: list[Problem]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table's frame, with the dtypes of its model, and the line of every field."""
    record_lines = cells.record_lines if cells else np.zeros(0, np.int64)
    by_key = dict(cells.by_key) if cells else {}
    n = len(record_lines)
    columns: dict[str, pd.Series] = {}
    lines = pd.DataFrame({"": record_lines})
    for raw in table.raw_fields:
        given = by_key.pop(raw.name, CELL_SCHEMA.empty_table())
        given = _first_of_each_record(path, table, raw.name, given, record_lines, problems)
        at = np.full(n, -1, np.int64)  # the cell of each record, -1: none
        at[np.searchsorted(record_lines, given["record_line"].to_numpy())] = np.arange(len(given))
        lines[raw.name] = np.append(given["line"].to_numpy(), 0)[at]
        if raw.required:
            for line in record_lines[at < 0]:
                problems.append(
                    Problem(path, int(line), table.name, raw.name, "required field is missing")
                )
        values = _typed_values(path, table.name, raw, given, problems)
        every = len(given) == n and bool((at == np.arange(n)).all())  # in order: no take
        take = pa.array(at, mask=at < 0)
        for column, value in values.items():
            columns[column] = _series(raw, column, value if every else value.take(take))
    for key, unknown in by_key.items():
        known = ", ".join(f.name for f in table.raw_fields)
        for line in unknown["line"].to_pylist():
            problems.append(Problem(path, line, table.name, key, f"unknown field (known: {known})"))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    if table.derived_key:
        parts = [_key_text(frame[c]) for c in table.derived_key]
        key = reduce(lambda a, b: a + ":" + b, parts).astype("str")
        frame.insert(0, table.primary_key[0], key)
    dtypes = table.model.to_schema().columns
    for column in table.computed_columns:  # filled by build
        frame[column] = pd.Series(pd.NA, index=frame.index, dtype=str(dtypes[column].dtype))
    return frame[table.columns], lines


def _first_of_each_record(
    path: str,
    table: Table,
    name: str,
    cells: pa.Table,
    record_lines: np.ndarray,
    problems: list[Problem],
) -> pa.Table:
    """The cells of one field, keeping the first of a record that gives the field twice."""
    counts = np.bincount(np.searchsorted(record_lines, cells["record_line"].to_numpy()))
    if counts.max(initial=0) <= 1:
        return cells
    cells = cells.take(pa.array(np.argsort(cells["line"].to_numpy(), kind="stable")))
    twice = pd.Series(cells["record_line"].to_numpy()).duplicated().to_numpy()
    for line in cells["line"].to_numpy()[twice]:
        problems.append(Problem(path, int(line), table.name, name, "field is given twice"))
    return cells.filter(pa.array(~twice))


def _typed_values(
    path: str, table: str, raw: RawField, cells: pa.Table, problems: list[Problem]
) -> dict[str, pa.Array]:
    """The typed values of one raw field, one per cell (null where wrong or not given).

    Checks run on whole columns; only the cells that fail are looked at one by one, to
    say why.
    """
    kind, text = cells["kind"].combine_chunks(), cells["text"].combine_chunks()
    scalar = pc.is_in(kind, pa.array([PLAIN, QUOTED]))
    if raw.kind == "id_list":
        wrong = pc.invert(pc.equal(kind, LIST))
        value = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    else:
        # a plain null, or an empty value however quoted, is not given
        plain_null = pc.and_(pc.equal(kind, PLAIN), pc.is_in(text, pa.array(_NULLS)))
        null = pc.or_(plain_null, pc.equal(text, ""))
        wanted = pc.and_(scalar, pc.invert(null))
        ok, value = _TYPERS.get(raw.kind, _as_text)(text)
        wrong = pc.or_(pc.invert(scalar), pc.and_(wanted, pc.invert(ok)))
        value = pc.if_else(wanted, value, pa.scalar(None, value.type))
    wrong_np = true_at(wrong)
    if wrong_np.any():
        lines = cells["line"].to_numpy()
        for i in np.flatnonzero(wrong_np):
            message = _why(raw, kind[i].as_py(), text[i].as_py())
            problems.append(Problem(path, int(lines[i]), table, raw.name, message))
        value = pc.if_else(wrong, pa.scalar(None, value.type), value)
    if raw.kind == "date":
        year_only = pc.equal(pc.utf8_length(text), 4)
        month_only = pc.equal(pc.utf8_length(text), 7)
        precision = pc.if_else(year_only, "year", pc.if_else(month_only, "month", "day"))
        precision = pc.if_else(pc.is_null(value), pa.scalar(None, pa.string()), precision)
        return {raw.column: value, raw.precision_column: precision}
    return {raw.column: value}


def _as_text(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    return pa.array(np.ones(len(text), dtype=bool)), text


def _as_integer(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    ok = pc.match_substring_regex(text, r"^[+-]?[0-9]+$")
    magnitude = pc.replace_substring_regex(text, r"^[+-]?0*", "")
    size = pc.utf8_length(magnitude)
    largest = str(LARGEST)
    fits = pc.or_(
        pc.less(size, len(largest)),
        pc.and_(pc.equal(size, len(largest)), pc.less_equal(magnitude, largest)),
    )
    usable = pc.and_(ok, fits)
    digits = pc.if_else(usable, pc.replace_substring_regex(text, r"^\+", ""), "0")
    return usable, pc.cast(digits, pa.int64())


def _as_boolean(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    lower = pc.utf8_lower(text)
    return pc.is_in(lower, pa.array(["true", "false"])), pc.equal(lower, "true")


def _as_date(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first day of the period; a real day only."""
    shaped = pc.and_(
        pc.match_substring_regex(text, r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
        pc.invert(pc.starts_with(text, "0000")),
    )
    suffix = pa.scalar("-01-01", text.type)
    joined = pc.binary_join_element_wise(text, suffix, pa.scalar("", text.type))
    padded = pc.if_else(shaped, pc.utf8_slice_codeunits(joined, 0, 10), "1970-01-01")
    days = pd.to_datetime(pd.Series(padded, dtype="str"), format="%Y-%m-%d", errors="coerce")
    stamps = pa.array(days.astype("datetime64[us]"), pa.timestamp("us"))
    return pc.and_(shaped, pc.is_valid(stamps)), stamps


_TYPERS = {"integer": _as_integer, "boolean": _as_boolean, "date": _as_date}


def _why(raw: RawField, kind: str, text: str) -> str:
    """Why one cell cannot be a value of `raw`."""
    if raw.kind == "id_list":
        if kind == BAD_LIST:
            return "expected a list of ids"
        shown = "a mapping" if kind == MAPPING else repr(text)
        return f"expected a list like [a, b] (found {shown})"
    if kind in (LIST, BAD_LIST, MAPPING):
        return f"expected a single value (found a {'mapping' if kind == MAPPING else 'sequence'})"
    if raw.kind == "integer":
        if re.fullmatch(r"[+-]?[0-9]+", text):
            return (
                f"too large (found {text}; at most {LARGEST:,}, the largest whole number "
                "that every published format and its readers hold exactly)"
            )
        return f"not a whole number (found {text!r})"
    if raw.kind == "boolean":
        return f"expected true or false (found {text!r})"
    return f"not a real date as YYYY-MM-DD, YYYY-MM or YYYY (found {text!r})"


def _series(raw: RawField, column: str, values: pa.Array) -> pd.Series:
    """One column with the dtype of the model."""
    missing = true_at(pc.is_null(values))
    if raw.kind == "integer":
        data = pc.fill_null(values, 0).to_numpy()
        return pd.Series(pd.arrays.IntegerArray(data.astype(np.int64), missing))
    if raw.kind == "boolean":
        data = true_at(values)
        return pd.Series(pd.arrays.BooleanArray(data, missing))
    if raw.kind == "date" and column == raw.column:
        return pd.Series(values.to_pandas(), dtype="datetime64[us]")
    return pd.Series(values, dtype="str")


def _key_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        year = column.dt.year.astype("Int64").astype("str").str.zfill(4)
        return (year + column.dt.strftime("-%m-%d")).fillna("")
    return column.astype("str").fillna("TOTAL")
