"""Shared fixtures: a copy of the real raw records, and one Prefect server per test session."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"

# Applied before Prefect is imported by any test module.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# How many examples each property test draws is set here only, never in a test: few in the
# edit loop, more in CI (which sets CI=true); HYPOTHESIS_PROFILE chooses either.
settings.register_profile("dev", max_examples=5)
settings.register_profile("ci", max_examples=20)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A private copy of the repository's raw/ that a test may change."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    return tmp_path / "output"


@pytest.fixture(scope="session")
def release_of_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding v1.0.0 of the repository's raw/ (dated 2026-01-01), made
    once per test process: tests copy it (`released`) rather than release again."""
    from flows.orchestration.pipeline import release

    output = tmp_path_factory.mktemp("release-of-raw") / "output"
    release(RAW, output, date="2026-01-01")
    return output


@pytest.fixture
def released(release_of_raw: Path, output_dir: Path) -> Path:
    """A private copy of `release_of_raw` that a test may change."""
    return shutil.copytree(release_of_raw, output_dir)


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid copy of raw/ (`tests.helpers.trimmed_raw`), read-only: tests of the
    publication machinery, which write, copy and compare releases hundreds of times."""
    from tests.helpers import trimmed_raw

    return trimmed_raw(tmp_path_factory.mktemp("small") / "raw")


@pytest.fixture
def small_raw_dir(small_raw: Path, tmp_path: Path) -> Path:
    """A private copy of the small records (`small_raw`) that a test may change: for tests
    of the command line and the scheduler, which need valid records, not all of them."""
    return shutil.copytree(small_raw, tmp_path / "raw")


@pytest.fixture
def memory_dir(tmp_path: Path) -> Iterator[Path]:
    """A private folder in memory (`/dev/shm`) where the machine has one, else `tmp_path`:
    for tests that write a release hundreds of times, whose syncs to disk would cost more
    than what they test. Only the folder made here is removed."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="csto-data-test-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect database already migrated to the installed Prefect's schema, made once for
    all the session's workers: a server whose start, stop or runs are under test, not the
    creation of its database, begins from a copy (`seeded_home`), which saves the 6 s of
    migrations a fresh one costs. Tests of a fresh home do not use it."""
    from tests.prefect_processes import isolated_env

    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    home = shared / "prefect-database"
    with (shared / "prefect-database.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker migrates, the others wait for it
        if not (home / "done").exists():
            home.mkdir(exist_ok=True)
            subprocess.run(
                [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
                env=isolated_env(PREFECT_HOME=str(home)),
                capture_output=True,
                check=True,
                timeout=300,
            )
            (home / "done").touch()
    return home / "prefect.db"


def seeded_home(home: Path, database: Path) -> Path:
    """`home` made a PREFECT_HOME holding a copy of the migrated `database`."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, home / "prefect.db")
    return home


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One temporary Prefect server for the whole test session; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())


# Seconds each test file takes, measured by `bench/test_weights.py`.
FILE_WEIGHTS = Path(__file__).with_name("file_weights.json")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the session's Prefect server is slow: the quick tier leaves it out.
    The heaviest files come first, so that xdist (`--dist loadfile`) hands them out first
    and no worker is left alone with a long file at the end; within a file, the order is
    kept."""
    for item in items:
        if "prefect_api" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    weights = json.loads(FILE_WEIGHTS.read_text(encoding="utf-8"))
    items.sort(key=lambda item: -weights.get(item.nodeid.split("::")[0], 0))
