"""The release page's sections on the CSTO as a military: the exercises per year by series,
a state-by-year matrix of who took part, and the collective forces with their pledges."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from flows.writers import site
from flows.writers.page_parts import (
    Row,
    country_names,
    esc,
    last_year,
    qualified,
    shown_date,
    sums_caveat,
    table_text,
)
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
    head = "".join(f"<th>{y}</th>" for y in years)
    # One pass over the exercises in date order, each mark into its cell: time linear in
    # the rows and cells, never rows times cells.
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for e in rows.sort_values(["start_date", "exercise_id"], kind="stable").itertuples():
        cells[(e.series, e.year)].append(exercise_mark(e))
    body = []
    for series in EXERCISE_SERIES:
        if not any(s == series for s, _ in cells):
            continue
        row = "".join(f"<td>{''.join(cells.get((series, y), []))}</td>" for y in years)
        body.append(f"<tr><th>{esc(series.replace('-', ' '))}</th>{row}</tr>")
    grid = (
        '<div class="scroll wide-only"><table class="grid"><thead><tr><th>series</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        '<p class="muted wide-only">Filled: held; hollow: cancelled or moved. Hover a mark '
        "for the exercise's name, dates and host.</p>"
    )
    narrow = series_table(rows)
    return (
        grid + narrow + participation(files, rows, years) + sums_caveat("exercise_figures", files)
    )


def series_table(exercises: pd.DataFrame) -> str:
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
    return site.narrow_table(site.listing_of("series", "Exercises by series", frame, columns))


def exercise_mark(e: Row) -> str:
    """One exercise in the grid: filled if held, hollow if cancelled or moved."""
    when = shown_date(e.start_date, e.start_precision)
    said = f"{e.name}{STATUS_MARKS[e.status]}: {when}, {e.host_iso3 or 'several states'}"
    shape = "mark" if e.status == "held" else "mark hollow"
    return (
        f'<span class="{shape}" data-exercise-id="{esc(e.exercise_id)}" title="{esc(said)}"></span>'
    )


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
    head = "".join(f"<th>{y}</th>" for y in years)
    body = []
    for iso3 in states:
        cells = []
        for year in years:
            n, seen = int(counts.get((iso3, year), 0)), int(watched.get((iso3, year), 0))
            text = str(n) if n else ("obs." if seen else "")
            cells.append(f'<td data-participation="{esc(iso3)}:{year}">{text}</td>')
        body.append(f"<tr><th>{esc(names.get(iso3, iso3))}</th>{''.join(cells)}</tr>")
    per_state = [
        {
            "state": names.get(iso3, iso3),
            "years": ", ".join(
                f"{year}: {counts.get((iso3, year), 0) or 'obs.'}"
                for year in years
                if counts.get((iso3, year), 0) or watched.get((iso3, year), 0)
            ),
        }
        for iso3 in states
    ]
    frame = pd.DataFrame(per_state, columns=["state", "years"])
    narrow = site.listing_of(
        "taking-part", "Who took part", frame, {"state": "state", "years": "year: exercises"}
    )
    return (
        "<h3>Who took part, by year</h3><p>Exercises held that each state hosted or took "
        "part in, as sources name them (obs.: observer only). An umbrella such as Combat "
        "Brotherhood is not counted; each exercise held under it is.</p>"
        f'<div class="scroll wide-only"><table class="grid"><thead><tr><th>state</th>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>{site.narrow_table(narrow)}"
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
    out = []
    for force in rows.itertuples():
        founded = shown_date(force.founded_date, force.founded_precision) or "date not found"
        own = preferred[preferred["force_id"] == force.force_id].sort_values("contributor_iso3")
        lines = "".join(figure_row(f, names) for f in own.itertuples())
        table = (
            '<table class="stack"><thead><tr><th>contributor</th><th>troops</th><th>units</th>'
            f"<th>as of</th></tr></thead><tbody>{lines}</tbody></table>"
            if lines
            else '<p class="muted">No figure found.</p>'
        )
        russian = f" ({esc(force.name_ru)})" if force.name_ru else ""
        out.append(
            f'<h3 id="force-{esc(force.force_id)}">{esc(force.name)}{russian}</h3>'
            f"<p>Founded: {esc(founded)}. {esc(force.purpose)}</p>{table}"
        )
    return "".join(out) + sums_caveat("force_figures", files)


def figure_row(figure: Row, names: dict[str, str]) -> str:
    who = names.get(figure.contributor_iso3, "Whole force")
    troops = qualified(int(figure.troops), figure.qualifier) if figure.troops else ""
    return (
        f'<tr data-force-figure-id="{esc(figure.figure_id)}"><td data-label="contributor">'
        f'{esc(who)}</td><td data-label="troops">{esc(troops)}</td><td data-label="units">'
        f'{esc(figure.units)}</td><td data-label="as of">'
        f"{esc(shown_date(figure.as_of_date, figure.as_of_precision))}</td></tr>"
    )
