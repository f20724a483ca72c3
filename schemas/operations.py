"""The operations table: deployments of the organisation's forces."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.cross_table import ends_before_start
from schemas.spec import Table, Tables, Violation, cross_table_rule


class OperationsSchema(pandera.DataFrameModel):
    operation_id: Series[str] = f.key("Id of the operation.", raw_name="id")
    name: Series[str] = f.text("Name of the operation.", raw_name="name")
    host_iso3: Series[str] = f.code(
        "The host state (join to `countries.iso3`).",
        raw_name="host",
        refers=f.refers("countries.iso3"),
    )
    start_date: Series[pd.Timestamp] = f.date("When the first units deployed.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    end_date: Series[pd.Timestamp] = f.date(
        "When the last units left; empty while ongoing.", nullable=True, raw_name="end"
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    commander: Series[str] = f.text(
        "Commander of the force, where known.", nullable=True, raw_name="commander"
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="operations",
    title="Operations",
    description="Deployments of the collective forces: host, dates and commander.",
    model=OperationsSchema,
    primary_key=("operation_id",),
    position=50,
)


@cross_table_rule
def operations_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    yield from ends_before_start(tables["operations"], "operations")
