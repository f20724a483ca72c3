"""The release's site: the home page `index.html`, a page per table (`table-<name>.html`)
and a page per country (`country-<ISO3>.html`), flat beside the data files.

Layout, lists and tables are Jinja2 templates (`templates/`) with autoescape on, so every
value from the records is escaped unless a template is told otherwise. Two kinds of markup
come in made: the charts, whose geometry `page.py` draws, and the rows of long tables
(`row`), whose every value passes through `markupsafe.escape` as autoescape would. No script,
font, style or image is fetched, and every page carries the policy that forbids them. The
table and country pages depend only on the release's content, the home page on its
version too: the same release gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from flows.steps.checksums import CHECKSUMS, sha256
from flows.steps.render import csv_text
from flows.steps.versioning import ReleaseInfo
from flows.writers.codebook import column_rows, coverage_sentence
from flows.writers.page_parts import qualified, shown_date, size, table_text
from schemas import TABLES, metadata

# Rows of a table shown on its page; its files hold every row.
MAX_ROWS = 500
DOCUMENTS = {
    "CODEBOOK.md": "what every column means, how values are encoded, the preference rule",
    "CHANGES.md": "what changed against the previous release",
    "datapackage.json": "Frictionless Data Package: schemas, keys, sizes and hashes",
    "CITATION.cff": "how to cite, in the Citation File Format",
}


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("flows.writers", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def fragment(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def render(template: str, **context: object) -> bytes:
    """A whole page."""
    return fragment(template, **context).encode()


def part(macro: str, **values: object) -> str:
    """One of the home page's parts around a chart: a macro of `templates/sections.html`."""
    made = getattr(environment().get_template("sections.html").module, macro)(**values)
    return str(made)


def table_page_name(table: str) -> str:
    return f"table-{table}.html"


def country_page_name(iso3: str) -> str:
    return f"country-{iso3}.html"


Sources = dict[str, tuple[str, str]]  # source id: (address, "publisher: title")


def linked(ids: str, sources: Sources) -> Markup:
    """A cell of `;`-separated source ids, each a link to the page read where known."""
    links = []
    for source in ids.split(";"):
        url, title = sources.get(source, ("", ""))
        text = escape(source)
        links.append(f'<a href="{escape(url)}" title="{escape(title)}">{text}</a>' if url else text)
    return Markup("; ".join(links))


def row(
    labels: Sequence[str], values: Sequence[str], cited: Sequence[bool], sources: Sources
) -> Markup:
    """A table row's cells, labelled for narrow screens; cited columns as links.

    Built here rather than in a template loop, ten times faster for tables of hundreds of
    rows: every value passes through `escape` (as autoescape would), and a cell of links
    is markup that `linked` escaped."""
    return Markup(
        "".join(
            f'<td data-label="{escape(label)}">'
            f"{linked(value, sources) if cites and value else escape(value)}</td>"
            for label, value, cites in zip(labels, values, cited, strict=True)
        )
    )


@dataclass(frozen=True)
class Listing:
    """A titled table of rows on a page."""

    id: str
    heading: str
    columns: tuple[str, ...]
    rows: tuple[Markup, ...]
    note: str = ""


def source_index(files: dict[str, bytes]) -> Sources:
    sources = table_text(files, "sources")
    columns = (sources[c] for c in ("source_id", "url", "publisher", "title"))
    return {
        i: (url, f"{publisher}: {title}") for i, url, publisher, title in zip(*columns, strict=True)
    }


def downloads(files: dict[str, bytes], names: Iterable[str]) -> list[dict[str, str]]:
    return [{"name": n, "size": size(files[n]), "sha256": sha256(files[n])} for n in names]


def table_page(name: str, files: dict[str, bytes], sources: Sources) -> bytes:
    """A table: its description and notes, coverage, files, columns and rows."""
    table = TABLES[name]
    frame = csv_text(files[f"{name}.csv"])
    cites = {fk.columns for fk in table.foreign_keys if fk.reference_table == "sources"}
    shown = frame.head(MAX_ROWS)
    labels = list(shown.columns)
    cited = [column in cites for column in labels]
    body = [row(labels, values, cited, sources) for values in shown.itertuples(False, None)]
    covered = csv_text(files["coverage.csv"]).set_index("table")
    return render(
        "table.html",
        title=f"{table.title} ({name}): {metadata.TITLE}",
        dataset_title=metadata.TITLE,
        table=table,
        rows=len(frame),
        shown=len(shown),
        coverage=coverage_sentence(covered.loc[name].to_dict()) if name in covered.index else "",
        downloads=downloads(files, (f"{name}.csv", f"{name}.parquet", f"{name}.dta")),
        columns=column_rows(table),
        body=body,
    )


Record = dict[str, str]  # a row as its CSV spells it


