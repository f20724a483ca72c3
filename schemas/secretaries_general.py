"""The secretaries_general table: who led the CSTO's Secretariat, and when."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import periods_in_order
from schemas.spec import Table, Tables, Violation, cross_table_rule


class SecretariesGeneralSchema(pandera.DataFrameModel):
    term_id: Series[str] = f.key("Id of the term of office.", raw_name="id")
    name: Series[str] = f.english_name()
    name_ru: Series[str] = f.russian_name()
    iso3: Series[str] = f.code(
        "The state the holder represented (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    role: Series[str] = f.choice(
        "`secretary_general` (appointed by the Collective Security Council) or `acting` "
        "(a deputy charged with the duties while the post was vacant).",
        v.ROLES,
        raw_name="role",
    )
    start_date: Series[pd.Timestamp] = f.date(
        "When the term began: the day the holder took office where sources give it, else "
        "the day of the appointing decision (see `note`).",
        raw_name="start",
    )
    start_precision: Series[str] = f.precision("start_date")
    end_date: Series[pd.Timestamp] = f.date(
        "When the term ended; empty while it is ongoing.", nullable=True, raw_name="end"
    )
    end_precision: Series[str] = f.precision("end_date", nullable=True)
    end_how: Series[str] = f.choice(
        "How it ended: `term_expired`, `recalled` (early, at the request of the holder's "
        "state), `successor_took_office` (an acting term, ended by an appointment).",
        v.TERM_ENDS,
        nullable=True,
        raw_name="end_how",
    )
    wikidata_id: Series[str] = f.code(
        "Wikidata item of the person, where a source read shows it.",
        r"^Q[1-9][0-9]*$",
        nullable=True,
        raw_name="wikidata",
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="secretaries_general",
    title="Secretaries General",
    description="Every Secretary General and acting Secretary General of the CSTO, with "
    "the state each represented and the dates of each term.",
    model=SecretariesGeneralSchema,
    primary_key=("term_id",),
    position=55,
    notes=(
        "Coverage: every term from the first appointment (28 April 2003) to the term that "
        "began on 1 January 2026, which is recorded as ongoing; the newest source read on "
        "it dates from January 2026. Where sources give both the appointing decision and "
        "the day the holder took office, `start_date` is the latter and `note` gives the "
        "decision. An acting term ends on the day its successor took office, which is "
        "then both its end and the next term's start. No "
        "Wikidata item was shown by a source read, so `wikidata_id` is empty."
    ),
)


@cross_table_rule
def terms_are_ordered(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A term ends after it starts, says how it ended, and no two terms overlap."""
    terms = tables["secretaries_general"]
    yield from periods_in_order(terms, "secretaries_general", "term", "term_id", [])
