"""The release pipeline as plain function calls, with no orchestrator.

The Prefect flow in `flows/release.py` runs these same steps as tasks; this composition
serves the benchmark's floor, the tests that run a release hundreds of times, and `verify`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from flows.build import build
from flows.fingerprint import input_hash
from flows.ingest import RawRecords, ingest
from flows.publish import Outcome, publish
from flows.render import render_tables
from flows.validate import require_valid
from flows.versioning import Bump


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


def release(
    raw_dir: Path, output_dir: Path, bump: Bump | None = None, date: str | None = None
) -> Outcome:
    tables = build(validated(raw_dir))
    return publish(
        output_dir,
        render_tables(tables),
        row_counts(tables),
        date or release_date(),
        input_hash(raw_dir),
        bump,
    )
