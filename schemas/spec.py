"""What a table is made of: its Pandera model, its key, and the raw fields it is typed from.

One `Table` per published table lives in the module named after the table. Everything that
describes a table (codebook, data package, error messages) is derived from these specs, so
they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandera.pandas as pa

FieldKind = Literal["text", "integer", "date", "boolean", "id_list", "id"]


@dataclass(frozen=True)
class RawField:
    """A field of a raw YAML record and the published column it fills.

    A `date` field fills two columns: `<column>` (first day of the period) and the
    precision column next to it (`start_date` -> `start_precision`, `date` ->
    `date_precision`). An `id` field (one id) and an `id_list` field (a YAML list) both
    fill a `;`-separated text column.
    """

    name: str
    kind: FieldKind
    column: str
    required: bool = False

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
class ForeignKey:
    """`columns` of this table refer to `reference_columns` of `reference_table`.

    `list_separator` is set when the column holds several ids separated by it.
    """

    columns: str
    reference_table: str
    reference_columns: str
    list_separator: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    model: type[pa.DataFrameModel]
    primary_key: tuple[str, ...]
    raw_file: str | None = None
    raw_fields: tuple[RawField, ...] = ()
    derived_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)

    def raw_field_of(self, column: str) -> str | None:
        """The raw field a published column is typed from, if any."""
        for raw in self.raw_fields:
            if column in raw.columns:
                return raw.name
        return None
