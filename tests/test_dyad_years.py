"""dyad_years is exactly what `members` says, derived here a second, slower way: day by day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from flows.orchestration.pipeline import validated
from flows.steps.build import build
from schemas.vocabulary import FIRST_YEAR, PARTY_STATUSES


def party_days(members: pd.DataFrame, as_of: dt.date) -> dict[str, set[dt.date]]:
    """Every day on which each state was a party, walking each spell day by day."""
    days: dict[str, set[dt.date]] = {}
    for spell in members[members["status"].isin(PARTY_STATUSES)].itertuples():
        day = spell.start_date.date()
        end = as_of + dt.timedelta(days=1) if pd.isna(spell.end_date) else spell.end_date.date()
        while day < end:
            days.setdefault(spell.iso3, set()).add(day)
            day += dt.timedelta(days=1)
    return days


def test_dyad_years_are_the_pairs_of_parties_on_some_day_and_on_the_last_day(
    raw_dir: Path,
) -> None:
    records = validated(raw_dir)
    tables = build(records)
    as_of = records.as_of
    days = party_days(tables["members"], as_of)
    expected = set()
    for year in range(FIRST_YEAR, as_of.year + 1):
        last = as_of if year == as_of.year else dt.date(year, 12, 31)
        year_days = {
            d
            for d in (dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366))
            if d.year == year and d <= last
        }
        for a, a_days in days.items():
            for b, b_days in days.items():
                if a != b and a_days & year_days and b_days & year_days:
                    expected.add((a, b, year, last in a_days and last in b_days))
    dyads = tables["dyad_years"]
    found = set(
        zip(
            dyads["iso3_a"],
            dyads["iso3_b"],
            dyads["year"].astype(int),
            dyads["both_on_31_december"].astype(bool),
            strict=True,
        )
    )
    assert found == expected


def test_every_dyad_appears_in_both_directions(raw_dir: Path) -> None:
    dyads = build(validated(raw_dir))["dyad_years"]
    forward = set(zip(dyads["iso3_a"], dyads["iso3_b"], dyads["year"], strict=True))
    assert forward == {(b, a, y) for a, b, y in forward}
