"""A release appears all at once or not at all, and a published version is never written
again: kills and failures at every step of publishing, lost or stale index files, foreign
folders, concurrent runs, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.orchestration.cli import main
from flows.orchestration.pipeline import Steps, release, run, table_files, validated
from flows.orchestration.verify import verify
from flows.steps import publish
from flows.steps.build import build
from flows.steps.fingerprint import input_hash
from flows.steps.ingest import RawRecords
from flows.steps.publish import STAGING_PREFIX, Outcome
from flows.steps.release_index import LATEST, changelog, read_index
from flows.steps.verify import index_problems
from flows.writers.package import package
from tests.helpers import REPO, add_event, checksum_problems, snapshot, start_plain_release

NEW_DATE = "2026-01-02"


class TableFiles(NamedTuple):
    """What the steps before packaging make of raw records."""

    files: dict[str, bytes]
    rows: dict[str, int]
    input_hash: str


def assert_whole(output: Path, allowed: list[list[str]]) -> None:
    """Every visible release folder and latest/ are whole releases; the index lists one of
    the allowed histories (it may lag behind the folders after a kill)."""
    folders = sorted(p.name for p in output.glob("v*"))
    assert [r["version"] for r in read_index(output)] in allowed
    assert [f"v{v}" for v in max(allowed, key=len)][: len(folders)] == folders
    for folder in [*folders, LATEST]:
        assert checksum_problems(output / folder) == [], folder
    listed = {(output / f / "SHA256SUMS").read_bytes() for f in folders}
    assert (output / LATEST / "SHA256SUMS").read_bytes() in listed


@pytest.fixture(scope="module")
def first_release(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Raw records one change past their first release, and an output folder holding that
    release v1.0.0 (of the small records: this module tests the machinery): made once for
    the module, copied by each test."""
    root = tmp_path_factory.mktemp("first-release")
    raw, output = root / "raw", root / "output"
    shutil.copytree(small_raw, raw)
    release(raw, output, date="2026-01-01")
    add_event(raw)  # the next release is a minor
    return raw, output


