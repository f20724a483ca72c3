"""`csto-data serve` against a real `prefect server start`: the deployment, its runs and records.

One Prefect server (its own PREFECT_HOME, a free port on 127.0.0.1) and one `csto-data serve`
process (cwd: a folder with a copy of raw/) serve the whole module; runs are triggered
through the Prefect API, as a user would from the UI. Neither depends on the session's
harness server (`prefect_api`), and no PREFECT_* setting leaks into this process's
environment: the subprocesses get theirs explicitly, the in-process client uses
`temporary_settings`. Every process started here is stopped in fixture teardown, also
when a test fails.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from flows.orchestration.serve import DEFAULT_CRON, FULL_NAME
from tests.conftest import seeded_home
from tests.prefect_processes import (
    Server,
    artifacts,
    isolated_env,
    local_prefect_server,
    prefect_client,
    start,
    stop,
    tail,
)

SERVER_STARTUP = 300  # s; a Prefect server takes ~20 s to start on 2 idle cores
DEPLOYMENT_WAIT = 240  # s; `csto-data serve` imports Prefect, pandas and pandera first
RUN_WAIT = 600  # s; each served run starts a fresh Python process

# Every test here serves the deployment through Prefect servers and workers of its own
# (slow); the file runs in one test process (`--dist loadfile`), which shares the module's
# server and `csto-data serve`.
pytestmark = pytest.mark.slow


@dataclass
class Served:
    folder: Path
    server: Server
    process: subprocess.Popen
    log: Path

    def failure(self, message: str) -> str:
        return message + tail(self.log) + tail(self.server.log, 20)


@pytest.fixture(scope="module")
def prefect_server(
    tmp_path_factory: pytest.TempPathFactory, prefect_database: Path
) -> Iterator[Server]:
    """`prefect server start` on a free port of 127.0.0.1 with its own PREFECT_HOME."""
    home = seeded_home(tmp_path_factory.mktemp("prefect-server-home"), prefect_database)
    with local_prefect_server(home, home.parent / f"{home.name}.log", SERVER_STARTUP) as server:
        yield server


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, prefect_server: Server, small_raw: Path
) -> Iterator[Served]:
    """`csto-data serve` in a folder holding a copy of the small records, until the module
    ends: the schedule and the runs are under test, not the records."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copytree(small_raw, folder / "raw")
    log = folder.parent / f"{folder.name}.log"
    env = isolated_env(
        PREFECT_API_URL=prefect_server.api,
        PREFECT_HOME=str(folder.parent / f"{folder.name}-prefect-home"),
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # pick triggered runs up quickly
    )
    command = [sys.executable, "-m", "flows.orchestration.cli", "serve"]
    process = start(command, folder, env, log)
    try:
        yield Served(folder, prefect_server, process, log)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def deployment(served: Served):
    """The deployment `release/scheduled`, once `csto-data serve` has registered it."""
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + DEPLOYMENT_WAIT
    with prefect_client(served.server.api) as client:
        while True:
            assert served.process.poll() is None, served.failure(
                f"csto-data serve exited ({served.process.returncode})"
            )
            try:
                return client.read_deployment_by_name(FULL_NAME)
            except ObjectNotFound:
                pass
            assert time.monotonic() < deadline, served.failure(
                f"{FULL_NAME} did not appear in {DEPLOYMENT_WAIT} s"
            )
            time.sleep(1)


def trigger(served: Served, deployment_id: UUID):
    """Create a run of the deployment through the API and wait until it is final."""
    with prefect_client(served.server.api) as client:
        run = client.create_flow_run_from_deployment(deployment_id)
        deadline = time.monotonic() + RUN_WAIT
        while not (run := client.read_flow_run(run.id)).state.is_final():
            assert served.process.poll() is None, served.failure(
                f"csto-data serve exited ({served.process.returncode}) during run {run.name}"
            )
            assert time.monotonic() < deadline, served.failure(
                f"run {run.name} still {run.state.name} after {RUN_WAIT} s"
            )
            time.sleep(2)
        return run


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1  # minus the header


