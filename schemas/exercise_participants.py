"""The exercise_participants table: which states took part in each exercise, and how."""

import datetime as dt
from collections.abc import Iterator

import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import not_parties
from schemas.spec import Table, Tables, Violation, cross_table_rule


class ExerciseParticipantsSchema(pandera.DataFrameModel):
    participant_id: Series[str] = pandera.Field(
        description="Id of the row: `exercise:ISO3`.", unique=True
    )
    exercise_id: Series[str] = f.code(
        "The exercise (join to `exercises.exercise_id`).",
        v.SLUG,
        raw_name="exercise",
        refers=f.refers("exercises.exercise_id"),
    )
    iso3: Series[str] = f.code(
        "The state (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    role: Series[str] = f.choice(
        "`host`, `participant` or `observer`.", v.EXERCISE_ROLES, raw_name="role"
    )
    contingent: Series[str] = f.text(
        "What sources say about its contingent.", nullable=True, raw_name="contingent"
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="exercise_participants",
    title="Exercise participants",
    description="One row per exercise and state that sources name: host, participant or "
    "observer, and what sources say of its contingent. Join to `membership_years` by "
    "`iso3` and the exercise's year.",
    model=ExerciseParticipantsSchema,
    primary_key=("participant_id",),
    position=67,
    derived_key=("exercise_id", "iso3"),
    notes=(
        "Only the states that a source names for an exercise are listed: a state missing "
        "here may have taken part unreported. Observers include foreign military attaches "
        "invited to watch, where sources name their states."
    ),
)


@cross_table_rule
def participants_are_parties(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A host or participant was a party, or held the CSTO's observer or partner status, on
    the exercise's first day, or the row's note says why not; anyone may observe."""
    rows = tables["exercise_participants"]
    starts = tables["exercises"].drop_duplicates("exercise_id").set_index("exercise_id")
    took_part = rows[(rows["role"] != "observer") & rows["note"].isna()]
    start = starts["start_date"].reindex(took_part["exercise_id"]).to_numpy()
    dated = took_part.assign(date=start)
    checked = {"exercise_participants": dated, "members": tables["members"]}
    statuses = (*v.PARTY_STATUSES, "observer", "partner")
    for violation in not_parties(checked, "exercise_participants", "iso3", statuses=statuses):
        yield Violation(
            violation.table,
            violation.row,
            violation.column,
            violation.message + "; a note must say why it took part",
        )
