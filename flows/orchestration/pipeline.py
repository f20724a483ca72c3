"""The chain of steps of a release, spelled once: ingest -> validate -> build -> render ->
publish.

`run` composes the steps it is given. The plain `release` gives it the step functions
themselves (the benchmark's floor, the tests that run a release hundreds of times,
`verify`); the Prefect flow in `flows/orchestration/release.py` gives it the same
functions wrapped as tasks, which add retries and a record of each step.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from flows.steps.build import build
from flows.steps.fingerprint import input_hash
from flows.steps.ingest import RawRecords, ingest
from flows.steps.problems import InvalidRawData, Problem
from flows.steps.publish import Outcome, publish
from flows.steps.render import render_tables
from flows.steps.validate import require_valid, validate
from flows.steps.versioning import Bump


@dataclass(frozen=True)
class Steps:
    """The callables that carry out each step (Prefect tasks are callables too)."""

    ingest: Callable[..., Any] = ingest
    validate: Callable[..., Any] = validate
    build: Callable[..., Any] = build
    render: Callable[..., Any] = render_tables
    publish: Callable[..., Any] = publish


def release_date() -> str:
    """Today in UTC, or the day of `SOURCE_DATE_EPOCH` when it is set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date().isoformat()


def validated(raw_dir: Path) -> RawRecords:
    """The raw records, or `InvalidRawData` listing every problem in them."""
    return require_valid(*ingest(raw_dir))


def row_counts(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    return {name: len(frame) for name, frame in tables.items()}


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
    files = steps.render(tables)
    fingerprint = input_hash(raw_dir)
    return steps.publish(
        output_dir, files, row_counts(tables), date or release_date(), fingerprint, bump
    )


def release(
    raw_dir: Path, output_dir: Path, bump: Bump | None = None, date: str | None = None
) -> Outcome:
    """Publish with the plain step functions; `InvalidRawData` for invalid records."""
    result = run(Steps(), raw_dir, output_dir, bump, date)
    if isinstance(result, list):
        raise InvalidRawData(result)
    return result