def listing(
    id: str,
    heading: str,
    records: Iterable[Record],
    columns: dict[str, str],
    note: str = "",
    sources: Sources | None = None,
) -> Listing:
    """The `columns` (name: heading) of `records` as a listing; with `sources`,
    `source_ids` and `contradicting_source_ids` are shown as links to them."""
    labels = list(columns.values())
    cited = [sources is not None and c in CITING for c in columns]
    rows = tuple(row(labels, [r[c] for c in columns], cited, sources or {}) for r in records)
    return Listing(id, heading, tuple(labels), rows, note)


def listing_of(id: str, heading: str, frame: pd.DataFrame, columns: dict[str, str]) -> Listing:
    """A listing of a frame's `columns`, every cell as text."""
    records = frame[list(columns)].astype(str).to_dict("records")
    return listing(id, heading, records, columns)


CITING = ("source_ids", "contradicting_source_ids")
# The tables a country page draws on.
COUNTRY_TABLES = (
    "members", "assembly_observers", "treaty_events", "instruments", "ratifications",
    "assistance_requests", "council_sessions",
    "exercises", "exercise_participants", "troop_deployments", "force_figures", "exercise_figures",
)  # fmt: skip


def _dates(r: Record, column: str, precision: str) -> str:
    return shown_date(r[column], r[precision])


def _names(codes: str, iso3: str) -> bool:
    """Whether a `;`-separated cell of codes names `iso3`."""
    return iso3 in codes.split(";")


def country_listings(iso3: str, tables: dict[str, list[Record]], sources: Sources) -> list[Listing]:
    """What the release records of one state, table by table (`tables`: rows as text)."""
    spells, observers = (
        [
            {
                **r,
                "from": _dates(r, "start_date", "start_precision"),
                "to": _dates(r, "end_date", "end_precision") or "ongoing",
            }
            for r in tables[name]
            if r["iso3"] == iso3
        ]
        for name in ("members", "assembly_observers")
    )
    events = [
        {**r, "when": _dates(r, "date", "date_precision")}
        for r in sorted(tables["treaty_events"], key=lambda r: (r["date"], r["event_id"]))
        if _names(r["states"], iso3)
    ]
    requests = [
        {**r, "when": _dates(r, "date", "date_precision")}
        for r in tables["assistance_requests"]
        if r["iso3"] == iso3
    ]
    titles = {i["instrument_id"]: i["title"] for i in tables["instruments"]}
    steps = [
        {**r, "when": _dates(r, "date", "date_precision"), "instrument": titles[r["instrument_id"]]}
        for r in sorted(tables["ratifications"], key=lambda r: (r["date"], r["step_id"]))
        if r["iso3"] == iso3
    ]
    parts: dict[str, Callable[[Record], bool]] = {
        "hosted": lambda r: r["host_iso3"] == iso3,
        "chaired": lambda r: r["chair_iso3"] == iso3,
        "head of state absent": lambda r: _names(r["absent_iso3"], iso3),
        "did not sign": lambda r: _names(r["not_signed_iso3"], iso3),
    }
    sessions = sorted(
        (
            {**r, "when": _dates(r, "date", "date_precision"), "role": role}
            for role, took in parts.items()
            for r in tables["council_sessions"]
            if took(r)
        ),
        key=lambda r: (r["date"], r["role"]),
    )
    exercises = {e["exercise_id"]: e for e in tables["exercises"]}
    joined = sorted(
        (
            {
                **r,
                "exercise": e["name"],
                "when": e["start_date"][:4],
                "status": e["status"],
                "umbrella": "umbrella (not counted)" if e["is_umbrella"] == "true" else "",
            }
            for r in tables["exercise_participants"]
            if r["iso3"] == iso3
            for e in (exercises[r["exercise_id"]],)
        ),
        key=lambda r: (r["when"], r["exercise_id"]),
    )
    out = [
        listing("spells", "Spells and statuses", spells,
                {"status": "status", "from": "from", "start_how": "how", "to": "to",
                 "end_how": "how it ended", "source_ids": "sources"},
                "Membership of the treaty and the organisation, and the statuses short of "
                "leaving.", sources),
        listing("assembly", "Observer in the Parliamentary Assembly", observers,
                {"chamber": "chamber", "from": "from", "to": "to", "end_how": "how it ended",
                 "source_ids": "sources"}, sources=sources),
        listing("events", "Treaty events naming it", events,
                {"when": "date", "type": "type", "title": "event", "place": "place",
                 "source_ids": "sources", "contradicting_source_ids": "contradicted by"},
                sources=sources),
        listing("ratifications", "Steps under the legal instruments", steps,
                {"when": "date", "instrument": "instrument", "step": "step", "act": "act",
                 "source_ids": "sources"},
                "Its signatures, ratifications and other steps recorded so far; see the "
                "instruments and ratifications tables for what is not yet recorded.",
                sources),
        listing("requests", "Requests for help it made", requests,
                {"when": "date", "asked": "asked", "legal_basis": "legal basis",
                 "response": "response", "response_summary": "what came of it",
                 "source_ids": "sources"}, sources=sources),
        listing("sessions", "Collective Security Council sessions", sessions,
                {"when": "date", "role": "its part", "place": "place", "kind": "kind",
                 "decisions": "decisions", "source_ids": "sources"},
                "Sessions it hosted or chaired, and those its head of state missed or whose "
                "decisions it did not sign.", sources),
        listing("exercises", "Exercises", joined,
                {"when": "year", "exercise": "exercise", "status": "status", "role": "role",
                 "umbrella": "umbrella", "contingent": "contingent", "source_ids": "sources"},
                "An umbrella such as Combat Brotherhood is listed but not counted: the "
                "exercises held under it are rows of their own.", sources),
    ]  # fmt: skip
    for table, group, measure in (
        ("troop_deployments", "operation_id", ""),
        ("force_figures", "force_id", ""),
        ("exercise_figures", "exercise_id", "measure"),
    ):
        count = "count" if measure else "troops"
        figures = [
            {
                **r,
                "figure": qualified(int(r[count]), r["qualifier"]) if r[count] else "",
                "as of": _dates(r, "as_of_date", "as_of_precision"),
            }
            for r in tables[table]
            if r["contributor_iso3"] == iso3
        ]
        columns = {group: group.removesuffix("_id"), "figure": "figure"}
        columns |= {measure: "measure"} if measure else {}
        columns |= {"as of": "as of", "claimant": "claimed by", "preferred": "preferred",
                    "source_ids": "sources"}  # fmt: skip
        note = (
            "Every figure as its source gave it, with who made the claim; `preferred` marks "
            "the one the dataset prefers for its group."
        )
        out.append(listing(table, f"Figures in {table}", figures, columns, note, sources))
    return out


