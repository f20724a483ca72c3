"""The committed output/ is what the committed raw/ makes, and every row is sourced."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.orchestration.verify import verify
from schemas import RAW_TABLES
from tests.conftest import RAW, REPO

LATEST = REPO / "output" / "latest"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(LATEST / f"{name}.csv", dtype=str, keep_default_na=False)


def test_committed_latest_is_intact_and_rebuilds_byte_for_byte_from_raw() -> None:
    assert verify(REPO / "output", raw_dir=RAW) == []


def test_every_cited_source_exists_and_every_source_is_cited() -> None:
    sources = set(read("sources")["source_id"])
    cited = set(read("citations")["source_id"])
    assert cited <= sources, cited - sources
    assert sources <= cited, sources - cited


def test_every_row_of_every_table_cites_a_source() -> None:
    for table in RAW_TABLES:
        if table.name == "sources":
            continue
        frame = read(table.name)
        cites = frame["source_ids"] != ""
        # Only a column declared to allow it (a search that found nothing) may be empty.
        assert cites.all() or table.model.to_schema().columns["source_ids"].nullable, table.name
        supported = read("citations").query("table == @table.name and role == 'supports'")
        assert set(supported["record_id"]) == set(frame[table.primary_key[0]][cites]), table.name


def test_observers_in_the_parliamentary_assembly_are_not_members_of_the_csto() -> None:
    assembly = set(read("assembly_observers")["iso3"])
    assert assembly == {"AFG", "SRB"}
    assert not assembly & set(read("members")["iso3"])
    assert not assembly & set(read("membership_years")["iso3"])


def test_the_root_zenodo_record_and_citation_are_the_latest_releases(tmp_path: Path) -> None:
    assert (REPO / ".zenodo.json").read_bytes() == (LATEST / "zenodo.json").read_bytes()
    assert (REPO / "CITATION.cff").read_bytes() == (LATEST / "CITATION.cff").read_bytes()


def test_a_lost_index_is_rebuilt_from_the_committed_folders_of_every_version(
    tmp_path: Path,
) -> None:
    """The committed releases were made by older code, with fewer tables and formats:
    rebuilding their index entries must not fail, and the package step must find that the
    committed raw/ says what the newest says."""
    import json
    import shutil

    from flows.orchestration.pipeline import table_files, validated
    from flows.steps.fingerprint import input_hash
    from flows.steps.release_index import RELEASES, reconciled
    from flows.writers.package import package

    copy = tmp_path / "output"
    shutil.copytree(REPO / "output", copy)
    (copy / RELEASES).unlink()
    index = reconciled(copy)
    committed = json.loads((REPO / "output" / RELEASES).read_text())["releases"]
    assert [r["version"] for r in index.history] == [r["version"] for r in committed]
    files, rows = table_files(validated(RAW))
    made = package(copy, files, rows, "2026-12-31", input_hash(RAW))
    assert made.files == {}
    assert made.entry["content_hash"] == committed[-1]["content_hash"]
