"""Benchmark of the release pipeline: how far `csto-data` is from the plain functions.

Run it from the repository root (a fresh clone needs only `pip install -e .`):

    .venv/bin/python bench/run.py            # full run, about 9 min; writes bench/results.md
    .venv/bin/python bench/run.py --quick    # smoke run (1 repetition, 10^3 and 10^4 rows),
                                             # about 3 min; writes bench/.work/results-quick.md

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

1. floor: `flows.pipeline.run` (ingest, validate, build, render, publish: the plain
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
   kazakhstan-2022, five contributors, as_of over its 14 days, `preferred: false` beside
   the real preferred figures, cited sources `bench-source-N`, one per 70 rows, so that
   every figure_id is unique): wall time and peak memory of `check` and of the floor.
   A scale whose projected time (linear from the previous scale) exceeds
   `--scale-timeout` is not run, and its projection is reported instead.
6. the whole test suite, once, as CI runs it (`pytest -q` in this checkout).
The runs of 4 (a) and (b) also say whether a first run on a new machine (a fresh
`PREFECT_HOME`, no server) ever failed, and whether anything but the command's one-line
result reached the terminal without `--verbose`.

Everything runs in a temporary directory that is removed at the end; every process this
script starts runs in its own session and its whole process group is killed when it
exits, times out, or when this script is interrupted. Targets are reported as met or not
met, never asserted: the script exits 1 only when a run failed (a wrong exit status or
output), not when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The children import a copy of flows/ and schemas/ taken at the start (set in `main`), so
# that edits to the checkout during a run cannot change what is measured (or the input
# hash that "nothing changed" depends on).
CODE = {"path": REPO}
PYTHON = sys.executable
BIN = Path(PYTHON).parent

# The plain pipeline in a child: `flows.pipeline.run`, the chain of steps that `release`
# runs, given each step wrapped in a timer.
FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
from dataclasses import fields
from pathlib import Path
import flows.pipeline as p
times = {"imports": time.perf_counter() - t0}
def timed(inner, key):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - start
    return wrapper
plain = p.Steps()
steps = p.Steps(**{f.name: timed(getattr(plain, f.name), f.name) for f in fields(p.Steps)})
p.input_hash = timed(p.input_hash, "fingerprint")  # looked up by `run` at call time
start = time.perf_counter()
outcome = p.run(steps, Path(sys.argv[1]), Path(sys.argv[2]), date="2026-01-02")
times["release"] = time.perf_counter() - start
print(outcome.status, outcome.version)
print("BENCH " + json.dumps(times))
"""

# What `check` has to do at the least: ingest and validate, in a fresh process.
VALIDATE = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from flows.ingest import ingest
from flows.validate import require_valid
times = {"imports": time.perf_counter() - t0}
start = time.perf_counter()
records, found = ingest(Path(sys.argv[1]))
times["ingest"] = time.perf_counter() - start
start = time.perf_counter()
require_valid(records, found)
times["validate"] = time.perf_counter() - start
print("valid")
print("BENCH " + json.dumps(times))
"""

ADDED_EVENT = (
    '\n- id: bench-added-event\n  date: "2000-01-01"\n  type: decision\n'
    "  title: An event added by the benchmark\n  sources: [apostrophe-2022-01-06]\n"
)
CONTRIBUTORS = ("ARM", "BLR", "KGZ", "RUS", "TJK")
OPERATION_DAYS = [dt.date(2022, 1, 6) + dt.timedelta(days=d) for d in range(14)]
QUALIFIERS = ("exact", "approximate", "at_least", "up_to", "planned")

# --------------------------------------------------------------------------- processes

_LIVE_GROUPS: set[int] = set()


def _kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _stop_group(pgid: int, grace: float = 10.0, first: int = signal.SIGTERM) -> None:
    """Signal the group (`first`), then SIGKILL whatever is left after `grace` seconds."""
    _kill_group(pgid, first)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            break
        time.sleep(0.1)
    _kill_group(pgid, signal.SIGKILL)
    _LIVE_GROUPS.discard(pgid)


def _stop_everything() -> None:
    for pgid in list(_LIVE_GROUPS):
        _stop_group(pgid, grace=3.0)


def _on_signal(signum: int, frame: object) -> None:
    raise SystemExit(f"interrupted by signal {signum}")


@dataclass
class Run:
    """One child process: wall time, peak memory, exit status and output."""

    seconds: float
    peak_mb: float
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    started: float = 0.0  # time.time() at start, to place Prefect's log lines

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def inner_times(self) -> dict[str, float]:
        for line in self.stdout.splitlines():
            if line.startswith("BENCH "):
                return json.loads(line[len("BENCH ") :])
        return {}

    def tail(self) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return " | ".join(text[-3:])[-400:]


def run_child(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> Run:
    """Run `cmd` in its own session; kill its whole group on exit or after `timeout` s."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        _LIVE_GROUPS.add(child.pid)
        returncode: int | None = None
        usage = None
        try:
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    seconds = time.perf_counter() - start
                    returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.perf_counter() - start > timeout:
                    _kill_group(child.pid, signal.SIGKILL)
                    _, status, usage = os.wait4(child.pid, 0)
                    seconds = time.perf_counter() - start
                    break
                time.sleep(0.002)
        finally:
            child.returncode = returncode if returncode is not None else -9
            _stop_group(child.pid, grace=0.0)  # leftovers: Prefect's temporary server
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / 1024 if usage else float("nan")
        return Run(seconds, peak, returncode, out.read(), err.read(), started)


