"""The treaty_events table: what shaped the treaty and the organisation, and its operations."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class TreatyEventsSchema(pandera.DataFrameModel):
    event_id: Series[str] = f.key("Id of the event.", raw_name="id")
    date: Series[pd.Timestamp] = f.date(
        "When it happened (first day of the period).", raw_name="date"
    )
    date_precision: Series[str] = f.precision("date")
    type: Series[str] = f.choice("What kind of event it was.", v.EVENT_TYPES, raw_name="type")
    title: Series[str] = f.text("One-line description.", raw_name="title")
    place: Series[str] = f.text("Where it happened, where known.", nullable=True, raw_name="place")
    states: Series[str] = f.code(
        "ISO3 codes of the states party to or concerned by it, separated by `;`.",
        v.ISO3_LIST,
        nullable=True,
        raw_name="states",
        many=True,
        refers=f.refers("countries.iso3", many=True),
    )
    operation_id: Series[str] = f.code(
        "The operation it belongs to (join to `operations.operation_id`).",
        v.SLUG,
        nullable=True,
        raw_name="operation",
        refers=f.refers("operations.operation_id"),
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="treaty_events",
    title="Treaty events",
    description="Signatures, accessions, entries into force, protocols, withdrawals, "
    "suspensions, decisions and the milestones of operations, each dated with its precision.",
    model=TreatyEventsSchema,
    primary_key=("event_id",),
    position=40,
)
