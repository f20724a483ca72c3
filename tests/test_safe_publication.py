"""A release appears all at once or not at all: killed runs, concurrent runs, bad input."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.pipeline import release
from flows.publish import LATEST, STAGING_PREFIX, read_history
from flows.verify import checksum_problems
from tests.helpers import add_event, snapshot, start_plain_release


def assert_consistent(output: Path, allowed_histories: list[list[str]]) -> None:
    """releases.json is whole and one of the allowed states; every visible release is whole."""
    history = [r["version"] for r in read_history(output)]
    assert history in allowed_histories
    for folder in output.glob("v*"):
        assert checksum_problems(folder) == [], folder
    if history:
        assert checksum_problems(output / LATEST) == []
        listed = {(output / f"v{v}" / "SHA256SUMS").read_bytes() for v in history}
        assert (output / LATEST / "SHA256SUMS").read_bytes() in listed


@pytest.fixture
def published(raw_dir: Path, output_dir: Path) -> Path:
    """A first release v1.0.0, and a raw change that makes the next one a minor."""
    release(raw_dir, output_dir, date="2026-01-01")
    add_event(raw_dir)
    return output_dir


def test_killed_release_leaves_old_or_new_state_and_next_run_completes(
    published: Path, raw_dir: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(published, reference)
    release(raw_dir, reference, date="2026-01-02")
    expected = snapshot(reference)

    # Kill points: during start-up and build (by time), and densely once publication has
    # begun (by watching for the staging folder), down to the final renames.
    points = [("time", d) for d in (0.3, 0.8, 1.3)]
    points += [("staging", d) for d in (0.0, 0.001, 0.002, 0.004, 0.008, 0.016, 0.03, 0.06, 0.1)]
    hit_publication = 0
    for trigger, delay in points:
        output = tmp_path / f"kill-{trigger}-{delay}"
        shutil.copytree(published, output)
        process = start_plain_release(raw_dir, output)
        deadline = time.monotonic() + 60
        if trigger == "staging":
            while process.poll() is None and time.monotonic() < deadline:
                if any(output.glob(f"{STAGING_PREFIX}*")) or (output / "v1.1.0").exists():
                    break
                time.sleep(0.0005)
        time.sleep(delay)
        if process.poll() is None:
            hit_publication += trigger == "staging"
            os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        assert_consistent(output, [["1.0.0"], ["1.0.0", "1.1.0"]])
        release(raw_dir, output, date="2026-01-02")  # the next run completes
        assert snapshot(output) == expected, (trigger, delay)
    assert hit_publication >= 3, "too few kills landed during publication to prove anything"


def test_concurrent_releases_publish_once(raw_dir: Path, output_dir: Path) -> None:
    runs = [start_plain_release(raw_dir, output_dir) for _ in range(2)]
    results = sorted(run.communicate(timeout=300)[0].strip() for run in runs)
    assert [run.returncode for run in runs] == [0, 0]
    assert results == ["no_change 1.0.0", "published 1.0.0"]
    assert_consistent(output_dir, [["1.0.0"]])
    assert sorted(p.name for p in output_dir.glob("v*")) == ["v1.0.0"]


def test_release_of_bad_input_exits_nonzero_and_leaves_output_untouched(
    prefect_api: str, published: Path, raw_dir: Path
) -> None:
    with (raw_dir / "troop_deployments.yaml").open("a") as handle:
        handle.write("\n- operation: kazakhstan-2022\n  troops: -3\n")
    before = snapshot(published)
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "--raw",
            str(raw_dir),
            "release",
            "--output",
            str(published),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{raw_dir / 'troop_deployments.yaml'}:" in result.stdout
    assert "troop_deployments.troops: must be at least 0 (found -3)" in result.stdout
    assert "troop_deployments.qualifier: required field is missing" in result.stdout
    assert "Nothing was published." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(published) == before
