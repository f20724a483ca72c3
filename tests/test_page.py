"""The release page `index.html`, opened offline in a real headless Chromium."""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from flows.steps.build import build
from flows.steps.ingest import ingest
from flows.steps.render import render_tables
from flows.steps.versioning import ReleaseInfo
from flows.writers.package import content_of, release_files
from flows.writers.page import MAX_FIGURES, page_sections, render_page
from flows.writers.page_institution import RESPONSE_COLOURS, ROLE_COLOURS
from flows.writers.site import site_pages
from schemas import FIGURE_TABLES, TABLES
from tests.conftest import RAW

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INFO = ReleaseInfo(version="1.0.0", date="2026-01-02", previous=None, bump=None)
INJECTED = "<script>window.__pwned = 1</script>"

if not CHROMIUM.is_file():
    if os.environ.get("CI"):  # CI installs it (.ci/run): its absence is a failure there
        pytest.fail(f"{CHROMIUM} is missing: the page cannot be tested", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def release(raw_dir: Path) -> dict[str, bytes]:
    """Every file of a release built from `raw_dir` with the plain step functions."""
    records, problems = ingest(raw_dir)
    assert not problems
    return release_files(content_of(render_tables(build(records))), INFO)


def write(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder / "index.html"


def rows(files: dict[str, bytes], table: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[f"{table}.csv"]), dtype=str, keep_default_na=False)


def inject_into_event_title(raw_dir: Path) -> None:
    """Make the first treaty event's title carry a script tag."""
    path = raw_dir / "treaty_events.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("title:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}title: 'Injected {INJECTED} title'\n"
    path.write_text("".join(lines), encoding="utf-8")


def add_figures(raw_dir: Path, contributor: str, count: int) -> None:
    """`count` more troop figures of `contributor`, each from a new source and claimed by the
    press, so that none outranks a contributor's own official figure.

    Twelve days take turns, so some share a date; the troops grow with each figure, so the
    smallest are among the oldest.
    """
    with (raw_dir / "sources.yaml").open("a", encoding="utf-8") as out:
        for i in range(count):
            out.write(
                f"\n- id: test-source-{i}\n  title: Test source {i}\n  publisher: Test\n"
                f'  url: https://example.org/{i}\n  published: "2022-01-20"\n'
                "  language: en\n  kind: news\n"
            )
    with (raw_dir / "troop_deployments.yaml").open("a", encoding="utf-8") as out:
        for i in range(count):
            out.write(
                f"\n- operation: kazakhstan-2022\n  contributor: {contributor}\n"
                f'  troops: {10 + i}\n  qualifier: exact\n  as_of: "2022-01-{6 + i % 12:02d}"\n'
                "  claimant: Test outlet\n  claimant_kind: press\n"
                f"  source: test-source-{i}\n"
            )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Opened:
    """A page opened from disk, with what it logged and requested."""

    def __init__(self, browser: Browser, index: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1366, "height": 900})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(index.as_uri(), wait_until="load")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture(scope="module")
