"""The external_codings table: how ATOP and the COW alliance data code each state's part in
the treaty, beside the spell of this dataset it corresponds to, and whether they agree."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table, Tables, Violation, cross_table_rule


class ExternalCodingsSchema(pandera.DataFrameModel):
    coding_id: Series[str] = pandera.Field(
        description="Id of the row: `dataset:alliance:phase:ISO3`.", unique=True
    )
    dataset: Series[str] = f.choice(
        "`atop` (Alliance Treaty Obligations and Provisions) or `cow` (Correlates of War "
        "Formal Alliances).",
        v.EXTERNAL_DATASETS,
        raw_name="dataset",
    )
    dataset_version: Series[str] = f.code(
        "The version read.", r"^[0-9]+(\.[0-9]+)*$", raw_name="version"
    )
    alliance_id: Series[str] = f.code(
        "The alliance's id in that dataset (`atopid`, `version4id`).",
        r"^[0-9]+$",
        raw_name="alliance",
    )
    phase: Series[pd.Int64Dtype] = pandera.Field(
        description="ATOP's phase of the alliance (1 for COW, which has none).",
        ge=1,
        metadata=f.raw("phase"),
    )
    iso3: Series[str] = f.code(
        "The state (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    cow_code: Series[pd.Int64Dtype] = pandera.Field(
        description="The state's COW number as the dataset gives it.",
        metadata=f.raw("cow_code"),
    )
    entry_date: Series[pd.Timestamp] = f.date(
        "Entry as coded (ATOP: the day the state signed, or the day the phase began).",
        raw_name="entry",
    )
    entry_precision: Series[str] = f.precision("entry_date")
    entry_how: Series[str] = f.choice(
        "`joined` (the state's own entry) or `phase_start` (carried over into a new phase).",
        v.EXTERNAL_ENTRIES,
        raw_name="entry_how",
    )
    exit_date: Series[pd.Timestamp] = f.date(
        "Exit as coded; empty where the dataset codes none.", nullable=True, raw_name="exit"
    )
    exit_precision: Series[str] = f.precision("exit_date", nullable=True)
    exit_how: Series[str] = f.choice(
        "`in_effect` (no exit by `coded_until`), `phase_end` (the state carried on in the "
        "next phase), `not_renewed` (the treaty was not renewed for it: ATOP `termmode` 1) "
        "or `left_early` (it ended before its term: ATOP `termmode` 3).",
        v.EXTERNAL_EXITS,
        raw_name="exit_how",
    )
    coded_until: Series[pd.Timestamp] = f.date(
        "The last day the dataset covers: an empty exit means in force on that day.",
        raw_name="coded_until",
    )
    coded_until_precision: Series[str] = f.precision("coded_until")
    spell_id: Series[str] = f.code(
        "The spell of this dataset it corresponds to (join to `members.spell_id`).",
        r"^.+$",
        raw_name="spell",
        refers=f.refers("members.spell_id"),
    )
    starts_agree: Series[pd.BooleanDtype] = pandera.Field(
        description="Computed: `true` if the entry is the spell's start to the day; empty "
        "for a phase start.",
        nullable=True,
    )
    ends_agree: Series[pd.BooleanDtype] = pandera.Field(
        description="Computed: `true` if the exit is the spell's end to the day, or if both "
        "have none by `coded_until`; empty for a phase end.",
        nullable=True,
    )
    source_ids: Series[str] = f.source_ids("source", many=False)
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="external_codings",
    title="ATOP and COW codings",
    description="Every spell of a state in the treaty as ATOP 5.1 (alliance 4220, by phase) "
    "and the COW Formal Alliances 4.1 (alliance 350) code it, with the spell of this dataset "
    "it corresponds to and whether the two agree to the day.",
    model=ExternalCodingsSchema,
    primary_key=("coding_id",),
    position=74,
    derived_key=("dataset", "alliance_id", "phase", "iso3"),
    notes=(
        "Read from public copies of `atop5_1m.csv` and `alliance_v4.1_by_member.csv` (see "
        "the sources). ATOP records signature dates and ends phase 1 on 7 October 2002, when "
        "the Charter was signed; COW alliance 350 enters all nine states on 15 May 1992 and "
        "codes no exit up to the end of its data in 2012: that is its coding, kept as it is. "
        "Where the two sides differ, the row's `note` says what each follows."
    ),
)


def with_agreement(codings: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The codings with `starts_agree` and `ends_agree` against the spells they name."""
    spells = members.set_index("spell_id")
    start = pd.Series(spells["start_date"].reindex(codings["spell_id"]).to_numpy(), codings.index)
    end = pd.Series(spells["end_date"].reindex(codings["spell_id"]).to_numpy(), codings.index)
    starts = (codings["entry_date"] == start).where(codings["entry_how"] != "phase_start")
    open_both = codings["exit_date"].isna() & (end.isna() | (end > codings["coded_until"]))
    ends = (open_both | (codings["exit_date"] == end)).where(codings["exit_how"] != "phase_end")
    return codings.assign(starts_agree=starts.astype("boolean"), ends_agree=ends.astype("boolean"))


@cross_table_rule
def codings_name_their_state_spell(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A coding corresponds to a spell of the same state, and has an exit exactly when it
    says how it ended."""
    codings = tables["external_codings"]
    states = tables["members"].drop_duplicates("spell_id").set_index("spell_id")["iso3"]
    spell_state = pd.Series(states.reindex(codings["spell_id"]).to_numpy(), codings.index)
    for row in codings.index[spell_state.notna() & (spell_state != codings["iso3"])]:
        yield Violation(
            "external_codings", row, "spell_id", f"the spell is not {codings.at[row, 'iso3']}'s"
        )
    without = codings["exit_date"].isna() != (codings["exit_how"] == "in_effect")
    for row in codings.index[without & codings["exit_how"].notna()]:
        yield Violation(
            "external_codings", row, "exit_how", "`in_effect` exactly when there is no exit"
        )
