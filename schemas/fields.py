"""Pandera field factories for the kinds of column the tables share."""

from typing import Any

import pandera.pandas as pa

from schemas import vocabulary as v

# A text cell may not begin with a character that makes a spreadsheet evaluate it.
NO_FORMULA = r"^[^=+\-@]"


def text(description: str, *, nullable: bool = False, **checks: Any) -> Any:
    checks.setdefault("str_matches", NO_FORMULA)
    return pa.Field(description=description, nullable=nullable, **checks)


def key(description: str, pattern: str = v.SLUG) -> Any:
    return pa.Field(description=description, unique=True, str_matches=pattern)


def code(description: str, pattern: str = v.ISO3, *, nullable: bool = False) -> Any:
    return pa.Field(description=description, str_matches=pattern, nullable=nullable)


def choice(description: str, values: tuple[str, ...], *, nullable: bool = False) -> Any:
    return pa.Field(description=description, isin=list(values), nullable=nullable)


def date(description: str, *, nullable: bool = False) -> Any:
    return pa.Field(description=description, nullable=nullable)


def precision(of: str, *, nullable: bool = False) -> Any:
    return choice(
        f"Precision of `{of}`: `day`, `month` or `year` (the date is the period's first day).",
        v.DATE_PRECISIONS,
        nullable=nullable,
    )


def source_ids() -> Any:
    return pa.Field(
        description="Ids of the sources that support this row, separated by `;` "
        "(join to `sources.source_id`).",
        str_matches=v.SLUG_LIST,
    )


def contradicting_source_ids() -> Any:
    return pa.Field(
        description="Ids of sources that give a different value than this row (`;`-separated); "
        "`note` says what they give. Empty where no source read disagrees.",
        str_matches=v.SLUG_LIST,
        nullable=True,
    )


def note() -> Any:
    return text("Curator's note: what the sources say, caveats, disagreements.", nullable=True)
