"""Benchmark of the release pipeline: how far `csto-data` is from the plain functions.

Run it from the repository root (a fresh clone needs only `pip install -e .`):

    .venv/bin/python bench/run.py            # full run, about 20 min (a third of it the
                                             # test suites); writes bench/results.md
    .venv/bin/python bench/run.py --quick    # smoke run (1 repetition, 10^3 and 10^4 rows),
                                             # about 3 min and the test suite (--skip-tests
                                             # leaves it out); writes bench/.work/results-quick.md

Options: `--runs N` (timed runs per measurement), `--scales 1e4,1e5,1e6`, `--scale-timeout S`
(per scale run; also the limit for projected scales), `--max-memory MB` (likewise for
the projected peak memory), `--scale-runs`/`--scale-budget`
(repetitions per scale, stopped once the budget in seconds is spent), `--skip-prefect`,
`--skip-tests`, `--output FILE`. Needs only the project's dependencies and the standard library; the
temporary Prefect servers and `prefect server start` listen on 127.0.0.1 only.

Every figure is the wall time of a fresh child process (so Python start-up and imports
count), timed by this script; the peak memory is the child's `ru_maxrss` from `os.wait4`
(largest resident set of the child and the processes it waited for). Each measurement is
repeated (`--runs`, default 5, after one untimed warm-up where that is meaningful) and
reported as median, min and max, with the median's ratio to the floor measured in the
same run. What is measured:

1. floor: `flows.orchestration.pipeline.run` (ingest, validate, build, render, publish: the plain
   functions, no Prefect) from a copy of `raw/` into a fresh temporary `output/`; the
   child also times each step in-process. "floor, validation only" is ingest plus
   `require_valid` in a fresh process (what `check` has to do, at the least).
2. `csto-data check`.
3. `csto-data release` with nothing changed (answers from the input hash, no Prefect);
   and on a copy of the committed `output/` as a fresh clone has it, whose newest release
   may come from older pipeline code: its first run (a fresh copy each time, no server,
   warm `PREFECT_HOME`) and the runs after it.
4. `csto-data release` after one valid treaty event was appended to a copy of `raw/`,
   each run starting from a copy of the same published `output/`:
   (a) no server configured, warm `PREFECT_HOME` (Prefect starts a temporary server);
   (b) a fresh `PREFECT_HOME` for each run;
   (c) against a `prefect server start` on 127.0.0.1 that this script starts once (with
       its own temporary `PREFECT_HOME`), polls until healthy and stops at the end.
   A breakdown of case (a) comes from one extra `--verbose` run (Prefect's log times:
   temporary-server banner, first flow-run line, last flow-run line, exit), from timing
   `python -c pass` and the imports of the release command, and from the floor's own
   in-process step times.
5. scale: synthetic `raw/` with 10^4, 10^5 and 10^6 extra troop-figure rows (operation
   kazakhstan-2022, five contributors, as_of over its 14 days, claimed by the press
   beside the real figures, cited sources `bench-source-N`, one per 70 rows, so that
   every figure_id is unique): wall time and peak memory of `check` and of the floor.
   A scale whose projected time (linear from the previous scale) exceeds
   `--scale-timeout` is not run, and its projection is reported instead.
6. the whole test suite, once, as CI runs it (`pytest -q` in this checkout, CI=true), and
   its quick tier (`-m "not slow"`).
7. the release page, in-process: its sections and its frame, from the real tables and with
   ten times the exercises (page.py).
The runs of 4 (a) and (b) also say whether a first run on a new machine (a fresh
`PREFECT_HOME`, no server) ever failed, and whether anything but the command's one-line
result reached the terminal without `--verbose`.

Everything runs in a temporary directory that is removed at the end; every process this
script starts runs in its own session and its whole process group is killed when it
exits, times out, or when this script is interrupted. Targets are reported as met or not
met, never asserted: the script exits 1 only when a run failed (a wrong exit status or
output), not when a target is missed.

This file parses the options and runs the sequence; beside it: children.py (what the
children run, and their environment), processes.py (running and timing them), measure.py
(repetitions and medians), basics.py (1 to 3 and 6), prefect_cases.py (4), scales.py (5),
and report.py, breakdown.py and targets.py (the Markdown report). Starting and stopping the
`prefect server start` and the process groups is tests/prefect_processes.py, shared with
the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# As a script, this file has bench/ first on sys.path; its modules are imported from the
# repository root, as the packages `bench` and `tests` (the helpers shared with the tests).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.basics import run_basics, run_tests
from bench.children import REPO, copy_raw, floor_cmd, plain_env, snapshot_code
from bench.measure import Bench
from bench.page import run_page
from bench.prefect_cases import run_prefect
from bench.processes import on_signal, run_child, stop_all
from bench.report import report
from bench.scales import run_scale
from tests.helpers import add_event


def revision() -> str:
    """The checkout's commit, and whether its code or raw/ differed from it at the start."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "flows", "schemas", "raw"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown revision"
    return f"commit {head}" + (
        " with uncommitted changes to flows/, schemas/ or raw/" if dirty else ""
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run, small scales")
    parser.add_argument("--runs", type=int, help="timed runs per measurement (default 5)")
    parser.add_argument("--scales", help="comma-separated row counts (default 1e4,1e5,1e6)")
    parser.add_argument("--scale-runs", type=int, default=5, help="max runs per scale")
    parser.add_argument(
        "--scale-budget", type=float, default=120.0, help="stop repeating a scale after this (s)"
    )
    parser.add_argument("--scale-timeout", type=float, default=150.0, help="per scale run (s)")
    parser.add_argument(
        "--max-memory",
        type=float,
        default=8192.0,
        help="MB; a scale projected to need more is not run (the machine is shared)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="per plain run (s)")
    parser.add_argument(
        "--prefect-timeout", type=float, default=240.0, help="per Prefect run / server start"
    )
    parser.add_argument("--skip-prefect", action="store_true", help="skip measurement 4")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--output", type=Path, help="Markdown file to write")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    default_scales = "1000,10000" if args.quick else "10000,100000,1000000"
    args.scales = sorted(int(float(s)) for s in (args.scales or default_scales).split(","))
    if args.output is None:
        args.output = REPO / "bench" / (".work/results-quick.md" if args.quick else "results.md")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="csto-bench-"))
    bench = Bench(args, work)
    bench.extra["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    bench.extra["revision"] = revision()
    try:
        bench.log(f"working in {work}")
        snapshot_code(work / "code")
        raw = copy_raw(work / "raw")
        changed = copy_raw(work / "raw-changed")
        # What a fresh clone has: no files but the published ones.
        committed = shutil.copytree(
            REPO / "output", work / "committed-output", ignore=shutil.ignore_patterns(".*")
        )
        add_event(changed, "bench-added-event")  # one valid record: a minor release
        base = bench.fresh("published")
        first = run_child(floor_cmd(raw, base / "output"), plain_env(work), base, args.timeout)
        if not first.ok:
            raise RuntimeError(f"the first release failed: {first.tail()}")
        published = base / "output"
        run_basics(bench, raw, changed, published)
        run_page(bench)
        if not args.skip_prefect:
            run_prefect(bench, raw, changed, published, committed)
        run_scale(bench)
        if not args.skip_tests:
            run_tests(bench)
    except Exception as error:  # report what was measured, then fail
        bench.failures.append(f"aborted: {type(error).__name__}: {error}")
        bench.log(f"ABORTED: {error}")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    text = report(bench, started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {args.output}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
