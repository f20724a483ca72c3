"""Measurement 7: the release's site, drawn in-process from the real tables and from the
same tables with every exercise (and its participants and figures) copied ten times.

The home page's sections are drawn once per run (`flows.writers.page.page_sections`), and
so are the table and country pages (`flows.writers.site.site_pages`); the home page's frame
(`render_page`) is stamped with the release's version. All three are timed, best of
`--runs`, so that the growth from 1x to 10x the exercises shows whether drawing stays
linear in the rows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial

import pandas as pd

from bench.children import REPO
from bench.measure import Bench
from flows.orchestration.pipeline import validated
from flows.steps.build import build
from flows.steps.render import render_tables
from flows.steps.versioning import ReleaseInfo
from flows.writers.package import content_of, release_files
from flows.writers.page import page_sections, render_page
from flows.writers.site import site_pages

INFO = ReleaseInfo(version="1.0.0", date="2026-01-02", previous=None, bump=None)
COPIES = 10
# The tables keyed by exercise, and their key columns other than `exercise_id`.
BY_EXERCISE = {"exercises": [], "exercise_participants": [], "exercise_figures": ["figure_id"]}


def with_copied_exercises(tables: dict[str, pd.DataFrame], copies: int) -> dict[str, pd.DataFrame]:
    """`tables` with every exercise, its participants and figures `copies` times, each copy
    under new ids (`<id>-copy-N`), so that the grid and the tables grow tenfold."""
    grown = dict(tables)
    for name, keys in BY_EXERCISE.items():
        frames = []
        for n in range(copies):
            frame = tables[name].copy()
            if n:
                for column in ["exercise_id", *keys]:
                    frame[column] = frame[column] + f"-copy-{n}"
            frames.append(frame)
        grown[name] = pd.concat(frames, ignore_index=True)
    return grown


def best_of(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    """The fastest and the median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def run_page(bench: Bench) -> None:
    """Time the page's sections and its frame at 1x and 10x the exercises."""
    tables = build(validated(REPO / "raw"))
    for label, copies in (("1x", 1), (f"{COPIES}x", COPIES)):
        grown = with_copied_exercises(tables, copies)
        content = content_of(render_tables(grown))
        files = release_files(content, INFO)
        rows = len(grown["exercises"])
        sections = best_of(bench.args.runs, partial(page_sections, content.files))
        frame = best_of(bench.args.runs, partial(render_page, files, INFO, content.page_sections))
        pages = best_of(bench.args.runs, partial(site_pages, content.files))
        bench.extra[f"page_{label}"] = (rows, sections, frame, pages)
        bench.log(
            f"site at {label} exercises: sections {sections[1]:.3f} s, frame {frame[1]:.3f} s, "
            f"table and country pages {pages[1]:.3f} s"
        )


def page_section(bench: Bench) -> list[str]:
    found = [(k, v) for k, v in bench.extra.items() if k.startswith("page_")]
    if not found:
        return []
    lines = [
        "",
        "## The release's site, in-process",
        "",
        "Drawn from the real tables, and with every exercise (with its participants and "
        f"figures) copied {COPIES} times; the home page's sections and the table and country "
        "pages are drawn once per run, the home page's frame is stamped with the version.",
        "",
        "| exercises | sections: min s | median s | frame: min s | median s "
        "| other pages: min s | median s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, (rows, sections, frame, pages) in found:
        lines.append(
            f"| {rows} | {sections[0]:.3f} | {sections[1]:.3f} | {frame[0]:.3f} | {frame[1]:.3f} "
            f"| {pages[0]:.3f} | {pages[1]:.3f} |"
        )
    return lines
