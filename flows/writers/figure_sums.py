"""The groups of a table of figures (an operation; an exercise and measure; a force) whose
preferred figures per contributor do not add up to their preferred total, so that the page
and the codebook warn before anyone sums them. What a group is, and what is counted, is
the table's `FIGURES` declaration (`schemas/figures.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schemas import FIGURE_TABLES
from schemas.figures import CONTRIBUTOR


@dataclass(frozen=True)
class Mismatch:
    """The preferred figures of one group: per contributor, summed, and the total.

    `group` holds the group's values as text, in the order of the table's group columns.
    """

    group: tuple[str, ...]
    contributors: int
    total: int


def mismatched_groups(table: str, files: dict[str, bytes]) -> dict[tuple[str, ...], Mismatch]:
    """By group, in order, every group of the table of figures `table` whose
    `contributors_add_up` is false."""
    figures = FIGURE_TABLES[table]
    columns = [*figures.group, CONTRIBUTOR, figures.count, "preferred", "contributors_add_up"]
    read = pq.read_table(pa.BufferReader(files[f"{table}.parquet"]), columns=columns)
    preferred = read.filter(pc.fill_null(read["preferred"], False))
    # The flag is the group's: every preferred figure of a group that does not add up.
    wrong = preferred.filter(pc.invert(pc.fill_null(preferred["contributors_add_up"], True)))
    is_total = pc.is_null(wrong[CONTRIBUTOR])
    sums = [
        _sums(wrong.filter(pc.invert(is_total)), figures.group, figures.count),
        _sums(wrong.filter(is_total), figures.group, figures.count),
    ]
    return {
        group: Mismatch(group, sums[0].get(group, 0), sums[1].get(group, 0))
        for group in sorted(sums[0].keys() | sums[1].keys())
    }


def _sums(figures: pa.Table, group: tuple[str, ...], count: str) -> dict[tuple[str, ...], int]:
    summed = figures.group_by(list(group)).aggregate([(count, "sum")]).to_pylist()
    return {tuple(str(row[c]) for c in group): row[f"{count}_sum"] or 0 for row in summed}


def mismatches(files: dict[str, bytes]) -> dict[str, Mismatch]:
    """By operation id, every operation of `troop_deployments` whose `contributors_add_up`
    is false."""
    return {m.group[0]: m for m in mismatched_groups("troop_deployments", files).values()}
