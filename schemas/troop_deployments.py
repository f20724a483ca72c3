"""The troop_deployments table: every troop figure as one source reported it."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import figures
from schemas import vocabulary as v
from schemas.cross_table import last_day
from schemas.spec import Table, Tables, Violation, cross_table_rule, iso_day


class TroopDeploymentsSchema(pandera.DataFrameModel):
    figure_id: Series[str] = figures.figure_id("operation:contributor (or TOTAL):source:as_of")
    operation_id: Series[str] = f.code(
        "The operation (join to `operations.operation_id`).",
        v.SLUG,
        raw_name="operation",
        refers=f.refers("operations.operation_id"),
    )
    contributor_iso3: Series[str] = figures.contributor("force")
    troops: Series[pd.Int64Dtype] = pandera.Field(
        description="Number of troops as the source gave it (see `qualifier`).",
        ge=0,
        metadata=f.raw("troops"),
    )
    qualifier: Series[str] = figures.qualifier()
    as_of_date: Series[pd.Timestamp] = figures.as_of()
    as_of_precision: Series[str] = f.precision("as_of_date")
    claimant: Series[str] = figures.claimant()
    claimant_kind: Series[str] = figures.claimant_kind()
    claimant_iso3: Series[str] = figures.claimant_state()
    preferred: Series[pd.BooleanDtype] = figures.preferred("operation and contributor (or total)")
    preferred_by: Series[str] = figures.preferred_by()
    contributors_add_up: Series[pd.BooleanDtype] = figures.contributors_add_up("operation")
    source_ids: Series[str] = f.source_ids("source", many=False)
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="troop_deployments",
    title="Troop figures",
    description="Troops per contributing state and in total, every figure as each source "
    "reported it, with the one the dataset prefers marked.",
    model=TroopDeploymentsSchema,
    primary_key=("figure_id",),
    position=60,
    derived_key=("operation_id", "contributor_iso3", "source_ids", "as_of_date"),
)

FIGURES = figures.FigureTable(
    TABLE,
    group=("operation_id",),
    count="troops",
    groups="operations",
    whole="force",
    unit="troops",
)


@cross_table_rule
def figures_within_operation(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A troop figure refers to a day on which its operation was under way."""
    # Duplicate ids are reported by the model; here the first of them stands.
    operations = tables["operations"].drop_duplicates("operation_id").set_index("operation_id")
    ends = last_day(operations["end_date"], operations["end_precision"])
    ends = ends.fillna(pd.Timestamp(as_of))
    rows = tables["troop_deployments"]
    on = rows["operation_id"]
    start = pd.Series(operations["start_date"].reindex(on).to_numpy(), index=rows.index)
    end = pd.Series(ends.reindex(on).to_numpy(), index=rows.index)
    day = rows["as_of_date"]
    outside = start.notna() & day.notna() & ((day < start) | (day > end))
    for row in rows.index[outside]:
        yield Violation(
            "troop_deployments",
            row,
            "as_of_date",
            f"outside the dates of operation {rows.at[row, 'operation_id']} "
            f"({iso_day(start[row])} to {iso_day(end[row])}) (found {iso_day(day[row])})",
        )
