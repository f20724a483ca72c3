"""Serve the `release` flow as a scheduled Prefect deployment (issue 6 fills this in)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_CRON = "0 6 * * 1"  # weekly, Monday 06:00 UTC


def serve(raw_dir: Path, output_dir: Path, cron: str = DEFAULT_CRON) -> None:
    raise NotImplementedError("csto-data serve is not built yet")
