"""Ingest: read `raw/*.yaml` into typed DataFrames, remembering where each value came from.

Values are read as text and typed here, not by the YAML parser, so that `1993-12` stays a
month, `200.5` is caught as not a whole number, and every problem can name its line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import re
from dataclasses import dataclass, field
from functools import cache, reduce
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from flows.problems import Problem
from schemas import RAW_TABLES
from schemas.spec import RawField, Table

DATASET_FILE = "dataset.yaml"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEANS = {"true": True, "false": False}
# libyaml's composer is about ten times faster and keeps the same line marks. No implicit
# tags are resolved: every value is typed here, from its text.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class RawRecords:
    """The raw tables, typed, with the file and line of every record and field."""

    raw_dir: Path
    as_of: dt.date
    tables: dict[str, pd.DataFrame]
    lines: dict[str, list[dict[str, int]]] = field(default_factory=dict)

    def file_of(self, table: Table | str) -> str:
        name = table if isinstance(table, str) else table.name
        spec = next(t for t in RAW_TABLES if t.name == name)
        return str(self.raw_dir / str(spec.raw_file))

    def locate(self, table: Table, row: int, column: str | None, message: str) -> Problem:
        """A problem at a row and published column, placed on the raw field's line."""
        raw_field = table.raw_field_of(column) if column else None
        lines = self.lines[table.name][row]
        line = lines.get(raw_field or "", lines[""])
        return Problem(self.file_of(table), line, table.name, raw_field or "record", message)


def parse_date(text: str) -> tuple[dt.date, str] | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as (first day of the period, precision)."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    if year == 0:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= calendar.monthrange(year, month or 1)[1]:
        return None
    precision = "day" if day else "month" if month else "year"
    return dt.date(year, month or 1, day or 1), precision


def ingest(raw_dir: Path) -> tuple[RawRecords, list[Problem]]:
    """Read every raw table; return the records and every problem found while typing them."""
    problems: list[Problem] = []
    # A YAML tree is millions of small objects that all stay alive: the cyclic garbage
    # collector would rescan them again and again (measured: 9.7 s against 1.7 s to compose
    # 10^5 troop figures), and there is no cycle to collect.
    gc.disable()
    try:
        as_of = _read_as_of(raw_dir, problems)
        records = RawRecords(raw_dir=raw_dir, as_of=as_of, tables={})
        for table in RAW_TABLES:
            frame, lines = _read_table(raw_dir, table, problems)
            records.tables[table.name] = frame
            records.lines[table.name] = lines
    finally:
        gc.enable()
    return records, problems


def _compose(path: Path, table: str, problems: list[Problem]) -> yaml.Node | None:
    if not path.is_file():
        problems.append(Problem(str(path), 1, table, "file", "file is missing"))
        return None
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
        if node is None:
            problems.append(Problem(str(path), 1, table, "file", "file has no records"))
        return node
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(Problem(str(path), line, table, "yaml", f"YAML does not parse ({what})"))
    except UnicodeDecodeError as error:
        problems.append(Problem(str(path), 1, table, "file", f"not UTF-8 ({error.reason})"))
    return None


def _read_as_of(raw_dir: Path, problems: list[Problem]) -> dt.date:
    path = raw_dir / DATASET_FILE
    fallback = dt.date(dt.MAXYEAR, 1, 1)
    node = _compose(path, "dataset", problems)
    if node is None:
        return fallback
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(str(path), 1, "dataset", "as_of", "expected a mapping"))
        return fallback
    for key, value in node.value:
        if key.value == "as_of" and isinstance(value, yaml.ScalarNode):
            parsed = parse_date(value.value)
            if parsed and parsed[1] == "day":
                return parsed[0]
            where = value.start_mark.line + 1
            problems.append(
                Problem(str(path), where, "dataset", "as_of", f"not a day (found {value.value!r})")
            )
            return fallback
    problems.append(Problem(str(path), 1, "dataset", "as_of", "required field is missing"))
    return fallback


