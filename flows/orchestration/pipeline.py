"""The chain of steps of a release, spelled once: ingest -> validate -> build -> render ->
package -> publish.

`run` composes the steps it is given. The plain `release` gives it the step functions
themselves (the benchmark's floor, the tests that run a release hundreds of times);
the Prefect flow in `flows/orchestration/release.py` gives it the same functions wrapped as
tasks, which add retries and a record of each step. After publishing, the repository's own
front files follow the newest release (`front_files`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from flows.orchestration.front_files import refresh_front_files
from flows.steps.build import build
from flows.steps.fingerprint import records_hash
from flows.steps.ingest import RawRecords, ingest
from flows.steps.problems import InvalidRawData, Problem
from flows.steps.publish import Outcome, Package, Stale, publish
from flows.steps.render import render_tables
from flows.steps.sizes import size_problems
from flows.steps.validate import require_valid, validate
from flows.steps.versioning import Bump, release_day
from flows.writers.package import package

Tables = dict[str, pd.DataFrame]
Files = dict[str, bytes]
# How often a run packages again when another run published in between.
PACKAGE_ATTEMPTS = 3


@dataclass(frozen=True)
class Steps:
    """The callables that carry out each step (Prefect tasks are callables too)."""

    ingest: Callable[[Path], tuple[RawRecords, list[Problem]]] = ingest
    validate: Callable[[RawRecords, list[Problem]], list[Problem]] = validate
    build: Callable[[RawRecords], Tables] = build
    render: Callable[[Tables], Files] = render_tables
    package: Callable[[Path, Files, dict[str, int], str, str, Bump | None], Package] = package
    publish: Callable[[Path, Package], Outcome] = publish


def validated(raw_dir: Path) -> RawRecords:
    """The raw records, or `InvalidRawData` listing every problem in them."""
    return require_valid(*ingest(raw_dir))


def row_counts(tables: Tables) -> dict[str, int]:
    return {name: len(frame) for name, frame in tables.items()}


def table_files(records: RawRecords) -> tuple[Files, dict[str, int]]:
    """The table files of valid records, and their rows per table."""
    tables = build(records)
    return render_tables(tables), row_counts(tables)


def run(
    steps: Steps,
    raw_dir: Path,
    output_dir: Path,
    bump: Bump | None = None,
    date: str | None = None,
) -> Outcome | list[Problem]:
    """What publishing the raw records did, or the problems that kept them from it."""
    records, found = steps.ingest(raw_dir)
    problems = steps.validate(records, found)
    if problems:
        return problems
    tables = steps.build(records)
    oversize = size_problems(tables, raw_dir)
    if oversize:
        return oversize
    files, rows = steps.render(tables), row_counts(tables)
    fingerprint, day = records_hash(records), date or release_day().isoformat()

    def package_and_publish() -> Outcome:
        made = steps.package(output_dir, files, rows, day, fingerprint, bump)
        return steps.publish(output_dir, made)

    for _ in range(PACKAGE_ATTEMPTS - 1):
        try:
            outcome = package_and_publish()
            break
        except Stale:
            continue  # another run published in between: package against it
    else:
        outcome = package_and_publish()
    refresh_front_files(output_dir)
    return outcome


def release(
    raw_dir: Path, output_dir: Path, bump: Bump | None = None, date: str | None = None
) -> Outcome:
    """Publish with the plain step functions; `InvalidRawData` for invalid records."""
    result = run(Steps(), raw_dir, output_dir, bump, date)
    if isinstance(result, list):
        raise InvalidRawData(result)
    return result
