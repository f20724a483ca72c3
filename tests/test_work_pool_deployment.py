"""`prefect.yaml` deployed to a process work pool and run by a real worker, with a local bare
git repository as the remote: each run clones it, and a new release arrives there as a
commit and a tag; a run with nothing new pushes nothing.

The remote holds this checkout's committed history with its current code (`flows/`,
`schemas/`, `prefect.yaml`) and one added record on top. The server, the worker and the
runs are subprocesses with their Prefect settings given explicitly; all stop in teardown.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from flows.orchestration.serve import DEFAULT_CRON, DEPLOYMENT, FULL_NAME
from tests.conftest import REPO, seeded_home
from tests.helpers import add_event, trimmed_raw
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
RUN_WAIT = 600  # s; each run clones the remote and starts a fresh Python process
BRANCH = "main"
TOKEN = "token-that-must-never-be-stored"  # ignored by git for a file:// remote

pytestmark = pytest.mark.slow

GIT_ENV = {
    # The checkout may belong to another user than the one running the tests.
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "safe.directory",
    "GIT_CONFIG_VALUE_0": "*",
    "GIT_AUTHOR_NAME": "Scheduled Release",
    "GIT_AUTHOR_EMAIL": "release@example.org",
    "GIT_COMMITTER_NAME": "Scheduled Release",
    "GIT_COMMITTER_EMAIL": "release@example.org",
}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=folder, env=isolated_env(**GIT_ENV), capture_output=True, text=True
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def refs(remote: Path) -> dict[str, str]:
    listed = git(remote, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in listed.splitlines())


def prefect_cli(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    """`prefect ARGS` with `env`; its output, or a failed test showing it."""
    command = [sys.executable, "-m", "prefect", "--no-prompt", *args]
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}: exit {done.returncode}\n" + (
        done.stdout + done.stderr
    )
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository: this checkout's history, its current code, and the small records
    with one added record."""
    folder = tmp_path_factory.mktemp("git")
    seed, bare = folder / "seed", folder / "remote.git"
    git(folder, "clone", "--quiet", "--no-tags", str(REPO), str(seed))
    git(seed, "checkout", "--quiet", "-B", BRANCH)
    for name in ("flows", "schemas"):
        shutil.rmtree(seed / name)
        shutil.copytree(REPO / name, seed / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "prefect.yaml", seed)
    shutil.rmtree(seed / "raw")  # the small records: the run and the push are under test
    trimmed_raw(seed / "raw")
    add_event(seed / "raw")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "Add a record")
    git(folder, "init", "--quiet", "--bare", str(bare))
    git(seed, "push", "--quiet", str(bare), f"{BRANCH}:refs/heads/{BRANCH}")
    git(bare, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
    return bare


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, prefect_database: Path) -> Iterator[Server]:
    home = seeded_home(tmp_path_factory.mktemp("prefect-server-home"), prefect_database)
    with local_prefect_server(home, home.parent / f"{home.name}.log", SERVER_STARTUP) as server:
        yield server


@pytest.fixture(scope="module")
def deployment(server: Server, remote: Path, tmp_path_factory: pytest.TempPathFactory):
    """`prefect deploy --all` from a clone of the remote, as a maintainer would, once the
    Secret block with the token exists."""
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL, temporary_settings

    folder = tmp_path_factory.mktemp("deploy")
    project = folder / "project"
    git(folder, "clone", "--quiet", remote.as_uri(), str(project))
    spec = yaml.safe_load((project / "prefect.yaml").read_text())["deployments"][0]
    with temporary_settings({PREFECT_API_URL: server.api}):
        Secret(value=TOKEN).save("csto-git-token")
    env = isolated_env(PREFECT_API_URL=server.api, PREFECT_HOME=str(folder / "prefect-home"))
    pool = spec["work_pool"]["name"]
    prefect_cli(["work-pool", "create", pool, "--type", "process"], project, env, 120)
    prefect_cli(["deploy", "--all"], project, env, 300)
    with prefect_client(server.api) as client:
        return client.read_deployment_by_name(FULL_NAME)