def country_page(country: Record, tables: dict[str, list[Record]], sources: Sources) -> bytes:
    """A state's page: its codes, and every row of the release about it, with sources."""
    iso3 = country["iso3"]
    return render(
        "country.html",
        title=f"{country['name']} and the CSTO: {metadata.TITLE}",
        dataset_title=metadata.TITLE,
        iso3=iso3,
        country=country,
        listings=country_listings(iso3, tables, sources),
    )


def site_pages(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every page of the release but its home page: one per table and one per country."""
    sources = source_index(files)
    pages = {table_page_name(n): table_page(n, files, sources) for n in TABLES}
    tables = {name: table_text(files, name).to_dict("records") for name in COUNTRY_TABLES}
    for country in table_text(files, "countries").to_dict("records"):
        pages[country_page_name(country["iso3"])] = country_page(country, tables, sources)
    return pages


def home_page(
    files: dict[str, bytes],
    info: ReleaseInfo,
    sections: str,
    headings: Iterable[tuple[str, str]],
    jsonld: str,
) -> bytes:
    """The release's `index.html`: what it is, how to cite it, its documents, and `sections`
    (the charts and the lists of tables and countries, drawn once from the content), whose
    ids and headings are `headings`."""
    contents = [("cite", "How to cite"), ("files", "Documents"), *headings]
    return render(
        "home.html",
        title=f"{metadata.TITLE}, v{info.version}",
        dataset_title=metadata.TITLE,
        description=metadata.DESCRIPTION,
        author=metadata.AUTHOR,
        repository=metadata.REPOSITORY,
        licence=metadata.DATA_LICENSE,
        info=info,
        previous=f"v{info.previous} ({info.bump} update)"
        if info.previous
        else "none: first release",
        citation_cff=files["CITATION.cff"].decode(),
        documents=[{"name": n, "what": d, "size": size(files[n])} for n, d in DOCUMENTS.items()],
        checksums=CHECKSUMS,
        contents=contents,
        jsonld=Markup(jsonld),
        sections=Markup(sections),
    )


def tables_list(files: dict[str, bytes]) -> str:
    """The tables, each linked to its page, with its rows and description."""
    rows = csv_text(files["coverage.csv"]).set_index("table")["rows"]
    items = [
        {
            "page": table_page_name(n),
            "name": n,
            "title": t.title,
            "description": t.description,
            "rows": rows.get(n, ""),
        }
        for n, t in TABLES.items()
    ]
    return fragment("tables_list.html", tables=items)


def countries_list(files: dict[str, bytes]) -> str:
    """The countries, each linked to its page."""
    countries = table_text(files, "countries").sort_values("name", kind="stable")
    items = [
        {"page": country_page_name(c.iso3), "name": c.name, "iso3": c.iso3}
        for c in countries.itertuples()
    ]
    return fragment("countries_list.html", countries=items)
