"""What the sections of the release page share: escaping, reading a table's text, dates
shown as precisely as they are known, and the frame of an inline SVG chart."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pandas as pd

from flows.steps.render import csv_text

WIDTH = 960  # SVG user units; the charts scale to the page width

# Where a date falls on a chart's x axis.
DateScale = Callable[[dt.date], float]
# A row of `DataFrame.itertuples()`: its columns are attributes.
Row = Any


def esc(value: object) -> str:
    """Text for HTML and SVG, in element content and in quoted attributes alike."""
    return html.escape(str(value), quote=True)


def size(data: bytes) -> str:
    return f"{len(data):,} bytes" + (f" ({len(data) / 1024:,.1f} KB)" if len(data) >= 1024 else "")


def table_text(files: dict[str, bytes], name: str, nrows: int | None = None) -> pd.DataFrame:
    """A table's CSV as text cells; `nrows`: only the first rows, the rest left unparsed."""
    return csv_text(files[f"{name}.csv"], nrows)


def shown_date(date: str, precision: str) -> str:
    """A date as precise as it is known: `2013` for a year, `1993-12` for a month."""
    return date[: {"year": 4, "month": 7}.get(precision, 10)]


def country_names(files: dict[str, bytes]) -> dict[str, str]:
    countries = table_text(files, "countries")
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def date_scale(start: dt.date, end: dt.date, left: float, right: float) -> DateScale:
    span = (end - start).days

    def x(day: dt.date) -> float:
        return round(left + (day - start).days / span * (right - left), 1)

    return x


def svg_open(name: str, height: float, title: str) -> str:
    """A chart for wide screens: on a narrow one it gives way to its narrow form, a list or
    a table beside it, rather than shrinking its text below legibility."""
    return (
        f'<svg class="wide-only" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{esc(name)}-t" font-size="13"><title id="{esc(name)}-t">'
        f"{esc(title)}</title>"
    )


def year_axis(first: int, last: int, x: DateScale, top: float, bottom: float) -> str:
    """Faint lines at each year, labelled every fifth year and at the first."""
    parts = []
    for year in range(first, last + 2):
        at = x(dt.date(year, 1, 1))
        parts.append(f'<line x1="{at}" y1="{top}" x2="{at}" y2="{bottom}" stroke="#e4e4e4"/>')
        if year % 5 == 0 or year == first:
            parts.append(f'<text x="{at}" y="{top - 6}" text-anchor="middle">{year}</text>')
    return "".join(parts)


def last_year(files: dict[str, bytes]) -> int:
    """The last year of the country-year panel: the year of the dataset's `as_of`."""
    return max(int(y) for y in table_text(files, "membership_years")["year"])


# How a figure's qualifier reads before its number.
QUALIFIED = {"approximate": "about {}", "at_least": "more than {}", "up_to": "up to {}"}


def qualified(count: int, qualifier: str) -> str:
    """A figure as the source qualified it: `about 70`, `more than 2,000`, `500 planned`."""
    text = QUALIFIED.get(qualifier, "{}").format(f"{count:,}")
    return text + (" planned" if qualifier == "planned" else "")