@pytest.fixture(scope="module")
def worker(server: Server, remote: Path, deployment, tmp_path_factory: pytest.TempPathFactory):
    """`prefect worker start` for the pool, with the remote and a git identity in its
    environment (as a maintainer's worker machine has them), until the module ends."""
    folder = tmp_path_factory.mktemp("worker")
    env = isolated_env(
        PREFECT_API_URL=server.api,
        PREFECT_HOME=str(folder / "prefect-home"),
        XDG_STATE_HOME=str(folder / "state"),
        CSTO_GIT_REMOTE=remote.as_uri(),
        CSTO_GIT_BRANCH=BRANCH,
        **GIT_ENV,
    )
    pool = deployment.work_pool_name
    command = [sys.executable, "-m", "prefect", "--no-prompt", "worker", "start", "--pool", pool]
    process = start(command, folder, env, folder / "log")
    try:
        yield process, folder / "log"
    finally:
        stop(process)


def run_once(server: Server, deployment, worker):
    """A run of the deployment, created through the API, once the worker has finished it."""
    process, log = worker
    with prefect_client(server.api) as client:
        run = client.create_flow_run_from_deployment(deployment.id)
        deadline = time.monotonic() + RUN_WAIT
        while not (run := client.read_flow_run(run.id)).state.is_final():
            assert process.poll() is None, tail(log)
            assert time.monotonic() < deadline, tail(log)
            time.sleep(1)
    assert run.state.is_completed(), f"{run.state}\n{tail(log)}"
    return run


@pytest.fixture(scope="module")
def first_run(server: Server, remote: Path, deployment, worker):
    before = refs(remote)
    return run_once(server, deployment, worker), before, refs(remote)


def test_prefect_yaml_deploys_release_scheduled_weekly_to_the_process_pool(
    deployment,
) -> None:
    assert deployment.name == DEPLOYMENT
    assert deployment.work_pool_name == "csto-process"
    assert deployment.entrypoint == "flows/orchestration/release.py:release_flow"
    assert [s.schedule.cron for s in deployment.schedules] == [DEFAULT_CRON]
    assert deployment.parameters["git_push"] is True


def test_the_token_is_read_on_the_worker_at_each_run_never_stored_in_the_deployment(
    deployment,
) -> None:
    stored = json.dumps(deployment.model_dump(mode="json"))
    assert TOKEN not in stored
    (step,) = deployment.pull_steps
    clone = step["prefect.deployments.steps.git_clone"]
    assert clone["repository"] == "{{ $CSTO_GIT_REMOTE }}"
    assert clone["access_token"] == "{{ prefect.blocks.secret.csto-git-token }}"


def test_a_run_with_a_new_record_pushes_its_release_commit_and_tag_to_the_remote(
    server: Server, remote: Path, first_run
) -> None:
    run, before, after = first_run
    (tag,) = sorted(set(after) - set(before))
    version = tag.removeprefix("refs/tags/v")
    head = git(remote, "rev-parse", f"refs/heads/{BRANCH}")
    assert git(remote, "rev-parse", f"{tag}^{{commit}}") == head
    assert git(remote, "cat-file", "-t", tag) == "tag"  # annotated
    assert git(remote, "log", "-1", "--format=%s", head) == f"Release v{version}"
    assert git(remote, "rev-parse", f"{head}^") == before[f"refs/heads/{BRANCH}"]
    changed = git(remote, "diff", "--name-only", f"{head}^", head).splitlines()
    assert {"CITATION.cff", ".zenodo.json", "README.md", "output/releases.json"} <= set(changed)
    assert f"output/v{version}/SHA256SUMS" in changed
    assert f"Published v{version}" in str(artifacts(server.api, run.id)["csto-release"].data)


def test_a_run_with_nothing_new_pushes_nothing(
    server: Server, remote: Path, deployment, worker, first_run
) -> None:
    _, _, after_first = first_run
    run_once(server, deployment, worker)
    assert refs(remote) == after_first
