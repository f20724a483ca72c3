"""The sections of the release's home page `index.html`: the charts, drawn here as inline
SVG (their geometry), each with a narrow form for small screens, and the lists of tables
and countries (`site.py`, which also lays the page out from its templates).

No scripts, fonts, styles or images are fetched, so the page opens offline in any browser.
Every value from the records is escaped, and the page depends only on the release's files
and info, so the same release gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from markupsafe import Markup

from flows.steps.checksums import sha256
from flows.steps.render import csv_text
from flows.steps.versioning import ReleaseInfo
from flows.writers import page_institution, page_military, site
from flows.writers.figure_sums import Mismatch, mismatches
from flows.writers.page_parts import (
    WIDTH,
    DateScale,
    Row,
    country_names,
    date_scale,
    esc,
    last_year,
    qualified,
    shown_date,
    svg_open,
    table_text,
    year_axis,
)
from schemas import metadata
from schemas.vocabulary import FIRST_YEAR, TREATY_SIGNED

# Where a number of troops falls on a chart's x axis.
TroopScale = Callable[[int], float]

PLOT, VALUE_X, SOURCE_X, ROW = (130, 440), 470, 680, 19  # columns of the deployment chart
# Figures of a group drawn besides its preferred ones: well above the few of any group in
# the real data, whose page draws every figure.
MAX_FIGURES = 12
# The troop_deployments columns the chart uses: all but the long notes.
FIGURE_COLUMNS = [
    "figure_id",
    "operation_id",
    "contributor_iso3",
    "troops",
    "qualifier",
    "as_of_date",
    "as_of_precision",
    "claimant",
    "preferred",
    "source_ids",
]
# Of those, the columns of few distinct values: read dictionary-encoded, as small integer
# indices rather than a string per row.
FEW_VALUES = ["operation_id", "qualifier", "as_of_precision", "source_ids"]
# The swatch of a treaty event in the timeline's legend: a dark dot, as drawn.
EVENT_DOT = "background:#333;border:0"
# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
STATUS_COLOURS = {
    "member": "#0072b2",
    "frozen": "#56b4e9",
    "suspended": "#d55e00",
    "observer": "#009e73",
    "partner": "#cc79a7",
}
# The formats a release's files are downloaded in, by extension (schema.org encodingFormat).
MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "dta": "application/x-stata-dta",
    "json": "application/json",
    "md": "text/markdown",
    "cff": "application/x-yaml",
}
# Where the data is about: the states that were ever party to the treaty.
SPATIAL_COVERAGE = (
    "Armenia, Azerbaijan, Belarus, Georgia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan, Uzbekistan"
)


def figure_table(files: dict[str, bytes]) -> pa.Table:
    """The troop figures as Arrow columns, read from the Parquet file.

    There may be millions: counts, ranges and the choice of figures to draw stay
    vectorised, and only the figures drawn become text (`as_text`).
    """
    data = pa.BufferReader(files["troop_deployments.parquet"])
    return pq.read_table(data, columns=FIGURE_COLUMNS, read_dictionary=FEW_VALUES)


def as_text(figures: pa.Table) -> pd.DataFrame:
    """Figures as their CSV shows them: `70`, `2022-01-06`, `true`, empty when missing."""
    columns = {c: pc.fill_null(pc.cast(figures[c], pa.string()), "") for c in FIGURE_COLUMNS}
    return pa.table(columns).to_pandas()


def troop_range(figures: pa.Table, among: pa.ChunkedArray) -> tuple[int, int]:
    """The fewest and most troops of the figures a mask picks."""
    bounds = pc.min_max(figures["troops"].filter(among))
    return bounds["min"].as_py(), bounds["max"].as_py()


def timeline(files: dict[str, bytes]) -> str:
    """Spells per state from 1992 to the end of the last year, and numbered treaty events."""
    members, names = table_text(files, "members"), country_names(files)
    end_year = last_year(files)
    start, end = dt.date(FIRST_YEAR, 1, 1), dt.date(end_year + 1, 1, 1)
    x = date_scale(start, end, 140, WIDTH - 10)
    first = members.groupby("iso3")["start_date"].min()
    states = sorted(first.index, key=lambda s: (first[s], names.get(s, s)))
    row, top = 26, 30
    axis_y = top + row * len(states)
    parts = []
    parts.append(year_axis(FIRST_YEAR, end_year, x, 20, axis_y))
    for i, iso3 in enumerate(states):
        y = top + i * row
        parts.append(f'<text x="130" y="{y + 17}" text-anchor="end">{esc(names[iso3])}</text>')
        for spell in members[members["iso3"] == iso3].itertuples():
            parts.append(spell_mark(spell, names[iso3], x, end, y + 5))
    events = events_of(files, "")
    marks, lanes_used = event_marks(events, x, axis_y + 14)
    parts.append(f'<line x1="140" y1="{axis_y}" x2="{WIDTH - 10}" y2="{axis_y}" stroke="#333"/>')
    parts.append(f'<text x="130" y="{axis_y + 18}" text-anchor="end">Events</text>')
    height = axis_y + 14 + lanes_used * 18
    title = f"Membership of every state, {FIRST_YEAR} to {end_year}, and treaty events"
    svg = svg_open("timeline", height, title) + "".join(parts) + marks + "</svg>"
    statuses = [(s, "swatch", f"background:{c}") for s, c in STATUS_COLOURS.items()]
    statuses.append(("treaty event (numbered as listed below)", "swatch dot", EVENT_DOT))
    return site.part(
        "timeline",
        svg=Markup(svg),
        statuses=statuses,
        spells=spells_listing(members, names),
        events_listed=event_items(events),
    )


def spells_listing(members: pd.DataFrame, names: dict[str, str]) -> site.Listing:
    """The timeline's narrow form: every spell in a table, by state and start."""
    spells = members.assign(state=members["iso3"].map(names))
    spells = spells.sort_values(["state", "start_date"], kind="stable")
    spells["from"] = [
        f"{shown_date(d, p)} ({h})".replace("_", " ")
        for d, p, h in zip(
            spells["start_date"], spells["start_precision"], spells["start_how"], strict=True
        )
    ]
    spells["to"] = [
        f"{shown_date(d, p)} ({h})".replace("_", " ") if d else "ongoing"
        for d, p, h in zip(
            spells["end_date"], spells["end_precision"], spells["end_how"], strict=True
        )
    ]
    columns = {"state": "state", "status": "status", "from": "from", "to": "to"}
    return site.listing_of("spells", "Spells", spells, columns)


