"""One way of recording reported figures, for every table of them (troops deployed in an
operation, troops and equipment in an exercise, forces declared or pledged): each figure
as one source gave it, with its qualifier and date, and one figure per group marked
preferred by the rule in the codebook.

A table of figures declares what makes it one in its module, `FIGURES = FigureTable(...)`,
beside its `TABLE`; `schemas/__init__.py` finds it. From that one declaration follow the
rule that one figure per group and contributor (or total) is preferred (here), the
computed `contributors_add_up` (`flows/steps/build.py`) and the warning not to add up the
contributors where they do not make the total (`flows/writers/figure_sums.py`, read by the
codebook and the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pandera

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table, Tables, Violation, cross_table_rule

CONTRIBUTOR = "contributor_iso3"  # empty on a total


@dataclass(frozen=True)
class FigureTable:
    """A table of figures: one figure per source, contributor (or total) and `group`.

    `group` names the columns whose values make a group (an operation; an exercise and a
    measure; a force), `count` the column of the number. The rest says it in prose, for the
    codebook's warning: `groups`, what several groups are called ("exercises and
    measures"); `whole`, what a total is the size of; `unit`, what the count counts where
    one word says it ("troops"; empty where the group says it, as a measure does).
    """

    table: Table
    group: tuple[str, ...]
    count: str
    groups: str
    whole: str
    unit: str = ""

    @property
    def name(self) -> str:
        return self.table.name

    def one_preferred(self, tables: Tables) -> Iterator[Violation]:
        """Exactly one figure per group and contributor (or total) is marked preferred."""
        figures = tables[self.name]
        who = figures[CONTRIBUTOR].fillna("total")
        for keys, rows in figures.assign(who=who).groupby([*self.group, "who"], sort=True):
            marked = int(rows["preferred"].fillna(False).sum())
            if marked != 1:
                named = " ".join(str(k) for k in keys[:-1])
                yield Violation(
                    self.name,
                    rows.index[0],
                    "preferred",
                    f"{marked} figures for {keys[-1]} in {named} are marked preferred; "
                    "exactly one must be",
                )

    def with_sums_checked(self, figures: pd.DataFrame) -> pd.DataFrame:
        """The figures with `contributors_add_up` computed (see `with_sums_checked`)."""
        return with_sums_checked(figures, list(self.group), self.count)


@cross_table_rule
def one_preferred_figure(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """In every table of figures, exactly one figure per group and contributor (or total)
    is marked preferred."""
    from schemas import FIGURE_TABLES

    for figure_table in FIGURE_TABLES.values():
        yield from figure_table.one_preferred(tables)


def figure_id(parts: str) -> Any:
    return pandera.Field(description=f"Id of the figure: `{parts}`.", unique=True)


def as_of(description: str = "The date the figure refers to.") -> Any:
    return f.date(description, raw_name="as_of")


def contributor(subject: str) -> Any:
    return f.code(
        f"The contributing state (join to `countries.iso3`); empty for a total of the {subject}.",
        nullable=True,
        raw_name="contributor",
        refers=f.refers("countries.iso3"),
    )


def qualifier() -> Any:
    return f.choice(
        "How the source qualified the figure: `exact`, `approximate` (about), `at_least` "
        "(more than), `up_to`, `planned` (announced before it happened).",
        v.QUALIFIERS,
        raw_name="qualifier",
    )


def preferred(group: str) -> Any:
    return pandera.Field(
        description=f"`true` for the one figure per {group} that the dataset prefers; see "
        "`note` and the codebook for the rule.",
        metadata=f.raw("preferred"),
    )


def contributors_add_up(subject: str) -> Any:
    return pandera.Field(
        description=f"On each preferred figure: `true` if the preferred contributor figures "
        f"of its {subject} add up to the {subject}'s preferred total, `false` if not (then "
        "their sum is not the size of the force: see the codebook). Computed, not curated; "
        f"empty on the other figures, or where the {subject} has no preferred total.",
        nullable=True,
    )


def with_sums_checked(figures: pd.DataFrame, group: list[str], count: str) -> pd.DataFrame:
    """The figures with `contributors_add_up` set on the preferred figures of every group
    that has a preferred total: do its preferred contributor figures sum to it? Unknown
    where a preferred contributor figure has no count."""
    preferred = figures["preferred"].fillna(False).astype(bool)
    totals = figures[preferred & figures[CONTRIBUTOR].isna()].set_index(group)[count]
    parts = figures[preferred & figures[CONTRIBUTOR].notna()].groupby(group)[count]
    summed = parts.sum(min_count=1).where(parts.count() == parts.size())
    adds_up = (summed.reindex(totals.index) == totals).where(summed.reindex(totals.index).notna())
    keys = pd.MultiIndex.from_frame(figures[group]) if len(group) > 1 else figures[group[0]]
    flag = pd.Series(adds_up.reindex(keys).to_numpy(), index=figures.index).where(preferred)
    return figures.assign(contributors_add_up=flag.astype("boolean"))
