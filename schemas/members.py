"""The members table: each spell of a state's participation in the treaty or organisation."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import periods_in_order
from schemas.spec import Table, Tables, Violation, cross_table_rule


class MembersSchema(pandera.DataFrameModel):
    spell_id: Series[str] = pandera.Field(
        description="Id of the spell: `ISO3:status:start_date`.", unique=True
    )
    iso3: Series[str] = f.code(
        "The state (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    status: Series[str] = f.choice(
        "`member` (party to the treaty, member of the organisation), `frozen` (the state "
        "froze its participation without leaving), `suspended` (membership suspended), "
        "`observer` or `partner` (the CSTO's own statuses created by the protocols of 2018, "
        "not observer status in its Parliamentary Assembly, which is in "
        "`assembly_observers`).",
        v.SPELL_STATUSES,
        raw_name="status",
    )
    start_date: Series[pd.Timestamp] = f.date("When the spell began.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    start_how: Series[str] = f.choice(
        "How it began: `signature`, `accession`, `ratification`, `rejoining`, `status_change`.",
        v.SPELL_STARTS,
        raw_name="start_how",
    )
    start_event_id: Series[str] = f.code(
        "The event that began it (join to `treaty_events.event_id`).",
        v.SLUG,
        nullable=True,
        raw_name="start_event",
        refers=f.refers("treaty_events.event_id"),
    )
    end_date: Series[pd.Timestamp] = f.date(
        "When the spell ended; empty while it is ongoing.", nullable=True, raw_name="end"
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    end_how: Series[str] = f.choice(
        "How it ended: `non_renewal`, `withdrawal`, `suspension`, `status_change`.",
        v.SPELL_ENDS,
        nullable=True,
        raw_name="end_how",
    )
    end_event_id: Series[str] = f.code(
        "The event that ended it (join to `treaty_events.event_id`).",
        v.SLUG,
        nullable=True,
        raw_name="end_event",
        refers=f.refers("treaty_events.event_id"),
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="members",
    title="Membership spells",
    description="Each spell of each state's participation, from signature or accession to "
    "its end (none while ongoing), with statuses short of leaving.",
    model=MembersSchema,
    primary_key=("spell_id",),
    position=30,
    derived_key=("iso3", "status", "start_date"),
    notes=(
        "No state was found to hold the CSTO's own observer or partner status, which the "
        "protocols signed on 8 November 2018 created; the sources read up to 2025 speak only "
        "of candidates. Where ATOP or COW date a spell differently, the spell lists them in "
        "`contradicting_source_ids` and its `note` gives their dates."
    ),
)


@cross_table_rule
def spells_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A spell ends after it starts, says how it ended, and no two spells of a state overlap."""
    spells = tables["members"]
    yield from periods_in_order(spells, "members", "spell", "spell_id", ["iso3"])
