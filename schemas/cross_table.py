"""Rules that span rows or tables, which a single table's Pandera model cannot express.

Each rule takes the typed tables and returns `Violation`s that point at a row and column,
so the caller can turn them into `FILE:LINE` messages. The rules here hold for every table
(references, citations, dates); a rule about one table is registered in its own module
with `@cross_table_rule`, beside its model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from schemas.ids import split_ids
from schemas.spec import RULES, Tables, Violation, cross_table_rule, iso_day
from schemas.vocabulary import PARTY_STATUSES, TREATY_SIGNED


@cross_table_rule
def references_exist(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Every id a row refers to exists in the table it names."""
    from schemas import RAW_TABLES

    for table in RAW_TABLES:
        for fk in table.foreign_keys:
            # A set: pandas' isin on Arrow strings walks the ids in Python per call.
            known = set(tables[fk.reference_table][fk.reference_columns].dropna().tolist())
            values = tables[table.name][fk.columns].dropna()
            if fk.list_separator:
                values = split_ids(values, fk.list_separator)
            missing = [ref not in known for ref in values.tolist()]
            for row, ref in values[missing].items():
                yield Violation(
                    table.name,
                    row,
                    fk.columns,
                    f"refers to {fk.reference_table}.{fk.reference_columns} {ref!r}, "
                    "which does not exist",
                )


@cross_table_rule
def sources_are_cited(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A source that no row cites does not belong in the dataset."""
    from schemas import RAW_TABLES

    cited = [
        split_ids(tables[table.name][fk.columns], fk.list_separator or ";").drop_duplicates()
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


def ends_before_start(frame: pd.DataFrame, name: str) -> Iterator[Violation]:
    """Rows of a table with `start_date` and `end_date` whose end comes before the start."""
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


@cross_table_rule
def dates_within_lifetime(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Nothing happens before the treaty was signed, or after the curation date."""
    from schemas import RAW_TABLES

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
                    f"dated outside the treaty's lifetime {iso_day(first)} to "
                    f"{iso_day(last)} (the dataset's as_of) (found {iso_day(day)})",
                )


def check(tables: Tables, as_of: dt.date) -> list[Violation]:
    """Every violation of every registered cross-table rule."""
    return [v for rule in RULES for v in rule(tables, as_of)]


def periods_in_order(
    frame: pd.DataFrame, table: str, noun: str, key: str, within: list[str]
) -> Iterator[Violation]:
    """Rows that are periods (`start_date`, `end_date`, `end_how`): each ends after it
    starts, says how it ended exactly when it has an end, and no two of one group (the
    rows with the same `within` values; all rows for `[]`) overlap. `key` names a row."""
    yield from ends_before_start(frame, table)
    for row in frame.index[frame["end_date"].notna() & frame["end_how"].isna()]:
        yield Violation(table, row, "end_how", f"a {noun} with an end must say how it ended")
    for row in frame.index[frame["end_date"].isna() & frame["end_how"].notna()]:
        yield Violation(table, row, "end_how", f"says how a {noun} ended, but it has no end")
    dated = frame[frame["start_date"].notna()].sort_values([*within, "start_date"], kind="stable")
    groups = [group for _, group in dated.groupby(within, sort=True)] if within else [dated]
    for group in groups:
        previous = None
        for row, period in group.iterrows():
            if previous is not None and (
                pd.isna(previous["end_date"]) or period["start_date"] < previous["end_date"]
            ):
                yield Violation(table, row, "start_date", f"overlaps the {noun} {previous[key]}")
            previous = period


def not_parties(
    tables: Tables,
    table: str,
    column: str,
    day_column: str = "date",
    statuses: tuple[str, ...] = PARTY_STATUSES,
) -> Iterator[Violation]:
    """Rows naming in `column` (one ISO3 code, or several separated by `;`) a state that
    was not a party to the treaty (a spell of a status in `PARTY_STATUSES`) on the row's
    `day_column`: a session chaired, or a request made, by a state outside the alliance.
    `statuses`: the statuses of the spells that count."""
    frame = tables[table]
    states = split_ids(frame[column]).rename("iso3").reset_index()
    states["day"] = frame[day_column].reindex(states["index"]).to_numpy()
    states = states[states["day"].notna()]
    spells = tables["members"]
    spells = spells[spells["status"].isin(statuses) & spells["start_date"].notna()]
    pairs = states.merge(spells, on="iso3", how="left")
    ends = last_day(pairs["end_date"], pairs["end_precision"])
    covered = (pairs["start_date"] <= pairs["day"]) & (ends.isna() | (pairs["day"] < ends))
    party = covered.groupby([pairs["index"], pairs["iso3"]]).any()
    for (row, iso3), is_party in party.items():
        if not is_party:
            day = frame.at[row, day_column]
            yield Violation(
                table,
                int(row),
                column,
                f"{iso3} was not a party to the treaty on {day:%Y-%m-%d} (no spell in "
                f"members with status {' or '.join(statuses)} covers the day)",
            )
