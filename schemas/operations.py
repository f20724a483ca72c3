"""The operations table: deployments of the organisation's forces."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import ForeignKey, RawField, Table


class OperationsSchema(pa.DataFrameModel):
    operation_id: Series[str] = f.key("Id of the operation.")
    name: Series[str] = f.text("Name of the operation.")
    host_iso3: Series[str] = f.code("The host state (join to `countries.iso3`).")
    start_date: Series[pd.Timestamp] = f.date("When the first units deployed.")
    start_precision: Series[str] = f.precision("start_date")
    end_date: Series[pd.Timestamp] = f.date(
        "When the last units left; empty while ongoing.", nullable=True
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    commander: Series[str] = f.text("Commander of the force, where known.", nullable=True)
    source_ids: Series[str] = f.source_ids()
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="operations",
    title="Operations",
    description="Deployments of the collective forces: host, dates and commander.",
    model=OperationsSchema,
    primary_key=("operation_id",),
    raw_file="operations.yaml",
    raw_fields=(
        RawField("id", "text", "operation_id", required=True),
        RawField("name", "text", "name", required=True),
        RawField("host", "text", "host_iso3", required=True),
        RawField("start", "date", "start_date", required=True),
        RawField("end", "date", "end_date"),
        RawField("commander", "text", "commander"),
        RawField("sources", "id_list", "source_ids", required=True),
        RawField("note", "text", "note"),
    ),
    foreign_keys=(
        ForeignKey("host_iso3", "countries", "iso3"),
        ForeignKey("source_ids", "sources", "source_id", ";"),
    ),
)
