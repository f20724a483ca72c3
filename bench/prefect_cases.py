"""Measurement 4: `release` with Prefect (no server, fresh PREFECT_HOMEs, a running server),
the committed output/ as a fresh clone has it, and what the breakdown needs."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from bench.children import PYTHON, child_env, plain_env, release_cmd
from bench.measure import Bench, Measure
from bench.processes import Run, run_child, tracked
from tests.prefect_processes import local_prefect_server

CHANGE_PUBLISHED = r"Published v1\.1\.0"  # what a release with the one change prints

# What the breakdown subtracts: Python's start-up, and the release command's imports.
IMPORTS = [
    ("python", "pass"),
    ("import_cli", "import flows.orchestration.cli"),
    ("import_release", "import flows.orchestration.cli, flows.orchestration.release"),
    ("import_prefect", "import prefect"),
]


def release_on_copy(
    bench: Bench, raw: Path, base: Path, env: dict[str, str], verbose: bool = False
) -> Run:
    """`csto-data release` of `raw` onto a fresh copy of the output folder `base`."""
    folder = bench.fresh("release")
    shutil.copytree(base, folder / "output")
    cmd = release_cmd(raw, folder / "output")
    try:
        return run_child(
            cmd + (["--verbose"] if verbose else []), env, folder, bench.args.prefect_timeout
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_committed(bench: Bench, raw: Path, committed: Path, env: dict[str, str]) -> None:
    """`release` with nothing changed on `output/` as a fresh clone has it. If its newest
    release was made by older pipeline code, only a rebuild can show that the tables are
    the same; that run notes so in its local state folder, and the runs after it answer
    from the note."""
    name = "`csto-data release`, nothing changed, committed output/"
    m = bench.measure(
        "committed_first",
        f"{name}: first run",
        lambda: release_on_copy(bench, raw, committed, env),
        "^No change",
        bench.args.runs,
    )
    bench.extra["committed_rebuilt"] = any("identical" in r.stdout for r in m.runs)
    kept = bench.fresh("committed-kept") / "output"
    shutil.copytree(committed, kept)
    # The untimed warm-up run is that output's first run.
    bench.measure(
        "committed_next",
        f"{name}: the runs after the first",
        lambda: run_child(release_cmd(raw, kept), env, kept.parent, bench.args.prefect_timeout),
        "^No change",
        bench.args.runs,
    )


def run_prefect(bench: Bench, raw: Path, changed: Path, published: Path, committed: Path) -> None:
    runs, expect = bench.args.runs, CHANGE_PUBLISHED
    warm = child_env(bench.fresh("prefect-home-warm"))
    bench.measure(
        "warm",
        "`csto-data release`, one change: (a) no server, warm PREFECT_HOME",
        lambda: release_on_copy(bench, changed, published, warm),
        expect,
        runs,
    )
    run_committed(bench, raw, committed, warm)
    bench.log("breakdown: one --verbose run of (a), python start-up and imports")
    bench.extra["verbose"] = release_on_copy(bench, changed, published, warm, verbose=True)
    env = plain_env(bench.work)
    for key, code in IMPORTS:
        bench.measure(
            key,
            f"`python -c {code!r}`",
            partial(run_child, [PYTHON, "-c", code], env, bench.work, 60),
            "",
            runs,
        )

    def cold() -> Run:
        home = bench.fresh("prefect-home-cold")
        try:
            return release_on_copy(bench, changed, published, child_env(home))
        finally:
            shutil.rmtree(home, ignore_errors=True)

    bench.measure(
        "cold",
        "`csto-data release`, one change: (b) fresh PREFECT_HOME each run",
        cold,
        expect,
        runs,
        warmup=False,
    )
    run_server(bench, changed, published)


def run_server(bench: Bench, changed: Path, published: Path) -> None:
    """Case (c): against a `prefect server start` started once, polled until healthy."""
    home = bench.fresh("prefect-server-home")
    bench.log("starting `prefect server start` on 127.0.0.1")
    try:
        with (
            local_prefect_server(
                home,
                home / "server.log",
                bench.args.prefect_timeout,
                poll=0.25,
                PREFECT_LOGGING_LEVEL="WARNING",
            ) as server,
            tracked(server.process),
        ):
            bench.extra["server_startup"] = server.startup
            bench.log(f"server healthy after {server.startup:.1f} s at {server.api}")
            client = child_env(bench.fresh("prefect-home-client"), api_url=server.api)
            bench.measure(
                "server",
                "`csto-data release`, one change: (c) running local Prefect server",
                lambda: release_on_copy(bench, changed, published, client),
                CHANGE_PUBLISHED,
                bench.args.runs,
            )
    except RuntimeError as error:
        bench.failures.append(f"prefect server: {error}")
        bench.measures.setdefault("server", Measure("(c) running server")).failed = str(error)
