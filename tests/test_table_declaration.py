"""A table is declared in one place: a new schema module and its raw file are enough for
the table to be checked and published everywhere a table appears."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import ALL_TABLES, TABLES
from tests.conftest import REPO

MODULE = '''"""Drills: a table declared only in this module, with its raw file."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Table, Tables, Violation, cross_table_rule


class DrillsSchema(pandera.DataFrameModel):
    drill_id: Series[str] = f.key("Id of the drill.", raw_name="id")
    name: Series[str] = f.text("Name of the drill in English.", raw_name="name")
    host_iso3: Series[str] = f.code(
        "The host state (join to `countries.iso3`).",
        raw_name="host",
        refers=f.refers("countries.iso3"),
    )
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


# A table that cites sources, and whose module names no reference but through the field
# factories: the same text declares it before and after references moved onto the fields.
PATROLS = '''"""Patrols: a table whose only references are its sources."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Table


class PatrolsSchema(pandera.DataFrameModel):
    patrol_id: Series[str] = f.key("Id of the patrol.", raw_name="id")
    start_date: Series[pd.Timestamp] = f.date("When it began.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="patrols",
    title="Patrols",
    description="Joint patrols, citing sources and declaring no reference by hand.",
    model=PatrolsSchema,
    primary_key=("patrol_id",),
    position=66,
)
'''

PATROL_RECORDS = """- id: patrol-one
  start: "2022-09"
  sources: [apostrophe-2022-01-06]
  contradicted_by: [atop-5-1-members]
"""

# The citations that a build of the records in `raw/` makes for one table, as CSV.
CITATIONS_OF = (
    "import sys; from pathlib import Path; from flows.steps.build import build; "
    "from flows.steps.ingest import ingest; records, _ = ingest(Path('raw')); "
    "cited = build(records)['citations']; "
    "print(cited[cited['table'] == sys.argv[1]].to_csv(index=False, header=False), end='')"
)


def copy_with(root: Path, modules: dict[str, str], records: dict[str, str]) -> Path:
    """A copy of the repository's code, raw records and README in `root`, with a table
    declared by adding its schema module and raw file, editing none."""
    for folder in ("flows", "schemas", "raw"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "README.md", root / "README.md")
    for name, text in modules.items():
        (root / "schemas" / f"{name}.py").write_text(text, encoding="utf-8")
    for name, text in records.items():
        (root / "raw" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with the drills table declared."""
    return copy_with(tmp_path_factory.mktemp("clone"), {"drills": MODULE}, {"drills": RECORDS})


@pytest.fixture(scope="module")
def patrols_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with the patrols table declared."""
    root = tmp_path_factory.mktemp("patrols")
    return copy_with(root, {"patrols": PATROLS}, {"patrols": PATROL_RECORDS})


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


def check_with_added(
    root: Path, raw: Path, table: str, records: str
) -> tuple[subprocess.CompletedProcess, Path]:
    """`check` run in `root` on a copy of its raw records in `raw`, with `records` added to
    the table's file; and that file."""
    shutil.copytree(root / "raw", raw)
    path = raw / f"{table}.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(records)
    return run(root, "-m", "flows.orchestration.cli", "--raw", str(raw), "check"), path


def test_the_new_tables_model_and_rules_locate_a_curators_mistakes(
    clone: Path, tmp_path: Path
) -> None:
    result, drills = check_with_added(
        clone,
        tmp_path / "raw",
        "drills",
        "- id: drill-three\n  name: Bad\n  host: XXX\n  start: 1999\n"
        "  troops: -1\n  sources: [apostrophe-2022-01-06]\n",
    )
    assert result.returncode == 1
    assert f"{drills}:14: drills.host: refers to countries.iso3 'XXX'" in result.stdout
    assert f"{drills}:15: drills.start: no joint drill is known before 2002" in result.stdout
    assert f"{drills}:16: drills.troops: must be at least 0 (found -1)" in result.stdout


def test_a_new_tables_unknown_source_is_located_without_a_reference_listed_by_hand(
    patrols_clone: Path, tmp_path: Path
) -> None:
    result, patrols = check_with_added(
        patrols_clone,
        tmp_path / "raw",
        "patrols",
        '- id: patrol-two\n  start: "2021"\n  sources: [no-such-source]\n'
        "  contradicted_by: [no-such-other-source]\n",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"{patrols}:7: patrols.sources: refers to sources.source_id 'no-such-source', "
        "which does not exist" in result.stdout
    ), result.stdout
    assert (
        f"{patrols}:8: patrols.contradicted_by: refers to sources.source_id "
        "'no-such-other-source', which does not exist" in result.stdout
    ), result.stdout


def test_a_new_tables_sources_are_in_citations_in_the_role_their_field_declares(
    patrols_clone: Path,
) -> None:
    result = run(patrols_clone, "-c", CITATIONS_OF, "patrols")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "patrols,patrol-one,apostrophe-2022-01-06,supports",
        "patrols,patrol-one,atop-5-1-members,contradicts",
    ]


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


