"""`csto-data bundle`: one release as one zip archive, the same bytes every time, which
`verify` accepts as it accepts the folder."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from flows.orchestration.cli import main


@pytest.fixture
def output(released: Path) -> Path:
    return released


def bundle(output: Path, dest: Path) -> Path:
    assert main(["bundle", "--output", str(output), "--dest", str(dest)]) == 0
    return dest / "csto-data-1.0.0.zip"


def test_the_archive_holds_every_file_of_the_release_under_a_folder_named_for_it(
    output: Path, tmp_path: Path
) -> None:
    archive = bundle(output, tmp_path / "a")
    folder = output / "v1.0.0"
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert names == sorted(names)
        assert {n.removeprefix("csto-data-1.0.0/") for n in names} == {
            p.name for p in folder.iterdir()
        }
        for name in names:
            assert opened.read(name) == (folder / name.split("/", 1)[1]).read_bytes()


def test_two_builds_on_two_copies_give_the_same_bytes(output: Path, tmp_path: Path) -> None:
    first = bundle(output, tmp_path / "a").read_bytes()
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    for path in (copy / "v1.0.0").iterdir():  # other times on disk must not matter
        path.touch()
    second = bundle(copy, tmp_path / "b").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_verify_accepts_the_archive(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = bundle(output, tmp_path / "a")
    capsys.readouterr()
    assert main(["verify", str(archive)]) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.slow
def test_verify_names_a_file_changed_inside_the_archive(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = bundle(output, tmp_path / "a")
    tampered = tmp_path / "b" / archive.name
    tampered.parent.mkdir()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("/members.csv"):
                data = data.replace(b"ARM", b"AZE", 1)
            target.writestr(name, data)
    capsys.readouterr()
    assert main(["verify", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert f"{tampered}:/members.csv: modified" in out


def test_bundle_of_an_unknown_version_says_so(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bundle", "9.9.9", "--output", str(output), "--dest", str(tmp_path)]) == 1
    assert "no release v9.9.9" in capsys.readouterr().out
