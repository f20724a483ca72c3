"""The membership_years table: a country-year panel derived from the spells."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class MembershipYearsSchema(pandera.DataFrameModel):
    iso3: Series[str] = f.code(
        "The state (join to `countries.iso3`).",
        refers=f.refers("countries.iso3"),
    )
    cow_code: Series[pd.Int64Dtype] = pandera.Field(
        description="Correlates of War state number, for joins to COW-keyed country-year data."
    )
    year: Series[pd.Int64Dtype] = pandera.Field(description="Calendar year.", ge=v.FIRST_YEAR)
    status: Series[str] = f.choice(
        "Status on 31 December of the year (for the dataset's last year: on its `as_of` "
        "date): a spell status, or `not_member`.",
        v.YEAR_STATUSES,
    )
    spell_id: Series[str] = pandera.Field(
        description="The spell in force on that day (join to `members.spell_id`); empty "
        "for `not_member`.",
        nullable=True,
        metadata=f.declared(refers=f.refers("members.spell_id")),
    )
    source_ids: Series[str] = f.source_ids()

    class Config:
        strict = True
        unique = ("iso3", "year")


TABLE = Table(
    name="membership_years",
    title="Membership by country and year",
    description="One row per state and year from 1992 to the dataset's last year, with the "
    "status on 31 December: the shape to join to country-year data.",
    model=MembershipYearsSchema,
    primary_key=("iso3", "year"),
    position=70,
)
