"""Shared fixtures: a copy of the real raw records, and one Prefect server per test session."""

from __future__ import annotations

import os
import shutil
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
settings.register_profile("dev", max_examples=10)
settings.register_profile("ci", max_examples=40)
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
def prefect_api() -> Iterator[str]:
    """One temporary Prefect server for the whole test session; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())
