"""One way of recording reported figures, for every table of them (troops deployed in an
operation, troops and equipment in an exercise, forces declared or pledged): each figure
as one source gave it, with its qualifier and date, and one figure per group marked
preferred by the rule in the codebook."""

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pandera.pandas as pandera

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Tables, Violation


def figure_id(parts: str) -> Any:
    return pandera.Field(description=f"Id of the figure: `{parts}`.", unique=True)


def as_of(description: str = "The date the figure refers to.") -> Any:
    return f.date(description, raw_name="as_of")


def contributor(subject: str) -> Any:
    return f.code(
        f"The contributing state (join to `countries.iso3`); empty for a total of the {subject}.",
        nullable=True,
        raw_name="contributor",
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


def one_preferred(tables: Tables, table: str, group: list[str]) -> Iterator[Violation]:
    """Exactly one figure per `group` and contributor (or total) is marked preferred."""
    figures = tables[table]
    who = figures["contributor_iso3"].fillna("total")
    for keys, rows in figures.assign(who=who).groupby([*group, "who"], sort=True):
        marked = int(rows["preferred"].fillna(False).sum())
        if marked != 1:
            named = " ".join(str(k) for k in keys[:-1])
            yield Violation(
                table,
                rows.index[0],
                "preferred",
                f"{marked} figures for {keys[-1]} in {named} are marked preferred; "
                "exactly one must be",
            )


def with_sums_checked(figures: pd.DataFrame, group: list[str], count: str) -> pd.DataFrame:
    """The figures with `contributors_add_up` set on the preferred figures of every group
    that has a preferred total: do its preferred contributor figures sum to it? Unknown
    where a preferred contributor figure has no count."""
    preferred = figures["preferred"].fillna(False).astype(bool)
    totals = figures[preferred & figures["contributor_iso3"].isna()].set_index(group)[count]
    parts = figures[preferred & figures["contributor_iso3"].notna()].groupby(group)[count]
    summed = parts.sum(min_count=1).where(parts.count() == parts.size())
    adds_up = (summed.reindex(totals.index) == totals).where(summed.reindex(totals.index).notna())
    keys = pd.MultiIndex.from_frame(figures[group]) if len(group) > 1 else figures[group[0]]
    flag = pd.Series(adds_up.reindex(keys).to_numpy(), index=figures.index).where(preferred)
    return figures.assign(contributors_add_up=flag.astype("boolean"))