def log_messages(api: str, flow_run_id: UUID, until: str) -> list[str]:
    """The run's logs as recorded by the API (sent in batches: wait for them a little)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    only_this_run = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
    deadline = time.monotonic() + 30
    with prefect_client(api) as client:
        while True:
            messages = [log.message for log in client.read_logs(log_filter=only_this_run)]
            if until in messages or time.monotonic() > deadline:
                return messages
            time.sleep(1)


@pytest.fixture(scope="module")
def first_run(served: Served, deployment):
    return trigger(served, deployment.id)


@pytest.fixture(scope="module")
def second_run(served: Served, deployment, first_run):
    return trigger(served, deployment.id)


def test_serve_registers_release_scheduled_weekly_with_absolute_paths(
    served: Served, deployment
) -> None:
    assert deployment.name == "scheduled"
    assert [s.schedule.cron for s in deployment.schedules] == [DEFAULT_CRON]
    assert all(s.active for s in deployment.schedules)
    assert deployment.parameters == {
        "raw_dir": str(served.folder / "raw"),
        "output_dir": str(served.folder / "output"),
    }
    assert deployment.work_pool_name is None  # served by the process, no work pool needed


def test_triggered_run_completes_and_publishes_the_first_release(served: Served, first_run) -> None:
    assert first_run.state.is_completed(), served.failure(f"first run: {first_run.state}")
    output = served.folder / "output"
    assert (output / "v1.0.0").is_dir()
    assert (output / "latest" / "members.csv").is_file()
    assert (output / "latest" / "CITATION.cff").is_file()
    assert not (served.folder / "CITATION.cff").exists()  # not the repository's output/


def test_triggered_run_records_its_summary_and_row_count_artifacts(
    served: Served, first_run
) -> None:
    found = artifacts(served.server.api, first_run.id)
    assert set(found) == {"csto-release", "csto-release-rows"}
    assert found["csto-release"].type == "markdown"
    assert "Published v1.0.0" in str(found["csto-release"].data)
    assert found["csto-release-rows"].type == "table"
    rows = {row["table"]: row["rows"] for row in json.loads(found["csto-release-rows"].data)}
    published = served.folder / "output" / "v1.0.0"
    assert rows == {name: csv_rows(published / f"{name}.csv") for name in rows}
    assert {"members", "treaty_events", "troop_deployments"} <= set(rows)


def test_triggered_run_sends_its_logs_to_the_server(served: Served, first_run) -> None:
    # The flow's own INFO logs, which `PREFECT_LOGGING_LEVEL` alone would keep from the API.
    messages = log_messages(served.server.api, first_run.id, until="published: v1.0.0")
    assert "published: v1.0.0" in messages, messages
    assert any(m.startswith("Beginning flow run") for m in messages), messages


def test_second_run_with_unchanged_raw_completes_and_publishes_nothing(
    served: Served, first_run, second_run
) -> None:
    assert second_run.state.is_completed(), served.failure(f"second run: {second_run.state}")
    visible = sorted(p.name for p in (served.folder / "output").iterdir() if p.name[0] != ".")
    assert visible == ["CHANGELOG.md", "latest", "releases.json", "v1.0.0"]
    found = artifacts(served.server.api, second_run.id)
    assert "No change" in str(found["csto-release"].data)
    assert "No change" not in str(artifacts(served.server.api, first_run.id)["csto-release"].data)


def test_stopping_serve_exits_cleanly_and_pauses_the_schedule(
    served: Served, deployment, second_run
) -> None:
    stop(served.process)  # SIGTERM, as a service manager stops it
    assert served.process.returncode == 0, served.failure(f"exit {served.process.returncode}")
    with prefect_client(served.server.api) as client:
        after = client.read_deployment_by_name(FULL_NAME)
    assert not deployment.paused
    assert after.paused  # no scheduled run piles up while nothing serves it