def injected(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[tuple[Opened, dict[str, bytes]]]:
    """The release page of raw records where one event title carries a script tag, opened
    once for the tests that only read it."""
    raw_dir = tmp_path_factory.mktemp("injected") / "raw"
    shutil.copytree(RAW, raw_dir)
    inject_into_event_title(raw_dir)
    files = release(raw_dir)
    opened = Opened(browser, write(files, raw_dir.parent / "release"))
    yield opened, files
    opened.page.close()


def test_page_loads_offline_without_errors_or_requests(injected, tmp_path: Path) -> None:
    opened, _ = injected
    shot = opened.page.screenshot(full_page=True)
    assert opened.errors == []
    assert opened.requests == [opened.page.url]
    assert distinct_pixel_bytes(shot) > 32, "the page renders as a blank image"
    chart = opened.page.locator("svg rect[data-spell-id]").first
    box = chart.bounding_box()
    assert chart.is_visible() and box is not None and box["width"] >= 2
    assert opened.page.locator("[data-figure-id]").first.is_visible()


def distinct_pixel_bytes(png: bytes) -> int:
    """How many different byte values the decoded scanlines of a PNG hold: a blank or
    single-colour image has a handful (filter bytes and one colour), a page hundreds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat = 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        if kind == b"IDAT":
            idat += png[at + 8 : at + 8 + length]
        at += 12 + length
    return len(set(zlib.decompress(idat)))


def test_every_relative_link_is_a_file_of_the_release(injected) -> None:
    opened, _ = injected
    folder = Path(unquote(urlparse(opened.page.url).path)).parent
    hrefs = opened.page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    relative = [h for h in hrefs if not urlparse(h).scheme and not h.startswith("#")]
    pages = {f"table-{name}.html" for name in TABLES}
    documents = {"CODEBOOK.md", "CHANGES.md", "datapackage.json", "CITATION.cff", "SHA256SUMS"}
    assert set(relative) >= pages | documents
    assert "country-ARM.html" in relative
    for href in relative:
        assert (folder / unquote(href)).is_file(), href
    for anchor in (h for h in hrefs if h.startswith("#")):
        assert opened.page.locator(anchor).count() == 1, anchor


def links(page: bytes) -> set[str]:
    return set(re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', page.decode()))


def test_every_page_is_reachable_from_the_home_page_and_links_only_to_release_files(
    injected,
) -> None:
    _, files = injected
    seen, todo = set(), ["index.html"]
    while todo:
        page = todo.pop()
        seen.add(page)
        for href in links(files[page]):
            assert href in files, f"{page} links to {href}, not a file of the release"
            if href.endswith(".html") and href not in seen:
                todo.append(href)
    assert seen == {n for n in files if n.endswith(".html")}


def test_a_table_page_shows_each_file_size_and_sha256_and_links_each_source(injected) -> None:
    _, files = injected
    for name in TABLES:
        page = files[f"table-{name}.html"].decode()
        for file in (f"{name}.csv", f"{name}.parquet", f"{name}.dta"):
            assert f"{len(files[file]):,} bytes" in page, file
            assert hashlib.sha256(files[file]).hexdigest() in page, file
    sources = rows(files, "sources")
    page = files["table-troop_deployments.html"].decode()
    for figure in rows(files, "troop_deployments").itertuples():
        url = sources.set_index("source_id").loc[figure.source_ids, "url"]
        assert f'<a href="{html.escape(url)}"' in page, figure.figure_id


def test_a_country_page_lists_its_spells_sessions_exercises_and_figures(injected) -> None:
    _, files = injected
    page = files["country-ARM.html"].decode()
    for spell in rows(files, "members").query("iso3 == 'ARM'").itertuples():
        assert spell.status in page
    sessions = rows(files, "council_sessions")
    missed = sessions[sessions["absent_iso3"].str.split(";").apply(lambda s: "ARM" in s)]
    assert len(missed) and all(s in page for s in missed["date"])
    parts = rows(files, "exercise_participants").query("iso3 == 'ARM'")
    names = rows(files, "exercises").set_index("exercise_id")["name"]
    assert all(html.escape(names[e]) in page for e in parts["exercise_id"])
    figures = rows(files, "troop_deployments").query("contributor_iso3 == 'ARM'")
    assert page.count('data-label="preferred"') >= len(figures)


def test_a_country_page_lists_its_steps_under_the_instruments(injected) -> None:
    _, files = injected
    page = files["country-KAZ.html"].decode()
    for step in rows(files, "ratifications").query("iso3 == 'KAZ'").itertuples():
        assert html.escape(step.act) in page, step.step_id


def test_timeline_has_one_mark_per_spell_and_per_event(injected) -> None:
    opened, files = injected
    spells = opened.page.eval_on_selector_all(
        "[data-spell-id]", "marks => marks.map(m => m.dataset.spellId)"
    )
    assert sorted(spells) == sorted(rows(files, "members")["spell_id"])
    events = rows(files, "treaty_events")
    unattached = events[events["operation_id"] == ""]["event_id"]
    marked = opened.page.eval_on_selector_all(
        "[data-event-id]", "marks => marks.map(m => m.dataset.eventId)"
    )
    assert sorted(marked) == sorted(unattached)


def test_deployment_chart_has_one_mark_per_figure(injected) -> None:
    opened, files = injected
    marked = opened.page.eval_on_selector_all(
        "[data-figure-id]", "marks => marks.map(m => m.dataset.figureId)"
    )
    assert sorted(marked) == sorted(rows(files, "troop_deployments")["figure_id"])


def test_preferred_figures_are_drawn_apart_and_qualifiers_shown(injected) -> None:
    opened, files = injected
    qualifier_words = {"approximate": "about", "at_least": "more than", "up_to": "up to"}
    for figure in rows(files, "troop_deployments").itertuples():
        mark = opened.page.locator(f'[data-figure-id="{figure.figure_id}"]')
        fill = mark.locator("circle").get_attribute("fill")
        label = mark.locator("text").first.text_content() or ""
        preferred = figure.preferred == "true"
        assert (fill != "#fff") == preferred, figure.figure_id
        assert ("✓" in label) == preferred, figure.figure_id
        assert f"{int(figure.troops):,}" in label, figure.figure_id
        word = qualifier_words.get(figure.qualifier, figure.qualifier.replace("exact", ""))
        assert word in label, figure.figure_id


def marks(opened: Opened, attribute: str) -> list[str]:
    """The values of a `data-` attribute of every mark that carries it, in page order."""
    name = "".join(w.title() if i else w for i, w in enumerate(attribute.split("-")))
    return opened.page.eval_on_selector_all(
        f"[data-{attribute}]", f"marks => marks.map(m => m.dataset.{name})"
    )


def test_requests_timeline_has_one_dot_per_request_coloured_by_its_response(injected) -> None:
    opened, files = injected
    requests = rows(files, "assistance_requests")
    assert sorted(marks(opened, "request-id")) == sorted(requests["request_id"])
    for request in requests.itertuples():
        dot = opened.page.locator(f'[data-request-id="{request.request_id}"] circle')
        assert dot.get_attribute("fill") == RESPONSE_COLOURS[request.response]


def test_secretaries_general_timeline_has_one_bar_per_term_and_acting_terms_apart(
    injected,
) -> None:
    opened, files = injected
    terms = rows(files, "secretaries_general")
    assert sorted(marks(opened, "term-id")) == sorted(terms["term_id"])
    for term in terms.itertuples():
        bar = opened.page.locator(f'[data-term-id="{term.term_id}"] rect')
        assert bar.get_attribute("fill") == ROLE_COLOURS[term.role]


def test_sessions_are_listed_once_each_under_their_host(injected) -> None:
    opened, files = injected
    sessions = rows(files, "council_sessions")
    assert sorted(marks(opened, "session-id")) == sorted(sessions["session_id"])
    names = dict(rows(files, "countries")[["iso3", "name"]].itertuples(index=False))
    for session in sessions.itertuples():
        host = names.get(session.host_iso3, "Online")
        table = opened.page.locator(f'[data-session-id="{session.session_id}"]').locator(
            "xpath=ancestor::div[1]/preceding-sibling::h4[1]"
        )
        assert (table.text_content() or "").startswith(host), session.session_id


def test_operations_whose_contributors_do_not_add_up_warn_before_the_chart(injected) -> None:
    opened, files = injected
    figures = rows(files, "troop_deployments")
    wrong = figures[figures["contributors_add_up"] == "false"]["operation_id"].unique()
    caveats = opened.page.locator("[data-caveat=sum]")
    assert caveats.count() == len(wrong) == 1
    assert "3,950" in (caveats.text_content() or "")


def test_exercise_and_force_figures_that_do_not_add_up_warn_where_they_are_shown(
    injected,
) -> None:
    opened, files = injected
    for table in ("exercise_figures", "force_figures"):
        figures = rows(files, table)
        group = list(FIGURE_TABLES[table].group)
        wrong = figures[figures["contributors_add_up"] == "false"][group].drop_duplicates()
        caveat = opened.page.locator(f'[data-caveat="sum-{table}"]')
        assert caveat.count() == (1 if len(wrong) else 0), table
        said = caveat.text_content() if len(wrong) else ""
        for values in wrong.itertuples(index=False):
            assert f"{' '.join(values)}:" in (said or ""), (table, values)
    assert opened.page.locator('[data-caveat="sum-exercise_figures"]').count() == 1


def test_exercise_grid_has_one_mark_per_exercise_hollow_unless_held(injected) -> None:
    opened, files = injected
    exercises = rows(files, "exercises")
    assert sorted(marks(opened, "exercise-id")) == sorted(exercises["exercise_id"])
    for exercise in exercises.itertuples():
        mark = opened.page.locator(f'[data-exercise-id="{exercise.exercise_id}"]')
        hollow = "hollow" in (mark.get_attribute("class") or "")
        assert hollow == (exercise.status != "held"), exercise.exercise_id


def test_participation_matrix_counts_the_exercises_held_each_state_joined_each_year(
    injected,
) -> None:
    """Umbrellas apart: their participants are counted for each exercise under them."""
    opened, files = injected
    exercises = rows(files, "exercises")
    year = dict(zip(exercises["exercise_id"], exercises["start_date"].str[:4], strict=True))
    counted = (exercises["status"] == "held") & (exercises["is_umbrella"] == "false")
    held = set(exercises[counted]["exercise_id"])
    parts = rows(files, "exercise_participants")
    joined = parts[parts["exercise_id"].isin(held) & (parts["role"] != "observer")]
    expected = joined.groupby([joined["iso3"], joined["exercise_id"].map(year)]).size()
    for (iso3, when), count in expected.items():
        cell = opened.page.locator(f'[data-participation="{iso3}:{when}"]')
        assert cell.text_content() == str(count), (iso3, when)


def test_each_force_shows_its_preferred_figures_only(injected) -> None:
    opened, files = injected
    figures = rows(files, "force_figures")
    shown = marks(opened, "force-figure-id")
    assert sorted(shown) == sorted(figures[figures["preferred"] == "true"]["figure_id"])
    for force in rows(files, "collective_forces")["force_id"]:
        assert opened.page.locator(f"#force-{force}").count() == 1


def test_ongoing_spells_run_to_the_end_of_the_axis(injected) -> None:
    opened, files = injected
    right = {
        spell: box["x"] + box["width"]
        for spell in rows(files, "members")["spell_id"]
        if (box := opened.page.locator(f'[data-spell-id="{spell}"]').bounding_box())
    }
    members = rows(files, "members")
    ongoing = {right[s] for s in members[members["end_date"] == ""]["spell_id"]}
    ended = {right[s] for s in members[members["end_date"] != ""]["spell_id"]}
    assert len(ongoing) == 1
    assert max(ended) < min(ongoing)


def test_script_in_a_record_shows_as_text_and_does_not_run(injected) -> None:
    opened, _ = injected
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.page.get_by_text(INJECTED).filter(visible=True).count() >= 1
    assert opened.page.locator("script:not([type='application/ld+json'])").count() == 0


@pytest.mark.parametrize("page", ["table-treaty_events.html", "country-KAZ.html"])
def test_script_in_a_record_shows_as_text_on_the_table_and_country_pages(
    injected, browser: Browser, page: str
) -> None:
    opened, _ = injected
    folder = Path(unquote(urlparse(opened.page.url).path)).parent
    other = Opened(browser, folder / page)
    try:
        assert other.page.evaluate("typeof window.__pwned") == "undefined"
        assert other.page.get_by_text(INJECTED).count() >= 1
        assert other.page.locator("script").count() == 0
        assert other.errors == [] and other.requests == [other.page.url]
    finally:
        other.page.close()


def test_page_has_language_charset_viewport_and_headings(injected) -> None:
    page = injected[0].page
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("meta[charset='utf-8']").count() == 1
    assert page.locator("meta[name='viewport']").count() == 1
    assert page.locator("h1").count() == 1
    assert "v1.0.0" in page.title()
    body = page.inner_text("body")
    for text in ("2026-01-02", "CC-BY-4.0", "How to cite", "CSTO open data contributors"):
        assert text in body


@pytest.mark.slow
def test_same_release_renders_identical_bytes(raw_dir: Path) -> None:
    files = release(raw_dir)
    others = {n: b for n, b in files.items() if n not in ("index.html", "SHA256SUMS")}
    shuffled = dict(reversed(others.items()))
    drawn = [render_page(f, INFO, page_sections(f)) for f in (others, shuffled)]
    assert drawn[0] == drawn[1] == files["index.html"]
    pages = {n: b for n, b in files.items() if n.endswith(".html") and n != "index.html"}
    assert site_pages(shuffled) == pages
    assert release(raw_dir) == files


@pytest.mark.slow
def test_a_crowded_group_draws_its_preferred_and_latest_figures_and_counts_the_rest(
    raw_dir: Path, tmp_path: Path, browser: Browser
) -> None:
    add_figures(raw_dir, "ARM", MAX_FIGURES + 5)
    files = release(raw_dir)
    figures = rows(files, "troop_deployments")
    group = figures[figures["contributor_iso3"] == "ARM"]
    group = group.sort_values(["as_of_date", "figure_id"], kind="stable")
    preferred = group["preferred"] == "true"
    kept = preferred | group.index.isin(group[~preferred].index[-MAX_FIGURES:])
    left_out = len(group) - int(kept.sum())
    assert left_out > 0
    opened = Opened(browser, write(files, tmp_path / "release"))
    marked = opened.page.eval_on_selector_all(
        "[data-figure-id]", "marks => marks.map(m => m.dataset.figureId)"
    )
    assert [m for m in marked if m in set(group["figure_id"])] == list(group[kept]["figure_id"])
    assert len(group[kept]) == MAX_FIGURES + int(preferred.sum())
    others = figures[figures["contributor_iso3"] != "ARM"]["figure_id"]
    assert set(others) <= set(marked)
    summary = opened.page.locator("[data-not-drawn]")
    assert summary.count() == 1
    assert summary.get_attribute("data-not-drawn") == str(left_out)
    troops = group["troops"].astype(int)
    said = summary.locator("text").all_text_contents()
    assert said == [
        f"{left_out:,} more figures not drawn; all range from {troops.min():,} to "
        f"{troops.max():,} troops",
        "Every figure is in troop_deployments.csv.",
    ]
    assert opened.page.get_by_text(f"{len(group)} figure(s)", exact=True).count() == 1
    assert opened.errors == []
    opened.page.close()


# schema.org properties of the types the page uses (schema.org/Dataset, /DataDownload,
# /Organization, /Place), and what Google's dataset guidelines require and recommend.
SCHEMA_ORG = {
    "Dataset": {"name", "description", "version", "datePublished", "license",
                "isAccessibleForFree", "creator", "keywords", "temporalCoverage",
                "spatialCoverage", "distribution"},
    "DataDownload": {"name", "contentUrl", "encodingFormat", "contentSize", "sha256"},
    "Organization": {"name"},
    "Place": {"name"},
}  # fmt: skip
GOOGLE_REQUIRED = {"name", "description"}
GOOGLE_RECOMMENDED = {"license", "creator", "version", "distribution", "keywords",
                      "temporalCoverage", "spatialCoverage", "isAccessibleForFree"}  # fmt: skip


def test_page_describes_the_release_as_a_schema_org_dataset_with_every_download(injected) -> None:
    import hashlib
    import json

    opened, files = injected
    scripts = opened.page.locator("script[type='application/ld+json']")
    assert scripts.count() == 1
    dataset = json.loads(scripts.text_content() or "")
    assert dataset["@context"] == "https://schema.org/" and dataset["@type"] == "Dataset"
    assert set(dataset) >= GOOGLE_REQUIRED | GOOGLE_RECOMMENDED

    def check(node: dict) -> None:
        assert set(node) - {"@context", "@type"} <= SCHEMA_ORG[node["@type"]], node["@type"]
        for value in node.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    check(item)

    check(dataset)
    downloads = {d["contentUrl"]: d for d in dataset["distribution"]}
    for name in (n for n in files if n.endswith((".csv", ".parquet", ".dta"))):
        assert downloads[name]["sha256"] == hashlib.sha256(files[name]).hexdigest(), name
    start, end = dataset["temporalCoverage"].split("/")
    assert start == "1992-05-15" and end == rows(files, "coverage")["as_of_date"][0]