def child_env(prefect_home: Path, api_url: str | None = None) -> dict[str, str]:
    """The user's environment without any Prefect setting, with this checkout importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE["path"]), env.get("PYTHONPATH")]))
    env["PREFECT_HOME"] = str(prefect_home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.pop("SOURCE_DATE_EPOCH", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def cli() -> list[str]:
    script = BIN / "csto-data"
    return [str(script)] if script.exists() else [PYTHON, "-m", "flows.cli"]


def release_cmd(raw: Path, output: Path) -> list[str]:
    return [*cli(), "--raw", str(raw), "release", "--output", str(output)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prefect_server(home: Path, timeout: float) -> Iterator[tuple[str, float]]:
    """`prefect server start` on 127.0.0.1; yields (API URL, seconds until healthy)."""
    port = free_port()
    env = child_env(home)
    env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    prefect = BIN / "prefect"
    cmd = [str(prefect)] if prefect.exists() else [PYTHON, "-m", "prefect"]
    cmd += ["server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
    log = open(home / "server.log", "w+")  # noqa: SIM115 (closed below)
    start = time.perf_counter()
    server = subprocess.Popen(
        cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    _LIVE_GROUPS.add(server.pid)
    try:
        url = f"http://127.0.0.1:{port}/api"
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"prefect server exited early: {log.read()[-800:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"prefect server not healthy after {timeout:.0f} s")
            time.sleep(0.25)
        yield url, time.perf_counter() - start
    finally:
        _stop_group(server.pid, grace=15.0, first=signal.SIGINT)  # as Ctrl-C would
        with suppress(ChildProcessError):
            server.wait(timeout=5)
        log.close()


# ------------------------------------------------------------------------------- data


def snapshot_code(target: Path) -> Path:
    """A copy of flows/ and schemas/ that the children import instead of the checkout's."""
    for package in ("flows", "schemas"):
        shutil.copytree(
            REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    CODE["path"] = target
    probe = run_child(
        [PYTHON, "-c", "import flows, schemas; print(flows.__file__); print(schemas.__file__)"],
        child_env(target / "prefect-unused"),
        target,
        60,
    )
    where = probe.stdout.split()
    if not probe.ok or not all(Path(w).is_relative_to(target) for w in where):
        raise RuntimeError(f"children do not import the snapshot in {target}: {probe.tail()}")
    return target


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


def copy_raw(target: Path) -> Path:
    shutil.copytree(REPO / "raw", target)
    return target


def synthetic_raw(target: Path, rows: int) -> Path:
    """A copy of raw/ with `rows` extra valid troop figures and the sources they cite."""
    copy_raw(target)
    countries = (target / "countries.yaml").read_text(encoding="utf-8")
    missing = [c for c in CONTRIBUTORS if f"iso3: {c}" not in countries]
    if missing:
        raise RuntimeError(f"contributors missing from countries.yaml: {missing}")
    per_source = len(CONTRIBUTORS) * len(OPERATION_DAYS)
    sources = -(-rows // per_source)
    with (target / "sources.yaml").open("a", encoding="utf-8") as out:
        for s in range(sources):
            out.write(
                f"\n- id: bench-source-{s}\n  title: Benchmark source {s}\n"
                f"  publisher: Benchmark\n  url: https://example.org/bench/{s}\n"
                '  published: "2022-01-20"\n  language: en\n  kind: news\n'
            )
    with (target / "troop_deployments.yaml").open("a", encoding="utf-8") as out:
        n = 0
        for s in range(sources):
            for day in OPERATION_DAYS:
                for contributor in CONTRIBUTORS:
                    if n == rows:
                        return target
                    out.write(
                        f"\n- operation: kazakhstan-2022\n  contributor: {contributor}\n"
                        f"  troops: {100 + n % 900}\n  qualifier: {QUALIFIERS[n % 5]}\n"
                        f'  as_of: "{day.isoformat()}"\n  source: bench-source-{s}\n'
                        "  preferred: false\n"
                    )
                    n += 1
    return target


# ------------------------------------------------------------------------ measurements


@dataclass
class Measure:
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
        values = [r.inner_times().get(key) for r in self.runs]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.measures: dict[str, Measure] = {}
        self.extra: dict[str, object] = {}
        self.failures: list[str] = []
        self.counter = 0

    def fresh(self, name: str) -> Path:
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

    # -- 1, 2, 3: floor, check, release with nothing changed

    def floor(self, raw: Path) -> Run:
        out = self.fresh("floor") / "output"
        try:
            return run_child(
                [PYTHON, "-c", FLOOR, str(raw), str(out)],
                child_env(self.work / "prefect-unused"),
                out.parent,
                self.args.timeout,
            )
        finally:
            shutil.rmtree(out.parent, ignore_errors=True)

    def run_basics(self, raw: Path, changed: Path, published: Path) -> None:
        runs, timeout = self.args.runs, self.args.timeout
        env = child_env(self.work / "prefect-unused")
        self.measure(
            "floor",
            "floor: plain pipeline, fresh output",
            lambda: self.floor(raw),
            r"published 1\.0\.0",
            runs,
        )
        self.measure(
            "floor_validate",
            "floor, validation only (ingest + validate)",
            lambda: run_child([PYTHON, "-c", VALIDATE, str(raw)], env, self.work, timeout),
            r"valid",
            runs,
        )

        def floor_change() -> Run:
            out = self.fresh("floor-change") / "output"
            shutil.copytree(published, out)
            try:
                return run_child(
                    [PYTHON, "-c", FLOOR, str(changed), str(out)], env, out.parent, timeout
                )
            finally:
                shutil.rmtree(out.parent, ignore_errors=True)

        self.measure(
            "floor_change",
            "floor, one record changed (same work as 4)",
            floor_change,
            r"published 1\.1\.0",
            runs,
        )
        self.measure(
            "check",
            "`csto-data check`",
            lambda: run_child([*cli(), "--raw", str(raw), "check"], env, self.work, timeout),
            r"all records valid",
            runs,
        )
        untouched = self.fresh("nochange") / "output"  # a failed run must not alter the base
        shutil.copytree(published, untouched)
        self.measure(
            "nochange",
            "`csto-data release`, nothing changed",
            lambda: run_child(release_cmd(raw, untouched), env, self.work, timeout),
            r"^No change",
            runs,
        )

    # -- 4: release with one record changed

    def release_on_copy(
        self, raw: Path, base: Path, env: dict[str, str], verbose: bool = False
    ) -> Run:
        """`csto-data release` of `raw` onto a fresh copy of the output folder `base`."""
        folder = self.fresh("release")
        shutil.copytree(base, folder / "output")
        cmd = release_cmd(raw, folder / "output")
        try:
            return run_child(
                cmd + (["--verbose"] if verbose else []), env, folder, self.args.prefect_timeout
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def run_committed(self, raw: Path, committed: Path, env: dict[str, str]) -> None:
        """`release` with nothing changed on `output/` as a fresh clone has it. If its newest
        release was made by older pipeline code, only a rebuild can show that the tables are
        the same; that run notes so in its local state folder, and the runs after it answer
        from the note."""
        name = "`csto-data release`, nothing changed, committed output/"
        m = self.measure(
            "committed_first",
            f"{name}: first run",
            lambda: self.release_on_copy(raw, committed, env),
            "^No change",
            self.args.runs,
        )
        self.extra["committed_rebuilt"] = any("identical" in r.stdout for r in m.runs)
        kept = self.fresh("committed-kept") / "output"
        shutil.copytree(committed, kept)
        # The untimed warm-up run is that output's first run.
        self.measure(
            "committed_next",
            f"{name}: the runs after the first",
            lambda: run_child(release_cmd(raw, kept), env, kept.parent, self.args.prefect_timeout),
            "^No change",
            self.args.runs,
        )

    def run_prefect(self, raw: Path, changed: Path, published: Path, committed: Path) -> None:
        runs = self.args.runs
        expect = r"Published v1\.1\.0"
        warm = child_env(self.fresh("prefect-home-warm"))
        self.measure(
            "warm",
            "`csto-data release`, one change: (a) no server, warm PREFECT_HOME",
            lambda: self.release_on_copy(changed, published, warm),
            expect,
            runs,
        )
        self.run_committed(raw, committed, warm)
        self.log("breakdown: one --verbose run of (a), python start-up and imports")
        verbose = self.release_on_copy(changed, published, warm, verbose=True)
        self.extra["verbose"] = verbose
        env = child_env(self.work / "prefect-unused")
        for key, code in [
            ("python", "pass"),
            ("import_cli", "import flows.cli"),
            ("import_release", "import flows.cli, flows.release"),
            ("import_prefect", "import prefect"),
        ]:
            self.measure(
                key,
                f"`python -c {code!r}`",
                lambda c=code: run_child([PYTHON, "-c", c], env, self.work, 60),
                "",
                runs,
            )

        def cold() -> Run:
            home = self.fresh("prefect-home-cold")
            try:
                return self.release_on_copy(changed, published, child_env(home))
            finally:
                shutil.rmtree(home, ignore_errors=True)

        self.measure(
            "cold",
            "`csto-data release`, one change: (b) fresh PREFECT_HOME each run",
            cold,
            expect,
            runs,
            warmup=False,
        )
        home = self.fresh("prefect-server-home")
        self.log("starting `prefect server start` on 127.0.0.1")
        try:
            with prefect_server(home, self.args.prefect_timeout) as (url, startup):
                self.extra["server_startup"] = startup
                self.log(f"server healthy after {startup:.1f} s at {url}")
                client = child_env(self.fresh("prefect-home-client"), api_url=url)
                self.measure(
                    "server",
                    "`csto-data release`, one change: (c) running local Prefect server",
                    lambda: self.release_on_copy(changed, published, client),
                    expect,
                    runs,
                )
        except RuntimeError as error:
            self.failures.append(f"prefect server: {error}")
            self.measures.setdefault("server", Measure("(c) running server")).failed = str(error)

    # -- the test suite, as CI runs it

    def run_tests(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        self.measure(
            "tests",
            "the whole test suite (`pytest -q` in the checkout)",
            lambda: run_child(
                [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env, REPO, 1800
            ),
            r"\d+ passed",
            1,
            warmup=False,
        )

    # -- 5: scale

    def run_scale(self) -> None:
        previous: tuple[int, dict[str, Measure]] | None = None
        for rows in self.args.scales:
            folder = self.fresh(f"scale-{rows}")
            self.log(f"scale: generating {rows} troop-figure rows")
            start = time.perf_counter()
            raw = synthetic_raw(folder / "raw", rows)
            self.extra[f"generate_{rows}"] = time.perf_counter() - start
            env = child_env(self.work / "prefect-unused")
            current: dict[str, Measure] = {}
            for kind, name, one, expect in [
                (
                    "check",
                    "`csto-data check`",
                    lambda r=raw, e=env, f=folder: run_child(
                        [*cli(), "--raw", str(r), "check"], e, f, self.args.scale_timeout
                    ),
                    r"all records valid",
                ),
                (
                    "floor",
                    "floor (ingest, validate, build, write)",
                    lambda r=raw: self.scale_floor(r),
                    r"published 1\.0\.0",
                ),
            ]:
                key = f"scale_{kind}_{rows}"
                label = f"{name}, {rows:,} rows"
                if previous is not None:
                    before_rows, before = previous
                    base = before[kind]
                    projected = base.median * rows / before_rows
                    memory = base.peak_mb * rows / before_rows
                    over = []
                    if projected > self.args.scale_timeout:
                        over.append(f"--scale-timeout {self.args.scale_timeout:.0f} s")
                    if memory > self.args.max_memory:
                        over.append(f"--max-memory {self.args.max_memory:.0f} MB")
                    if base.failed or over:
                        m = self.measures.setdefault(key, Measure(label))
                        m.projected = projected
                        m.note = (
                            f"not run: {base.median:.0f} s and {base.peak_mb:.0f} MB at "
                            f"{before_rows:,} rows project {projected:.0f} s and {memory:.0f} MB "
                            f"(linear), over {' and '.join(over) or 'a failed smaller scale'}"
                        )
                        self.log(f"{label}: {m.note}")
                        current[kind] = m
                        continue
                current[kind] = self.measure(
                    key,
                    label,
                    one,
                    expect,
                    self.args.scale_runs,
                    warmup=False,
                    budget=self.args.scale_budget,
                )
            previous = (rows, current)
            shutil.rmtree(folder, ignore_errors=True)

    def scale_floor(self, raw: Path) -> Run:
        out = self.fresh("scale-out") / "output"
        try:
            return run_child(
                [PYTHON, "-c", FLOOR, str(raw), str(out)],
                child_env(self.work / "prefect-unused"),
                out.parent,
                self.args.scale_timeout,
            )
        finally:
            shutil.rmtree(out.parent, ignore_errors=True)


# ----------------------------------------------------------------------------- report

_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+\s*\| (.*)$")


def prefect_timeline(run: Run) -> dict[str, float] | None:
    """Seconds from the child's start to the marks in Prefect's `--verbose` log."""
    start = dt.datetime.fromtimestamp(run.started)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    origin = (start - midnight).total_seconds()
    marks: dict[str, float] = {}
    for line in (run.stdout + "\n" + run.stderr).splitlines():
        match = _LOG_TIME.match(line.strip())
        if not match:
            continue
        h, m, s, ms, text = match.groups()
        at = (int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 - origin) % 86400
        if "Starting temporary server" in text:
            marks.setdefault("server_banner", at)
        elif text.startswith("Flow run") and "Beginning flow run" in text:
            marks.setdefault("flow_begin", at)
        elif text.startswith("Flow run") and "Finished in state" in text:
            marks["flow_end"] = at
        elif "Stopping temporary server" in text:
            marks["server_stop"] = at
    need = ("server_banner", "flow_begin", "flow_end")
    return marks if all(k in marks for k in need) else None


def fmt(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "-"
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def ratio(value: float, floor: float) -> str:
    if value != value or floor != floor or floor == 0:
        return "-"
    return f"{value / floor:.2f}x"


def row(m: Measure, floor: float) -> str:
    if m.projected is not None and not m.runs:
        return f"| {m.name} | 0 | ≈{fmt(m.projected)} (projected) | - | - | - | - |"
    if m.failed and not m.runs:
        return f"| {m.name} | 0 | failed: {m.failed[:120]} | - | - | - | - |"
    lo, hi = min(m.seconds), max(m.seconds)
    timed_out = " (killed at timeout)" if m.failed else ""
    return (
        f"| {m.name} | {len(m.runs)} | {fmt(m.median)}{timed_out} | {fmt(lo)} | {fmt(hi)} | "
        f"{ratio(m.median, floor)} | {m.peak_mb:.0f} |"
    )


def verdict(ok: bool | None) -> str:
    return "**not measured**" if ok is None else "**met**" if ok else "**not met**"


def report(bench: Bench, started: float) -> str:
    M, args = bench.measures, bench.args
    floor = M["floor"].median if "floor" in M else float("nan")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py{' --quick' if args.quick else ''}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average at start "
        f"{bench.extra.get('load', '?')}, whole run {time.perf_counter() - started:.0f} s; "
        f"code and raw/ of {bench.extra.get('revision', '?')} (copied at the start). "
        "The machine was shared, so figures are noisy; compare ratios within one run.",
        "",
        "Wall time of a fresh process in seconds (imports count); peak = the child's "
        "`ru_maxrss` in MB. x floor = median / median of the floor of this run.",
        "",
        "## Commands against the real raw/",
        "",
        "| measurement | runs | median s | min s | max s | x floor | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    order = [
        "floor",
        "floor_validate",
        "floor_change",
        "check",
        "nochange",
        "committed_first",
        "committed_next",
        "warm",
        "cold",
        "server",
    ]
    lines += [row(M[k], floor) for k in order if k in M]
    if "committed_rebuilt" in bench.extra:
        lines += [
            "",
            "The committed output/'s newest release was made by older pipeline code (its input "
            "hash is not this code's), so a fresh clone's first `release` rebuilds, with "
            "Prefect, to find the tables unchanged; it notes so in its local state folder (not "
            "in output/), and the runs after it answer without Prefect."
            if bench.extra["committed_rebuilt"]
            else "The committed output/ was made by this pipeline code: even a fresh clone's "
            "first `release` answers from its input hash, without Prefect.",
        ]
    if "server_startup" in bench.extra:
        lines += [
            "",
            f"The local Prefect server (`prefect server start --no-ui`, fresh PREFECT_HOME) "
            f"took {bench.extra['server_startup']:.1f} s to answer `/api/health`, once; not "
            "included above.",
        ]
    if "floor" in M:
        steps = ["imports", "ingest", "validate", "build", "render", "fingerprint", "publish"]
        lines += [
            "",
            "Floor, in-process step times (median s): "
            + ", ".join(f"{s} {fmt(M['floor'].inner(s))}" for s in steps)
            + ".",
        ]
    lines += breakdown(bench)
    lines += scale_section(bench)
    lines += targets(bench)
    if bench.failures:
        lines += ["", "## Failed runs", ""] + [f"- {f}" for f in bench.failures]
    return "\n".join(lines) + "\n"


def breakdown(bench: Bench) -> list[str]:
    M = bench.measures
    if "warm" not in M or not M["warm"].runs:
        return []
    total = M["warm"].median
    python = M["python"].median if "python" in M else float("nan")
    imports = M["import_release"].median - python if "import_release" in M else float("nan")
    work = (
        sum(
            M["floor_change"].inner(s)
            for s in ("ingest", "validate", "build", "render", "fingerprint", "publish")
        )
        if "floor_change" in M
        else float("nan")
    )
    lines = [
        "",
        "## Where the time goes: release with one change, no server, warm PREFECT_HOME",
        "",
        "| part | seconds | share | how measured |",
        "|---|---:|---:|---|",
    ]
    verbose: Run | None = bench.extra.get("verbose")  # type: ignore[assignment]
    marks = prefect_timeline(verbose) if verbose is not None and verbose.ok else None
    if marks:
        whole = verbose.seconds
        parts = [
            ("Python start-up", python, "`python -c pass`"),
            (
                "imports (flows.cli, flows.release, prefect)",
                imports,
                "`python -c 'import flows.cli, flows.release'` - start-up",
            ),
            (
                "input hash, settings, flow call until the server banner",
                marks["server_banner"] - python - imports,
                'start → "Starting temporary server", - the two above',
            ),
            (
                "Prefect temporary server start-up, flow run creation",
                marks["flow_begin"] - marks["server_banner"],
                'banner → "Beginning flow run"',
            ),
            (
                "the flow's own work (plain steps)",
                work,
                "floor with one change: ingest..publish, in-process",
            ),
            (
                "Prefect task orchestration, artifacts",
                marks["flow_end"] - marks["flow_begin"] - work,
                '"Beginning flow run" → "Finished in state", - the work',
            ),
            (
                "temporary server shutdown, exit",
                whole - marks["flow_end"],
                '"Finished in state" → process exit',
            ),
        ]
        lines += [f"| {p} | {fmt(s)} | {s / whole:.0%} | {how} |" for p, s, how in parts]
        lines += [
            f"| **total** of the `--verbose` run | {fmt(whole)} | 100% | timed here; "
            f"median of (a): {fmt(total)} s |",
            "",
            "Log marks are Prefect's own timestamps (ms) relative to this script's start of "
            "the child; start-up and imports are medians of their own runs.",
        ]
    else:
        lines += [
            f"| Python start-up | {fmt(python)} | - | `python -c pass` |",
            f"| imports | {fmt(imports)} | - | import flows.cli, flows.release |",
            f"| the flow's own work | {fmt(work)} | - | in-process steps |",
            f"| Prefect (rest) | {fmt(total - python - imports - work)} | - | difference |",
            "",
            "The `--verbose` run's log could not be parsed; the Prefect part is a difference.",
        ]
    if "import_prefect" in M and "import_cli" in M:
        lines += [
            "",
            f"For reference: `python -c 'import prefect'` {fmt(M['import_prefect'].median)} s; "
            f"`python -c 'import flows.cli'` (what `check` imports) "
            f"{fmt(M['import_cli'].median)} s.",
        ]
    return lines


def scale_section(bench: Bench) -> list[str]:
    M = bench.measures
    keys = [k for k in M if k.startswith("scale_")]
    if not keys:
        return []
    floor = M["floor"].median if "floor" in M else float("nan")
    lines = [
        "",
        "## Scale: synthetic troop figures",
        "",
        "Rows are extra troop-figure rows beside the 27 real ones (plus one source per 70 "
        "rows). Repetitions stop once a measurement has used "
        f"{bench.args.scale_budget:.0f} s; timeout {bench.args.scale_timeout:.0f} s per run.",
        "",
        "| measurement | runs | median s | min s | max s | x floor | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [row(M[k], floor) for k in keys]
    for rows in bench.args.scales:
        m = M.get(f"scale_floor_{rows}")
        if m and m.runs and not m.failed:
            steps = ["imports", "ingest", "validate", "build", "render", "publish"]
            lines.append(
                f"- floor at {rows:,} rows, in-process (s): "
                + ", ".join(f"{s} {fmt(m.inner(s))}" for s in steps)
            )
        notes = [M[k].note for k in keys if k.endswith(f"_{rows}") and M[k].note]
        lines += [f"- {n}" for n in notes]
    for kind in ("check", "floor"):
        growth = scale_growth(bench, kind)
        if growth:
            lines.append(f"- growth of {kind}: {growth[1]}")
    return lines


def largest_floor(bench: Bench) -> tuple[int, Measure] | None:
    done = [
        (rows, bench.measures[f"scale_floor_{rows}"])
        for rows in bench.args.scales
        if f"scale_floor_{rows}" in bench.measures
    ]
    done = [(r, m) for r, m in done if m.runs and not m.failed]
    return done[-1] if done else None


def scale_growth(bench: Bench, kind: str) -> tuple[float, str, int] | None:
    """Ratio of times between the two largest measured scales (10^5 -> 10^6 if run)."""
    measured = [
        (rows, bench.measures[f"scale_{kind}_{rows}"])
        for rows in bench.args.scales
        if f"scale_{kind}_{rows}" in bench.measures
    ]
    measured = [(r, m) for r, m in measured if m.runs and not m.failed]
    if len(measured) < 2:
        return None
    (r0, m0), (r1, m1) = measured[-2], measured[-1]
    growth = m1.median / m0.median
    text = (
        f"{r0:,} → {r1:,} rows ({r1 / r0:.0f}x rows): {fmt(m0.median)} s → "
        f"{fmt(m1.median)} s, {growth:.1f}x the time"
    )
    return growth, text, r1


def targets(bench: Bench) -> list[str]:
    M, args = bench.measures, bench.args

    def med(key: str) -> float | None:
        m = M.get(key)
        return m.median if m and m.runs and not m.failed else None

    floor, validation = med("floor"), med("floor_validate")
    out = ["", "## Targets", ""]
    check = med("check")
    ok = None if check is None or validation is None else check <= 1.3 * validation
    out.append(
        f"- `check` within 1.3x of the floor's validation: {verdict(ok)} "
        f"({fmt(check)} s vs {fmt(validation)} s, {ratio(check or 0, validation or 0)})."
    )
    nochange, first, following = med("nochange"), med("committed_first"), med("committed_next")
    ok = None if nochange is None or floor is None else nochange <= 2 * floor
    if ok and "committed_next" in M:
        ok = following is not None and following <= 2 * floor
    committed = (
        f"; on the committed output/, {fmt(first)} s for a fresh clone's first run, "
        f"{fmt(following)} s for the runs after it"
        if "committed_first" in M
        else ""
    )
    out.append(
        f"- `release` with nothing changed within 2x of the floor: {verdict(ok)} "
        f"({fmt(nochange)} s vs {fmt(floor)} s, {ratio(nochange or 0, floor or 0)}{committed})."
    )
    server = med("server")
    ok = None if server is None or floor is None else server <= 2.5 * floor
    why = ""
    change, heavy, light = med("floor_change"), med("import_release"), med("import_cli")
    if ok is False and None not in (change, server, heavy, light):
        why = (
            f" The same work without Prefect (floor, one change) takes {fmt(change)} s; the "
            f"other {fmt(server - change)} s are Prefect's: importing it adds "
            f"{fmt(heavy - light)} s (`import flows.cli, flows.release` vs `import flows.cli`), "
            "the rest is creating the flow and task runs, their states and artifacts over HTTP."
        )
    out.append(
        f"- `release` with one change against a running server within 2.5x of the floor: "
        f"{verdict(ok)} ({fmt(server)} s vs {fmt(floor)} s, "
        f"{ratio(server or 0, floor or 0)}).{why}"
    )
    out.append(first_runs(bench))
    big = 10**6
    c, f = M.get(f"scale_check_{big}"), M.get(f"scale_floor_{big}")
    if c is None and f is None:
        ok, detail = None, f"this run's largest scale was {max(args.scales, default=0):,} rows"
    elif all(m is not None and m.runs and not m.failed for m in (c, f)):
        # Strict reading: `check` first, then a floor run that validates again and
        # builds and writes; the two times added, the larger peak.
        ok = c.median + f.median < 20 and max(c.peak_mb, f.peak_mb) < 2048
        detail = (
            f"check {fmt(c.median)} s / {c.peak_mb:.0f} MB, then ingest+validate+build+write "
            f"(floor) {fmt(f.median)} s / {f.peak_mb:.0f} MB: {fmt(c.median + f.median)} s "
            f"added up"
        )
    else:
        ok = False
        detail = "; ".join(f"{m.name}: {m.note or m.failed}" for m in (c, f) if m)
    out.append(f"- 10^6 rows: check+build+write < 20 s and < 2 GB peak: {verdict(ok)} ({detail}).")
    hot = largest_floor(bench)
    if hot and ok is not True:
        rows, m = hot
        steps = ["imports", "ingest", "validate", "build", "render", "publish"]
        parts = sorted(((m.inner(k), k) for k in steps), reverse=True)
        out.append(
            f"  Where the floor's time goes at {rows:,} rows (in-process, s): "
            + ", ".join(f"{k} {fmt(v)}" for v, k in parts)
            + "."
        )
    out.append(test_suite(bench))
    for kind in ("check", "floor"):
        growth = scale_growth(bench, kind)
        if growth is None:
            out.append(f"- linear growth ({kind}): {verdict(None)} (fewer than two scales ran).")
            continue
        largest = growth[2]
        ok = growth[0] <= 12 if largest >= 10**6 else None
        if ok is None and growth[0] > 12:
            ok = False  # already worse than linear below 10^6
        where = "" if largest >= 10**6 else " at 10^6; below it"
        out.append(
            f"- linear growth ({kind}), at most 12x the time for 10x the rows, 10^5 → 10^6: "
            f"{verdict(ok)}{where}: {growth[1]}."
        )
    return out


def test_suite(bench: Bench) -> str:
    m = bench.measures.get("tests")
    if m is None:
        return "- the whole test suite under 10 minutes on 2 cores: not measured (--skip-tests)."
    if m.failed or not m.runs:
        return f"- the whole test suite under 10 minutes on 2 cores: **not met** ({m.failed})."
    run = m.runs[0]
    said = re.search(r"\d+ passed[^\n]*", run.stdout)
    return (
        f"- the whole test suite under 10 minutes on 2 cores: {verdict(run.seconds < 600)} "
        f"({fmt(run.seconds)} s on {os.cpu_count()} cores: {said.group(0) if said else ''}; "
        "one Prefect test server is shared by the session)."
    )


def first_runs(bench: Bench) -> str:
    """Whether every release run without a server published, and printed only its result.

    Fresh PREFECT_HOMEs are what a first run on a new machine has; Prefect's noise is any
    line on stderr, or on stdout that is not the command's own one-line result.
    """
    runs = [r for key in ("warm", "cold") for r in bench.measures.get(key, Measure("")).runs]
    failed = [bench.measures[k].failed for k in ("warm", "cold") if k in bench.measures]
    cold = len(bench.measures["cold"].runs) if "cold" in bench.measures else 0
    if not runs and not any(failed):
        return "- first `release` never fails, and is quiet: not measured (--skip-prefect)."
    noisy = [
        line
        for r in runs
        for line in [*r.stderr.splitlines(), *r.stdout.splitlines()]
        if line.strip() and not line.startswith(("Published v", "No change"))
    ]
    ok = not any(failed) and not noisy and cold > 0
    settings = (REPO / "flows" / "prefect_settings.py").read_text(encoding="utf-8")
    timeout = re.search(r'STARTUP_TIMEOUT_SECONDS": "(\d+)"', settings)
    detail = (
        f"{cold} of {cold} runs with a fresh PREFECT_HOME published (Prefect's server "
        f"start-up timeout is raised to {timeout.group(1) if timeout else '?'} s in "
        "`flows/prefect_settings.py`); "
        f"{len(noisy)} lines of other output in {len(runs)} runs without `--verbose`"
    )
    if any(failed):
        detail += "; failed: " + "; ".join(f for f in failed if f)
    if noisy:
        detail += f"; first: {noisy[0][:200]!r}"
    return (
        "- a first `release` (no server, fresh PREFECT_HOME) never fails for Prefect's "
        f"start-up, and prints nothing of Prefect's without `--verbose`: {verdict(ok)} "
        f"({detail})."
    )


# ------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
        signal.signal(sig, _on_signal)
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
        with (changed / "treaty_events.yaml").open("a", encoding="utf-8") as handle:
            handle.write(ADDED_EVENT)
        base = bench.fresh("published")
        first = run_child(
            [PYTHON, "-c", FLOOR, str(raw), str(base / "output")],
            child_env(work / "prefect-unused"),
            base,
            args.timeout,
        )
        if not first.ok:
            raise RuntimeError(f"the first release failed: {first.tail()}")
        published = base / "output"
        bench.run_basics(raw, changed, published)
        if not args.skip_prefect:
            bench.run_prefect(raw, changed, published, committed)
        bench.run_scale()
        if not args.skip_tests:
            bench.run_tests()
    except Exception as error:  # report what was measured, then fail
        bench.failures.append(f"aborted: {type(error).__name__}: {error}")
        bench.log(f"ABORTED: {error}")
    finally:
        _stop_everything()
        shutil.rmtree(work, ignore_errors=True)
    text = report(bench, started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {args.output}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
