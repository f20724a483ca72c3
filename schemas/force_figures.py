"""The force_figures table: the declared strength of each collective force and what each
member pledged to it, every figure as one source reported it."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import figures
from schemas import vocabulary as v
from schemas.spec import Table, Tables, Violation, cross_table_rule


class ForceFiguresSchema(pandera.DataFrameModel):
    figure_id: Series[str] = figures.figure_id("force:contributor (or TOTAL):source:as_of")
    force_id: Series[str] = f.code(
        "The force (join to `collective_forces.force_id`).",
        v.SLUG,
        raw_name="force",
        refers=f.refers("collective_forces.force_id"),
    )
    contributor_iso3: Series[str] = figures.contributor("force (its declared strength)")
    troops: Series[pd.Int64Dtype] = pandera.Field(
        description="Number of troops as the source gave it (see `qualifier`); empty where "
        "the source names only units.",
        ge=0,
        nullable=True,
        metadata=f.raw("troops"),
    )
    units: Series[str] = f.text(
        "The units pledged or declared, as the source names them.",
        nullable=True,
        raw_name="units",
    )
    qualifier: Series[str] = figures.qualifier()
    as_of_date: Series[pd.Timestamp] = figures.as_of(
        "The date the figure refers to, or else the day it was reported."
    )
    as_of_precision: Series[str] = f.precision("as_of_date")
    as_of_year: Series[pd.Int64Dtype] = figures.as_of_year()
    claimant: Series[str] = figures.claimant()
    claimant_kind: Series[str] = figures.claimant_kind()
    claimant_iso3: Series[str] = figures.claimant_state()
    preferred: Series[pd.BooleanDtype] = figures.preferred("force, year and contributor (or total)")
    preferred_by: Series[str] = figures.preferred_by()
    contributors_add_up: Series[pd.BooleanDtype] = figures.contributors_add_up("force")
    source_ids: Series[str] = f.source_ids("source", many=False)
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="force_figures",
    title="Strength of and pledges to the collective forces",
    description="The declared strength of each collective force and each member's pledge "
    "to it (troops, units), every figure as each source reported it, with the one the "
    "dataset prefers marked.",
    model=ForceFiguresSchema,
    primary_key=("figure_id",),
    position=64,
    derived_key=("force_id", "contributor_iso3", "source_ids", "as_of_date"),
    notes=(
        "Coverage: figures from 2001 to 2022, all from the press or from officials quoted "
        "in it; no official table of the forces' composition was found. Pledges per member "
        "are known for the rapid deployment forces (2001) and the rapid reaction forces "
        "(2009); none for the peacekeeping forces at their formation. Figures that sources "
        "give without a date are not recorded."
    ),
)

FIGURES = figures.FigureTable(
    TABLE,
    group=("force_id", figures.YEAR),
    count="troops",
    groups="forces and years",
    whole="force",
    unit="troops",
)


@cross_table_rule
def force_figures_say_something(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A figure gives a number of troops, or the units, or both."""
    rows = tables["force_figures"]
    for row in rows.index[rows["troops"].isna() & rows["units"].isna()]:
        yield Violation("force_figures", row, "troops", "give `troops`, `units` or both")
