"""What the children run: the floor's scripts, the `csto-data` commands and their environment.

The children import a copy of flows/ and schemas/ taken at the start (`snapshot_code`), so
that edits to the checkout during a run cannot change what is measured (or the input hash
that "nothing changed" depends on).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench.processes import run_child
from tests.prefect_processes import isolated_env

REPO = Path(__file__).resolve().parent.parent
CODE = {"path": REPO}  # where the children import flows/ and schemas/ from
PYTHON = sys.executable
BIN = Path(PYTHON).parent

# The plain pipeline in a child: `flows.orchestration.pipeline.run`, the chain of steps
# that `release` runs, given each step wrapped in a timer.
FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
from dataclasses import fields
from pathlib import Path
import flows.orchestration.pipeline as p
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
p.records_hash = timed(p.records_hash, "fingerprint")  # looked up by `run` at call time
start = time.perf_counter()
outcome = p.run(steps, Path(sys.argv[1]), Path(sys.argv[2]), date="2026-01-02")
times["release"] = time.perf_counter() - start
if isinstance(outcome, list):  # refused, as `check` refuses it: say why, as a failed run
    sys.exit("refused: " + "; ".join(str(problem) for problem in outcome[:2]))
print(outcome.status, outcome.version)
print("BENCH " + json.dumps(times))
"""

# What `check` has to do at the least: ingest and validate, in a fresh process.
VALIDATE = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from flows.steps.ingest import ingest
from flows.steps.validate import require_valid
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


def child_env(prefect_home: Path, api_url: str | None = None) -> dict[str, str]:
    """The user's environment without any Prefect setting, with the code snapshot importable."""
    settings = {"PREFECT_HOME": str(prefect_home)}
    if api_url:
        settings["PREFECT_API_URL"] = api_url
    env = isolated_env(**settings)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE["path"]), env.get("PYTHONPATH")]))
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def plain_env(work: Path) -> dict[str, str]:
    """`child_env` for the children that do not use Prefect: its home is never created."""
    return child_env(work / "prefect-unused")


def cli() -> list[str]:
    script = BIN / "csto-data"
    return [str(script)] if script.exists() else [PYTHON, "-m", "flows.orchestration.cli"]


def check_cmd(raw: Path) -> list[str]:
    return [*cli(), "--raw", str(raw), "check"]


def release_cmd(raw: Path, output: Path) -> list[str]:
    return [*cli(), "--raw", str(raw), "release", "--output", str(output)]


def floor_cmd(raw: Path, output: Path) -> list[str]:
    return [PYTHON, "-c", FLOOR, str(raw), str(output)]


def snapshot_code(target: Path) -> Path:
    """A copy of flows/ and schemas/ that the children import instead of the checkout's."""
    for package in ("flows", "schemas"):
        shutil.copytree(
            REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    CODE["path"] = target
    probe = run_child(
        [PYTHON, "-c", "import flows, schemas; print(flows.__file__); print(schemas.__file__)"],
        plain_env(target),
        target,
        60,
    )
    where = probe.stdout.split()
    if not probe.ok or not all(Path(w).is_relative_to(target) for w in where):
        raise RuntimeError(f"children do not import the snapshot in {target}: {probe.tail()}")
    return target


def copy_raw(target: Path) -> Path:
    shutil.copytree(REPO / "raw", target)
    return target
