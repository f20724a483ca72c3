"""Build: the published tables from the validated raw tables.

Raw tables are sorted by their key; `membership_years`, `dyad_years`, `chairmanships`,
`citations` and `coverage` are derived here.
Pure functions: the same records always give the same tables.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from itertools import permutations
from typing import Any

import pandas as pd

from flows.steps.ingest import RawRecords
from schemas import DERIVED_TABLES, FIGURE_TABLES, RAW_TABLES, TABLES
from schemas.exercises import with_umbrellas
from schemas.external_codings import with_agreement
from schemas.ids import split_ids
from schemas.vocabulary import FIRST_YEAR, PARTY_STATUSES


def build(records: RawRecords) -> dict[str, pd.DataFrame]:
    """Every published table, in publication order, rows sorted by primary key."""
    tables = {t.name: _sorted(records.tables[t.name], t.primary_key) for t in RAW_TABLES}
    for name, figures in FIGURE_TABLES.items():
        tables[name] = figures.with_computed(tables[name])
    tables["membership_years"] = membership_years(
        tables["members"], tables["countries"], records.as_of
    )
    tables["external_codings"] = with_agreement(tables["external_codings"], tables["members"])
    tables["exercises"] = with_umbrellas(tables["exercises"])
    tables["dyad_years"] = dyad_years(tables["members"], tables["countries"], records.as_of)
    tables["chairmanships"] = chairmanships(tables["council_sessions"])
    tables["citations"] = citations(tables)
    tables["coverage"] = coverage(tables, records.as_of)
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
    cow = dict(zip(countries["iso3"], countries["cow_code"], strict=True))
    spells = members.sort_values(["iso3", "start_date"], kind="stable")
    by_state: dict[str, list[dict[str, Any]]] = {}
    for spell in spells.to_dict("records"):
        by_state.setdefault(spell["iso3"], []).append(spell)
    rows = []
    for iso3, state_spells in by_state.items():
        for year in range(FIRST_YEAR, as_of.year + 1):
            day = pd.Timestamp(as_of if year == as_of.year else dt.date(year, 12, 31))
            started = [s for s in state_spells if s["start_date"] <= day]
            current = [s for s in started if pd.isna(s["end_date"]) or s["end_date"] > day]
            if current:
                spell = current[-1]
                rows.append((iso3, year, spell["status"], spell["spell_id"], spell["source_ids"]))
            else:
                cited = started[-1] if started else state_spells[0]
                rows.append((iso3, year, "not_member", None, cited["source_ids"]))
    frame = pd.DataFrame(rows, columns=["iso3", "year", "status", "spell_id", "source_ids"])
    frame.insert(1, "cow_code", frame["iso3"].map(cow))
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


def dyad_years(members: pd.DataFrame, countries: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Every ordered pair of states that were both parties on some day of a year, by year,
    with whether both were on its last day (31 December, or `as_of` in the last year).

    Each state's row rests on its party spell in force on the last day, or else on the
    last party spell that began in the year or before it.
    """
    codes = countries.set_index("iso3")
    spells = members[members["status"].isin(PARTY_STATUSES)].sort_values(
        ["iso3", "start_date"], kind="stable"
    )
    rows = []
    for year in range(FIRST_YEAR, as_of.year + 1):
        first = pd.Timestamp(dt.date(year, 1, 1))
        last = pd.Timestamp(as_of if year == as_of.year else dt.date(year, 12, 31))
        ended = spells["end_date"]
        during = spells[(spells["start_date"] <= last) & (ended.isna() | (ended > first))]
        on_last = ended.reindex(during.index).isna() | (ended.reindex(during.index) > last)
        chosen = during.assign(on_last=on_last).groupby("iso3").tail(1)
        for a, b in permutations(chosen.to_dict("records"), 2):
            sources = dict.fromkeys(f"{a['source_ids']};{b['source_ids']}".split(";"))
            both = bool(a["on_last"] and b["on_last"])
            pair = (a["iso3"], b["iso3"], year, a["status"], b["status"], both)
            rows.append((*pair, a["spell_id"], b["spell_id"], ";".join(sources)))
    columns = [
        "iso3_a",
        "iso3_b",
        "year",
        "status_a",
        "status_b",
        "both_on_31_december",
        "spell_id_a",
        "spell_id_b",
        "source_ids",
    ]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["iso3_a", "iso3_b", "year"])
    for side in ("a", "b"):
        iso3 = frame[f"iso3_{side}"]
        frame.insert(3, f"gw_code_{side}", iso3.map(codes["gw_code"]).to_numpy())
        frame.insert(3, f"cow_code_{side}", iso3.map(codes["cow_code"]).to_numpy())
    frame = frame[list(TABLES["dyad_years"].columns)].reset_index(drop=True)
    types = {c: "Int64" for c in ("year", "cow_code_a", "cow_code_b", "gw_code_a", "gw_code_b")}
    return frame.astype({**types, "both_on_31_december": "boolean"}).astype(
        {c: "str" for c in frame.columns if c not in types and c != "both_on_31_december"}
    )


