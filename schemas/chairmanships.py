"""The chairmanships table: which state chaired the Collective Security Council, by year,
derived from the sessions."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class ChairmanshipsSchema(pandera.DataFrameModel):
    year: Series[pd.Int64Dtype] = pandera.Field(description="Calendar year.", ge=v.FIRST_YEAR)
    chair_iso3: Series[str] = f.code(
        "The state that chaired the Council at a regular session of the year (join to "
        "`countries.iso3`).",
        refers=f.refers("countries.iso3"),
    )
    session_ids: Series[str] = f.code(
        "The regular sessions of the year it chaired, `;`-separated (join to "
        "`council_sessions.session_id`).",
        v.SLUG_LIST,
        refers=f.refers("council_sessions.session_id", many=True),
    )
    source_ids: Series[str] = f.source_ids()

    class Config:
        strict = True
        unique = ("year", "chair_iso3")


TABLE = Table(
    name="chairmanships",
    title="Chairmanship by year",
    description="The state chairing the Collective Security Council at each year's regular "
    "sessions, from `council_sessions`: one row per year and chair.",
    model=ChairmanshipsSchema,
    primary_key=("year", "chair_iso3"),
    position=75,
    notes=(
        "Derived from the regular sessions whose chair a source names: a year without such a "
        "session has no row, and a year whose sessions had two chairs has two."
    ),
)
