"""The exercise_searches table: for each series of exercises and each year, the searches
made for its exercise and what they found: the coverage of `exercises`, measured."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table, Tables, Violation, cross_table_rule

SERIES = tuple(s for s in v.EXERCISE_SERIES if s != "other")


class ExerciseSearchesSchema(pandera.DataFrameModel):
    search_id: Series[str] = pandera.Field(description="Id of the row: `series:year`.", unique=True)
    series: Series[str] = f.choice(
        "The series searched (as `exercises.series`; the exercises outside a series are not "
        "searched by year).",
        SERIES,
        raw_name="series",
    )
    year: Series[pd.Int64Dtype] = pandera.Field(
        description="The year searched.", ge=v.FIRST_YEAR, metadata=f.raw("year")
    )
    finding: Series[str] = f.choice(
        "What the searches found: `recorded` (the series' exercise of the year is a row of "
        "`exercises`, held, cancelled or moved), `held_not_recorded` (a source reports it "
        "held, but too little was found for a row), `announced_only` (announced, with no "
        "report found that it was held, cancelled or moved) or `none_found`.",
        v.SEARCH_FINDINGS,
        raw_name="found",
    )
    exercise_ids: Series[str] = f.code(
        "The rows of `exercises` of the series and year, `;`-separated; empty unless "
        "`finding` is `recorded`.",
        v.SLUG_LIST,
        nullable=True,
        raw_name="exercises",
        many=True,
        refers=f.refers("exercises.exercise_id", many=True),
    )
    queries: Series[str] = f.text(
        "The queries typed into the search of stored public pages, in Russian and in "
        "English, separated by ` | `.",
        raw_name="queries",
    )
    searched_date: Series[pd.Timestamp] = f.date(
        "When the searches were made.", raw_name="searched"
    )
    searched_precision: Series[str] = f.precision("searched_date")
    source_ids: Series[str] = f.source_ids(
        "sources",
        unless="where nothing was found, or where the rows of `exercises` give the sources",
    )
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="exercise_searches",
    title="Searches for exercises",
    description="For each series of exercises and each year from its first to 2026, the "
    "searches made in Russian and English for its exercise, and what they found.",
    model=ExerciseSearchesSchema,
    primary_key=("search_id",),
    position=69,
    derived_key=("series", "year"),
    notes=(
        "Coverage: every series searched for each year from 2002 (Rubezh), 2008 (Interaction, "
        "Cobalt, Thunder), 2010 (Indestructible Brotherhood), 2014 (Search, Echelon) or 2016 "
        "(Combat Brotherhood) to 2026, on 6 December 2026, through stored copies of public "
        "pages. Those copies reach only to about March 2026: `announced_only` for 2026 means "
        "that no later report was found, not that the exercise was not held. `none_found` "
        "means that no stored page names an exercise of that series and year."
    ),
)


@cross_table_rule
def searches_name_their_findings(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A `recorded` search names the exercises of its series and year, and only it does;
    a search that found an exercise not recorded, or an announcement, cites its sources."""
    searches = tables["exercise_searches"]
    exercises = tables["exercises"].drop_duplicates("exercise_id").set_index("exercise_id")
    for row in searches.index:
        finding, named = searches.at[row, "finding"], searches.at[row, "exercise_ids"]
        if (finding == "recorded") == pd.isna(named):
            yield Violation(
                "exercise_searches",
                row,
                "exercise_ids",
                "name the exercises exactly when `found` is `recorded`",
            )
        if finding in ("held_not_recorded", "announced_only") and pd.isna(
            searches.at[row, "source_ids"]
        ):
            yield Violation("exercise_searches", row, "source_ids", f"a {finding} search cites")
        for exercise in [] if pd.isna(named) else str(named).split(";"):
            if exercise not in exercises.index:
                continue  # the reference check names it
            series = exercises.at[exercise, "series"]
            year = pd.Timestamp(exercises.at[exercise, "start_date"]).year
            if (series, year) != (searches.at[row, "series"], searches.at[row, "year"]):
                yield Violation(
                    "exercise_searches",
                    row,
                    "exercise_ids",
                    f"{exercise} is of {series} in {year}, not of this search",
                )
