"""The ratifications table: each state's steps under each legal instrument."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.instruments import event_dates
from schemas.spec import Table, Tables, Violation, cross_table_rule


class RatificationsSchema(pandera.DataFrameModel):
    step_id: Series[str] = pandera.Field(
        description="Id of the row: `instrument:ISO3:step`.", unique=True
    )
    instrument_id: Series[str] = f.code(
        "The instrument (join to `instruments.instrument_id`).",
        v.SLUG,
        raw_name="instrument",
        refers=f.refers("instruments.instrument_id"),
    )
    iso3: Series[str] = f.code(
        "The state (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    step: Series[str] = f.choice(
        "`signature`, `ratification` (the day of the domestic act that ratifies it, such as "
        "a law), `deposit` (of the instrument of ratification), `entry_into_force` (for "
        "that state), `withdrawal` or `suspension`.",
        v.STATE_STEPS,
        raw_name="step",
    )
    date: Series[pd.Timestamp] = f.date("When the step was taken.", raw_name="date")
    date_precision: Series[str] = f.precision("date")
    act: Series[str] = f.text(
        "The domestic act, as its text names it (kind, date and number); empty where the "
        "step has none or no source read names it.",
        nullable=True,
        raw_name="act",
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="ratifications",
    title="Ratifications",
    description="Each state's steps under each legal instrument: signature, ratification "
    "with its domestic act, deposit, entry into force for that state, withdrawal or "
    "suspension.",
    model=RatificationsSchema,
    primary_key=("step_id",),
    position=43,
    derived_key=("instrument_id", "iso3", "step"),
    notes=(
        "Coverage: 18 steps, most of them Kazakhstan's (ratifying acts of the Treaty, its "
        "protocols of 1999 and 2010, the Charter and its 2010 protocol, the agreement on the "
        "legal status, the peacekeeping agreement and the agreement on the rapid reaction "
        "forces, with the dates of "
        "entry into force its treaty bulletin gives); Russia's federal laws on the Charter, "
        "its 2010 protocol, the legal status and the rapid reaction forces; Armenia's "
        "parliamentary ratification and Belarus's signature of the agreement on the rapid "
        "reaction forces. No state is complete for any instrument. Searched for and not "
        "found in the stored pages read: any ratifying act of Belarus, Kyrgyzstan, "
        "Tajikistan or Uzbekistan, and any date of deposit. The steps by which states "
        "joined, left, froze or suspended their membership are in `members` and "
        "`treaty_events`."
    ),
)


@cross_table_rule
def steps_follow_the_signature(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A state's step under an instrument is not dated before the instrument was signed."""
    steps, instruments = tables["ratifications"], tables["instruments"]
    events = event_dates(tables)
    signed = {
        i: events.get(e)
        for i, e in zip(instruments["instrument_id"], instruments["signed_event_id"], strict=True)
    }
    signed_on = pd.to_datetime(steps["instrument_id"].map(signed))
    for row in steps.index[pd.to_datetime(steps["date"]) < signed_on]:
        yield Violation("ratifications", row, "date", "dated before the instrument was signed")
