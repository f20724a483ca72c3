"""The coverage table: for every table, its rows, the span of its dates and the day to which
it is known, so that an empty end date reads "ongoing as of that day", never "unknown"."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Table


class CoverageSchema(pandera.DataFrameModel):
    table: Series[str] = f.code("The table.", r"^[a-z_]+$")
    rows: Series[pd.Int64Dtype] = pandera.Field(description="Its number of rows.", ge=0)
    earliest_date: Series[pd.Timestamp] = pandera.Field(
        description="The earliest date in its date columns; empty for a table without dates.",
        nullable=True,
    )
    latest_date: Series[pd.Timestamp] = pandera.Field(
        description="The latest date in its date columns; empty for a table without dates.",
        nullable=True,
    )
    rows_citing_official: Series[pd.Int64Dtype] = pandera.Field(
        description="Its rows that cite, for their value, at least one source of kind "
        "`official` (a government or the CSTO). This counts the pages read, not who made "
        "the statement: an official figure read in a news agency's report counts as news. "
        "Empty for a table that cites no sources.",
        ge=0,
        nullable=True,
    )
    rows_citing_only_other: Series[pd.Int64Dtype] = pandera.Field(
        description="Its rows whose sources for their value are all of other kinds (news, "
        "reference works, datasets, scholarship); with `rows_citing_official`, every row "
        "that cites a source. Empty for a table that cites no sources.",
        ge=0,
        nullable=True,
    )
    as_of_date: Series[pd.Timestamp] = pandera.Field(
        description="The dataset's curation date: everything ongoing (an empty end date, a "
        "status with no end) is known to be so as of this day."
    )

    class Config:
        strict = True
        unique = ("table",)


TABLE = Table(
    name="coverage",
    title="Coverage",
    description="For every table: its rows, the span of its dates, how many rows rest on "
    "an official source, and the day as of which ongoing spells, terms and statuses are known.",
    model=CoverageSchema,
    primary_key=("table",),
    position=95,
)
