"""The site read on a phone (390 px) and on a desktop (1,400 px), in real headless Chromium:
no horizontal scroll of a page itself, no text rendered below 11 px, no chart label over
another, and each chart replaced by its narrow form on a narrow screen.

Screenshots of every page measured are written beside the release (`<page>-<width>.png`)
for a person to look at when a test fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.test_page import Opened, browser, release, write  # noqa: F401 - browser: a fixture

WIDTHS = (390, 1400)
PAGES = (
    "index.html",
    "table-exercises.html",
    "table-treaty_events.html",
    "table-sources.html",
    "country-ARM.html",
)
MIN_TEXT_PX = 11

# Every element holding text, as rendered: its font size in CSS pixels (an SVG's text scaled
# by the ratio of its box to its viewBox), and how far right it reaches.
TEXTS = """() => {
  const found = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest('title')) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    if (svg) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    found.push({text: node.textContent.trim().slice(0, 40), px, right: box.right});
  }
  return found;
}"""
# Pairs of labels of one chart whose boxes overlap by more than a pixel each way.
OVERLAPS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('svg')) {
    if (!svg.getBoundingClientRect().width) continue;
    const boxes = [...svg.querySelectorAll('text')]
      .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, b]) => b.width);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i], [b, s] = boxes[j];
      const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (w > 1 && h > 1) found.push([svg.getAttribute('aria-labelledby'), a, b]);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release of the repository's raw/, written to a folder."""
    from tests.conftest import RAW

    return write(release(RAW), tmp_path_factory.mktemp("site") / "release").parent


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture(scope="module")
def opened(site: Path, browser: Browser, width: int) -> Iterator[dict[str, Page]]:  # noqa: F811
    """Every page measured, open at `width`; each also saved as a screenshot."""
    pages = {}
    for name in PAGES:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto((site / name).as_uri(), wait_until="load")
        page.screenshot(path=site / f"{name}-{width}.png", full_page=False)
        pages[name] = page
    yield pages
    for page in pages.values():
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways(opened: dict[str, Page], width: int, name: str) -> None:
    page = opened[name]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    reaching = [t for t in page.evaluate(TEXTS) if t["right"] > width + 1]
    assert reaching == [], reaching[:5]


@pytest.mark.parametrize("name", PAGES)
def test_no_text_is_rendered_below_11_px(opened: dict[str, Page], name: str) -> None:
    small = [t for t in opened[name].evaluate(TEXTS) if t["px"] < MIN_TEXT_PX - 0.05]
    assert small == [], small[:5]


def test_no_chart_label_overlaps_another(opened: dict[str, Page]) -> None:
    assert opened["index.html"].evaluate(OVERLAPS) == []


def test_charts_give_way_to_their_narrow_form_on_a_phone(
    opened: dict[str, Page], width: int
) -> None:
    page = opened["index.html"]
    charts = page.locator("svg.wide-only")
    narrow = page.locator(".narrow-only")
    assert charts.count() >= 4 and narrow.count() >= 4
    shown = [charts.nth(i).is_visible() for i in range(charts.count())]
    alternatives = [narrow.nth(i).is_visible() for i in range(narrow.count())]
    if width < 700:
        assert not any(shown) and all(alternatives)
    else:
        assert all(shown) and not any(alternatives)


def test_tables_do_not_scroll_inside_boxes(opened: dict[str, Page], width: int) -> None:
    """On a desktop the exercise grids show every year and a table page's rows run down the
    page; on a phone the grids give way to lists."""
    grids = """() => [...document.querySelectorAll('.scroll')].filter(b => b.querySelector(
        'table.grid')).map(b => [b.offsetWidth, b.scrollWidth - b.clientWidth])"""
    shown = opened["index.html"].evaluate(grids)
    assert len(shown) == 2
    if width < 700:
        assert all(box_width == 0 for box_width, _ in shown), shown
        return
    assert all(over <= 1 for _, over in shown), shown
    for name in ("index.html", "table-exercises.html"):
        boxes = opened[name].evaluate(
            """() => [...document.querySelectorAll('.scroll')].filter(b => b.offsetWidth)
              .map(b => b.scrollHeight - b.clientHeight)"""
        )
        assert all(down <= 1 for down in boxes), name
