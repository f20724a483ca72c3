"""Build: the published tables from the validated raw tables.

Raw tables are sorted by their key; `membership_years` and `citations` are derived here.
Pure functions: the same records always give the same tables.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from flows.ingest import RawRecords
from schemas import DERIVED_TABLES, RAW_TABLES, TABLES
from schemas.cross_table import ids_in
from schemas.vocabulary import FIRST_YEAR


def build(records: RawRecords) -> dict[str, pd.DataFrame]:
    """Every published table, in publication order, rows sorted by primary key."""
    tables = {t.name: _sorted(records.tables[t.name], t.primary_key) for t in RAW_TABLES}
    tables["membership_years"] = membership_years(
        tables["members"], tables["countries"], records.as_of
    )
    tables["citations"] = citations(tables)
    for derived in DERIVED_TABLES:  # a failure here is a bug in this module, not in raw/
        derived.model.validate(tables[derived.name])
    return {name: tables[name] for name in TABLES}


def _sorted(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    return frame.sort_values(list(key), kind="stable").reset_index(drop=True)


def membership_years(
    members: pd.DataFrame, countries: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """One row per state that ever had a spell and year, with its status on 31 December.

    For the last year the reference day is `as_of`, the curation date. A spell is in force
    from its start day up to, not including, its end day. A `not_member` year cites the
    sources of the spell that ended last before it, or else of the first spell after it.
    """
    cow = countries.set_index("iso3")["cow_code"]
    rows = []
    for iso3, spells in members.sort_values("start_date").groupby("iso3", sort=True):
        for year in range(FIRST_YEAR, as_of.year + 1):
            day = pd.Timestamp(as_of if year == as_of.year else dt.date(year, 12, 31))
            started = spells[spells["start_date"] <= day]
            current = started[started["end_date"].isna() | (started["end_date"] > day)]
            if len(current):
                spell = current.iloc[-1]
                status, spell_id, sources = spell["status"], spell["spell_id"], spell["source_ids"]
            else:
                ended = started if len(started) else spells
                sources = (ended.iloc[-1] if len(started) else ended.iloc[0])["source_ids"]
                status, spell_id = "not_member", None
            rows.append((iso3, cow.get(iso3), year, status, spell_id, sources))
    frame = pd.DataFrame(
        rows, columns=["iso3", "cow_code", "year", "status", "spell_id", "source_ids"]
    )
    return frame.astype(
        {
            "iso3": "str",
            "cow_code": "Int64",
            "year": "Int64",
            "status": "str",
            "spell_id": "str",
            "source_ids": "str",
        }
    )


def citations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (table, row, source) for every table that cites sources."""
    rows = []
    for name, frame in tables.items():
        table = TABLES[name]
        if "source_ids" not in frame.columns:
            continue
        keys = frame[list(table.primary_key)].astype("str").agg(":".join, axis=1)
        for record_id, value in zip(keys, frame["source_ids"], strict=True):
            rows += [(name, record_id, source) for source in ids_in(value, ";")]
    frame = pd.DataFrame(sorted(set(rows)), columns=["table", "record_id", "source_id"])
    return frame.astype("str")
