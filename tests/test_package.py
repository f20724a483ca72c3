"""The package step makes every byte of a release once; publish only writes them, and
refuses a package that another run overtook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows.orchestration import pipeline
from flows.orchestration.pipeline import release, table_files, validated
from flows.steps.fingerprint import input_hash
from flows.steps.publish import Outcome, Package, Stale, publish
from flows.steps.release_index import read_index
from flows.writers import package as package_module
from flows.writers.package import package
from tests.conftest import RAW
from tests.helpers import REPO, add_event, snapshot


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, bytes], dict[str, int], str]:
    """The table files of the repository's raw/, their rows and input hash: built once."""
    return (*table_files(validated(RAW)), input_hash(RAW))


def package_of(raw_dir: Path, output: Path, date: str) -> Package:
    files, rows = table_files(validated(raw_dir))
    return package(output, files, rows, date, input_hash(raw_dir))


def test_a_release_draws_its_page_once(
    raw_dir: Path, released: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    sections = package_module.page_sections

    def counted(content: dict[str, bytes]) -> str:
        drawn.append(1)
        return sections(content)

    monkeypatch.setattr(package_module, "page_sections", counted)
    add_event(raw_dir)
    assert release(raw_dir, released, date="2026-01-02").version == "1.1.0"
    assert len(drawn) == 1


@pytest.mark.slow
def test_a_package_that_another_run_overtook_is_refused_and_made_again(
    raw_dir: Path, output_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release(raw_dir, output_dir, date="2026-01-01")
    add_event(raw_dir)
    stale = package_of(raw_dir, output_dir, "2026-01-02")  # made against v1.0.0
    add_event(raw_dir, "test-second-event")
    release(raw_dir, output_dir, date="2026-01-03")  # another run publishes v1.1.0
    before = snapshot(output_dir)
    with pytest.raises(Stale, match=r"newest release .* is v1\.1\.0, not v1\.0\.0"):
        publish(output_dir, stale)
    assert snapshot(output_dir) == before

    # The chain packages again when it is overtaken between its package and publish steps.
    made: list[str | None] = []

    def overtaken(output: Path, made_package: Package) -> Outcome:
        made.append(made_package.based_on)
        if len(made) == 1:
            publish(output, stale_again)
        return publish(output, made_package)

    add_event(raw_dir, "test-third-event")
    stale_again = package_of(raw_dir, output_dir, "2026-01-05")  # another run's, another day
    outcome = pipeline.run(
        pipeline.Steps(publish=overtaken), raw_dir, output_dir, date="2026-01-04"
    )
    assert made == ["1.1.0", "1.2.0"]
    assert isinstance(outcome, Outcome)
    assert (outcome.status, outcome.version) == ("no_change", "1.2.0")
    assert [r["version"] for r in read_index(output_dir)] == ["1.0.0", "1.1.0", "1.2.0"]


def test_a_release_that_another_run_published_meanwhile_is_no_change(
    built: tuple[dict[str, bytes], dict[str, int], str], output_dir: Path
) -> None:
    first = package(output_dir, built[0], built[1], "2026-01-01", built[2])
    second = package(output_dir, built[0], built[1], "2026-01-01", built[2])
    assert publish(output_dir, first).status == "published"
    outcome = publish(output_dir, second)
    assert (outcome.status, outcome.version) == ("no_change", "1.0.0")


def test_nothing_new_packages_no_files_and_publish_writes_nothing(
    built: tuple[dict[str, bytes], dict[str, int], str], released: Path
) -> None:
    output_dir = released  # v1.0.0 of the same raw/
    before = snapshot(output_dir)
    again = package(output_dir, built[0], built[1], "2026-01-02", built[2])
    assert again.files == {} and again.based_on == "1.0.0"
    assert publish(output_dir, again).status == "no_change"
    assert snapshot(output_dir) == before


def test_invalid_records_are_answered_before_prefect_is_imported(raw_dir: Path) -> None:
    """`release` of invalid records says what `check` says, without starting a server (it
    cannot start one without importing Prefect)."""
    with (raw_dir / "troop_deployments.yaml").open("a") as handle:
        handle.write("\n- operation: kazakhstan-2022\n  troops: -3\n")
    script = (
        "import sys; from flows.orchestration.cli import main; "
        f"code = main(['--raw', {str(raw_dir)!r}, 'release', '--output', sys.argv[1]]); "
        "print('prefect imported:', any(m.split('.')[0] == 'prefect' for m in sys.modules)); "
        "sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(raw_dir.parent / "output")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "troop_deployments.troops: must be at least 0 (found -3)" in result.stdout
    assert "Nothing was published." in result.stdout
    assert "prefect imported: False" in result.stdout