def _read_table(
    raw_dir: Path, table: Table, problems: list[Problem]
) -> tuple[pd.DataFrame, list[dict[str, int]]]:
    path = raw_dir / str(table.raw_file)
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, int]] = []
    root = _compose(path, table.name, problems)
    if root is not None and not isinstance(root, yaml.SequenceNode):
        problems.append(
            Problem(str(path), root.start_mark.line + 1, table.name, "file", "expected a list")
        )
        root = None
    for item in root.value if root is not None else []:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(str(path), line, table.name, "record", "expected a mapping"))
            continue
        row, where = _read_record(str(path), table, item, problems)
        rows.append(row)
        lines.append({"": line, **where})
    return _frame(table, rows), lines


def _read_record(
    path: str, table: Table, node: yaml.MappingNode, problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, int]]:
    fields = _fields(table)
    row: dict[str, Any] = dict.fromkeys(_columns(table))
    where: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        line = key_node.start_mark.line + 1
        if name in where:
            problems.append(Problem(path, line, table.name, name, "field is given twice"))
            continue
        where[name] = line
        raw = fields.get(name)
        if raw is None:
            known = ", ".join(fields)
            problems.append(
                Problem(path, line, table.name, name, f"unknown field (known: {known})")
            )
            continue
        value, error = _typed(raw, value_node)
        if error:
            problems.append(Problem(path, line, table.name, name, error))
        elif raw.kind == "date" and value is not None:
            row[raw.column], row[raw.precision_column] = value
        elif value is not None:
            row[raw.column] = value
    record_line = node.start_mark.line + 1
    for raw in table.raw_fields:
        if raw.required and raw.name not in where:
            problems.append(
                Problem(path, record_line, table.name, raw.name, "required field is missing")
            )
    return row, where


@cache
def _fields(table: Table) -> dict[str, RawField]:
    return {f.name: f for f in table.raw_fields}


@cache
def _columns(table: Table) -> tuple[str, ...]:
    return tuple(c for f in table.raw_fields for c in f.columns)


def _typed(raw: RawField, node: yaml.Node) -> tuple[Any, str | None]:
    """The value of one raw field, or why it has the wrong type."""
    if raw.kind == "id_list":
        if isinstance(node, yaml.SequenceNode):
            items = [n.value for n in node.value if isinstance(n, yaml.ScalarNode)]
            if len(items) != len(node.value) or not all(items):
                return None, "expected a list of ids"
            return (";".join(items) if items else None), None
        return None, f"expected a list like [a, b] (found {_shown(node)})"
    if not isinstance(node, yaml.ScalarNode):
        return None, f"expected a single value (found a {type(node).__name__[:-4].lower()})"
    text = node.value.strip() if node.style is None else node.value
    if node.style is None and text in _NULLS:
        return None, None
    if raw.kind == "integer":
        if not _INTEGER.match(text):
            return None, f"not a whole number (found {text!r})"
        if abs(int(text)) >= 2**63:
            return None, f"too large (found {text})"
        return int(text), None
    if raw.kind == "boolean":
        if text.lower() not in _BOOLEANS:
            return None, f"expected true or false (found {text!r})"
        return _BOOLEANS[text.lower()], None
    if raw.kind == "date":
        parsed = parse_date(text)
        if parsed is None:
            return None, f"not a real date as YYYY-MM-DD, YYYY-MM or YYYY (found {text!r})"
        return parsed, None
    return text, None


def _shown(node: yaml.Node) -> str:
    return repr(node.value) if isinstance(node, yaml.ScalarNode) else "a mapping"


def _frame(table: Table, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with the dtypes of the table's model."""
    frame = pd.DataFrame(rows, columns=[c for f in table.raw_fields for c in f.columns])
    for raw in table.raw_fields:
        if raw.kind == "date":
            frame[raw.column] = pd.to_datetime(frame[raw.column]).astype("datetime64[us]")
            frame[raw.precision_column] = frame[raw.precision_column].astype("str")
        elif raw.kind == "integer":
            frame[raw.column] = frame[raw.column].astype("Int64")
        elif raw.kind == "boolean":
            frame[raw.column] = frame[raw.column].astype("boolean")
        else:
            frame[raw.column] = frame[raw.column].astype("str")
    if table.derived_key:
        key = table.primary_key[0]
        parts = [_key_text(frame[c]) for c in table.derived_key]
        frame.insert(0, key, reduce(lambda a, b: a + ":" + b, parts).astype("str"))
    return frame[table.columns]


def _key_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").fillna("")
    return column.astype("str").fillna("TOTAL")
