"""The treaty_events table: what shaped the treaty and the organisation, and its operations."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import ForeignKey, RawField, Table


class TreatyEventsSchema(pa.DataFrameModel):
    event_id: Series[str] = f.key("Id of the event.")
    date: Series[pd.Timestamp] = f.date("When it happened (first day of the period).")
    date_precision: Series[str] = f.precision("date")
    type: Series[str] = f.choice("What kind of event it was.", v.EVENT_TYPES)
    title: Series[str] = f.text("One-line description.")
    place: Series[str] = f.text("Where it happened, where known.", nullable=True)
    states: Series[str] = f.code(
        "ISO3 codes of the states party to or concerned by it, separated by `;`.",
        v.ISO3_LIST,
        nullable=True,
    )
    operation_id: Series[str] = f.code(
        "The operation it belongs to (join to `operations.operation_id`).", v.SLUG, nullable=True
    )
    source_ids: Series[str] = f.source_ids()
    contradicting_source_ids: Series[str] = f.contradicting_source_ids()
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
    raw_file="treaty_events.yaml",
    raw_fields=(
        RawField("id", "text", "event_id", required=True),
        RawField("date", "date", "date", required=True),
        RawField("type", "text", "type", required=True),
        RawField("title", "text", "title", required=True),
        RawField("place", "text", "place"),
        RawField("states", "id_list", "states"),
        RawField("operation", "text", "operation_id"),
        RawField("sources", "id_list", "source_ids", required=True),
        RawField("contradicted_by", "id_list", "contradicting_source_ids"),
        RawField("note", "text", "note"),
    ),
    foreign_keys=(
        ForeignKey("states", "countries", "iso3", ";"),
        ForeignKey("operation_id", "operations", "operation_id"),
        ForeignKey("source_ids", "sources", "source_id", ";"),
        ForeignKey("contradicting_source_ids", "sources", "source_id", ";"),
    ),
)
