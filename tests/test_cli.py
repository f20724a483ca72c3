"""`csto-data` as a user runs it: a real process in a folder with raw/ and output/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(args: list[str], cwd: Path, api: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if api:
        env["PREFECT_API_URL"] = api
    command = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_check_on_the_real_records_passes(raw_dir: Path) -> None:
    result = run(["check"], raw_dir.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all records valid" in result.stdout


def test_release_then_release_again_says_no_change(prefect_api: str, raw_dir: Path) -> None:
    first = run(["release"], raw_dir.parent, prefect_api)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Published v1.0.0" in first.stdout
    assert "output/v1.0.0" in first.stdout
    second = run(["release"], raw_dir.parent)  # no API: must not need Prefect at all
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No change" in second.stdout
    output = raw_dir.parent / "output"
    visible = sorted(p.name for p in output.iterdir() if not p.name.startswith("."))
    assert visible == ["CHANGELOG.md", "latest", "releases.json", "v1.0.0"]
