"""The exercises table: the joint exercises held under the CSTO, and those cancelled or
moved."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import ends_before_start
from schemas.spec import Table, Tables, Violation, cross_table_rule


class ExercisesSchema(pandera.DataFrameModel):
    exercise_id: Series[str] = f.key("Id of the exercise: `series-year`.", raw_name="id")
    series: Series[str] = f.choice(
        "The series: `rubezh` (Rubezh, the rapid deployment forces), `interaction` "
        "(Vzaimodeystvie, the rapid reaction forces), `indestructible-brotherhood` "
        "(Nerushimoe Bratstvo, the peacekeeping forces), `search` (Poisk, reconnaissance), "
        "`echelon` (Eshelon, logistics), `cobalt` (Kobalt, special forces), `thunder` (Grom, "
        "anti-drug forces), `combat-brotherhood` (Boevoe Bratstvo, the umbrella of a year's "
        "exercises) or `other`.",
        v.EXERCISE_SERIES,
        raw_name="series",
    )
    name: Series[str] = f.english_name()
    name_ru: Series[str] = f.russian_name(nullable=True)
    start_date: Series[pd.Timestamp] = f.date("When it began (or was to begin).", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    end_date: Series[pd.Timestamp] = f.date(
        "When it ended; empty where no source says.", nullable=True, raw_name="end"
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    status: Series[str] = f.choice(
        "`held`, `cancelled`, or `moved` (to another year or state; `note` says where).",
        v.EXERCISE_STATUSES,
        raw_name="status",
    )
    host_iso3: Series[str] = f.code(
        "The host state (join to `countries.iso3`); empty for an umbrella held in several.",
        nullable=True,
        raw_name="host",
        refers=f.refers("countries.iso3"),
    )
    grounds: Series[str] = f.text(
        "The training grounds in English, as sources write them.", nullable=True, raw_name="grounds"
    )
    grounds_ru: Series[str] = f.text(
        "The training grounds in Russian, as sources write them.",
        nullable=True,
        raw_name="grounds_ru",
    )
    force_ids: Series[str] = f.code(
        "The collective forces exercised, `;`-separated (join to "
        "`collective_forces.force_id`); empty where they were other units.",
        v.SLUG_LIST,
        nullable=True,
        raw_name="forces",
        many=True,
        refers=f.refers("collective_forces.force_id", many=True),
    )
    umbrella_id: Series[str] = f.code(
        "The umbrella exercise it ran under (join to `exercises.exercise_id`).",
        v.SLUG,
        nullable=True,
        raw_name="umbrella",
        refers=f.refers("exercises.exercise_id"),
    )
    is_umbrella: Series[pd.BooleanDtype] = pandera.Field(
        description="Computed: `true` for an umbrella, an exercise that others name in "
        "`umbrella_id` (such as a year's Combat Brotherhood). Leave these rows out when "
        "counting exercises: their participants took part in the exercises under them, "
        "which are rows of their own.",
        nullable=True,  # empty only before build fills it
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="exercises",
    title="Exercises",
    description="The joint exercises held under the CSTO from 2002, by series, with dates, "
    "host, training grounds and the forces exercised; cancelled and moved exercises are "
    "rows too, so that no gap is silent.",
    model=ExercisesSchema,
    primary_key=("exercise_id",),
    position=66,
    notes=(
        "Coverage: from Yug-Antiterror-2002 of the rapid deployment forces to the exercises of "
        "2025; planned exercises are recorded once held, cancelled or moved. What was searched "
        "for each series and year, and what was found, is the table `exercise_searches`: on "
        "6 December 2026 every series was searched for each year from its first to 2026, in "
        "Russian and English. Two exercises reported held are not recorded, for want of dates "
        "and place: Combat Brotherhood-2025 and Cobalt-2025. Known only from announcements: "
        "Rubezh-2018, Thunder-2019, Rubezh-2020, Rubezh-2023 and Skala-2024, and the exercises "
        "announced for 2026 (the stored pages read reach only to about March 2026). The record "
        "is thin before 2009, and for Cobalt and Thunder, which sources show in some years "
        "only. Where a name was read only in one "
        "language, the other is a translation of the series name (`note` says so) or, for the "
        "Russian, left empty. Counting exercises: leave out the umbrellas (`is_umbrella`: "
        "Center-2011, and Combat Brotherhood in 2017, 2018, 2019, 2021 and 2023), or each state"
        " taking part is counted once more for the umbrella of its year."
    ),
)


def with_umbrellas(exercises: pd.DataFrame) -> pd.DataFrame:
    """The exercises with `is_umbrella`: whether any exercise ran under it."""
    umbrellas = set(exercises["umbrella_id"].dropna())
    return exercises.assign(is_umbrella=exercises["exercise_id"].isin(umbrellas).astype("boolean"))


@cross_table_rule
def exercises_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """An exercise ends after it starts, and its umbrella is not itself."""
    rows = tables["exercises"]
    yield from ends_before_start(rows, "exercises")
    for row in rows.index[rows["umbrella_id"] == rows["exercise_id"]]:
        yield Violation("exercises", row, "umbrella_id", "an exercise is not its own umbrella")
