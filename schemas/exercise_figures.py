"""The exercise_figures table: troops and equipment in each exercise, every figure as one
source reported it."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import figures
from schemas import vocabulary as v
from schemas.spec import SUPPORTING_SOURCES, ForeignKey, Table, Tables, Violation, cross_table_rule


class ExerciseFiguresSchema(pandera.DataFrameModel):
    figure_id: Series[str] = figures.figure_id(
        "exercise:contributor (or TOTAL):measure:source:as_of"
    )
    exercise_id: Series[str] = f.code(
        "The exercise (join to `exercises.exercise_id`).", v.SLUG, raw_name="exercise"
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
    preferred: Series[pd.BooleanDtype] = figures.preferred(
        "exercise, measure and contributor (or total)"
    )
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
    foreign_keys=(
        ForeignKey("exercise_id", "exercises", "exercise_id"),
        ForeignKey("contributor_iso3", "countries", "iso3"),
        SUPPORTING_SOURCES,
    ),
)


@cross_table_rule
def one_preferred_exercise_figure(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Exactly one figure per exercise, measure and contributor (or total) is preferred."""
    yield from figures.one_preferred(tables, "exercise_figures", ["exercise_id", "measure"])
