"""Sizes: no release file may be larger than the repository host accepts in a push.

A file over `MAX_FILE_BYTES` would make the scheduled run's push fail after publishing, so
such a table is refused like an invalid record, by `check` as by `release`, with what to
do. The Stata file grows first: Stata stores every row of a text column at the width of
its longest value.

Measuring means rendering, which `check` should not pay for on every run: a table whose
cheap upper bound is under the limit cannot be over it, and only a table whose bound is
over it is rendered and measured.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.steps import render
from flows.steps.problems import Problem
from schemas import RAW_TABLES

_PER_CELL = 24  # more than any number, date or flag takes in any of the three formats
_PER_FILE = 1024**2  # headers, labels, footers


def size_bound(frame: pd.DataFrame) -> int:
    """More bytes than any of a table's files takes: every row as wide as the widest
    (four bytes per character, doubled for CSV's quoting), plus a fixed overhead."""
    width = 0
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            longest = values.astype("str").str.len().max()
            width += 8 * int(0 if pd.isna(longest) else longest) + _PER_CELL
        else:
            width += _PER_CELL
    return len(frame) * width + _PER_FILE


def oversize_files(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """The release files over the limit, and their sizes."""
    limit, found = render.MAX_FILE_BYTES, {}
    for name, frame in tables.items():
        if size_bound(frame) <= limit:
            continue
        for file, data in render.render_tables({name: frame}).items():
            if len(data) > limit:
                found[file] = len(data)
    return found


def size_problems(tables: dict[str, pd.DataFrame], raw_dir: Path) -> list[Problem]:
    """A problem for each release file over the limit, at the raw file its table is made
    from (a derived table's: the folder of raw records)."""
    raw_files = {t.name: raw_dir / str(t.raw_file) for t in RAW_TABLES if t.raw_file}
    problems = []
    for file, size in sorted(oversize_files(tables).items()):
        table = file.rpartition(".")[0]
        problems.append(
            Problem(
                str(raw_files.get(table, raw_dir)),
                1,
                table,
                "file",
                f"its release file {file} would be {size:,} bytes, over the "
                f"{render.MAX_FILE_BYTES:,} a release file may hold (the repository host "
                "refuses larger files in a push): split the table, for example by period, "
                "or shorten its longest texts (Stata stores each row at the width of the "
                "longest value of each column)",
            )
        )
    return problems
