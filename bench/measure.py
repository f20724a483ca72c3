"""Repeated measurements: runs of one command, their median, and the figures' format."""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import Run


@dataclass
class Measure:
    """The timed runs of one measurement, or why there are none."""

    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    failed: str = ""
    projected: float | None = None  # seconds, for a scale that was not run

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.runs else float("nan")

    @property
    def peak_mb(self) -> float:
        return max((r.peak_mb for r in self.runs), default=float("nan"))

    def inner(self, key: str) -> float:
        """The median of a time the children measured themselves (see `Run.inner_times`)."""
        values = [r.inner_times().get(key) for r in self.runs]
        found = [v for v in values if v is not None]
        return statistics.median(found) if found else float("nan")


class Bench:
    """One benchmark run: its options, working folder, measures and failures."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.measures: dict[str, Measure] = {}
        self.extra: dict[str, object] = {}
        self.failures: list[str] = []
        self.counter = 0

    def fresh(self, name: str) -> Path:
        """A new, empty folder in the working folder."""
        self.counter += 1
        path = self.work / f"{self.counter:04d}-{name}"
        path.mkdir(parents=True)
        return path

    def log(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def measure(
        self,
        key: str,
        name: str,
        one: Callable[[], Run],
        expect: str,
        runs: int,
        warmup: bool = True,
        budget: float | None = None,
    ) -> Measure:
        """`runs` timed calls of `one` (after an untimed one if `warmup`); each run's output
        must match `expect`. With a `budget`, repetitions stop once it is spent."""
        m = self.measures.setdefault(key, Measure(name))
        total = 0.0
        for i in range(runs + (1 if warmup else 0)):
            run = one()
            if not run.ok or not re.search(expect, run.stdout):
                why = "timed out" if run.returncode is None else f"exit {run.returncode}"
                m.failed = f"{why} after {run.seconds:.1f} s: {run.tail()}"
                self.failures.append(f"{name}: {m.failed}")
                self.log(f"{name}: FAILED ({m.failed})")
                if run.returncode is None:
                    m.runs.append(run)  # a lower bound is still a figure
                return m
            if warmup and i == 0:
                continue
            m.runs.append(run)
            total += run.seconds
            self.log(f"{name}: {run.seconds:.2f} s, {run.peak_mb:.0f} MB")
            if budget is not None and total > budget and len(m.runs) >= 1:
                break
        return m


def fmt(seconds: float | None) -> str:
    """Seconds as the report shows them; "-" for none (None or NaN)."""
    if seconds is None or seconds != seconds:
        return "-"
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def ratio(value: float, floor: float) -> str:
    if value != value or floor != floor or floor == 0:
        return "-"
    return f"{value / floor:.2f}x"