@pytest.fixture
def raw_dir(first_release: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the raw records one change past v1.0.0."""
    return shutil.copytree(first_release[0], tmp_path / "raw")


@pytest.fixture
def published(first_release: tuple[Path, Path], output_dir: Path) -> Path:
    """A private copy of the output folder holding v1.0.0."""
    return shutil.copytree(first_release[1], output_dir)


@pytest.fixture(scope="module")
def expected(
    first_release: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    """What `output/` holds after the next release, run without a fault."""
    raw, output = first_release
    reference = shutil.copytree(output, tmp_path_factory.mktemp("reference") / "output")
    release(raw, reference, date=NEW_DATE)
    assert verify(reference) == []  # so that a run that ends byte for byte like it verifies
    return snapshot(reference)


def test_cli_says_a_release_failed_after_its_commit_point_is_published_not_lost(
    prefect_api: str,
    published: Path,
    raw_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail_latest(output: Path, version: str) -> None:
        raise OSError(5, "Input/output error (injected)")

    monkeypatch.setenv("PREFECT_API_URL", prefect_api)
    monkeypatch.setattr(publish, "_replace_latest", fail_latest)
    code = main(["--raw", str(raw_dir), "release", "--output", str(published)])
    out = capsys.readouterr().out
    assert code == 1
    assert "v1.1.0 is published in" in out
    assert "the next run of release finishes it" in out
    assert "Nothing was published" not in out
    monkeypatch.undo()
    assert [r["version"] for r in read_index(published)] == ["1.0.0", "1.1.0"]
    assert any(
        p.startswith(f"{published / LATEST}: not a copy of the newest") for p in verify(published)
    )
    assert main(["--raw", str(raw_dir), "release", "--output", str(published)]) == 0
    assert verify(published) == []


@pytest.mark.slow
def test_killed_after_the_index_a_run_with_nothing_to_do_still_brings_latest_up_to_date(
    published: Path,
    raw_dir: Path,
    expected: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by hostile testing: killed just after `releases.json`, a run left `latest/` on
    the old release, and every later run answered "No change" without repairing it."""

    def killed(output: Path, version: str) -> None:
        raise KeyboardInterrupt  # like a kill, nothing after this point runs

    monkeypatch.setattr(publish, "_replace_latest", killed)
    with pytest.raises(KeyboardInterrupt):
        release(raw_dir, published, date=NEW_DATE)
    monkeypatch.undo()
    problems = verify(published)
    assert f"{published / LATEST}: not a copy of the newest release v1.1.0" in problems[0]
    assert main(["--raw", str(raw_dir), "release", "--output", str(published)]) == 0
    out = capsys.readouterr().out
    assert f"Repaired: {published / LATEST} brought up to v1.1.0" in out
    assert "No change" in out
    assert verify(published) == []
    assert snapshot(published) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage",
    [
        "deleted",
        "emptied",
        "older copy",
        "truncated",
        "empty file",
        "empty object",
        "a list",
        "not UTF-8",
    ],
)
def test_a_lost_or_damaged_index_is_rebuilt_from_the_folders_and_no_version_is_written_again(
    two_releases: tuple[Path, Path, TableFiles],
    tmp_path: Path,
    damage: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, _, built = two_releases
    published = shutil.copytree(two_releases[1], tmp_path / "output")  # v1.0.0 and v1.1.0
    index = published / "releases.json"
    older = json.dumps({"releases": read_index(published)[:1]})
    whole = {str(p.relative_to(published)): p.read_bytes() for p in published.glob("v*/*")}
    text = index.read_text()
    written = {
        "emptied": '{"releases": []}',
        "older copy": older,
        "truncated": text[: len(text) // 2],
        "empty file": "",
        "empty object": "{}",
        "a list": "[1, 2]",
    }
    if damage == "deleted":
        index.unlink()
    elif damage == "not UTF-8":
        index.write_bytes(b"\xff\xfe{")
    else:
        index.write_text(written[damage])
    code = main(["--raw", str(raw_dir), "verify", "--output", str(published)])
    assert code == 1 and "is not intact" in capsys.readouterr().out  # a message, no traceback
    # The raw records one change past v1.1.0, built once: package and publish read the index.
    made = package(published, built.files, built.rows, "2026-01-03", built.input_hash)
    assert publish.publish(published, made).version == "1.2.0"
    assert [r["version"] for r in read_index(published)] == ["1.0.0", "1.1.0", "1.2.0"]
    after = {str(p.relative_to(published)): p.read_bytes() for p in published.glob("v1.[01].0/*")}
    assert after == whole
    assert verify(published) == []


def run_cli(args: list[str]) -> tuple[int, str]:
    """`csto-data` in a real process: its exit code and everything it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "flows.orchestration.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_an_index_entry_whose_folder_is_gone_is_refused_with_a_way_to_repair(
    published: Path, raw_dir: Path
) -> None:
    release(raw_dir, published, date=NEW_DATE)
    shutil.rmtree(published / "v1.1.0")
    before = snapshot(published)
    code, out = run_cli(["--raw", str(raw_dir), "release", "--output", str(published)])
    assert code == 1, out
    assert f"lists releases whose folders are missing: {published / 'v1.1.0'}" in out
    assert "restore the folders" in out and "Nothing was published." in out
    assert "Traceback" not in out
    assert snapshot(published) == before


def test_folders_that_are_not_releases_are_never_deleted(published: Path, raw_dir: Path) -> None:
    for name in ("vendor", "venv", "v2", "v1.0"):
        (published / name).mkdir()
        (published / name / "keep.txt").write_text("mine\n")
    (published / "notes.aside").write_text("mine\n")
    release(raw_dir, published, date=NEW_DATE)
    for name in ("vendor", "venv", "v2", "v1.0"):
        assert (published / name / "keep.txt").read_text() == "mine\n"
    assert (published / "notes.aside").is_file()
    assert [r["version"] for r in read_index(published)] == ["1.0.0", "1.1.0"]


@pytest.mark.slow
def test_output_holds_only_what_is_published(published: Path, raw_dir: Path) -> None:
    release(raw_dir, published, date=NEW_DATE)
    release(raw_dir, published, date=NEW_DATE)  # no change: writes its note, not in output/
    names = sorted(p.name for p in published.iterdir())
    assert names == ["CHANGELOG.md", "latest", "releases.json", "v1.0.0", "v1.1.0"]


@pytest.mark.slow
def test_release_into_another_folder_leaves_the_files_beside_it_alone(
    raw_dir: Path, tmp_path: Path
) -> None:
    beside = {"CITATION.cff": "someone's citation\n", "README.md": "<!-- tables:start -->\n"}
    for name, text in beside.items():
        (tmp_path / name).write_text(text)
    repository = {n: (REPO / n).read_bytes() for n in beside}
    release(raw_dir, tmp_path / "out", date=NEW_DATE)
    for name, text in beside.items():
        assert (tmp_path / name).read_text() == text
        assert (REPO / name).read_bytes() == repository[name]


@pytest.mark.slow
def test_concurrent_releases_publish_once_whatever_home_each_run_has(
    raw_dir: Path, output_dir: Path, tmp_path: Path
) -> None:
    """The lock is the output folder's own: runs with their own HOME and XDG_STATE_HOME
    (two users, a container and a shell) still take turns."""
    homes = [tmp_path / "first", tmp_path / "second"]
    runs = [
        start_plain_release(
            raw_dir,
            output_dir,
            {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state")},
        )
        for home in homes
    ]
    results = sorted(run.communicate(timeout=300)[0].strip() for run in runs)
    assert [run.returncode for run in runs] == [0, 0]
    assert results == ["no_change 1.0.0", "published 1.0.0"]
    assert_whole(output_dir, [["1.0.0"]])
    assert sorted(p.name for p in output_dir.glob("v*")) == ["v1.0.0"]


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` with no entry that can be added, removed or renamed, even by root."""
    if os.geteuid() == 0:  # root writes through permissions, not through the immutable flag
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_a_read_only_output_folder_gets_a_message_not_a_traceback(
    prefect_api: str, published: Path, raw_dir: Path
) -> None:
    before = snapshot(published)
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    command = ["--raw", str(raw_dir), "release", "--output", str(published)]
    with read_only(published):
        result = subprocess.run(
            [sys.executable, "-m", "flows.orchestration.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Operation not permitted" in out or "Permission denied" in out
    assert "Nothing was published." in out and "Traceback" not in out
    assert snapshot(published) == before


def test_release_of_bad_input_exits_nonzero_and_leaves_output_untouched(
    prefect_api: str, published: Path, raw_dir: Path
) -> None:
    with (raw_dir / "troop_deployments.yaml").open("a") as handle:
        handle.write("\n- operation: kazakhstan-2022\n  troops: -3\n")
    before = snapshot(published)
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.orchestration.cli",
            "--raw",
            str(raw_dir),
            "release",
            "--output",
            str(published),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{raw_dir / 'troop_deployments.yaml'}:" in result.stdout
    assert "troop_deployments.troops: must be at least 0 (found -3)" in result.stdout
    assert "troop_deployments.qualifier: required field is missing" in result.stdout
    assert "Nothing was published." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(published) == before
    assert not any(published.glob(f"{STAGING_PREFIX}*"))


DAMAGES = st.sampled_from(
    [
        "delete the index",
        "truncate the index",
        "an older index",
        "garbage for the index",
        "delete latest",
        "latest on the old release",
        "delete the changelog",
        "a staging leftover",
        "a foreign folder",
        "a foreign file",
        "a file of latest changed",
        "a file added to latest",
        "latest a link out of output",
    ]
)


@pytest.fixture(scope="module")
def two_releases(
    small_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, TableFiles]:
    """An output folder with v1.0.0 and v1.1.0, raw records one change past them, and the
    table files of those records (built once: each case below packages and publishes)."""
    root = tmp_path_factory.mktemp("two-releases")
    raw, output = root / "raw", root / "output"
    shutil.copytree(small_raw, raw)
    release(raw, output, date="2026-01-01")
    add_event(raw)
    release(raw, output, date=NEW_DATE)
    add_event(raw, "test-second-event")
    return raw, output, TableFiles(*table_files(validated(raw)), input_hash(raw))


def damage(output: Path, what: str, data: st.DataObject, first: dict) -> None:
    """Do `what` to `output`; `first` is the index entry of its first release."""
    index = output / "releases.json"
    if what == "delete the index":
        index.unlink(missing_ok=True)
    elif what == "truncate the index" and index.exists():
        text = index.read_bytes()
        index.write_bytes(text[: data.draw(st.integers(0, len(text)))])
    elif what == "an older index":
        index.write_text(json.dumps({"releases": [first]}))
    elif what == "garbage for the index":
        index.write_bytes(data.draw(st.binary(max_size=40)))
    elif what == "delete latest":
        shutil.rmtree(output / LATEST, ignore_errors=True)
    elif what == "latest on the old release":
        shutil.rmtree(output / LATEST, ignore_errors=True)
        shutil.copytree(output / "v1.0.0", output / LATEST)
    elif what == "delete the changelog":
        (output / "CHANGELOG.md").unlink(missing_ok=True)
    elif what == "a staging leftover":
        name = data.draw(st.sampled_from(["v1.2.0", "latest", "releases.json"]))
        (output / f"{STAGING_PREFIX}{name}").mkdir(exist_ok=True)
        (output / f"{STAGING_PREFIX}{name}" / "members.csv").write_text("half")
    elif what == "a foreign folder":
        name = data.draw(st.sampled_from(["vendor", "venv", "v2", "v1.0", "v01.0.0", "notes"]))
        (output / name).mkdir(exist_ok=True)
        (output / name / "keep.txt").write_text("mine\n")
    elif what == "a foreign file":
        (output / "notes.aside").write_text("mine\n")
    elif what == "a file of latest changed":
        members = output / LATEST / "members.csv"
        if members.is_file():
            members.write_bytes(members.read_bytes().replace(b"ARM", b"AZE", 1))
    elif what == "a file added to latest":
        if (output / LATEST).is_dir():
            (output / LATEST / "csto-data-1.1.0.zip").write_bytes(b"PK")
    elif what == "latest a link out of output":
        elsewhere = output.parent / "elsewhere"
        if (output / LATEST).is_symlink():
            return
        shutil.rmtree(output / LATEST, ignore_errors=True)
        elsewhere.mkdir(exist_ok=True)
        (elsewhere / "keep.txt").write_text("mine\n")
        (output / LATEST).symlink_to(elsewhere)


@pytest.mark.slow
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), damages=st.lists(DAMAGES, min_size=1, max_size=4))
def test_whatever_befalls_the_index_latest_and_foreign_files_no_release_is_rewritten(
    two_releases: tuple[Path, Path, TableFiles],
    memory_dir: Path,
    data: st.DataObject,
    damages: list[str],
) -> None:
    _, pristine, built = two_releases
    output, elsewhere = memory_dir / "output", memory_dir / "elsewhere"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(elsewhere, ignore_errors=True)
    shutil.copytree(pristine, output)
    first = read_index(pristine)[0]
    for what in damages:
        damage(output, what, data, first)
    releases = {str(p.relative_to(output)): p.read_bytes() for p in output.glob("v1.*.0/*")}
    foreign = {
        str(p.relative_to(output)): p.read_bytes()
        for p in output.rglob("*")
        if p.is_file() and (p.name in ("keep.txt", "notes.aside"))
    }
    made = package(output, built.files, built.rows, "2026-01-03", built.input_hash)
    outcome = publish.publish(output, made)
    assert (outcome.status, outcome.version) == ("published", "1.2.0")
    for name, data_before in {**releases, **foreign}.items():
        assert (output / name).read_bytes() == data_before, name
    assert not any(output.glob(f"{STAGING_PREFIX}*"))
    history = read_index(output)
    assert [r["version"] for r in history] == ["1.0.0", "1.1.0", "1.2.0"]
    assert index_problems(output, history) == []
    for folder in ("v1.0.0", "v1.1.0", "v1.2.0", LATEST):
        assert checksum_problems(output / folder) == [], folder
    assert not (output / LATEST).is_symlink()
    assert snapshot(output / LATEST) == snapshot(output / "v1.2.0")
    if elsewhere.exists():  # what a link pointed at is not the run's to change
        assert snapshot(elsewhere) == {"keep.txt": b"mine\n"}
    assert (output / "CHANGELOG.md").read_bytes() == changelog(output, history)


def test_a_run_cannot_take_the_lock_another_home_holds(
    output_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "one"))
    with publish.locked(output_dir, timeout=1):
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "two"))
        monkeypatch.setenv("HOME", str(tmp_path / "two"))
        with (
            pytest.raises(publish.PublishLocked, match="Run again when it has finished"),
            publish.locked(output_dir, timeout=0.3),
        ):
            pass


