"""Measurements 1 to 3 and 6: the floor, `check`, `release` with nothing changed, the tests."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from bench.children import (
    PYTHON,
    REPO,
    VALIDATE,
    check_cmd,
    cli,
    floor_cmd,
    plain_env,
    release_cmd,
)
from bench.measure import Bench
from bench.processes import Run, run_child
from tests.prefect_processes import without_prefect_settings


def floor(
    bench: Bench, raw: Path, timeout: float, name: str = "floor", base: Path | None = None
) -> Run:
    """The plain pipeline from `raw` into a fresh output folder (a copy of `base`, if given),
    removed afterwards."""
    out = bench.fresh(name) / "output"
    if base is not None:
        shutil.copytree(base, out)
    try:
        return run_child(floor_cmd(raw, out), plain_env(bench.work), out.parent, timeout)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def run_basics(bench: Bench, raw: Path, changed: Path, published: Path) -> None:
    runs, timeout = bench.args.runs, bench.args.timeout
    env = plain_env(bench.work)
    bench.measure(
        "floor",
        "floor: plain pipeline, fresh output",
        lambda: floor(bench, raw, timeout),
        r"published 1\.0\.0",
        runs,
    )
    bench.measure(
        "floor_validate",
        "floor, validation only (ingest + validate)",
        lambda: run_child([PYTHON, "-c", VALIDATE, str(raw)], env, bench.work, timeout),
        r"valid",
        runs,
    )
    bench.measure(
        "floor_change",
        "floor, one record changed (same work as 4)",
        lambda: floor(bench, changed, timeout, "floor-change", base=published),
        r"published 1\.1\.0",
        runs,
    )
    bench.measure(
        "check",
        "`csto-data check`",
        lambda: run_child(check_cmd(raw), env, bench.work, timeout),
        r"all records valid",
        runs,
    )
    for key, what, extra in (
        ("verify", "`csto-data verify` (checksums, schemas, Frictionless)", []),
        ("verify_rebuild", "`csto-data verify --rebuild` (and a rebuild from raw/)", ["--rebuild"]),
    ):
        command = [*cli(), "--raw", str(raw), "verify", "--output", str(published), *extra]
        bench.measure(
            key, what, partial(run_child, command, env, bench.work, timeout), r"intact", runs
        )
    untouched = bench.fresh("nochange") / "output"  # a failed run must not alter the base
    shutil.copytree(published, untouched)
    bench.measure(
        "nochange",
        "`csto-data release`, nothing changed",
        lambda: run_child(release_cmd(raw, untouched), env, bench.work, timeout),
        r"^No change",
        runs,
    )


def run_tests(bench: Bench) -> None:
    """The whole test suite, once, as CI runs it (CI=true: the `ci` Hypothesis profile),
    and the quick tier of the edit loop (`-m "not slow"`)."""
    env = {**without_prefect_settings(), "CI": "true"}
    for key, what, extra in (
        ("tests", "the whole test suite (`pytest -q` in the checkout, as CI)", []),
        ("tests_quick", 'the quick tier (`pytest -q -m "not slow"`)', ["-m", "not slow"]),
    ):
        command = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
        bench.measure(
            key,
            what,
            partial(
                run_child,
                command,
                env if key == "tests" else without_prefect_settings(),
                REPO,
                1800,
            ),
            r"\d+ passed",
            1,
            warmup=False,
        )
