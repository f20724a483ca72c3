"""`csto-data bundle`: one release as one zip archive, the same bytes every time, which
`verify` accepts as it accepts the folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.orchestration.cli import main
from tests.helpers import snapshot


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


@pytest.mark.slow
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


def repacked(archive: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """The archive's members written again, each changed by `change`, as a zip library
    would write them (not as `bundle` does)."""
    target.parent.mkdir(exist_ok=True)
    with (
        zipfile.ZipFile(archive) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as written,
    ):
        for name in source.namelist():
            written.writestr(name, change(name, source.read(name)))
    return target


@pytest.mark.slow
def test_verify_refuses_an_archive_with_a_file_changed_inside_it(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = bundle(output, tmp_path / "a")

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"ARM", b"AZE", 1) if name.endswith("/members.csv") else data

    tampered = repacked(archive, tmp_path / "b" / archive.name, change)
    capsys.readouterr()
    assert main(["verify", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert f"{tampered}: not byte for byte the archive `csto-data bundle` makes" in out


def crafted(path: Path, entries: list[tuple[str, bytes]], **options: int) -> Path:
    """A zip archive of `entries`, with ZipInfo `options` applied to each; `encrypted`
    sets the encryption flag of every entry, which zipfile cannot write."""
    encrypted = options.pop("encrypted", 0)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = options.get("compress_type", zipfile.ZIP_DEFLATED)
            for key, value in options.items():
                setattr(info, key, value)
            archive.writestr(info, data)
    if encrypted:
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= 0x1
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))
    return path


def test_an_archive_that_climbs_out_of_its_folder_writes_nothing_anywhere(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zip-slip: members named with `..` or an absolute path, aimed at a release."""
    target = output / "v1.0.0" / "members.csv"
    climbing = f"csto-data-1.0.0/../../../{target.relative_to(target.anchor)}"
    before_output, before_here = snapshot(output), snapshot(tmp_path)
    for name in (climbing, str(target), "csto-data-1.0.0//etc/members.csv"):
        archive = crafted(tmp_path / "csto-data-1.0.0.zip", [(name, b"overwritten\n")])
        before_here = snapshot(tmp_path)
        assert main(["verify", str(archive)]) == 1
        out = capsys.readouterr().out
        assert "is not a file in one folder csto-data-<version>/" in out, out
        assert snapshot(output) == before_output
        assert snapshot(tmp_path) == before_here


def test_a_zip_bomb_is_refused_before_anything_is_inflated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small archive whose entry claims 4 GiB: refused from its listing alone."""
    archive = crafted(tmp_path / "csto-data-1.0.0.zip", [("csto-data-1.0.0/a.csv", b"0" * 1000)])
    data = bytearray(archive.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (4 * 1024**3 - 1).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    assert main(["verify", str(archive)]) == 1
    out = capsys.readouterr().out
    assert "claims 4,294,967,295 bytes, over the 104,857,600 a release file may hold" in out


def test_an_archive_of_too_many_entries_is_refused_from_its_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = [(f"csto-data-1.0.0/t{n}.csv", b"") for n in range(501)]
    archive = crafted(tmp_path / "csto-data-1.0.0.zip", entries)
    assert main(["verify", str(archive)]) == 1
    assert "501 entries; a release has at most 500" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("entries", "options", "expected"),
    [
        ([("members.csv", b"x")], {}, "is not a file in one folder"),
        ([("csto-data-1.0.0/a.csv", b"x")] * 2, {}, "appears twice"),
        ([("csto-data-1.0.0/a.csv", b"x")], {"encrypted": 1}, "is encrypted"),
        ([("csto-data-1.0.0/a.csv", b"x")], {"compress_type": 0}, "compression method 0"),
        ([("csto-data-1.0.0/a.csv", b"x")], {"compress_type": 14}, "compression method 14"),
        (
            [("csto-data-1.0.0/a.csv", b"x")],
            {"external_attr": 0o120777 << 16, "create_system": 3},
            "not byte for byte",
        ),
        ([("csto-data-1.0.0/a.csv", b"x"), ("csto-data-2.0.0/b.csv", b"y")], {}, "more than one"),
    ],
    ids=["bare", "duplicate", "encrypted", "stored", "lzma", "symlink", "two versions"],
)
def test_an_archive_bundle_never_makes_is_refused_with_a_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    entries: list[tuple[str, bytes]],
    options: dict[str, int],
    expected: str,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        archive = crafted(tmp_path / "csto-data-1.0.0.zip", entries, **options)
    assert main(["verify", str(archive)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out
    assert list(tmp_path.iterdir()) == [archive]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["deflate", "not a zip", "a FIFO"])
def test_a_corrupt_archive_gets_a_message_not_a_traceback(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    archive = bundle(output, tmp_path / "a")
    data = bytearray(archive.read_bytes())
    if damage == "deflate":
        data[100:140] = b"\xff" * 40  # inside the first member's compressed data
    elif damage == "not a zip":
        data = data[: len(data) // 2]
    if damage == "a FIFO":  # reading one would block for ever
        archive.unlink()
        os.mkfifo(archive)
    else:
        archive.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["verify", str(archive)]) == 1
    assert f"{archive}: " in capsys.readouterr().out


@pytest.mark.parametrize(
    "inside", ["v1.0.0", *(pytest.param(p, marks=pytest.mark.slow) for p in ("latest", "."))]
)
def test_bundle_never_writes_into_the_output_folder(
    output: Path, capsys: pytest.CaptureFixture[str], inside: str
) -> None:
    before = snapshot(output)
    assert main(["bundle", "--output", str(output), "--dest", str(output / inside)]) == 1
    assert "where only `csto-data release` writes" in capsys.readouterr().out
    assert snapshot(output) == before


@pytest.mark.slow
def test_bundle_of_a_damaged_release_writes_nothing(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (output / "v1.0.0" / "members.csv").write_bytes(b"state\n")
    assert main(["bundle", "--output", str(output), "--dest", str(tmp_path / "a")]) == 1
    out = capsys.readouterr().out
    assert "v1.0.0 is not intact; nothing bundled" in out
    assert not (tmp_path / "a").exists()


def test_bundle_with_no_release_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "output"
    empty.mkdir()
    assert main(["bundle", "--output", str(empty), "--dest", str(tmp_path / "a")]) == 1
    assert "no release has been published" in capsys.readouterr().out


def test_bundle_of_an_unknown_version_says_so(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bundle", "9.9.9", "--output", str(output), "--dest", str(tmp_path)]) == 1
    assert "no release v9.9.9" in capsys.readouterr().out
