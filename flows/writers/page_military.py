"""The release page's sections on the CSTO as a military: the exercises per year by series,
a state-by-year matrix of who took part, and the collective forces with their pledges."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from markupsafe import Markup

from flows.writers import site
from flows.writers.figure_sums import mismatched_groups
from flows.writers.page_parts import (
    Row,
    country_names,
    last_year,
    qualified,
    shown_date,
    table_text,
)
from schemas import FIGURE_TABLES
from schemas.vocabulary import EXERCISE_SERIES

# How an exercise that was not held shows in the grid.
STATUS_MARKS = {"held": "", "cancelled": " (cancelled)", "moved": " (moved)"}


def exercises(files: dict[str, bytes]) -> str:
    """A grid of series by year, each exercise a mark in its cell, and who took part."""
    rows = table_text(files, "exercises")
    if rows.empty:
        return "<p>No exercise is recorded in this release.</p>"
    rows = rows.assign(year=rows["start_date"].str[:4].astype(int))
    years = range(int(rows["year"].min()), last_year(files) + 1)
    # One pass over the exercises in date order, each mark into its cell: time linear in
    # the rows and cells, never rows times cells.
    cells: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for e in rows.sort_values(["start_date", "exercise_id"], kind="stable").itertuples():
        cells[(e.series, e.year)].append(exercise_mark(e))
    grid = [
        (series.replace("-", " "), [cells.get((series, y), []) for y in years])
        for series in EXERCISE_SERIES
        if any(s == series for s, _ in cells)
    ]
    drawn = site.part("exercise_grid", years=list(years), rows=grid, series=series_listing(rows))
    return drawn + participation(files, rows, years) + sums_caveat("exercise_figures", files)


def exercise_mark(e: Row) -> dict[str, str]:
    """One exercise in the grid: filled if held, hollow if cancelled or moved."""
    when = shown_date(e.start_date, e.start_precision)
    said = f"{e.name}{STATUS_MARKS[e.status]}: {when}, {e.host_iso3 or 'several states'}"
    shape = "mark" if e.status == "held" else "mark hollow"
    return {"shape": shape, "id": e.exercise_id, "said": said}


def series_listing(exercises: pd.DataFrame) -> site.Listing:
    """The grid's narrow form: per series, the years it was held and those it was not."""
    listed = []
    for series in EXERCISE_SERIES:
        own = exercises[exercises["series"] == series].sort_values("start_date", kind="stable")
        if own.empty:
            continue
        held = own[own["status"] == "held"]
        other = own[own["status"] != "held"]
        listed.append(
            {
                "series": series.replace("-", " "),
                "held": ", ".join(str(y) for y in held["year"]),
                "not held": "; ".join(f"{e.name} ({e.status})" for e in other.itertuples()),
            }
        )
    frame = pd.DataFrame(listed, columns=["series", "held", "not held"])
    columns = {"series": "series", "held": "held in", "not held": "not held"}
    return site.listing_of("series", "Exercises by series", frame, columns)


def participation(files: dict[str, bytes], exercises: pd.DataFrame, years: range) -> str:
    """States by year: how many held exercises each hosted or took part in (observers and
    umbrellas apart), so that a reader sees who stayed away."""
    parts, names = table_text(files, "exercise_participants"), country_names(files)
    counted = (exercises["status"] == "held") & (exercises["is_umbrella"] != "true")
    held = exercises[counted].set_index("exercise_id")["year"]
    parts = parts[parts["exercise_id"].isin(held.index)]
    parts = parts.assign(year=parts["exercise_id"].map(held))
    took_part = parts[parts["role"] != "observer"]
    counts = took_part.groupby(["iso3", "year"]).size()
    watched = parts[parts["role"] == "observer"].groupby(["iso3", "year"]).size()
    states = sorted(set(took_part["iso3"]), key=lambda s: names.get(s, s))

    def shown(iso3: str, year: int) -> str:
        n, seen = int(counts.get((iso3, year), 0)), int(watched.get((iso3, year), 0))
        return str(n) if n else ("obs." if seen else "")

    grid = [
        (names.get(iso3, iso3), [(f"{iso3}:{year}", shown(iso3, year)) for year in years])
        for iso3 in states
    ]
    per_state = [
        {
            "state": names.get(iso3, iso3),
            "years": ", ".join(f"{y}: {shown(iso3, y)}" for y in years if shown(iso3, y)),
        }
        for iso3 in states
    ]
    frame = pd.DataFrame(per_state, columns=["state", "years"])
    columns = {"state": "state", "years": "year: exercises"}
    return site.part(
        "participation",
        years=list(years),
        rows=grid,
        per_state=site.listing_of("taking-part", "Who took part", frame, columns),
    )


def forces(files: dict[str, bytes]) -> str:
    """Each force with its founding and purpose, and its preferred figures: the declared
    strength and each member's pledge."""
    rows, names = table_text(files, "collective_forces"), country_names(files)
    if rows.empty:
        return "<p>No collective force is recorded in this release.</p>"
    figures = table_text(files, "force_figures")
    preferred = figures[figures["preferred"] == "true"]
    undated = rows["founded_date"] == ""  # last, after the dated, oldest first
    rows = rows.assign(undated=undated).sort_values(["undated", "founded_date", "force_id"])
    items = []
    for force in rows.itertuples():
        founded = shown_date(force.founded_date, force.founded_precision) or "date not found"
        own = preferred[preferred["force_id"] == force.force_id]
        own = own.sort_values(["contributor_iso3", "as_of_date"])  # a series per contributor
        items.append(
            {
                "id": force.force_id,
                "name": force.name,
                "name_ru": force.name_ru,
                "founded": founded,
                "purpose": force.purpose,
                "figures": [figure_row(f, names) for f in own.itertuples()],
            }
        )
    return site.part("forces", items=items, caveat=Markup(sums_caveat("force_figures", files)))


def figure_row(figure: Row, names: dict[str, str]) -> dict[str, str]:
    who = names.get(figure.contributor_iso3, "Whole force")
    troops = qualified(int(figure.troops), figure.qualifier) if figure.troops else ""
    when = shown_date(figure.as_of_date, figure.as_of_precision)
    return {"id": figure.figure_id, "who": who, "troops": troops, "units": figure.units,
            "when": when, "claimant": figure.claimant}  # fmt: skip


def sums_caveat(table: str, files: dict[str, bytes]) -> str:
    """A warning, for a table of figures, naming the groups whose preferred figures per
    contributor do not add up to their preferred total; empty where all add up."""
    wrong = mismatched_groups(table, files).values()
    if not wrong:
        return ""
    figures = FIGURE_TABLES[table]
    unit = f" {figures.unit}" if figures.unit else ""
    listed = "; ".join(
        f"{' '.join(m.group)}: {m.contributors:,}{unit} against {m.total:,}" for m in wrong
    )
    return site.part(
        "sums_caveat", table=table, listed=listed, groups=figures.groups, whole=figures.whole
    )
