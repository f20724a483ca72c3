"""One way of recording reported figures, for every table of them (troops deployed in an
operation, troops and equipment in an exercise, forces declared or pledged): each figure
as one source gave it, with its qualifier, its date and who made the claim, and one figure
per group marked preferred by one rule, computed here.

A table of figures declares what makes it one in its module, `FIGURES = FigureTable(...)`,
beside its `TABLE`; `schemas/__init__.py` finds it. From that one declaration follow the
computed `preferred`, `preferred_by` and `contributors_add_up` (`FigureTable.with_computed`,
called by `flows/steps/build.py`), and the warning not to add up the contributors where
they do not make the total (`flows/writers/figure_sums.py`, read by the codebook and the
page).
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
# A group column of the tables whose figures at different dates are a series (a force's
# strength over the years), not rival claims: computed from `as_of_date`.
YEAR = "as_of_year"

# The rule's criteria, in the order it applies them (`v.PREFERENCE_REASONS` names them).
RULE = v.PREFERENCE_REASONS[1:]
# How much each kind of claimant weighs, lower first. A state speaking of its own
# contribution comes before all (0, in `criteria`); officials of other states and of the
# CSTO weigh the same, as neither sees the other's forces better.
CLAIMANT_RANK = {"state": 1, "csto": 1, "expert": 2, "press": 3, "unknown": 3}


@dataclass(frozen=True)
class FigureTable:
    """A table of figures: one figure per source, contributor (or total) and `group`.

    `group` names the columns whose values make a group (an operation; an exercise and a
    measure; a force and a year, `YEAR`), `count` the column of the number. The rest says
    it in prose, for the codebook's warning: `groups`, what several groups are called
    ("exercises and measures"); `whole`, what a total is the size of; `unit`, what the
    count counts where one word says it ("troops"; empty where the group says it, as a
    measure does).
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

    def with_computed(self, figures: pd.DataFrame) -> pd.DataFrame:
        """The figures with the columns the build computes: `YEAR` where it makes a group,
        then `preferred` and `preferred_by` (`with_preference`), then `contributors_add_up`
        (`with_sums_checked`)."""
        if YEAR in self.group:
            figures = figures.assign(**{YEAR: figures["as_of_date"].dt.year.astype("Int64")})
        figures = with_preference(figures, [*self.group, CONTRIBUTOR])
        return with_sums_checked(figures, list(self.group), self.count)


@cross_table_rule
def claimant_states_are_named(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """In every table of figures, a claim of a state names the state, and only such a claim
    does."""
    from schemas import FIGURE_TABLES

    for name in FIGURE_TABLES:
        rows = tables[name]
        of_state = rows["claimant_kind"] == "state"
        for row in rows.index[of_state & rows["claimant_iso3"].isna()]:
            yield Violation(name, row, "claimant_iso3", "a claim of a state names the state")
        for row in rows.index[~of_state & rows["claimant_iso3"].notna()]:
            yield Violation(
                name,
                row,
                "claimant_iso3",
                f"only a claim of a state names one (claimant_kind is "
                f"{rows.at[row, 'claimant_kind']!r})",
            )


def criteria(figures: pd.DataFrame) -> pd.DataFrame:
    """The rule's criteria for each figure, in `RULE` order, each lower for the better
    figure: what happened over what was planned (a plan is not a rival account of what
    happened), then who made the claim, exact over qualified, the most recent, and the
    first source id."""
    own = figures[CONTRIBUTOR].notna() & (figures["claimant_iso3"] == figures[CONTRIBUTOR])
    claimant = figures["claimant_kind"].map(CLAIMANT_RANK).where(~own, 0)
    return pd.DataFrame(
        {
            "actual_over_planned": (figures["qualifier"] == "planned").astype(int),
            "claimant": claimant,
            "exact_over_qualified": (figures["qualifier"] != "exact").astype(int),
            "most_recent": -(figures["as_of_date"] - pd.Timestamp(0)).dt.days,
            "first_source": figures["source_ids"],
        },
        index=figures.index,
    )


def with_preference(figures: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """The figures with `preferred` set on the first of each group by the rule's
    `criteria`, and `preferred_by` on it naming the criterion that put it before the next
    one (`only_figure` where it is alone)."""
    keys = figures[group].astype("string").fillna("")
    ranked = pd.concat([keys, criteria(figures)], axis=1).sort_values(
        [*group, *RULE], kind="stable"
    )
    preferred = pd.Series(False, index=figures.index, dtype="boolean")
    reason = pd.Series(pd.NA, index=figures.index, dtype="string")
    for _, rows in ranked.groupby(group, sort=False):
        best = rows.index[0]
        preferred[best] = True
        reason[best] = _deciding(rows.iloc[0], rows.iloc[1]) if len(rows) > 1 else "only_figure"
    return figures.assign(preferred=preferred, preferred_by=reason.astype(object))


def _deciding(best: pd.Series, next_best: pd.Series) -> str:
    """The first criterion of the rule on which `best` comes before `next_best`."""
    return next((c for c in RULE if best[c] != next_best[c]), RULE[-1])


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


def claimant() -> Any:
    return f.text(
        "Who made the claim, as the source attributes it: the body or office-holder (a "
        "ministry, a Secretary General), or else the outlet itself where it names no one.",
        raw_name="claimant",
    )


def claimant_kind() -> Any:
    return f.choice(
        "The kind of claimant: `state` (a state's body or office-holder), `csto` (a CSTO "
        "body or official), `expert` (a named analyst), `press` (the outlet's own figure, or "
        "one it attributes to no one or to an unnamed source) or `unknown` (the page could "
        "not be read again to see). Not the kind of page read: an official figure read in a "
        "news report is the official's, and so is a figure in a report the outlet credits as "
        "a whole to an official body.",
        v.CLAIMANT_KINDS,
        raw_name="claimant_kind",
    )


def claimant_state() -> Any:
    return f.code(
        "The state whose body or office-holder made the claim (join to `countries.iso3`); "
        "empty unless `claimant_kind` is `state`.",
        nullable=True,
        raw_name="claimant_state",
        refers=f.refers("countries.iso3"),
    )


def preferred(group: str) -> Any:
    return pandera.Field(
        description=f"Computed: `true` for the one figure per {group} that the dataset "
        "prefers by the rule in the codebook; `preferred_by` says which of its criteria "
        "decided.",
        nullable=True,  # empty only before build computes it
    )


def preferred_by() -> Any:
    return f.choice(
        "Computed, on the preferred figure: the criterion of the rule that put it before the "
        "next figure of its group: `actual_over_planned`, `claimant`, "
        "`exact_over_qualified`, `most_recent` or `first_source`; `only_figure` where the "
        "group has one. Empty on the other figures.",
        v.PREFERENCE_REASONS,
        nullable=True,
    )


def as_of_year() -> Any:
    return pandera.Field(
        description="Computed: the year of `as_of_date`. Figures of different years are a "
        "series, not rival claims: one figure per year is preferred.",
        nullable=True,  # empty only before build computes it
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
