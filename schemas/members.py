"""The members table: each spell of a state's participation in the treaty or organisation."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import ForeignKey, RawField, Table


class MembersSchema(pa.DataFrameModel):
    spell_id: Series[str] = pa.Field(
        description="Id of the spell: `ISO3:status:start_date`.", unique=True
    )
    iso3: Series[str] = f.code("The state (join to `countries.iso3`).")
    status: Series[str] = f.choice(
        "`member` (party to the treaty, member of the organisation), `frozen` (the state "
        "froze its participation without leaving), `suspended` (membership suspended), "
        "`observer`.",
        v.SPELL_STATUSES,
    )
    start_date: Series[pd.Timestamp] = f.date("When the spell began.")
    start_precision: Series[str] = f.precision("start_date")
    start_how: Series[str] = f.choice(
        "How it began: `signature`, `accession`, `ratification`, `rejoining`, `status_change`.",
        v.SPELL_STARTS,
    )
    start_event_id: Series[str] = f.code(
        "The event that began it (join to `treaty_events.event_id`).", v.SLUG, nullable=True
    )
    end_date: Series[pd.Timestamp] = f.date(
        "When the spell ended; empty while it is ongoing.", nullable=True
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    end_how: Series[str] = f.choice(
        "How it ended: `non_renewal`, `withdrawal`, `suspension`, `status_change`.",
        v.SPELL_ENDS,
        nullable=True,
    )
    end_event_id: Series[str] = f.code(
        "The event that ended it (join to `treaty_events.event_id`).", v.SLUG, nullable=True
    )
    source_ids: Series[str] = f.source_ids()
    contradicting_source_ids: Series[str] = f.contradicting_source_ids()
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
    raw_file="members.yaml",
    raw_fields=(
        RawField("state", "text", "iso3", required=True),
        RawField("status", "text", "status", required=True),
        RawField("start", "date", "start_date", required=True),
        RawField("start_how", "text", "start_how", required=True),
        RawField("start_event", "text", "start_event_id"),
        RawField("end", "date", "end_date"),
        RawField("end_how", "text", "end_how"),
        RawField("end_event", "text", "end_event_id"),
        RawField("sources", "id_list", "source_ids", required=True),
        RawField("contradicted_by", "id_list", "contradicting_source_ids"),
        RawField("note", "text", "note"),
    ),
    derived_key=("iso3", "status", "start_date"),
    foreign_keys=(
        ForeignKey("iso3", "countries", "iso3"),
        ForeignKey("start_event_id", "treaty_events", "event_id"),
        ForeignKey("end_event_id", "treaty_events", "event_id"),
        ForeignKey("source_ids", "sources", "source_id", ";"),
        ForeignKey("contradicting_source_ids", "sources", "source_id", ";"),
    ),
)
