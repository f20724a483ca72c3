"""Versioning: what changed between two releases, and the version bump that follows.

Works on the published files themselves (CSV for values, Parquet for types), so that a
release on disk and a release just built are compared the same way.

- major: a table or column removed, or a column's type changed;
- minor: a table, column or row added, or a row removed;
- patch: only values corrected (or only the descriptive files changed).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from flows.steps.render import csv_text
from schemas import FIGURE_TABLES, TABLES
from schemas.figures import CONTRIBUTOR, YEAR

Bump = Literal["major", "minor", "patch"]
BUMPS: tuple[Bump, ...] = ("major", "minor", "patch")
FIRST_VERSION = "1.0.0"


@dataclass
class TableDiff:
    """The changes of one table between two releases, by primary key."""

    table: str
    added_table: bool = False
    removed_table: bool = False
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    retyped_columns: list[tuple[str, str, str]] = field(default_factory=list)
    added_rows: list[str] = field(default_factory=list)
    removed_rows: list[str] = field(default_factory=list)
    changed_values: list[tuple[str, str, str, str]] = field(default_factory=list)
    # In a table of figures: (figure now preferred, those of its group it replaces, why).
    newly_preferred: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added_table
            or self.removed_table
            or self.added_columns
            or self.removed_columns
            or self.retyped_columns
            or self.added_rows
            or self.removed_rows
            or self.changed_values
        )

    @property
    def bump(self) -> Bump | None:
        if self.removed_table or self.removed_columns or self.retyped_columns:
            return "major"
        if self.added_table or self.added_columns or self.added_rows or self.removed_rows:
            return "minor"
        return "patch" if self.changed_values else None


def _tables_in(files: dict[str, bytes]) -> list[str]:
    return sorted(n.removesuffix(".csv") for n in files if n.endswith(".csv"))


def _types(data: bytes) -> dict[str, str]:
    schema = pq.read_schema(io.BytesIO(data))
    return {f.name: str(f.type) for f in schema}


def _key(name: str, columns: list[str]) -> list[str]:
    table = TABLES.get(name)
    key = list(table.primary_key) if table else []
    return key if key and set(key) <= set(columns) else columns


def diff_table(name: str, old: dict[str, bytes], new: dict[str, bytes]) -> TableDiff:
    """Changes of table `name`; `old` and `new` map file names to bytes."""
    diff = TableDiff(name)
    csv, parquet = f"{name}.csv", f"{name}.parquet"
    if csv not in old:
        diff.added_table = True
        return diff
    if csv not in new:
        diff.removed_table = True
        return diff
    before, after = csv_text(old[csv]), csv_text(new[csv])
    diff.added_columns = [c for c in after.columns if c not in before.columns]
    diff.removed_columns = [c for c in before.columns if c not in after.columns]
    if parquet in old and parquet in new:
        old_types, new_types = _types(old[parquet]), _types(new[parquet])
        diff.retyped_columns = [
            (c, old_types[c], new_types[c])
            for c in new_types
            if c in old_types and old_types[c] != new_types[c]
        ]
    key = _key(name, [c for c in after.columns if c in before.columns])
    before_rows = before.set_index(key, drop=False)
    after_rows = after.set_index(key, drop=False)
    diff.added_rows = sorted(_row_id(i) for i in after_rows.index.difference(before_rows.index))
    diff.removed_rows = sorted(_row_id(i) for i in before_rows.index.difference(after_rows.index))
    shared = [c for c in after.columns if c in before.columns]
    both = after_rows.index.intersection(before_rows.index).sort_values()
    # Whole columns at once, then only the cells that differ, row by row in key order.
    old_cells = before_rows.loc[both, shared].to_numpy(dtype=object)
    new_cells = after_rows.loc[both, shared].to_numpy(dtype=object)
    for row, column in np.argwhere(old_cells != new_cells):
        diff.changed_values.append(
            (_row_id(both[row]), shared[column], old_cells[row, column], new_cells[row, column])
        )
    diff.newly_preferred = newly_preferred(name, before, after)
    return diff


def newly_preferred(
    name: str, before: pd.DataFrame, after: pd.DataFrame
) -> list[tuple[str, str, str]]:
    """In a table of figures, each figure preferred now in a group that had figures before
    and preferred another (or none), with the figures of its group preferred before
    (`;`-separated) and why: the step of the rule that decided (`preferred_by`) and who
    made the claim. A group is found in the old release by the same columns, the year
    taken from `as_of_date` where the old release had no such column."""
    figures = FIGURE_TABLES.get(name)
    if figures is None or "preferred" not in before.columns or "preferred" not in after.columns:
        return []
    columns = [*figures.group, CONTRIBUTOR]
    old = before.assign(**{YEAR: before["as_of_date"].str[:4]}) if YEAR in columns else before
    old_groups = old.groupby(columns, sort=False)
    found = []
    for key, rows in after.groupby(columns, sort=True):
        if key not in old_groups.groups:
            continue  # a new group: its rows are listed as added
        was = old_groups.get_group(key)
        was_preferred = sorted(was.loc[was["preferred"] == "true", "figure_id"])
        for row in rows[rows["preferred"] == "true"].to_dict("records"):
            if row["figure_id"] not in was_preferred:
                why = row.get("preferred_by", "")
                claimant = row.get("claimant", "")
                reason = f"{why}: {claimant}" if claimant else why
                found.append((row["figure_id"], ";".join(was_preferred), reason))
    return found


def _row_id(index: object) -> str:
    return ":".join(index) if isinstance(index, tuple) else str(index)


def diff_release(old: dict[str, bytes], new: dict[str, bytes]) -> list[TableDiff]:
    """Per-table changes between two releases' files (all tables of either)."""
    names = sorted(set(_tables_in(old)) | set(_tables_in(new)))
    return [diff_table(n, old, new) for n in names]


def bump_for(diffs: list[TableDiff]) -> Bump:
    """The largest bump any table needs; `patch` when only descriptive files changed."""
    bumps = {d.bump for d in diffs}
    return next((b for b in BUMPS if b in bumps), "patch")


def next_version(current: str | None, bump: Bump) -> str:
    if current is None:
        return FIRST_VERSION
    major, minor, patch = (int(p) for p in current.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@dataclass(frozen=True)
class ReleaseInfo:
    """Which release is being made: version, date, and what changed since `previous`."""

    version: str
    date: str
    previous: str | None
    bump: Bump | None
    diffs: tuple[TableDiff, ...] = ()


def release_day() -> dt.date:
    """Today in UTC, or the day of `SOURCE_DATE_EPOCH` when it is set (reproducible builds):
    the date a release made now carries, and the latest day its records may be current as of."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date()
