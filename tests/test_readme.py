"""README: its commands are the ones CI runs, and its code snippets work on a release."""

from __future__ import annotations

import os
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


def test_duckdb_snippet_lists_every_source_of_a_figure_that_cites_several(
    release_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every troop row of the release cites one source; give one a second, as a row may."""
    import pandas as pd

    (query,) = blocks("sql")
    latest = shutil.copytree(release_folder / "output" / "latest", tmp_path / "output" / "latest")
    figures = pd.read_parquet(latest / "troop_deployments.parquet")
    citations = pd.read_parquet(latest / "citations.parquet")
    sources = pd.read_parquet(latest / "sources.parquet")
    first, second = figures.at[0, "source_ids"], sources.at[0, "source_id"]
    figures.at[0, "source_ids"] = f"{first};{second}"
    added = {"table": "troop_deployments", "record_id": figures.at[0, "figure_id"],
             "source_id": second, "role": "supports"}  # fmt: skip
    citations = pd.concat([citations, pd.DataFrame([added])], ignore_index=True)
    figures.to_parquet(latest / "troop_deployments.parquet")
    citations.to_parquet(latest / "citations.parquet")
    monkeypatch.chdir(tmp_path)
    rows = duckdb.sql(query).df()
    cited = citations[
        (citations["table"] == "troop_deployments") & (citations["role"] == "supports")
    ]
    assert len(rows) == len(cited)
    publishers = sources.set_index("source_id")["publisher"]
    troops = figures.at[0, "troops"]
    shown = set(rows[rows["troops"] == troops]["publisher"])
    assert {publishers[first], publishers[second]} <= shown


def test_reading_as_the_readme_says_keeps_codes_as_text_and_flags_as_booleans(
    release_folder: Path,
) -> None:
    import pandas as pd
    from frictionless import Package

    latest = release_folder / "output" / "latest"
    typed = {"dtype_backend": "numpy_nullable"}
    codings = pd.read_parquet(latest / "external_codings.parquet", **typed)
    assert set(codings["dataset_version"]) <= {"5.1", "4.1"}
    assert codings["alliance_id"].map(type).eq(str).all()
    forces = pd.read_parquet(latest / "force_figures.parquet", **typed)
    assert str(forces["contributors_add_up"].dtype) == "boolean"
    from_csv = pd.read_csv(latest / "external_codings.csv", dtype=str, keep_default_na=False)
    assert from_csv["dataset_version"].eq(codings["dataset_version"]).all()
    package = Package(latest / "datapackage.json")
    assert (
        package.get_resource("external_codings")
        .to_pandas()["dataset_version"]
        .map(type)
        .eq(str)
        .all()
    )


@pytest.mark.parametrize("snippet", blocks("r"))
def test_r_snippet_runs_in_r_on_the_downloaded_files(
    snippet: str, release_folder: Path, tmp_path: Path
) -> None:
    if shutil.which("Rscript") is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing: .ci/run installs r-base-core and its packages")
        pytest.skip("R is not installed (CI installs it)")
    script = tmp_path / "snippet.R"
    script.write_text(snippet, encoding="utf-8")
    result = subprocess.run(
        ["Rscript", "--vanilla", str(script)], cwd=release_folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "RUS" in result.stdout  # the preferred figures were read and printed


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
