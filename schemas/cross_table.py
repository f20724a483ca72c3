"""Rules that span rows or tables, which a single table's Pandera model cannot express.

Each rule takes the typed tables and returns `Violation`s that point at a row and column,
so the caller can turn them into `FILE:LINE` messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from schemas import RAW_TABLES
from schemas.ids import split_ids
from schemas.vocabulary import TREATY_SIGNED

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Violation:
    table: str
    row: int
    column: str
    message: str


def references_exist(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Every id a row refers to exists in the table it names."""
    for table in RAW_TABLES:
        for fk in table.foreign_keys:
            known = tables[fk.reference_table][fk.reference_columns].dropna()
            values = tables[table.name][fk.columns].dropna()
            if fk.list_separator:
                values = split_ids(values, fk.list_separator)
            for row, ref in values[~values.isin(known)].items():
                yield Violation(
                    table.name,
                    row,
                    fk.columns,
                    f"refers to {fk.reference_table}.{fk.reference_columns} {ref!r}, "
                    "which does not exist",
                )


def sources_are_cited(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A source that no row cites does not belong in the dataset."""
    cited = [
        split_ids(tables[table.name][fk.columns], fk.list_separator).drop_duplicates()
        for table in RAW_TABLES
        for fk in table.foreign_keys
        if fk.reference_table == "sources"
    ]
    sources = tables["sources"]["source_id"].dropna()
    for row, source in sources[~sources.isin(pd.concat(cited))].items():
        yield Violation("sources", row, "source_id", f"source {source!r} is never cited")


def last_day(first: pd.Series, precision: pd.Series) -> pd.Series:
    """The last day of each period given by its first day and precision."""
    month_end = first + pd.offsets.MonthEnd(0)
    year_end = first + pd.offsets.YearEnd(0)
    return first.where(precision != "month", month_end).where(precision != "year", year_end)


def _periods(frame: pd.DataFrame, name: str) -> Iterator[Violation]:
    both = frame["start_date"].notna() & frame["end_date"].notna()
    end = last_day(frame["end_date"], frame["end_precision"])
    for row in frame.index[both & (end < frame["start_date"])]:
        end, start = frame.at[row, "end_date"], frame.at[row, "start_date"]
        yield Violation(
            name,
            row,
            "end_date",
            f"ends before it starts (end {end:%Y-%m-%d}, start {start:%Y-%m-%d})",
        )


def spells_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A spell ends after it starts, says how it ended, and no two spells of a state overlap."""
    spells = tables["members"]
    yield from _periods(spells, "members")
    for row in spells.index[spells["end_date"].notna() & spells["end_how"].isna()]:
        yield Violation("members", row, "end_how", "a spell with an end must say how it ended")
    for row in spells.index[spells["end_date"].isna() & spells["end_how"].notna()]:
        yield Violation("members", row, "end_how", "says how a spell ended, but it has no end")
    dated = spells[spells["start_date"].notna()].sort_values(["iso3", "start_date"], kind="stable")
    for _, state in dated.groupby("iso3", sort=True):
        previous = None
        for row, spell in state.iterrows():
            if previous is not None and (
                pd.isna(previous["end_date"]) or spell["start_date"] < previous["end_date"]
            ):
                yield Violation(
                    "members",
                    row,
                    "start_date",
                    f"overlaps the {previous['status']} spell of {spell['iso3']} that starts "
                    f"{previous['start_date']:%Y-%m-%d}",
                )
            previous = spell


def dates_within_lifetime(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Nothing happens before the treaty was signed, or after the curation date."""
    first, last = pd.Timestamp(TREATY_SIGNED), pd.Timestamp(as_of)
    for table in RAW_TABLES:
        if table.name == "sources":
            continue
        for raw in table.raw_fields:
            if raw.kind != "date":
                continue
            days = tables[table.name][raw.column]
            for row, day in days[days.notna() & ((days < first) | (days > last))].items():
                yield Violation(
                    table.name,
                    row,
                    raw.column,
                    f"dated outside the treaty's lifetime {first:%Y-%m-%d} to "
                    f"{last:%Y-%m-%d} (the dataset's as_of) (found {day:%Y-%m-%d})",
                )


def operations_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    yield from _periods(tables["operations"], "operations")


def figures_within_operation(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A troop figure refers to a day on which its operation was under way."""
    # Duplicate ids are reported by the model; here the first of them stands.
    operations = tables["operations"].drop_duplicates("operation_id").set_index("operation_id")
    ends = last_day(operations["end_date"], operations["end_precision"])
    ends = ends.fillna(pd.Timestamp(as_of))
    figures = tables["troop_deployments"]
    start = figures["operation_id"].map(operations["start_date"])
    end = figures["operation_id"].map(ends)
    day = figures["as_of_date"]
    outside = start.notna() & day.notna() & ((day < start) | (day > end))
    for row in figures.index[outside]:
        yield Violation(
            "troop_deployments",
            row,
            "as_of_date",
            f"outside the dates of operation {figures.at[row, 'operation_id']} "
            f"({start[row]:%Y-%m-%d} to {end[row]:%Y-%m-%d}) "
            f"(found {day[row]:%Y-%m-%d})",
        )


def one_preferred_figure(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Exactly one figure per operation and contributor (or total) is marked preferred."""
    figures = tables["troop_deployments"]
    groups = figures.assign(who=figures["contributor_iso3"].fillna("total")).groupby(
        ["operation_id", "who"], sort=True
    )
    for (operation, who), group in groups:
        marked = int(group["preferred"].fillna(False).sum())
        if marked != 1:
            yield Violation(
                "troop_deployments",
                group.index[0],
                "preferred",
                f"{marked} figures for {who} in {operation} are marked preferred; "
                "exactly one must be",
            )


RULES: tuple[Callable[[Tables, dt.date], Iterator[Violation]], ...] = (
    references_exist,
    sources_are_cited,
    spells_are_ordered,
    dates_within_lifetime,
    operations_are_ordered,
    figures_within_operation,
    one_preferred_figure,
)


def check(tables: Tables, as_of: dt.date) -> list[Violation]:
    """Every violation of every cross-table rule."""
    return [v for rule in RULES for v in rule(tables, as_of)]
