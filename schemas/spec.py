"""What a table is made of, declared once in the module named after it.

A table module (`schemas/<table>.py`) holds its Pandera model, whose columns carry their
raw field and the column of another table they refer to on themselves (`metadata={"raw":
..., "refers": ...}`, written with the factories of `schemas/fields.py`), and one
`TABLE = Table(...)` with the table's title, description, keys and place among the
tables. Cross-table rules that concern it are registered beside it with `@cross_table_rule`.
`schemas/__init__.py` finds every such module; everything that describes a table (ingest,
validation, the published files, the codebook, the data package, the page, the README and
the curators' guide) derives from these declarations, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pandera

FieldKind = Literal["text", "integer", "date", "boolean", "id_list"]
RAW = "raw"  # the metadata key of a column's raw field
REFERS = "refers"  # the metadata key of the column it refers to in another table
# What the sources a column cites do for its row, in `citations`: give the row's value, or
# give another value (of the whole row, or of one field).
Cites = Literal["supports", "contradicts"]


def iso_day(day: dt.date) -> str:
    """A day as `YYYY-MM-DD`, the year always in four digits (`strftime` drops the zeros of
    a year before 1000 on Linux: "1-05-15")."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


@dataclass(frozen=True)
class RawField:
    """A field of a raw YAML record and the published column it fills.

    A `date` field fills two columns: `<column>` (first day of the period) and the
    precision column next to it (`start_date` -> `start_precision`, `date` ->
    `date_precision`). An `id_list` field (a YAML list) fills a `;`-separated text column.
    A field is required where its column may not be empty.
    """

    name: str
    kind: FieldKind
    column: str
    required: bool = False
    description: str = ""

    @property
    def precision_column(self) -> str:
        stem = self.column.removesuffix("_date")
        return f"{stem}_precision"

    @property
    def columns(self) -> tuple[str, ...]:
        if self.kind == "date":
            return (self.column, self.precision_column)
        return (self.column,)


@dataclass(frozen=True)
class Reference:
    """What a column refers to: `column` of `table`, declared on the column itself
    (`metadata={"refers": Reference(...)}`, written with `fields.refers`).

    `separator` is set when a cell holds several ids separated by it. `cites` is set on a
    column of ids of `sources` that a row cites: what those sources do for the row, which
    is the role of its links in `citations`.
    """

    table: str
    column: str
    separator: str | None = None
    cites: Cites | None = None


@dataclass(frozen=True)
class ForeignKey:
    """`columns` of this table refer to `reference_columns` of `reference_table`.

    `list_separator` is set when the column holds several ids separated by it; `cites` as
    in `Reference`.
    """

    columns: str
    reference_table: str
    reference_columns: str
    list_separator: str | None = None
    cites: Cites | None = None


def _kind(column: Any, declared: dict[str, Any]) -> FieldKind:
    if declared.get("list"):
        return "id_list"
    dtype = str(column.dtype)
    if dtype.startswith("datetime64"):
        return "date"
    if dtype == "Int64":
        return "integer"
    if dtype in ("boolean", "bool"):
        return "boolean"
    return "text"


@dataclass(frozen=True)
class Table:
    """A published table. `position` orders the tables wherever they are listed; `notes`
    is the codebook's prose about it beyond its description (how to read it, its
    coverage), shown in its section.

    A table whose model names raw fields is read from `raw/<name>.yaml`; one without is
    derived from the others by `flows/steps/build.py`.
    """

    name: str
    title: str
    description: str
    model: type[pandera.DataFrameModel]
    primary_key: tuple[str, ...]
    position: int
    derived_key: tuple[str, ...] = ()
    notes: str = ""

    @cached_property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)

    @cached_property
    def raw_fields(self) -> tuple[RawField, ...]:
        """The raw fields, in column order, from the columns' metadata."""
        found = []
        for name, column in self.model.to_schema().columns.items():
            declared = (column.metadata or {}).get(RAW)
            if declared:
                found.append(
                    RawField(
                        declared["name"],
                        _kind(column, declared),
                        name,
                        required=not column.nullable,
                        description=column.description or "",
                    )
                )
        return tuple(found)

    @cached_property
    def foreign_keys(self) -> tuple[ForeignKey, ...]:
        """The references declared on the columns: first those to the rows of other
        tables, then those to `sources`, each in column order."""
        found = []
        for name, column in self.model.to_schema().columns.items():
            ref = (column.metadata or {}).get(REFERS)
            if ref:
                found.append(ForeignKey(name, ref.table, ref.column, ref.separator, ref.cites))
        return tuple(sorted(found, key=lambda fk: fk.reference_table == "sources"))

    @cached_property
    def computed_columns(self) -> tuple[str, ...]:
        """Columns of a raw table that `flows/steps/build.py` fills from whole tables: not
        typed in, and not the key made from `derived_key`. Empty until then."""
        if not self.raw_fields:
            return ()
        typed = {c for raw in self.raw_fields for c in raw.columns}
        made = {self.primary_key[0]} if self.derived_key else set()
        return tuple(c for c in self.columns if c not in typed | made)

    @property
    def raw_file(self) -> str | None:
        return f"{self.name}.yaml" if self.raw_fields else None

    def raw_field_of(self, column: str) -> str | None:
        """The raw field a published column is typed from, if any."""
        for raw in self.raw_fields:
            if column in raw.columns:
                return raw.name
        return None


Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Violation:
    """A row and column that break a cross-table rule, and why."""

    table: str
    row: int
    column: str
    message: str


Rule = Callable[[Tables, dt.date], Iterator[Violation]]
RULES: list[Rule] = []


def cross_table_rule(rule: Rule) -> Rule:
    """Register a rule that spans rows or tables; `validate` runs every registered rule."""
    RULES.append(rule)
    return rule
