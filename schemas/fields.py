"""Pandera field factories for the kinds of column the tables share.

A column declares on itself the raw field it is typed from (`raw_name`) and the column of
another table its ids refer to (`refers`); `schemas/spec.py` reads both from there.
"""

from typing import Any

import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc
from pandera.api.extensions import register_check_method

from schemas import vocabulary as v
from schemas.spec import RAW, REFERS, Cites, Reference

# A text cell may not begin with a character that makes a spreadsheet evaluate it: `=`,
# `+`, `-`, `@`, their full-width and small forms (which spreadsheets also read as
# operators), or white space (a tab or a space before `=` hides it from a simple guard).
NO_FORMULA = r"^[^=+\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\s]"

# A value is one line of printable text. Control and format characters (NUL, ESC, CR, a
# byte order mark, U+0085), line and paragraph separators, private-use characters and
# non-characters are refused: they break CSV rows and the codebook's tables, differ
# between CSV and Parquet readers, and nobody types them on purpose. In RE2 syntax.
NOT_PRINTABLE = (
    r"[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\x{FDD0}-\x{FDEF}"
    + "".join(f"\\x{{{plane:X}FFFE}}\\x{{{plane:X}FFFF}}" for plane in range(17))
    + "]"
)


def printable(series: pd.Series) -> pd.Series:
    """True where a text value holds no character of `NOT_PRINTABLE`."""
    text = pa.array(series, pa.large_string(), from_pandas=True)
    bad = pc.fill_null(pc.match_substring_regex(text, NOT_PRINTABLE), False)
    return pd.Series(~bad.to_numpy(zero_copy_only=False), index=series.index)


# Registered by a call, not as a decorator, so that `printable` keeps its types: Pandera's
# decorator is untyped, and returns the function as it is.
register_check_method(printable, statistics=[])


def refers(target: str, *, many: bool = False, cites: Cites | None = None) -> Reference:
    """A reference to `target` (`table.column`); `many`: a cell holds several ids, separated
    by `;`; `cites`: what the sources of a column of source ids do for its row."""
    table, column = target.split(".")
    return Reference(table, column, ";" if many else None, cites)


# The sources that support a row, and those that give another value than it.
SUPPORTING_SOURCES = refers("sources.source_id", many=True, cites="supports")
CONTRADICTING_SOURCES = refers("sources.source_id", many=True, cites="contradicts")


def declared(
    raw_name: str | None = None, *, many: bool = False, refers: Reference | None = None
) -> dict[str, Any] | None:
    """A column's metadata: the raw field it is typed from (`many`: a YAML list of ids) and
    the column of another table its ids refer to; None where it declares neither."""
    found: dict[str, Any] = {}
    if raw_name is not None:
        found[RAW] = {"name": raw_name, "list": many}
    if refers is not None:
        found[REFERS] = refers
    return found or None


def raw(name: str | None, *, many: bool = False) -> dict[str, Any] | None:
    """The metadata that names a column's raw field (`many`: a YAML list of ids)."""
    return declared(name, many=many)


def text(
    description: str, *, nullable: bool = False, raw_name: str | None = None, **checks: Any
) -> Any:
    checks.setdefault("str_matches", NO_FORMULA)
    return pandera.Field(
        description=description,
        nullable=nullable,
        printable=(),
        metadata=raw(raw_name),
        **checks,
    )


def english_name() -> Any:
    return text("Name in English, as English-language sources write it.", raw_name="name")


def russian_name(*, nullable: bool = False) -> Any:
    missing = "; empty where none was read" if nullable else ""
    return text(
        f"Name in Russian, as Russian-language sources write it{missing}.",
        nullable=nullable,
        raw_name="name_ru",
    )


def key(description: str, pattern: str = v.SLUG, *, raw_name: str | None = None) -> Any:
    return pandera.Field(
        description=description, unique=True, str_matches=pattern, metadata=raw(raw_name)
    )


def code(
    description: str,
    pattern: str = v.ISO3,
    *,
    nullable: bool = False,
    raw_name: str | None = None,
    many: bool = False,
    refers: Reference | None = None,
) -> Any:
    """A code or id; `refers`: the column of another table the ids are keys of."""
    return pandera.Field(
        description=description,
        str_matches=pattern,
        nullable=nullable,
        metadata=declared(raw_name, many=many, refers=refers),
    )


def choice(
    description: str,
    values: tuple[str, ...],
    *,
    nullable: bool = False,
    raw_name: str | None = None,
) -> Any:
    return pandera.Field(
        description=description, isin=list(values), nullable=nullable, metadata=raw(raw_name)
    )


def choices(
    description: str, values: tuple[str, ...], *, nullable: bool = False, raw_name: str
) -> Any:
    """A YAML list of words of the vocabulary `values`, published `;`-separated."""
    word = "(" + "|".join(values) + ")"
    return code(description, f"^{word}(;{word})*$", nullable=nullable, raw_name=raw_name, many=True)


def date(description: str, *, nullable: bool = False, raw_name: str | None = None) -> Any:
    return pandera.Field(description=description, nullable=nullable, metadata=raw(raw_name))


def precision(of: str, *, nullable: bool = False) -> Any:
    return choice(
        f"Precision of `{of}`: `day`, `month` or `year` (the date is the period's first day).",
        v.DATE_PRECISIONS,
        nullable=nullable,
    )


def source_ids(raw_name: str | None = None, *, many: bool = True, unless: str | None = None) -> Any:
    """The sources supporting a row (`many=False`: the raw field gives one; `unless`: when
    a row may have none, and why)."""
    return pandera.Field(
        description="Ids of the sources that support this row, separated by `;` "
        "(join to `sources.source_id`)" + (f"; empty {unless}." if unless else "."),
        str_matches=v.SLUG_LIST,
        nullable=unless is not None,
        metadata=declared(raw_name, many=many, refers=SUPPORTING_SOURCES),
    )


def contradicting_source_ids(raw_name: str | None = None) -> Any:
    return pandera.Field(
        description="Ids of sources that give a different value than this row (`;`-separated); "
        "`note` says what they give. Empty where no source read disagrees.",
        str_matches=v.SLUG_LIST,
        nullable=True,
        metadata=declared(raw_name, many=True, refers=CONTRADICTING_SOURCES),
    )


def note(raw_name: str | None = "note") -> Any:
    return text(
        "Curator's note: what the sources say, caveats, disagreements.",
        nullable=True,
        raw_name=raw_name,
    )