def chairmanships(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per year and state that chaired a regular session of that year, with those
    sessions and every source they cite."""
    chaired = sessions[(sessions["kind"] == "regular") & sessions["chair_iso3"].notna()]
    chaired = chaired.assign(year=chaired["date"].dt.year).sort_values("session_id")
    rows = []
    for (year, chair), group in chaired.groupby(["year", "chair_iso3"], sort=True):
        sources = dict.fromkeys(split_ids(group["source_ids"]))
        rows.append((year, chair, ";".join(group["session_id"]), ";".join(sources)))
    frame = pd.DataFrame(rows, columns=["year", "chair_iso3", "session_ids", "source_ids"])
    types = {"year": "Int64", "chair_iso3": "str", "session_ids": "str", "source_ids": "str"}
    return frame.astype(types)


def coverage(tables: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """Per table (in publication order): rows, earliest and latest date, the rows that cite
    an official source and those that cite only others (`citations` with role `supports`),
    and `as_of`."""
    sources = tables["sources"]
    official = set(sources["source_id"][sources["kind"] == "official"])
    cited = tables["citations"][tables["citations"]["role"] == "supports"]
    any_official = (
        cited.assign(official=cited["source_id"].isin(official))
        .groupby(["table", "record_id"])["official"]
        .any()
    )
    rows = []
    for name in TABLES:
        if name == "coverage":
            continue
        frame = tables[name]
        dated = [frame[c] for c in frame.columns if str(frame[c].dtype).startswith("datetime64")]
        days = pd.concat(dated) if dated else pd.Series([], dtype="datetime64[ns]")
        cites = any(fk.cites == "supports" for fk in TABLES[name].foreign_keys)
        flags = any_official[name] if name in any_official.index.levels[0] else any_official[:0]
        official_rows = int(flags.sum()) if cites else pd.NA
        other_rows = int((~flags).sum()) if cites else pd.NA
        rows.append(
            (
                name,
                len(frame),
                days.min(),
                days.max(),
                official_rows,
                other_rows,
                pd.Timestamp(as_of),
            )
        )
    columns = ["table", "rows", "earliest_date", "latest_date"]
    columns += ["rows_citing_official", "rows_citing_only_other", "as_of_date"]
    frame = pd.DataFrame(rows, columns=columns)
    counts = {"rows_citing_official": "Int64", "rows_citing_only_other": "Int64"}
    return frame.astype({"table": "str", "rows": "Int64", **counts})


def citations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (table, row, source) for every column of sources that a row cites, in
    the role its reference declares: `supports` for the sources of the row's value,
    `contradicts` for those of another value (the contradicting sources, the sources of
    another reading)."""
    links = []
    for name, frame in tables.items():
        key = [frame[c].astype("str") for c in TABLES[name].primary_key]
        record_id = reduce(lambda a, b: a + ":" + b, key)
        for fk in TABLES[name].foreign_keys:
            if fk.cites is None:
                continue
            sources = split_ids(frame[fk.columns])
            role = fk.cites
            links.append(
                pd.DataFrame(
                    {
                        "table": name,
                        "record_id": record_id[sources.index],
                        "source_id": sources,
                        "role": role,
                    }
                )
            )
    columns = ["table", "record_id", "source_id", "role"]
    frame = pd.concat(links, ignore_index=True).drop_duplicates()
    return frame.sort_values(columns, kind="stable").reset_index(drop=True).astype("str")
