"""The troop_deployments table: every troop figure as one source reported it."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import ForeignKey, RawField, Table


class TroopDeploymentsSchema(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(
        description="Id of the figure: `operation:contributor (or TOTAL):source:as_of`.",
        unique=True,
    )
    operation_id: Series[str] = f.code("The operation (join to `operations.operation_id`).", v.SLUG)
    contributor_iso3: Series[str] = f.code(
        "The contributing state (join to `countries.iso3`); empty for a total of the force.",
        nullable=True,
    )
    troops: Series[pd.Int64Dtype] = pa.Field(
        description="Number of troops as the source gave it (see `qualifier`).", ge=0
    )
    qualifier: Series[str] = f.choice(
        "How the source qualified the figure: `exact`, `approximate` (about), `at_least` "
        "(more than), `up_to`, `planned` (announced before deployment).",
        v.QUALIFIERS,
    )
    as_of_date: Series[pd.Timestamp] = f.date("The date the figure refers to.")
    as_of_precision: Series[str] = f.precision("as_of_date")
    preferred: Series[pd.BooleanDtype] = pa.Field(
        description="`true` for the one figure per operation and contributor (or total) "
        "that the dataset prefers; see `note` and the codebook for the rule."
    )
    source_ids: Series[str] = f.source_ids()
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
    raw_file="troop_deployments.yaml",
    raw_fields=(
        RawField("operation", "text", "operation_id", required=True),
        RawField("contributor", "text", "contributor_iso3"),
        RawField("troops", "integer", "troops", required=True),
        RawField("qualifier", "text", "qualifier", required=True),
        RawField("as_of", "date", "as_of_date", required=True),
        RawField("preferred", "boolean", "preferred", required=True),
        RawField("source", "id", "source_ids", required=True),
        RawField("note", "text", "note"),
    ),
    derived_key=("operation_id", "contributor_iso3", "source_ids", "as_of_date"),
    foreign_keys=(
        ForeignKey("operation_id", "operations", "operation_id"),
        ForeignKey("contributor_iso3", "countries", "iso3"),
        ForeignKey("source_ids", "sources", "source_id", ";"),
    ),
)
