"""The Prefect flow `release`: the chain of steps of `pipeline.py`, run as tasks.

Tasks are thin wrappers around the plain functions in the modules named after each step;
they add orchestration, retries and the run's artifacts.
"""

# No `from __future__ import annotations`: a served run gets this flow copied into a new
# process with only the globals its body uses, so a type named only in a signature (`Bump`)
# would not resolve there and Prefect would fail every run's parameter check.

from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.states import Failed
from prefect.tasks import Task

from flows.orchestration.git_push import GitError, publish_to_remote
from flows.orchestration.notify import notify_failure
from flows.orchestration.pipeline import Steps, run
from flows.steps.build import build
from flows.steps.ingest import RawRecords, ingest
from flows.steps.problems import Problem, counted, report
from flows.steps.publish import Outcome, Package, publish
from flows.steps.render import render_tables
from flows.steps.validate import validate
from flows.steps.versioning import Bump
from flows.writers.package import package


def _transient(task: Task[..., object], run: TaskRun, state: State) -> bool:
    """Retry the file system's hiccups, not a lock held by another run."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, OSError)


@task(
    name="ingest",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_transient,
)
def ingest_task(raw_dir: Path) -> tuple[RawRecords, list[Problem]]:
    return ingest(raw_dir)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(records: RawRecords, found: list[Problem]) -> list[Problem]:
    return validate(records, found)


@task(name="build", cache_policy=NO_CACHE)
def build_task(records: RawRecords) -> dict[str, pd.DataFrame]:
    return build(records)


@task(name="render", cache_policy=NO_CACHE)
def render_task(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    return render_tables(tables)


@task(name="package", cache_policy=NO_CACHE)
def package_task(
    output_dir: Path,
    files: dict[str, bytes],
    rows: dict[str, int],
    date: str,
    fingerprint: str,
    bump: Bump | None,
) -> Package:
    return package(output_dir, files, rows, date, fingerprint, bump)


@task(
    name="publish",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_transient,
)
def publish_task(output_dir: Path, made: Package) -> Outcome:
    return publish(output_dir, made)


@task(name="git-push", cache_policy=NO_CACHE)
def git_push_task(raw_dir: Path, output_dir: Path, version: str) -> str:
    return publish_to_remote(raw_dir, output_dir, version)


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


TASKS = Steps(ingest_task, validate_task, build_task, render_task, package_task, publish_task)


@flow(
    name="release",
    log_prints=False,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
def release_flow(
    raw_dir: str = "raw",
    output_dir: str = "output",
    bump: Bump | None = None,
    date: str | None = None,
    git_push: bool = False,
) -> Outcome | State:
    """Validate the raw records and publish them as a new release if they changed.

    With `git_push` (the work-pool deployment, which runs in a fresh clone), a new release
    is then verified, committed, tagged and pushed to the remote the clone came from
    (`git_push.py`); with nothing new, nothing is pushed.

    Invalid records end the run in a Failed state whose result is the list of problems,
    so that a curator's mistake is reported as a list of `FILE:LINE` messages, not as a
    traceback; so does a release that cannot be verified, committed or pushed.
    """
    logger = get_run_logger()
    raw, output = Path(raw_dir), Path(output_dir)
    logger.info("Releasing %s into %s", raw, output)
    result = run(TASKS, raw, output, bump, date)
    if isinstance(result, list):
        text = report(result)
        logger.error("Invalid raw records; nothing published:\n%s", text)
        create_markdown_artifact(
            key="csto-release", markdown=f"# Invalid raw records\n\n```\n{text}\n```\n"
        )
        return Failed(message=f"{counted(len(result), 'problem')} in {raw}", data=result)
    logger.info("%s: v%s", result.status, result.version)
    if git_push and result.status == "published":
        try:
            logger.info(git_push_task(raw, output, result.version))
        except GitError as error:
            logger.error("%s", error)
            return Failed(message=str(error))
    create_markdown_artifact(
        key="csto-release", markdown=summary(result), description="Release run"
    )
    create_table_artifact(
        key="csto-release-rows",
        table=[{"table": n, "rows": c} for n, c in result.rows.items()],
        description="Rows per published table",
    )
    return result
