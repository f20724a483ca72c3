"""A table is declared in one place: a new schema module and its raw file are enough for
the table to be checked and published everywhere a table appears."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MODULE = '''"""Drills: a table declared only in this module, with its raw file."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import ForeignKey, Table, Tables, Violation, cross_table_rule


class DrillsSchema(pandera.DataFrameModel):
    drill_id: Series[str] = f.key("Id of the drill.", raw_name="id")
    name: Series[str] = f.text("Name of the drill in English.", raw_name="name")
    host_iso3: Series[str] = f.code("The host state (join to `countries.iso3`).", raw_name="host")
    start_date: Series[pd.Timestamp] = f.date("When it began.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    troops: Series[pd.Int64Dtype] = pandera.Field(
        description="Troops taking part.", ge=0, nullable=True, metadata=f.raw("troops")
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="drills",
    title="Drills",
    description="Joint drills, declared in one schema module.",
    model=DrillsSchema,
    primary_key=("drill_id",),
    position=65,
    notes="Coverage: the two drills of the test; sources were thin.",
    foreign_keys=(
        ForeignKey("host_iso3", "countries", "iso3"),
        ForeignKey("source_ids", "sources", "source_id", ";"),
    ),
)


@cross_table_rule
def drills_start_after_2001(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    drills = tables["drills"]
    for row in drills.index[drills["start_date"] < pd.Timestamp("2002-01-01")]:
        yield Violation("drills", row, "start_date", "no joint drill is known before 2002")
'''

RECORDS = """- id: drill-one
  name: First drill
  host: KAZ
  start: "2022-09"
  troops: 1500
  sources: [apostrophe-2022-01-06]
- id: drill-two
  name: Second drill
  host: ARM
  start: "2021"
  sources: [apostrophe-2022-01-06]
"""


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's code, raw records and README, with the drills table
    declared by adding two files and editing none."""
    root = tmp_path_factory.mktemp("clone")
    for folder in ("flows", "schemas", "raw"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "README.md", root / "README.md")
    (root / "schemas" / "drills.py").write_text(MODULE, encoding="utf-8")
    (root / "raw" / "drills.yaml").write_text(RECORDS, encoding="utf-8")
    return root


def run(root: Path, *args: str, api: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_STATE_HOME=str(root / ".state"))
    if api:
        env["PREFECT_API_URL"] = api
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def released(clone: Path, prefect_api: str) -> Path:
    result = run(clone, "-m", "flows.orchestration.cli", "release", api=prefect_api)
    assert result.returncode == 0, result.stdout + result.stderr
    return clone / "output" / "latest"


def test_check_reads_the_new_table(clone: Path) -> None:
    result = run(clone, "-m", "flows.orchestration.cli", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 drills" in result.stdout


def test_the_new_tables_model_and_rules_locate_a_curators_mistakes(
    clone: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(clone / "raw", raw)
    with (raw / "drills.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "- id: drill-three\n  name: Bad\n  host: XXX\n  start: 1999\n"
            "  troops: -1\n  sources: [apostrophe-2022-01-06]\n"
        )
    result = run(clone, "-m", "flows.orchestration.cli", "--raw", str(raw), "check")
    assert result.returncode == 1
    drills = raw / "drills.yaml"
    assert f"{drills}:14: drills.host: refers to countries.iso3 'XXX'" in result.stdout
    assert f"{drills}:15: drills.start: no joint drill is known before 2002" in result.stdout
    assert f"{drills}:16: drills.troops: must be at least 0 (found -1)" in result.stdout


def test_the_release_publishes_the_new_table_in_both_formats(released: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((released / "drills.csv").read_text())))
    assert [(r["drill_id"], r["start_date"], r["start_precision"]) for r in rows] == [
        ("drill-one", "2022-09-01", "month"),
        ("drill-two", "2021-01-01", "year"),
    ]
    import pyarrow.parquet as pq

    assert pq.read_table(released / "drills.parquet").num_rows == 2


def test_the_data_package_codebook_citations_and_checksums_cover_it(released: Path) -> None:
    package = json.loads((released / "datapackage.json").read_text())
    [resource] = [r for r in package["resources"] if r["name"] == "drills"]
    assert {fk["fields"] for fk in resource["schema"]["foreignKeys"]} >= {"host_iso3"}
    codebook = (released / "CODEBOOK.md").read_text()
    assert "## `drills`: Drills\n\nJoint drills, declared in one schema module.\n\n" in codebook
    assert "Coverage: the two drills of the test; sources were thin.\n" in codebook
    citations = (released / "citations.csv").read_text()
    assert "drills,drill-one,apostrophe-2022-01-06,supports" in citations
    assert "  drills.csv\n" in (released / "SHA256SUMS").read_text()


def test_the_page_and_the_readme_list_it(released: Path) -> None:
    assert "Joint drills, declared in one schema module." in (released / "index.html").read_text()
    readme = (released.parent.parent / "README.md").read_text()
    assert "| `drills` | Joint drills, declared in one schema module. | 2 |" in readme


def test_the_curators_guide_gains_its_field_reference(clone: Path) -> None:
    result = run(clone, "-m", "flows.writers.curators_guide")
    assert result.returncode == 0, result.stderr
    guide = (clone / "raw" / "README.md").read_text()
    assert "## drills.yaml: Drills\n<!-- fields:drills -->" in guide
    assert "| `host` | yes | text | `host_iso3` |" in guide
    assert "| `troops` | no | whole number | `troops` |" in guide
