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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
import yaml

from flows.orchestration.serve import DEFAULT_CRON, DEPLOYMENT, FULL_NAME
from tests.prefect_processes import Server, isolated_env, local_prefect_server, start, stop, tail

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"

SERVER_STARTUP = 300  # s; a Prefect server takes ~20 s to start on 2 idle cores
DEPLOYMENT_WAIT = 240  # s; `csto-data serve` imports Prefect, pandas and pandera first
RUN_WAIT = 600  # s; each served run starts a fresh Python process

# Every test here serves the deployment through Prefect servers and workers of its own
# (slow); the file runs in one test process (`--dist loadfile`), which shares the module's
# server and `csto-data serve`.
pytestmark = pytest.mark.slow


@contextmanager
def prefect_client(api: str) -> Iterator:
    """A sync Prefect client for `api`, without touching os.environ."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        yield client


@dataclass
class Served:
    folder: Path
    server: Server
    process: subprocess.Popen
    log: Path

    def failure(self, message: str) -> str:
        return message + tail(self.log) + tail(self.server.log, 20)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`prefect server start` on a free port of 127.0.0.1 with a fresh PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    with local_prefect_server(home, home.parent / f"{home.name}.log", SERVER_STARTUP) as server:
        yield server


@pytest.fixture
def own_prefect_server(tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, that no `csto-data serve` of this module polls."""
    home = tmp_path / "prefect-server-home"
    home.mkdir()
    with local_prefect_server(home, tmp_path / "prefect-server.log", SERVER_STARTUP) as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, prefect_server: Server) -> Iterator[Served]:
    """`csto-data serve` in a folder holding a copy of raw/, until the module ends."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copytree(RAW, folder / "raw")
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


def artifacts(api: str, flow_run_id: UUID) -> dict[str, object]:
    """The run's artifacts by key."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    only_this_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
    with prefect_client(api) as client:
        return {a.key: a for a in client.read_artifacts(artifact_filter=only_this_run)}


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


def prefect_cli(args: list[str], cwd: Path, api: str, timeout: float) -> str:
    """`prefect ARGS` against `api`; its output, or a failed test showing it."""
    env = isolated_env(PREFECT_API_URL=api, PREFECT_HOME=str(cwd.parent / "cli-prefect-home"))
    command = [sys.executable, "-m", "prefect", "--no-prompt", *args]
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}: exit {done.returncode}\n" + (
        done.stdout + done.stderr
    )
    return done.stdout + done.stderr


def test_prefect_yaml_deploys_the_same_deployment_to_a_process_work_pool_that_publishes(
    tmp_path: Path, own_prefect_server: Server
) -> None:
    """`prefect deploy --all` from a copy of the repository, then a worker runs it once."""
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"][0]
    assert spec["name"] == DEPLOYMENT
    assert [s["cron"] for s in spec["schedules"]] == [DEFAULT_CRON]
    project = tmp_path / "project"
    for name in ("flows", "schemas", "raw"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "prefect.yaml", project)
    # Its own server: on the module's, `prefect deploy` would replace the deployment that
    # the module's `csto-data serve` serves, and serve could take the run.
    api, pool = own_prefect_server.api, spec["work_pool"]["name"]
    prefect_cli(["work-pool", "create", pool, "--type", "process"], project, api, 120)
    prefect_cli(["deploy", "--all"], project, api, 300)
    with prefect_client(api) as client:
        deployment = client.read_deployment_by_name(FULL_NAME)
        assert deployment.work_pool_name == pool
        assert deployment.entrypoint == "flows/orchestration/release.py:release_flow"
        assert [s.schedule.cron for s in deployment.schedules] == [DEFAULT_CRON]
        assert str(project) in json.dumps(deployment.pull_steps)  # the runs' working directory
        run = client.create_flow_run_from_deployment(deployment.id)
    # The worker starts elsewhere: the deployment's pull step finds the project. It serves
    # until the run is over, as a worker does: with `--run-once` it could return, on a busy
    # machine, while the run it had submitted was still starting.
    env = isolated_env(PREFECT_API_URL=api, PREFECT_HOME=str(tmp_path / "cli-prefect-home"))
    command = [sys.executable, "-m", "prefect", "--no-prompt", "worker", "start", "--pool", pool]
    worker = start(command, tmp_path, env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + RUN_WAIT
        with prefect_client(api) as client:
            while not (run := client.read_flow_run(run.id)).state.is_final():
                assert worker.poll() is None, tail(tmp_path / "worker.log")
                assert time.monotonic() < deadline, tail(tmp_path / "worker.log")
                time.sleep(1)
    finally:
        stop(worker)
    assert run.state.is_completed(), f"work-pool run: {run.state}"
    assert (project / "output" / "v1.0.0").is_dir()
    assert "Published v1.0.0" in str(artifacts(api, run.id)["csto-release"].data)
