"""The exercise_figures table: troops and equipment in each exercise, every figure as one
source reported it."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import figures
from schemas import vocabulary as v
from schemas.spec import Table


class ExerciseFiguresSchema(pandera.DataFrameModel):
    figure_id: Series[str] = figures.figure_id(
        "exercise:contributor (or TOTAL):measure:source:as_of"
    )
    exercise_id: Series[str] = f.code(
        "The exercise (join to `exercises.exercise_id`).",
        v.SLUG,
        raw_name="exercise",
        refers=f.refers("exercises.exercise_id"),
    )
    contributor_iso3: Series[str] = figures.contributor("exercise")
    measure: Series[str] = f.choice(
        "What is counted: `personnel`, `equipment` (weapons and equipment of all kinds, "
        "or kinds mixed), `vehicles` (of all kinds), `armoured_vehicles`, `aircraft` (with "
        "helicopters and drones where sources count them together), `transport_aircraft`, "
        "`helicopters`, `drones` or `ships`. The row's `note` says what the source counted.",
        v.MEASURES,
        raw_name="measure",
    )
    count: Series[pd.Int64Dtype] = pandera.Field(
        description="The number as the source gave it (see `qualifier`).",
        ge=0,
        metadata=f.raw("count"),
    )
    qualifier: Series[str] = figures.qualifier()
    as_of_date: Series[pd.Timestamp] = figures.as_of(
        "The date the figure refers to, or else the day it was reported."
    )
    as_of_precision: Series[str] = f.precision("as_of_date")
    claimant: Series[str] = figures.claimant()
    claimant_kind: Series[str] = figures.claimant_kind()
    claimant_iso3: Series[str] = figures.claimant_state()
    preferred: Series[pd.BooleanDtype] = figures.preferred(
        "exercise, measure and contributor (or total)"
    )
    preferred_by: Series[str] = figures.preferred_by()
    contributors_add_up: Series[pd.BooleanDtype] = figures.contributors_add_up("exercise")
    source_ids: Series[str] = f.source_ids("source", many=False)
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="exercise_figures",
    title="Exercise figures",
    description="Troops and equipment per exercise, in total and per contributing state, "
    "every figure as each source reported it, with the one the dataset prefers marked.",
    model=ExerciseFiguresSchema,
    primary_key=("figure_id",),
    position=68,
    derived_key=("exercise_id", "contributor_iso3", "measure", "source_ids", "as_of_date"),
    notes=(
        "Most figures are totals announced before or reported during an exercise; figures "
        "per state are few. Where several exercises ran together and sources give one figure "
        "for all of them, it is recorded on one of them and its `note` says so."
    ),
)

FIGURES = figures.FigureTable(
    TABLE,
    group=("exercise_id", "measure"),
    count="count",
    groups="exercises and measures",
    whole="exercise",
)
