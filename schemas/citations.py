"""The citations table: one row per row of any table and source it cites."""

from typing import get_args

import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Cites, Table


class CitationsSchema(pandera.DataFrameModel):
    table: Series[str] = pandera.Field(description="The citing table.")
    record_id: Series[str] = pandera.Field(
        description="Primary key of the citing row (for `membership_years`: `ISO3:year`)."
    )
    source_id: Series[str] = pandera.Field(
        description="The cited source (join to `sources`).",
        metadata=f.declared(refers=f.refers("sources.source_id")),
    )
    role: Series[str] = pandera.Field(
        description="`supports` (the source gives the row's value) or `contradicts` (it gives "
        "another value, of the whole row or of one field, such as a request's "
        "`legal_basis_other`; the row's `note` says which).",
        isin=list(get_args(Cites)),
    )

    class Config:
        strict = True
        unique = ("table", "record_id", "source_id")


TABLE = Table(
    name="citations",
    title="Citations",
    description="Which source supports or contradicts which row: joins any row of any table "
    "to `sources`.",
    model=CitationsSchema,
    primary_key=("table", "record_id", "source_id"),
    position=80,
)
