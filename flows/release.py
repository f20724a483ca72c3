"""The Prefect flow `release`: ingest -> validate -> build -> render -> publish.

Tasks are thin wrappers around the plain functions in the modules named after each step;
they add orchestration, retries and the run's artifacts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.build import build
from flows.fingerprint import input_hash
from flows.ingest import RawRecords, ingest
from flows.pipeline import release_date, row_counts
from flows.problems import Problem
from flows.publish import Outcome, publish
from flows.render import render_tables
from flows.validate import require_valid
from flows.versioning import Bump


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(raw_dir: Path) -> tuple[RawRecords, list[Problem]]:
    return ingest(raw_dir)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(records: RawRecords, found: list[Problem]) -> RawRecords:
    return require_valid(records, found)


@task(name="build", cache_policy=NO_CACHE)
def build_task(records: RawRecords) -> dict[str, pd.DataFrame]:
    return build(records)


@task(name="render", cache_policy=NO_CACHE)
def render_task(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    return render_tables(tables)


@task(name="publish", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def publish_task(
    output_dir: Path,
    files: dict[str, bytes],
    rows: dict[str, int],
    date: str,
    fingerprint: str,
    bump: Bump | None,
) -> Outcome:
    return publish(output_dir, files, rows, date, fingerprint, bump)


def summary(outcome: Outcome) -> str:
    if outcome.status == "no_change":
        return (
            f"# No change\n\nThe raw records give the same tables as v{outcome.version}; "
            "nothing was published.\n"
        )
    lines = [
        f"# Published v{outcome.version}",
        "",
        f"Bump: {outcome.bump or 'first release'}. Folder: `{outcome.path}`.",
        "",
        outcome.changes,
        "| table | rows |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in outcome.rows.items()),
    ]
    return "\n".join(lines) + "\n"


@flow(name="release", log_prints=False)
def release_flow(
    raw_dir: str = "raw",
    output_dir: str = "output",
    bump: Bump | None = None,
    date: str | None = None,
) -> Outcome:
    """Validate the raw records and publish them as a new release if they changed."""
    logger = get_run_logger()
    raw, output = Path(raw_dir), Path(output_dir)
    records, found = ingest_task(raw)
    logger.info("Read %d raw tables from %s", len(records.tables), raw)
    tables = build_task(validate_task(records, found))
    files = render_task(tables)
    rows = row_counts(tables)
    outcome = publish_task(output, files, rows, date or release_date(), input_hash(raw), bump)
    logger.info("%s: v%s", outcome.status, outcome.version)
    create_markdown_artifact(
        key="csto-release", markdown=summary(outcome), description="Release run"
    )
    create_table_artifact(
        key="csto-release-rows",
        table=[{"table": n, "rows": c} for n, c in rows.items()],
        description="Rows per published table",
    )
    return outcome