def spell_mark(spell: Row, name: str, x: DateScale, axis_end: dt.date, y: float) -> str:
    """One bar; an ongoing spell runs to the end of the axis."""
    ongoing = spell.end_date == ""
    x0 = x(dt.date.fromisoformat(spell.start_date))
    x1 = x(axis_end if ongoing else dt.date.fromisoformat(spell.end_date))
    began = f"{shown_date(spell.start_date, spell.start_precision)} ({spell.start_how})"
    ended = f"{shown_date(spell.end_date, spell.end_precision)} ({spell.end_how})"
    span = f"from {began} to {'now (ongoing)' if ongoing else ended}".replace("_", " ")
    return (
        f'<rect data-spell-id="{esc(spell.spell_id)}" x="{x0}" y="{y}" '
        f'width="{max(round(x1 - x0, 1), 2)}" height="16" rx="2" '
        f'fill="{STATUS_COLOURS.get(spell.status, "#777")}"><title>'
        f"{esc(name)}: {esc(spell.status)} {esc(span)}</title></rect>"
    )


def events_of(files: dict[str, bytes], operation_id: str) -> pd.DataFrame:
    """The events of one operation (`""`: those of none), in date order."""
    events = table_text(files, "treaty_events")
    events = events[events["operation_id"] == operation_id]
    return events.sort_values(["date", "event_id"], kind="stable")


def event_marks(events: pd.DataFrame, x: DateScale, y: float) -> tuple[str, int]:
    """Numbered dots under the axis; a dot too close to one before it moves down a lane."""
    lane_ends: list[float] = []
    marks = []
    for number, event in enumerate(events.itertuples(), start=1):
        at = x(dt.date.fromisoformat(event.date))
        lane = next((i for i, e in enumerate(lane_ends) if at - e >= 18), len(lane_ends))
        lane_ends[lane : lane + 1] = [at]
        when = shown_date(event.date, event.date_precision)
        marks.append(
            f'<g data-event-id="{esc(event.event_id)}"><title>{number}. {esc(when)}: '
            f'{esc(event.title)}</title><circle cx="{at}" cy="{y + lane * 18}" r="8" '
            f'fill="#333"/><text x="{at}" y="{y + lane * 18 + 3.5}" fill="#fff" '
            f'font-size="10" text-anchor="middle">{number}</text></g>'
        )
    return "".join(marks), len(lane_ends)


