"""The `release` flow, run for real through Prefect, on a copy of the real raw records."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from uuid import UUID

import pandas as pd
import pyarrow.parquet as pq
import pytest

from flows.orchestration.release import release_flow
from flows.orchestration.verify import verify
from schemas import TABLES
from tests.conftest import RAW

REQUIRED = ["members", "treaty_events", "troop_deployments", "countries", "sources"]


@pytest.fixture(scope="module")
def first_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, UUID]:
    """One real flow run publishing v1.0.0 of the real raw records, for the tests that only
    read what it made: its output folder and its flow run's id."""
    output = tmp_path_factory.mktemp("flow") / "output"
    state = release_flow(
        raw_dir=str(RAW), output_dir=str(output), date="2026-01-02", return_state=True
    )
    outcome = state.result()
    assert (outcome.status, outcome.version) == ("published", "1.0.0")
    run = state.state_details.flow_run_id
    assert run is not None
    return output, run


@pytest.fixture
def released(first_run: tuple[Path, UUID], output_dir: Path) -> Path:
    """A private copy of the first run's output folder, for a test that changes it."""
    return shutil.copytree(first_run[0], output_dir)


@pytest.fixture
def published(first_run: tuple[Path, UUID]) -> Path:
    """The first run's output folder itself, for a test that only reads it."""
    return first_run[0]


def test_first_release_publishes_every_table_in_both_formats(published: Path) -> None:
    latest = published / "latest"
    for name in [*REQUIRED, *TABLES]:
        assert (latest / f"{name}.csv").is_file(), name
        assert (latest / f"{name}.parquet").is_file(), name
    visible = sorted(p.name for p in published.iterdir() if not p.name.startswith("."))
    assert visible == ["CHANGELOG.md", "latest", "releases.json", "v1.0.0"]


def test_flow_release_passes_verify_and_the_frictionless_validator(published: Path) -> None:
    assert verify(published) == []


def test_csv_and_parquet_hold_the_same_rows_and_columns(published: Path) -> None:
    for name in TABLES:
        csv = pd.read_csv(published / "latest" / f"{name}.csv", dtype=str, keep_default_na=False)
        table = pq.read_table(published / "latest" / f"{name}.parquet")
        parquet = table.to_pandas(integer_object_nulls=True)  # whole numbers stay whole
        assert list(csv.columns) == list(parquet.columns) == TABLES[name].columns
        assert len(csv) == len(parquet), name
        as_text = parquet.astype(object).where(parquet.notna(), "")
        for column in parquet.columns:
            values = as_text[column].map(
                lambda v: str(v).lower() if isinstance(v, bool) else str(v)
            )
            assert values.tolist() == csv[column].tolist(), (name, column)


def test_stata_files_hold_the_rows_of_the_csv_with_labelled_vocabularies(
    published: Path,
) -> None:
    for name in TABLES:
        csv = pd.read_csv(published / "latest" / f"{name}.csv", dtype=str, keep_default_na=False)
        with pd.io.stata.StataReader(published / "latest" / f"{name}.dta") as reader:
            stata = reader.read()
            labels = reader.variable_labels()
        assert list(stata.columns) == list(csv.columns), name
        assert len(stata) == len(csv), name
        assert all(labels[c] for c in stata.columns), name
        for column in stata.columns:
            if isinstance(stata[column].dtype, pd.CategoricalDtype):
                shown = stata[column].astype(object).where(stata[column].notna(), "")
                assert shown.tolist() == csv[column].tolist(), (name, column)


def test_parquet_columns_are_typed(published: Path) -> None:
    schema = pq.read_schema(published / "latest" / "troop_deployments.parquet")
    assert str(schema.field("troops").type) == "int64"
    assert str(schema.field("as_of_date").type) == "date32[day]"
    assert str(schema.field("preferred").type) == "bool"
    assert schema.field("contributor_iso3").nullable
    assert not schema.field("troops").nullable


def test_csv_files_use_unix_line_ends_and_iso_dates(published: Path) -> None:
    data = (published / "latest" / "members.csv").read_bytes()
    assert b"\r\n" not in data
    first = pd.read_csv(io.BytesIO(data), dtype=str)["start_date"].iloc[0]
    assert pd.Timestamp(first).strftime("%Y-%m-%d") == first


def test_second_release_with_unchanged_raw_publishes_nothing(released: Path, raw_dir: Path) -> None:
    before = {p: p.read_bytes() for p in released.rglob("*") if p.is_file()}
    outcome = release_flow(raw_dir=str(raw_dir), output_dir=str(released), date="2026-02-03")
    assert outcome.status == "no_change"
    assert outcome.version == "1.0.0"
    after = {p: p.read_bytes() for p in released.rglob("*") if p.is_file()}
    assert after == before


def test_rebuilt_release_is_byte_identical(released: Path, raw_dir: Path) -> None:
    first = {p.name: p.read_bytes() for p in (released / "v1.0.0").iterdir()}
    shutil.rmtree(released)
    release_flow(raw_dir=str(raw_dir), output_dir=str(released), date="2026-01-02")
    second = {p.name: p.read_bytes() for p in (released / "v1.0.0").iterdir()}
    assert second == first


def test_run_records_a_markdown_summary_artifact(first_run: tuple[Path, UUID]) -> None:
    """The run's own artifact: other tests' runs on the shared server record theirs too."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    _, run = first_run
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["csto-release"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[run]),
            )
        )
    assert len(artifacts) == 1
    assert artifacts[0].type == "markdown"
    assert "# Published v1.0.0" in str(artifacts[0].data)


def test_changed_value_publishes_a_patch_release(released: Path, raw_dir: Path) -> None:
    events = raw_dir / "treaty_events.yaml"
    text = events.read_text()
    first_title = next(line for line in text.splitlines() if "title:" in line)
    events.write_text(text.replace(first_title, first_title + " (corrected)", 1))
    outcome = release_flow(raw_dir=str(raw_dir), output_dir=str(released), date="2026-03-04")
    assert (outcome.status, outcome.version, outcome.bump) == ("published", "1.0.1", "patch")
    assert (released / "v1.0.0").is_dir() and (released / "v1.0.1").is_dir()
    changes = (released / "v1.0.1" / "CHANGES.md").read_text()
    assert "Version bump: **patch**" in changes
    assert "### `treaty_events`" in changes
    assert "(corrected)" in changes and "| `title` |" in changes
    changelog = (released / "CHANGELOG.md").read_text()
    assert changelog.index("## v1.0.1") < changelog.index("## v1.0.0")
