"""`csto-data verify`: an intact release passes; a tampered one names what was touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.orchestration.cli import main


@pytest.fixture
def output(released: Path) -> Path:
    return released


def verify(output: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", "--output", str(output), *args])
    return code, capsys.readouterr().out


def test_intact_release_verifies(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(output, capsys)
    assert code == 0, out
    assert "intact" in out


@pytest.mark.slow
def test_intact_release_rebuilds_byte_for_byte(
    output: Path, raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--raw", str(raw_dir), "verify", "1.0.0", "--output", str(output), "--rebuild"])
    assert code == 0, capsys.readouterr().out


@pytest.mark.parametrize("target", ["latest", pytest.param("v1.0.0", marks=pytest.mark.slow)])
def test_tampered_release_names_each_modified_missing_and_extra_file(
    output: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    folder = output / target
    (folder / "members.csv").write_bytes(
        (folder / "members.csv").read_bytes().replace(b"ARM", b"AZE", 1)
    )
    (folder / "CODEBOOK.md").unlink()
    (folder / "notes.txt").write_text("added after download\n")
    code, out = verify(output, capsys, *([] if target == "latest" else ["1.0.0"]))
    assert code == 1
    assert f"{folder / 'members.csv'}: modified" in out
    assert f"{folder / 'CODEBOOK.md'}: missing" in out
    assert f"{folder / 'notes.txt'}: extra file" in out
    assert "is not intact" in out


def test_changed_data_with_matching_checksums_fails_the_schemas(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone who also rewrites SHA256SUMS is still caught by the schemas."""
    from flows.steps.checksums import checksums

    folder = output / "latest"
    csv = (folder / "troop_deployments.csv").read_text().splitlines()
    header = csv[0].split(",")
    cells = csv[1].split(",")
    cells[header.index("troops")] = "-7"
    csv[1] = ",".join(cells)
    (folder / "troop_deployments.csv").write_text("\n".join(csv) + "\n")
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "SHA256SUMS"}
    (folder / "SHA256SUMS").write_bytes(checksums(files))
    code, out = verify(output, capsys)
    assert code == 1
    assert (
        f"{folder / 'troop_deployments.csv'}:2: troop_deployments.troops: must be at least 0" in out
    )


def test_unknown_version_is_reported(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(output, capsys, "9.9.9")
    assert code == 1
    assert "no release v9.9.9" in out


def test_a_parquet_file_that_differs_from_its_csv_is_caught_even_with_matching_checksums(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.steps.checksums import checksums

    folder = output / "latest"
    (folder / "operations.parquet").write_bytes((folder / "countries.parquet").read_bytes())
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "SHA256SUMS"}
    (folder / "SHA256SUMS").write_bytes(checksums(files))
    code, out = verify(output, capsys)
    assert code == 1
    assert f"{folder / 'operations.parquet'}: its rows differ from operations.csv" in out
