"""No release file is larger than the repository host accepts: `check` and `release`
refuse the table that would make one, and say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.orchestration.cli import main
from flows.orchestration.pipeline import release, validated
from flows.steps import render
from flows.steps.build import build
from flows.steps.problems import InvalidRawData
from flows.steps.sizes import size_bound
from tests.conftest import RAW


def test_the_cheap_bound_is_above_every_file_a_table_makes() -> None:
    tables = build(validated(RAW))
    files = render.render_tables(tables)
    for name, frame in tables.items():
        largest = max(len(files[name + suffix]) for suffix in render.TABLE_SUFFIXES)
        assert size_bound(frame) > largest, name


@pytest.mark.slow
def test_a_table_too_large_to_push_is_refused_by_check_and_release(
    raw_dir: Path,
    output_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the limit at 1 MB, the 2.2 MB `citations.dta` is over it (as a 118 MB `.dta`
    of 200,000 participant rows is over the host's 100 MiB)."""
    monkeypatch.setattr(render, "MAX_FILE_BYTES", 1_000_000)
    assert main(["--raw", str(raw_dir), "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        f"{raw_dir}:1: citations.file: its release file citations.dta would be "
    )
    assert "over the 1,000,000 a release file may hold" in out[0]
    assert "split the table" in out[0]
    with pytest.raises(InvalidRawData, match=r"citations\.dta"):
        release(raw_dir, output_dir, date="2026-01-01")
    assert not output_dir.exists() or not any(output_dir.iterdir())
