"""`csto-data` as a user runs it: a real process in a folder with raw/ and output/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import seeded_home

# Nothing listens here: a run that needed Prefect's API would fail.
NO_SERVER = "http://127.0.0.1:9/api"


def run(args: list[str], cwd: Path, api: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if api:
        env["PREFECT_API_URL"] = api
    command = [sys.executable, "-m", "flows.orchestration.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_check_on_the_real_records_passes(raw_dir: Path) -> None:
    result = run(["check"], raw_dir.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all records valid" in result.stdout


def test_release_stages_what_it_wrote_then_release_again_says_no_change(
    prefect_api: str, small_raw_dir: Path
) -> None:
    root = small_raw_dir.parent
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    first = run(["release", "--stage"], root, prefect_api)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Published v1.0.0" in first.stdout
    assert "output/v1.0.0" in first.stdout
    assert "Staged output; commit it: git commit -m 'Release v1.0.0'" in first.stdout
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=root, capture_output=True, text=True
    ).stdout.split()
    assert "output/v1.0.0/SHA256SUMS" in staged and "output/releases.json" in staged
    assert all(name.startswith("output/") for name in staged)
    second = run(["release"], small_raw_dir.parent, NO_SERVER)  # must not need Prefect at all
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No change" in second.stdout
    assert "published in output/v1.0.0 and output/latest" in second.stdout  # where it is
    output = small_raw_dir.parent / "output"
    visible = sorted(p.name for p in output.iterdir() if not p.name.startswith("."))
    assert visible == ["CHANGELOG.md", "latest", "releases.json", "v1.0.0"]


def test_a_pipeline_change_that_keeps_the_tables_is_rebuilt_once_then_known(
    prefect_api: str, small_raw_dir: Path
) -> None:
    """A release's `input_hash` covers the pipeline code of its day, so new code cannot
    know it makes the same tables without building them once; after that it must know."""
    root = small_raw_dir.parent
    assert run(["release"], root, prefect_api).returncode == 0
    releases = root / "output" / "releases.json"
    history = json.loads(releases.read_text(encoding="utf-8"))
    history["releases"][-1]["input_hash"] = "0" * 64  # as if made by older pipeline code
    releases.write_text(json.dumps(history, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    before = releases.read_bytes()
    rebuilt = run(["release"], root, prefect_api)
    assert "the tables are identical to v1.0.0" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    known = run(["release"], root, NO_SERVER)
    assert known.returncode == 0, known.stdout + known.stderr
    assert "make v1.0.0 again, published in" in known.stdout
    assert releases.read_bytes() == before


def fresh_prefect_env(home: Path) -> dict[str, str]:
    """No Prefect server configured: `release` must start its own, in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {"PREFECT_HOME": str(home), "XDG_STATE_HOME": str(home / "state")}


@pytest.mark.slow
def test_a_killed_release_leaves_no_process_behind_and_frees_its_pipes(
    small_raw_dir: Path, tmp_path: Path, prefect_database: Path
) -> None:
    from tests.test_prefect_server import alive, kill_if_alive, servers_of, wait_until

    command = [sys.executable, "-m", "flows.orchestration.cli", "release"]
    env = fresh_prefect_env(seeded_home(tmp_path / "home", prefect_database))
    child = subprocess.Popen(
        command, cwd=small_raw_dir.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    servers: list[int] = []
    try:
        assert wait_until(lambda: bool(servers.extend(servers_of(child.pid)) or servers), 120)
        child.kill()
        child.communicate(timeout=10)  # no orphan holds the pipes
        assert wait_until(lambda: not any(alive(s) for s in servers), 10)
    finally:
        child.kill()
        for server in servers:
            kill_if_alive(server)


@pytest.mark.slow
def test_concurrent_releases_on_a_fresh_prefect_home_are_quiet_and_tell_the_truth(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """Found by hostile testing: a 195-line database traceback, and still exit 0."""
    env = fresh_prefect_env(tmp_path / "shared-home")
    runs = []
    for n in range(2):
        root = tmp_path / f"clone-{n}"
        shutil.copytree(small_raw_dir, root / "raw")
        runs.append(
            subprocess.Popen(
                [sys.executable, "-m", "flows.orchestration.cli", "release"],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = [(*run.communicate(timeout=600), run.returncode) for run in runs]
    for out, err, code in results:
        assert (err, code) == ("", 0), out + err
        published, commit = out.splitlines()  # nothing of Prefect's in between
        assert published.startswith("Published v1.0.0 (first release)"), out
        assert commit.startswith("To commit it: git add -- output && git commit"), out
