"""README: its commands are the ones CI runs, and its code snippets work on a release."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.writers.readme import tables_block
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


@pytest.fixture(scope="module")
def release_folder(release_of_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like a clone: output/latest/ holds a release of the real raw/."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(release_of_raw, root / "output")
    return root


def test_ci_runs_the_readme_test_command() -> None:
    install_and_release, install_and_test = blocks("sh")[:2]
    assert "csto-data release" in install_and_release
    assert install_and_test.strip() in (REPO / ".ci" / "run").read_text()


@pytest.mark.parametrize("snippet", blocks("python"), ids=lambda s: s.splitlines()[2][:40])
def test_python_snippet_runs(snippet: str, release_folder: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", snippet], cwd=release_folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("query", blocks("sql"))
def test_duckdb_snippet_runs(
    query: str, release_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(release_folder)
    rows = duckdb.sql(query).fetchall()
    assert rows


def test_readme_table_of_datasets_matches_the_committed_release() -> None:
    import json

    history = json.loads((REPO / "output" / "releases.json").read_text())["releases"]
    assert tables_block(history[-1]["rows"]) in README


def test_every_guarantee_names_a_test_that_exists() -> None:
    section = README.split("## What is guaranteed", 1)[1].split("\n## ", 1)[0]
    promises = re.split(r"\n- ", section)[1:]
    assert len(promises) >= 10
    defined = {
        name
        for path in (REPO / "tests").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    for promise in promises:
        named = re.findall(r"`(test_\w+)`", promise)
        assert named, f"a guarantee names no test: {promise[:60]}"
        assert set(named) <= defined, set(named) - defined
