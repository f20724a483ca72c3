"""The collective_forces table: the standing forces of the CSTO and its groupings."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class CollectiveForcesSchema(pandera.DataFrameModel):
    force_id: Series[str] = f.key("Id of the force.", raw_name="id")
    name: Series[str] = f.english_name()
    name_ru: Series[str] = f.russian_name(nullable=True)
    founded_date: Series[pd.Timestamp] = f.date(
        "When it was founded (the founding document's date); empty where no source dates it.",
        nullable=True,
        raw_name="founded",
    )
    founded_precision: Series[str] = f.precision("founded_date", nullable=True)
    founding_event_id: Series[str] = f.code(
        "The founding event (join to `treaty_events.event_id`), where it is one.",
        v.SLUG,
        nullable=True,
        raw_name="founding_event",
        refers=f.refers("treaty_events.event_id"),
    )
    founding_document: Series[str] = f.text(
        "The founding document, as sources name it.", nullable=True, raw_name="founding_document"
    )
    purpose: Series[str] = f.text("What it is for, in a sentence.", raw_name="purpose")
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="collective_forces",
    title="Collective forces",
    description="The collective forces of the CSTO (rapid deployment, rapid reaction, "
    "peacekeeping, aviation) and the groupings sources count among them, with their founding "
    "and purpose; their declared strength and the members' pledges are in `force_figures`.",
    model=CollectiveForcesSchema,
    primary_key=("force_id",),
    position=62,
    notes=(
        "Coverage: the forces and groupings that sources read name, including bilateral "
        "groupings that CSTO officials count among the collective forces and a Central Asian "
        "grouping that was planned in 2008-2009 and that no source shows was created (see each "
        "`note`). No source read gives the founding date of the aviation forces."
    ),
)
