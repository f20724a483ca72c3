"""The instruments table: the treaty system's legal instruments, each tied to the treaty
events of its signature and entry into force rather than repeating their dates."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table, Tables, Violation, cross_table_rule


class InstrumentsSchema(pandera.DataFrameModel):
    instrument_id: Series[str] = f.key("Id of the instrument.", raw_name="id")
    title: Series[str] = f.text(
        "Its title in English: the official one where a source read gives it, else a "
        "translation (`note` says whose).",
        raw_name="title",
    )
    title_ru: Series[str] = f.text(
        "Its title in Russian, the language of the original; empty where no source read "
        "gives it in full.",
        nullable=True,
        raw_name="title_ru",
    )
    kind: Series[str] = f.choice(
        "`treaty`, `protocol` (most amend or extend another instrument, named in "
        "`amends_id`; a few, titled protocols, stand alone), `charter` or `agreement`.",
        v.INSTRUMENT_KINDS,
        raw_name="kind",
    )
    signed_event_id: Series[str] = f.code(
        "The treaty event of its signature (join to `treaty_events.event_id`, which gives "
        "the date, its precision and the place).",
        v.SLUG,
        raw_name="signed_event",
        refers=f.refers("treaty_events.event_id"),
    )
    in_force_event_id: Series[str] = f.code(
        "The treaty event of its entry into force for the parties as a whole (join to "
        "`treaty_events.event_id`); empty where no source read dates it.",
        v.SLUG,
        nullable=True,
        raw_name="in_force_event",
        refers=f.refers("treaty_events.event_id"),
    )
    amends_id: Series[str] = f.code(
        "The instrument it amends or extends (join to `instruments.instrument_id`).",
        v.SLUG,
        nullable=True,
        raw_name="amends",
        refers=f.refers("instruments.instrument_id"),
    )
    depositary: Series[str] = f.text(
        "Who keeps the original and sends certified copies, as the text names it; empty "
        "where no source read names it.",
        nullable=True,
        raw_name="depositary",
    )
    un_registration: Series[str] = f.text(
        "Its registration with the United Nations Secretariat; empty where no source read "
        "gives one.",
        nullable=True,
        raw_name="un_registration",
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="instruments",
    title="Legal instruments",
    description="The legal instruments of the treaty system (the Treaty, its protocols, the "
    "Charter and the agreements on the organisation and its forces), with their titles, "
    "the events of their signature and entry into force, and their depositary.",
    model=InstrumentsSchema,
    primary_key=("instrument_id",),
    position=42,
    notes=(
        "Coverage: 27 instruments: the 1992 Treaty and its protocols of 1999, 2010 and 2018; "
        "the Regulations on the Council of 1992; the 2002 Charter and its protocols of 2010 "
        "and 2018; the agreement on the legal status and its protocols of 2007 and 2018; and "
        "the agreements and protocols that govern the forces, from the status agreement of "
        "2000 to the protocols of 28 November 2024. Not recorded: the decisions adopting "
        "regulations (such as those on observers and partners of 2018), which are acts of "
        "the Council, not treaties, and the agreements on military-technical cooperation "
        "and on other matters than membership and the forces. No source read names the "
        "depositary of most instruments, or gives a United Nations registration number; "
        "where no source dates an entry into force, `in_force_event_id` is empty. The "
        "states' own steps are in `ratifications`."
    ),
)


def event_dates(tables: Tables) -> dict[str, pd.Timestamp]:
    """Each treaty event's date by id (any duplicate id is reported by its own check)."""
    events = tables["treaty_events"]
    return dict(zip(events["event_id"], events["date"], strict=True))


@cross_table_rule
def instruments_are_signed_before_they_enter_into_force(
    tables: Tables, as_of: dt.date
) -> Iterator[Violation]:
    """An instrument enters into force after it is signed, and does not amend itself."""
    rows = tables["instruments"]
    events = event_dates(tables)
    signed = pd.to_datetime(rows["signed_event_id"].map(events))
    in_force = pd.to_datetime(rows["in_force_event_id"].map(events))
    for row in rows.index[in_force < signed]:
        yield Violation(
            "instruments", row, "in_force_event_id", "enters into force before it is signed"
        )
    for row in rows.index[rows["amends_id"] == rows["instrument_id"]]:
        yield Violation("instruments", row, "amends_id", "an instrument does not amend itself")