# Columns named like ids that are not ids of a table of the dataset.
NOT_REFERENCES = {
    "wikidata_id": "an item of Wikidata",
    "alliance_id": "an alliance of ATOP or COW",
    "record_id": "the key of a row of any table",
}
ID_NAME = re.compile(r"(^|_)(iso3|ids?)(_[ab])?$")
JOIN_TO = re.compile(r"join to `([a-z_]+)(?:\.([a-z0-9_]+))?`")


def test_every_column_named_for_ids_of_another_table_declares_its_reference() -> None:
    undeclared = [
        f"{table.name}.{column}"
        for table in ALL_TABLES
        for column in table.columns
        if ID_NAME.search(column)
        and table.primary_key != (column,)
        and column not in NOT_REFERENCES
        and column not in {fk.columns for fk in table.foreign_keys}
    ]
    assert undeclared == []


def test_every_reference_is_to_the_key_of_a_table() -> None:
    for table in ALL_TABLES:
        for fk in table.foreign_keys:
            assert TABLES[fk.reference_table].primary_key == (fk.reference_columns,), fk


def test_every_column_of_sources_a_row_cites_says_what_they_do_for_it() -> None:
    for table in ALL_TABLES:
        if table.name == "citations":  # it is the links themselves
            continue
        for fk in table.foreign_keys:
            if fk.reference_table == "sources":
                assert fk.cites in ("supports", "contradicts"), (table.name, fk)


def test_a_description_that_says_join_to_names_the_columns_reference() -> None:
    for table in ALL_TABLES:
        references = {fk.columns: fk for fk in table.foreign_keys}
        for name, column in table.model.to_schema().columns.items():
            for said in JOIN_TO.finditer(column.description or ""):
                fk = references.get(name)
                assert fk is not None, (table.name, name)
                assert fk.reference_table == said[1], (table.name, name)
                assert said[2] in (None, fk.reference_columns), (table.name, name)


@pytest.mark.slow
def test_new_table_writes_a_schema_and_raw_file_that_check_reads(tmp_path: Path) -> None:
    root = copy_with(tmp_path, {}, {})
    made = run(
        root, "-m", "flows.orchestration.cli", "new-table", "joint_patrols",
        "--description", "Joint patrols of the external borders",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Wrote schemas/joint_patrols.py and raw/joint_patrols.yaml" in made.stdout
    assert run(root, "-m", "flows.orchestration.cli", "check").returncode == 0
    raw = root / "raw" / "joint_patrols.yaml"
    raw.write_text(
        raw.read_text(encoding="utf-8").replace(
            "[]\n",
            '- id: joint-patrol-1\n  name: First patrol\n  start: "2024-05"\n'
            "  sources: [apostrophe-2022-01-06]\n",
        ),
        encoding="utf-8",
    )
    checked = run(root, "-m", "flows.orchestration.cli", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 joint_patrols" in checked.stdout
    position = max(t.position for t in ALL_TABLES) + 10
    assert f"position={position}," in (root / "schemas" / "joint_patrols.py").read_text()
    again = run(root, "-m", "flows.orchestration.cli", "new-table", "joint_patrols")
    assert again.returncode == 1
    assert "a table of that name exists" in again.stdout