@pytest.mark.slow
def test_a_run_waiting_for_the_lock_deletes_no_staging_of_the_run_holding_it(
    published: Path, raw_dir: Path
) -> None:
    staging = published / f"{STAGING_PREFIX}v1.1.0"
    with publish.locked(published, timeout=1):
        staging.mkdir()  # what the run holding the lock is writing
        (staging / "members.csv").write_text("half written")
        built = TableFiles(*table_files(validated(raw_dir)), input_hash(raw_dir))
        made = package(published, built.files, built.rows, NEW_DATE, built.input_hash)
        with pytest.raises(publish.PublishLocked):
            publish.publish(published, made, lock_timeout=0.3)
        assert (staging / "members.csv").read_text() == "half written"


@pytest.mark.slow
def test_an_edit_saved_while_a_release_runs_is_published_by_the_next_run(
    published: Path, raw_dir: Path
) -> None:
    def build_while_a_curator_saves(records: RawRecords) -> dict[str, pd.DataFrame]:
        add_event(raw_dir, "test-saved-during-the-run")
        return build(records)

    outcome = run(Steps(build=build_while_a_curator_saves), raw_dir, published, date=NEW_DATE)
    assert isinstance(outcome, Outcome) and outcome.version == "1.1.0"
    history = read_index(published)
    assert publish.up_to_date(published, history, input_hash(raw_dir)) is None
    assert "test-saved-during-the-run" not in (published / "v1.1.0" / "CHANGES.md").read_text()
    assert release(raw_dir, published, date=NEW_DATE).version == "1.2.0"


@pytest.mark.parametrize(
    "damage", ["a file changed", pytest.param("a file added", marks=pytest.mark.slow)]
)
def test_release_repairs_a_damaged_latest_whose_checksums_are_intact(
    published: Path, small_raw: Path, damage: str
) -> None:
    """`bundle --dest output/latest` once made this state, and `release` said "No change"."""
    latest = published / LATEST
    if damage == "a file changed":
        (latest / "members.csv").write_bytes(b"state\n")
    else:
        (latest / "csto-data-1.0.0.zip").write_bytes(b"PK")
    code, out = run_cli(["--raw", str(small_raw), "release", "--output", str(published)])
    assert code == 0, out
    assert f"Repaired: {latest} brought up to v1.0.0" in out
    assert snapshot(latest) == snapshot(published / "v1.0.0")


@pytest.mark.slow
def test_a_home_where_no_state_can_be_kept_costs_only_the_notes(
    published: Path, small_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file, where a home folder should be\n")
    monkeypatch.setenv("HOME", str(not_a_folder))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    code, out = run_cli(["--raw", str(small_raw), "release", "--output", str(published)])
    assert code == 0, out
    assert out.startswith("No change")
