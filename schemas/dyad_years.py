"""The dyad_years table: every ordered pair of parties to the treaty, by year, derived from
the spells; the shape of ATOP's and COW's dyad-year files."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class DyadYearsSchema(pandera.DataFrameModel):
    iso3_a: Series[str] = f.code(
        "The first state of the ordered pair (join to `countries`).",
        refers=f.refers("countries.iso3"),
    )
    iso3_b: Series[str] = f.code(
        "The second state of the ordered pair.",
        refers=f.refers("countries.iso3"),
    )
    year: Series[pd.Int64Dtype] = pandera.Field(description="Calendar year.", ge=v.FIRST_YEAR)
    cow_code_a: Series[pd.Int64Dtype] = pandera.Field(description="COW number of state a.")
    cow_code_b: Series[pd.Int64Dtype] = pandera.Field(description="COW number of state b.")
    gw_code_a: Series[pd.Int64Dtype] = pandera.Field(
        description="Gleditsch-Ward number of state a."
    )
    gw_code_b: Series[pd.Int64Dtype] = pandera.Field(
        description="Gleditsch-Ward number of state b."
    )
    status_a: Series[str] = f.choice(
        "Status of state a: on 31 December where it was then a party, else its last status "
        "as a party in the year.",
        v.PARTY_STATUSES,
    )
    status_b: Series[str] = f.choice("Status of state b, read the same way.", v.PARTY_STATUSES)
    both_on_31_december: Series[pd.BooleanDtype] = pandera.Field(
        description="`true` if both were parties on 31 December of the year (for the last "
        "year: on the dataset's `as_of` date), the rule of `membership_years`; `false` if "
        "each was a party on some day of the year but not both on that day. Every row "
        "meets the wider rule: each a party on some day of the year."
    )
    spell_id_a: Series[str] = f.code(
        "The spell of state a the row rests on (join to `members.spell_id`).",
        r"^.+$",
        refers=f.refers("members.spell_id"),
    )
    spell_id_b: Series[str] = f.code(
        "The spell of state b the row rests on.",
        r"^.+$",
        refers=f.refers("members.spell_id"),
    )
    source_ids: Series[str] = f.source_ids()

    class Config:
        strict = True
        unique = ("iso3_a", "iso3_b", "year")


TABLE = Table(
    name="dyad_years",
    title="Dyad-years",
    description="One row per ordered pair of states and year in which both were parties to "
    "the treaty (member or frozen), in both directions, with their COW and Gleditsch-Ward "
    "numbers: the shape to merge with ATOP's and COW's dyad-year data.",
    model=DyadYearsSchema,
    primary_key=("iso3_a", "iso3_b", "year"),
    position=72,
    notes=(
        "Derived from `members`: a state is a party on a day when a spell of status `member` "
        "or `frozen` covers it (from its start day up to, not including, its end day; a date "
        "known to the month or year counts from its first day). A pair is listed for a year "
        "when each was a party on some day of it (not necessarily the same day), and "
        "`both_on_31_december` says whether both were on 31 December. Suspended, observer "
        "and partner spells do not make a party. Years run from 1992 to the dataset's "
        "`as_of` year. The project's tests derive the table again, day by day, and compare."
    ),
)
