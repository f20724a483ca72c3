"""The assembly_observers table: parliaments with observer status in the CSTO
Parliamentary Assembly, which is not a status in the CSTO itself."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import periods_in_order
from schemas.spec import Table, Tables, Violation, cross_table_rule


class AssemblyObserversSchema(pandera.DataFrameModel):
    observer_id: Series[str] = pandera.Field(
        description="Id of the status: `ISO3:start_date`.", unique=True
    )
    iso3: Series[str] = f.code(
        "The state whose parliament holds the status (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    chamber: Series[str] = f.text(
        "The chamber holding the status, as the sources name it.", raw_name="chamber"
    )
    start_date: Series[pd.Timestamp] = f.date("When the status was granted.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    end_date: Series[pd.Timestamp] = f.date(
        "When the status ended; empty while it holds.", nullable=True, raw_name="end"
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    end_how: Series[str] = f.choice(
        "How it ended: `chamber_ceased` (the chamber holding it ceased to exist) or "
        "`status_withdrawn` (by the Assembly).",
        v.ASSEMBLY_STATUS_ENDS,
        nullable=True,
        raw_name="end_how",
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="assembly_observers",
    title="Observers in the Parliamentary Assembly",
    description="Parliaments holding observer status in the CSTO Parliamentary Assembly. "
    "This is not observer status in the CSTO, and these states are not in `members` or "
    "`membership_years`.",
    model=AssemblyObserversSchema,
    primary_key=("observer_id",),
    position=35,
    notes=(
        "Coverage: the two parliaments that sources name as observers in the Assembly, both "
        "from 2013 (no source read gives the day). No decision of the Assembly ending "
        "either status was found; Afghanistan's status is ended at the dissolution of the "
        "chamber that held it (see its `note`)."
    ),
    derived_key=("iso3", "start_date"),
)


@cross_table_rule
def assembly_statuses_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A status ends after it starts, says how it ended, and one state's do not overlap."""
    observers = tables["assembly_observers"]
    yield from periods_in_order(observers, "assembly_observers", "status", "observer_id", ["iso3"])