def event_items(events: pd.DataFrame) -> list[dict[str, str]]:
    """Events as the lists under the charts give them: date as known, title, place."""
    return [
        {"when": shown_date(e.date, e.date_precision), "title": e.title, "place": e.place}
        for e in events.itertuples()
    ]


def log_scale(low: int, high: int, left: float, right: float) -> tuple[TroopScale, list[int]]:
    """A log scale between 1-2-5 steps around `low` to `high`, and its ticks.

    Logarithmic because contingents differ a hundredfold: 70 against 100 troops must show
    as plainly as 2,030 against 2,500.
    """
    top = max(low, high, 1)
    steps = [m * 10**k for k in range(len(str(top)) + 1) for m in (1, 2, 5)]
    lo = max(s for s in steps if s <= max(low, 1))
    hi = min(s for s in steps if s >= high and s > lo)

    def x(value: int) -> float:
        share = (math.log10(max(value, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return round(left + share * (right - left), 1)

    return x, [s for s in steps if lo <= s <= hi]


def figure_label(figure: Row) -> str:
    return qualified(int(figure.troops), figure.qualifier)


def drawn(figures: pa.Table, group: pa.ChunkedArray) -> tuple[pd.DataFrame, int]:
    """The figures of a group (a mask) to draw, by date, and how many others are left out.

    Every preferred figure and the latest MAX_FIGURES others: a mark per figure would make
    a chart of a million figures unreadable, and its page slow to build and to open. Only
    the others on or after the MAX_FIGURES-th latest date are copied out to be ordered by
    date and id: copying all of them would cost more than the rest of the page.
    """
    preferred = pc.and_(group, figures["preferred"])
    others = pc.and_(group, pc.invert(figures["preferred"]))
    dates = figures["as_of_date"]
    other_dates = dates.filter(others)
    cut = pc.min(other_dates.take(pc.top_k_unstable(other_dates, MAX_FIGURES)))
    near = figures.filter(pc.and_(others, pc.greater_equal(dates, cut)))
    latest = pc.select_k_unstable(
        near, MAX_FIGURES, [("as_of_date", "descending"), ("figure_id", "descending")]
    )
    shown = pa.concat_tables([figures.filter(preferred), near.take(latest)])
    order = pc.sort_indices(shown, [("as_of_date", "ascending"), ("figure_id", "ascending")])
    return as_text(shown.take(order)), len(other_dates) - len(latest)


def deployment_chart(
    operation: Row,
    figures: pa.Table,
    own: pa.ChunkedArray,
    names: dict[str, str],
    publishers: dict[str, str],
) -> tuple[str, site.Listing]:
    """The troop figures per contributor (and the total), one line per figure and source,
    and the same figures as a listing: the chart's narrow form.

    The preferred figure is a filled dot with a dashed line across its group and a bold
    label; the others are hollow, so where sources disagree shows at a glance. A group
    with more figures than are drawn (`drawn`) says so on lines of its own. `own` masks
    the figures of `operation` among all `figures`.
    """
    x, ticks = log_scale(*troop_range(figures, own), *PLOT)
    contributor = pc.fill_null(figures["contributor_iso3"], "")
    present = set(pc.unique(contributor.filter(own)).to_pylist())
    groups = [(names[c], c) for c in sorted(present - {""}, key=lambda code: names[code])]
    groups += [("Total", "")] if "" in present else []
    header = [
        '<text x="10" y="18" fill="#555">contributor</text>',
        f'<text x="{VALUE_X}" y="18" fill="#555">figure as reported</text>',
        f'<text x="{SOURCE_X}" y="18" fill="#555">as of, source</text>',
        *(f'<text x="{x(t)}" y="18" text-anchor="middle">{t:,}</text>' for t in ticks),
    ]
    bands, marks, y = [], [], 26
    shown = []
    for i, (label, iso3) in enumerate(groups):
        group = pc.and_(own, pc.equal(contributor, iso3))
        rows, left_out = drawn(figures, group)
        shown.append(rows.assign(contributor=label))
        count = pc.sum(group).as_py()
        lines = len(rows) + 2 * (left_out > 0)
        height = ROW * lines + 6
        shade = "#f4f6f8" if i % 2 == 0 else "#fff"
        bands.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{height}" fill="{shade}"/>')
        marks.append(
            f'<text x="10" y="{y + 17}" font-weight="600">{esc(label)}</text><text x="10" '
            f'y="{y + 33}" font-size="11" fill="#555">{count:,} figure(s)</text>'
        )
        if left_out:
            marks.append(
                left_out_mark(left_out, *troop_range(figures, group), x, y + 3 + 0.5 * ROW, label)
            )
        for pick in rows[rows["preferred"] == "true"]["troops"]:
            at = x(int(pick))
            marks.append(
                f'<line x1="{at}" y1="{y}" x2="{at}" y2="{y + height}" stroke="#222" '
                'stroke-dasharray="3 3"/>'
            )
        for j, figure in enumerate(rows.itertuples(), start=lines - len(rows)):
            marks.append(figure_mark(figure, x, y + 3 + (j + 0.5) * ROW, publishers, label))
        y += height
    grid = [f'<line x1="{x(t)}" y1="26" x2="{x(t)}" y2="{y}" stroke="#ccc"/>' for t in ticks]
    title = f"Troop figures by source: {operation.name}"
    body = "".join(header + bands + grid + marks)
    chart = f"{svg_open(f'deploy-{operation.operation_id}', y + 4, title)}{body}</svg>"
    return chart, figures_listing(pd.concat(shown), publishers)


def figures_listing(rows: pd.DataFrame, publishers: dict[str, str]) -> site.Listing:
    """The deployment chart's narrow form: the figures it draws, by contributor."""
    rows = rows.assign(
        figure=[figure_label(f) for f in rows.itertuples()],
        when=[
            shown_date(d, p)
            for d, p in zip(rows["as_of_date"], rows["as_of_precision"], strict=True)
        ],
        source=rows["source_ids"].map(lambda s: publishers.get(s, s)),
        preferred=rows["preferred"].map({"true": "✓ preferred", "false": ""}),
    )
    columns = {"contributor": "contributor", "figure": "troops", "when": "as of",
               "claimant": "claimed by", "source": "source",
               "preferred": "preferred"}  # fmt: skip
    return site.listing_of("figures", "Figures", rows, columns)


def left_out_mark(count: int, low: int, high: int, x: TroopScale, cy: float, group: str) -> str:
    """Two lines for the figures not drawn: a grey bar over the group's range, and words.

    They come first: the figures left out are older than all drawn but the preferred ones.
    """
    said = f"{count:,} more figures not drawn; all range from {low:,} to {high:,} troops"
    where = "Every figure is in troop_deployments.csv."
    return (
        f'<g data-not-drawn="{count}"><title>{esc(group)}: {esc(said)}. {esc(where)}</title>'
        f'<line x1="{x(low)}" y1="{cy}" x2="{x(high)}" y2="{cy}" stroke="#999" '
        'stroke-width="4" stroke-linecap="round"/><g font-size="12" fill="#555">'
        f'<text x="{VALUE_X}" y="{cy + 4.5}">{esc(said)}</text>'
        f'<text x="{VALUE_X}" y="{cy + ROW + 4.5}">{esc(where)}</text></g></g>'
    )


def figure_mark(
    figure: Row, x: TroopScale, cy: float, publishers: dict[str, str], group: str
) -> str:
    preferred = figure.preferred == "true"
    at, label = x(int(figure.troops)), figure_label(figure)
    source = publishers.get(figure.source_ids, figure.source_ids)
    short = source if len(source) <= 27 else source[:26] + "…"
    when = shown_date(figure.as_of_date, figure.as_of_precision)
    weight = ' font-weight="700"' if preferred else ""
    return (
        f'<g data-figure-id="{esc(figure.figure_id)}"><title>{esc(group)}: {esc(label)} troops '
        f"({esc(source)}, as of {esc(when)}){', preferred' if preferred else ''}</title>"
        f'<circle cx="{at}" cy="{cy}" r="{6 if preferred else 5}" '
        f'fill="{"#0072b2" if preferred else "#fff"}" stroke="#0072b2" stroke-width="2"/>'
        f'<text x="{VALUE_X}" y="{cy + 4.5}"{weight}>{esc(label)}'
        f'{" ✓" if preferred else ""}</text><text x="{SOURCE_X}" y="{cy + 4.5}" '
        f'fill="#444">{esc(when)} {esc(short)}</text></g>'
    )


def sum_caveat(mismatch: Mismatch | None) -> str:
    """A warning where the preferred figures per contributor do not add up to the
    preferred total (`contributors_add_up` is false)."""
    if mismatch is None:
        return ""
    return site.part("sum_caveat", contributors=mismatch.contributors, total=mismatch.total)


def deployments(files: dict[str, bytes]) -> str:
    """A section per operation: what it was, its figures chart and its milestones."""
    names = country_names(files)
    sources = table_text(files, "sources")
    publishers = dict(zip(sources["source_id"], sources["publisher"], strict=True))
    figures = figure_table(files)
    wrong_sums = mismatches(files)
    out = []
    for op in table_text(files, "operations").itertuples():
        when = (
            shown_date(op.start_date, op.start_precision)
            + " to "
            + (shown_date(op.end_date, op.end_precision) if op.end_date else "ongoing")
        )
        facts = f"Host: {names.get(op.host_iso3, op.host_iso3)}. {when}."
        if op.commander:
            facts += f" Commander: {op.commander}."
        own = pc.equal(figures["operation_id"], op.operation_id)
        drawn_any = pc.any(own).as_py()
        chart, listed = (
            deployment_chart(op, figures, own, names, publishers)
            if drawn_any
            else ("", site.listing_of("figures", "Figures", pd.DataFrame(), {}))
        )
        out.append(
            site.part(
                "operation",
                op={"id": op.operation_id, "name": op.name, "facts": facts},
                caveat=Markup(sum_caveat(wrong_sums.get(op.operation_id))),
                chart=Markup(chart),
                figures=listed,
                milestones=event_items(events_of(files, op.operation_id)),
            )
        )
    return "".join(out)


def dataset_jsonld(files: dict[str, bytes], info: ReleaseInfo) -> str:
    """schema.org `Dataset` metadata of the release, as JSON-LD for dataset search engines:
    what it is, its licence, creator, coverage, and a `DataDownload` per file with its
    format and SHA-256. `<` is escaped so that no value can close the script element."""
    coverage = csv_text(files["coverage.csv"])
    as_of = coverage["as_of_date"].iloc[0]
    downloads = [
        {
            "@type": "DataDownload",
            "name": name,
            "contentUrl": name,
            "encodingFormat": MEDIA_TYPES[name.rsplit(".", 1)[-1]],
            "contentSize": f"{len(data)} B",
            "sha256": sha256(data),
        }
        for name, data in sorted(files.items())
        if name.rsplit(".", 1)[-1] in MEDIA_TYPES
    ]
    licence = metadata.DATA_LICENSE
    document = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": metadata.TITLE,
        "description": metadata.DESCRIPTION,
        "version": info.version,
        "datePublished": info.date,
        "license": licence["path"],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": metadata.AUTHOR},
        "keywords": list(metadata.KEYWORDS),
        "temporalCoverage": f"{TREATY_SIGNED.isoformat()}/{as_of}",
        "spatialCoverage": {"@type": "Place", "name": SPATIAL_COVERAGE},
        "distribution": downloads,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=False, indent=1)
    return text.replace("<", "\\u003c")


# The page's sections: id, heading, and what draws it from the release's content.
SECTIONS: tuple[tuple[str, str, Callable[[dict[str, bytes]], str]], ...] = (
    ("timeline", "Membership timeline", timeline),
    ("deployments", "Troop deployments", deployments),
    ("requests", "Requests for assistance", page_institution.requests),
    ("secretaries", "Secretaries General", page_institution.secretaries_general),
    ("sessions", "Collective Security Council sessions", page_institution.sessions),
    ("exercises", "Exercises", page_military.exercises),
    ("forces", "Collective forces and pledges", page_military.forces),
    ("tables", "Tables", site.tables_list),
    ("countries", "Countries", site.countries_list),
)


def page_sections(content: dict[str, bytes]) -> str:
    """Every section of the page but the release's own facts: drawn from the tables and
    codebook alone, so that one drawing serves any version the release may take."""
    return "".join(f'<h2 id="{i}">{t}</h2>{draw(content)}' for i, t, draw in SECTIONS)


def render_page(files: dict[str, bytes], info: ReleaseInfo, sections: str) -> bytes:
    """The whole `index.html` of a release: its facts and files around `sections`."""
    headings = [(i, t) for i, t, _ in SECTIONS]
    return site.home_page(files, info, sections, headings, dataset_jsonld(files, info))
