"""The council_sessions table: the meetings of the Collective Security Council, the heads
of state of the CSTO."""

import datetime as dt
import re
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import not_parties
from schemas.spec import Table, Tables, Violation, cross_table_rule


class CouncilSessionsSchema(pandera.DataFrameModel):
    session_id: Series[str] = f.key("Id of the session: `csc-date`.", raw_name="id")
    date: Series[pd.Timestamp] = f.date("When the session met.", raw_name="date")
    date_precision: Series[str] = f.precision("date")
    kind: Series[str] = f.choice(
        "`regular`, `extraordinary` or `informal` (a meeting of the heads of state without "
        "the standing of a session, where sources call it so).",
        v.SESSION_KINDS,
        raw_name="kind",
    )
    format: Series[str] = f.choice(
        "`in_person` or `online` (by video link).", v.SESSION_FORMATS, raw_name="format"
    )
    place: Series[str] = f.text(
        "The city in English; empty for an online session.", nullable=True, raw_name="place"
    )
    place_ru: Series[str] = f.text(
        "The city in Russian; empty for an online session.", nullable=True, raw_name="place_ru"
    )
    host_iso3: Series[str] = f.code(
        "The host state (join to `countries.iso3`); empty for an online session.",
        nullable=True,
        raw_name="host",
        refers=f.refers("countries.iso3"),
    )
    chair_iso3: Series[str] = f.code(
        "The state chairing the Council at the session, or taking the chair there where "
        "sources say it passed at the session (join to `countries.iso3`); empty where no "
        "source read says. `note` says which.",
        nullable=True,
        raw_name="chair",
        refers=f.refers("countries.iso3"),
    )
    absent_iso3: Series[str] = f.code(
        "Members whose head of state did not attend, `;`-separated; empty where sources "
        "name none (which is not proof that all attended).",
        v.ISO3_LIST,
        nullable=True,
        raw_name="absent",
        many=True,
        refers=f.refers("countries.iso3", many=True),
    )
    not_signed_iso3: Series[str] = f.code(
        "Members that did not sign the session's main documents, `;`-separated; empty "
        "where sources name none.",
        v.ISO3_LIST,
        nullable=True,
        raw_name="not_signed",
        many=True,
        refers=f.refers("countries.iso3", many=True),
    )
    decisions: Series[str] = f.text("The main decisions, in a sentence.", raw_name="decisions")
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="council_sessions",
    title="Collective Security Council sessions",
    description="Every session of the Collective Security Council (the heads of state) found, "
    "regular and extraordinary, in person and online: where, who chaired, who stayed away "
    "or did not sign, and what was decided.",
    model=CouncilSessionsSchema,
    primary_key=("session_id",),
    position=58,
    notes=(
        "Coverage: the sessions found from 1995 to November 2025. Known to be incomplete before"
        " 1999: the Regulations on the Council (approved on 6 July 1992, "
        "`csc-regulations-agreement-1992` in `treaty_events`) call for sessions at least twice "
        "a year, yet the table has two from 1992 to 1998 (Almaty 1995, Moscow 1997): the others"
        " were not found with their day and place in the sources read, and the years 1992 to "
        "1994, 1996 and 1998 have none. Meetings that sources call informal are `informal`; a "
        "session that no source labels is classed by the rule in its `note` (a second session "
        "in a year whose regular session met elsewhere is `extraordinary`). Decisions taken "
        "without a session (such as the decision of 6 January 2022 to send forces to "
        "Kazakhstan) are in `treaty_events`. `absent_iso3` and `not_signed_iso3` are filled "
        "only where a source says so: an empty cell is not evidence that everyone came and "
        "signed."
    ),
)


@cross_table_rule
def sessions_are_held_by_parties(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """The chair, the absent and the states that did not sign were parties on the day."""
    for column in ("chair_iso3", "absent_iso3", "not_signed_iso3"):
        yield from not_parties(tables, "council_sessions", column)


@cross_table_rule
def sessions_have_a_place(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A session in person has a city (in English and Russian) and a host; one online has
    neither."""
    sessions = tables["council_sessions"]
    in_person = sessions["format"] == "in_person"
    for column in ("place", "place_ru", "host_iso3"):
        given = sessions[column].notna()
        for row in sessions.index[in_person & ~given]:
            yield Violation("council_sessions", row, column, "a session in person needs it")
        for row in sessions.index[(sessions["format"] == "online") & given]:
            yield Violation(
                "council_sessions", row, column, "an online session has no place or host"
            )


# A note that names a state as the session's host: "host is", "hosted by", "host state".
_NAMES_A_HOST = re.compile(r"\bhost(?:ed by| is| state)\b", re.IGNORECASE)


@cross_table_rule
def notes_agree_with_the_host(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A note may not contradict its row: where `host_iso3` is empty (an online session),
    the note does not name a host."""
    sessions = tables["council_sessions"]
    no_host = sessions["host_iso3"].isna() & sessions["note"].notna()
    for row in sessions.index[no_host]:
        if _NAMES_A_HOST.search(sessions.at[row, "note"]):
            yield Violation(
                "council_sessions", row, "note", "names a host, while host_iso3 is empty"
            )
